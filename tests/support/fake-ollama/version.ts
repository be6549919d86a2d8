/** Comparison of Ollama server versions ("0.12.3", "0.6.0-rc1"), the knob behind every version quirk. */

function parts(version: string): [number, number, number] {
  const [major = 0, minor = 0, patch = 0] = version.replace(/^v/, "").split(/[-+]/)[0]!.split(".").map(Number);
  return [major || 0, minor || 0, patch || 0];
}

/** True when `version` is `floor` or newer. */
export function atLeast(version: string, floor: string): boolean {
  const a = parts(version);
  const b = parts(floor);
  for (let i = 0; i < 3; i++) {
    if (a[i]! !== b[i]!) return a[i]! > b[i]!;
  }
  return true;
}
