/**
 * "Did you mean" for a model name that is not there: `qwen3` when only `qwen3:8b` is installed, or a typo.
 */
import { closest } from "../suggest.ts";

/**
 * `Did you mean <provider>/<name>? ` (with the trailing space) for the installed name the asked one most
 * likely meant, else "". A name without a tag matches a single installed tag of it (`qwen3` → `qwen3:8b`).
 */
export function didYouMean(asked: string, installed: readonly string[], provider: string): string {
  const bare = asked.replace(/:latest$/, "");
  const tagged = installed.filter((name) => name.startsWith(`${bare}:`));
  let guess = tagged.length >= 1 ? tagged[0] : undefined;
  if (guess === undefined) guess = closest(asked, installed);
  if (guess === undefined) {
    // A typo in the name but the same tag: compare without the tags.
    const names = installed.map((n) => n.split(":")[0]!);
    const near = closest(bare.split(":")[0]!, names);
    guess = near === undefined ? undefined : installed[names.indexOf(near)];
  }
  return guess === undefined ? "" : `Did you mean ${provider}/${guess}? `;
}
