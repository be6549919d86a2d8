/**
 * "Did you mean" for config keys: `baseURL` → `baseUrl`, `contextwindow` → `contextWindow`, `base_url` →
 * `baseUrl`, `fallback` → `fallbacks`.
 */

function squash(key: string): string {
  return key.toLowerCase().replace(/[_\-\s]/g, "");
}

/** Edit distance counting a swap of neighbours as one edit (`inptu` → `input`). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, d[i - 2]![j - 2]! + 1);
      d[i]![j] = value;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate a mistyped key most likely meant, or undefined when none is close. */
export function suggestKey(key: string, candidates: Iterable<string>): string | undefined {
  const wanted = squash(key);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === key) continue;
    const have = squash(candidate);
    if (have === wanted) return candidate;
    const max = Math.max(1, Math.floor(Math.min(wanted.length, have.length) / 4));
    const d = distance(wanted, have);
    if (d <= max && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
