/**
 * Hand checks of the catalog's JSON answers (`/api/tags`, `/api/show`, `/api/ps`, the show cache file) for
 * the normal path. Each takes a value fresh from `JSON.parse` (and may complete it in place, when it accepts
 * it) and returns exactly what the zod schema in
 * ollama-api.ts (or cache.ts) would, or undefined for anything it does not recognise, which then goes to
 * zod so that the error says what is wrong (tests/answer-checks.test.ts holds each to its schema). zod on
 * 200 models took ~16 ms of a cached `models list`; these take well under one.
 */
import { clip, MAX_NAME_CHARS } from "../clip.ts";
import type { PsEntry, Show, Tag } from "./ollama-api.ts";
import { isCopyableObject } from "../json-object.ts";

type Json = Record<string, unknown>;

const optionalString = (value: unknown) => value === undefined || typeof value === "string";
// zod's number takes no Infinity, which JSON.parse gives for 1e400.
const optionalNumber = (value: unknown) => value === undefined || (typeof value === "number" && Number.isFinite(value));

function optionalStrings(value: unknown): boolean {
  return value === undefined || (Array.isArray(value) && value.every((item) => typeof item === "string"));
}

/** One `/api/tags` entry, or undefined. */
export function acceptTag(value: unknown): Tag | undefined {
  if (!isCopyableObject(value) || typeof value.name !== "string") return undefined;
  const { model, modified_at, size, digest, details, capabilities } = value;
  if (!optionalString(model) || !optionalString(modified_at) || !optionalNumber(size)) return undefined;
  if (!optionalString(digest) || !(details === undefined || isCopyableObject(details)) || !optionalStrings(capabilities)) {
    return undefined;
  }
  // The value is JSON.parse's, nobody else's: completed in place, not copied (200 models, 200 copies).
  value.name = clip(value.name, MAX_NAME_CHARS);
  if (digest === undefined) value.digest = "";
  return value as Tag;
}

/** One `/api/ps` entry, or undefined. */
export function acceptPsEntry(value: unknown): PsEntry | undefined {
  if (!isCopyableObject(value) || typeof value.name !== "string") return undefined;
  const { model, size, size_vram, context_length, expires_at } = value;
  if (!optionalString(model) || !optionalNumber(size) || !optionalNumber(size_vram)) return undefined;
  if (!optionalNumber(context_length) || !optionalString(expires_at)) return undefined;
  value.name = clip(value.name, MAX_NAME_CHARS);
  return value as PsEntry;
}

/** A `{ models: [...] | null }` answer whose every entry `entry` accepts; null is no models. */
function acceptList<T>(value: unknown, entry: (item: unknown) => T | undefined): (Json & { models: T[] }) | undefined {
  if (!isCopyableObject(value)) return undefined;
  if (value.models === null) return { ...value, models: [] };
  if (!Array.isArray(value.models)) return undefined;
  const models: T[] = [];
  for (const item of value.models) {
    const accepted = entry(item);
    if (accepted === undefined) return undefined;
    models.push(accepted);
  }
  return { ...value, models };
}

/** A `GET /api/tags` answer, or undefined. */
export function acceptTags(value: unknown): (Json & { models: Tag[] }) | undefined {
  return acceptList(value, acceptTag);
}

/** A `GET /api/ps` answer, or undefined. */
export function acceptPs(value: unknown): (Json & { models: PsEntry[] }) | undefined {
  return acceptList(value, acceptPsEntry);
}

/** A `GET /api/version` answer, or undefined. */
export function acceptVersion(value: unknown): { version: string } | undefined {
  return isCopyableObject(value) && typeof value.version === "string" ? value as { version: string } : undefined;
}

/** A `POST /api/show` answer, or undefined. */
export function acceptShow(value: unknown): Show | undefined {
  if (!isCopyableObject(value)) return undefined;
  const { parameters, details, model_info, capabilities } = value;
  if (!optionalString(parameters) || !optionalStrings(capabilities)) return undefined;
  if (!(details === undefined || isCopyableObject(details)) || !(model_info === undefined || isCopyableObject(model_info))) {
    return undefined;
  }
  return value as Show;
}

/** The show cache file (format, base URL, models by name), or undefined. Unknown keys are dropped, as zod's strict copy does. */
export function acceptCacheFile(
  value: unknown,
  format: number,
): { format: number; baseUrl: string; models: Record<string, { digest: string; show: Show }> } | undefined {
  if (!isCopyableObject(value) || value.format !== format || typeof value.baseUrl !== "string") return undefined;
  if (!isCopyableObject(value.models)) return undefined;
  const models: Record<string, { digest: string; show: Show }> = {};
  for (const [name, entry] of Object.entries(value.models)) {
    if (!isCopyableObject(entry) || typeof entry.digest !== "string") return undefined;
    const show = acceptShow(entry.show);
    if (show === undefined) return undefined;
    models[name] = { digest: entry.digest, show };
  }
  return { format, baseUrl: value.baseUrl, models };
}
