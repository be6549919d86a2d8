/** Comparison of Ollama server versions ("0.12.3", "0.6.0-rc1"), the knob behind every version quirk. */

function parts(version: string): [number, number, number] {
  const [major = 0, minor = 0, patch = 0] = version.replace(/^v/, "").split(/[-+]/)[0]!.split(".").map(Number);
  return [major || 0, minor || 0, patch || 0];
}

/**
 * True when `version` is `floor` or newer. `0.0.0` is what a build from a source checkout reports
 * (version/version.go's default): it has every feature, so it counts as the newest.
 */
export function atLeast(version: string, floor: string): boolean {
  const a = parts(version);
  if (a[0] === 0 && a[1] === 0 && a[2] === 0) return true;
  const b = parts(floor);
  for (let i = 0; i < 3; i++) {
    if (a[i]! !== b[i]!) return a[i]! > b[i]!;
  }
  return true;
}
