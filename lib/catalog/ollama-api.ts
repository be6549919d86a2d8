/**
 * The native Ollama routes the catalog reads (`/api/tags`, `/api/show`, `/api/ps`): loose zod schemas for
 * their answers and one helper that sends a request under a whole-request deadline and parses the JSON.
 */
import { lazySchema, z } from "../zod.ts";
import type { Provider } from "./types.ts";
import { OclawError } from "../errors.ts";
import { deadline } from "../http/abort.ts";
import { readText } from "../http/body.ts";
import { clip, MAX_NAME_CHARS } from "../clip.ts";
import type { HttpContext } from "../http/context.ts";
import { apiRequest } from "../client/server-errors.ts";
import type { Transport } from "../http/transport.ts";

/** Time allowed for one catalog request (connect excluded), unless the provider sets `timeoutSeconds`. */
export const DEFAULT_CATALOG_TIMEOUT_MS = 30_000;

/**
 * The answers' schemas, built on first use: a chat with an explicit model list asks none of these routes.
 */
export const ollamaApi = lazySchema(() => {
  // A name longer than any Ollama allows is cut where it is read, so no display of it (table, doctor, the
  // health line, JSON) can be a megabyte long; such a model cannot be asked for anyway.
  const ModelName = z.string().transform((name) => clip(name, MAX_NAME_CHARS));
  /** One entry of `/api/tags`. */
  const tag = z.looseObject({
    name: ModelName,
    model: z.string().optional(),
    modified_at: z.string().optional(),
    size: z.number().optional(),
    digest: z.string().default(""),
    details: z.looseObject({}).optional(),
    // Since v0.30 (api/types.go ListModelResponse): computed by the running server, like /api/show's.
    capabilities: z.array(z.string()).optional(),
  });
  /** One entry of `GET /api/ps`. */
  const psEntry = z.looseObject({
    name: ModelName,
    model: z.string().optional(),
    size: z.number().optional(),
    size_vram: z.number().optional(),
    context_length: z.number().optional(),
    expires_at: z.string().optional(),
  });
  return {
    tag,
    /** `GET /api/tags`. */
    tags: z.looseObject({ models: z.array(tag).nullable().transform((m) => m ?? []) }),
    /** `POST /api/show` (only the fields oclaw uses; Ollama adds more). */
    show: z.looseObject({
      parameters: z.string().optional(),
      details: z.looseObject({}).optional(),
      model_info: z.record(z.string(), z.unknown()).optional(),
      // Absent on servers older than v0.6.4.
      capabilities: z.array(z.string()).optional(),
    }),
    psEntry,
    /** `GET /api/ps`. */
    ps: z.looseObject({ models: z.array(psEntry).nullable().transform((m) => m ?? []) }),
  };
});

type Api = ReturnType<typeof ollamaApi>;

/** A model as `/api/tags` lists it. */
export type Tag = z.infer<Api["tag"]>;

/** An `/api/show` answer. */
export type Show = z.infer<Api["show"]>;

/** A loaded model as `/api/ps` reports it. */
export type PsEntry = z.infer<Api["psEntry"]>;

/** The per-request time limit for a provider. */
export function catalogTimeoutMs(provider: Provider): number {
  return provider.timeoutSeconds !== undefined ? provider.timeoutSeconds * 1000 : DEFAULT_CATALOG_TIMEOUT_MS;
}

/** Options for {@link fetchJson}. */
export interface FetchJsonOptions {
  /** POST body (sent as JSON); GET without one. */
  json?: unknown;
  signal?: AbortSignal | undefined;
  timeoutMs: number;
  headers?: Record<string, string>;
  service?: string;
  /** Time to open the connection (default: lib/http/diagnose.ts's). */
  connectTimeoutMs?: number | undefined;
  /** The provider's TLS settings and proxy. */
  transport?: Transport;
  /**
   * A hand check for the normal path (lib/catalog/answer-checks.ts): its result is used when it gives one,
   * and `schema` parses (and words the error) only when it does not.
   */
  accept?: (value: unknown) => unknown;
}

/**
 * Sends one request and parses its JSON answer with `schema` (built only when `options.accept` does not take
 * the answer); the whole exchange (headers and body) must finish within `timeoutMs` once connected.
 * @throws OclawError from {@link request}, E_TIMEOUT past the deadline, E_HTTP for an answer that is not the
 *   expected JSON
 */
export async function fetchJson<T extends z.ZodType>(
  http: HttpContext,
  url: string,
  schema: () => T,
  options: FetchJsonOptions,
): Promise<z.infer<T>> {
  const service = options.service ?? "Ollama";
  const target = new URL(url);
  let answered = false;
  const limit = deadline(options.timeoutMs, () =>
    new OclawError("E_TIMEOUT", `${service} at ${target.origin} timed out waiting for the answer to ${target.pathname} (${options.timeoutMs / 1000} s)`, {
      url: target.origin,
      noAnswer: !answered,
      hint: "The server is overloaded or stuck; check it, or raise timeoutSeconds for this provider",
    }));
  const signal = options.signal ? AbortSignal.any([options.signal, limit]) : limit;
  const response = await apiRequest(http, target, {
    ...(options.json === undefined ? {} : { json: options.json }),
    headers: options.headers ?? {},
    signal,
    service,
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    ...(options.transport === undefined ? {} : { transport: options.transport }),
  });
  answered = true;
  const text = await readText(response, target, service, signal);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw badAnswer(service, target, `not JSON: ${snippet(text)}`, cause);
  }
  const accepted = options.accept?.(parsed);
  if (accepted !== undefined) return accepted as z.infer<T>;
  const result = schema().safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
    throw badAnswer(service, target, `unexpected shape${where}: ${snippet(text)}`, result.error);
  }
  return result.data;
}

function badAnswer(service: string, url: URL, detail: string, cause: unknown): OclawError {
  return new OclawError("E_HTTP", `${service} at ${url.origin} answered ${url.pathname} with ${detail}`, {
    cause,
    url: url.origin,
    hint: "Check that the base URL points at an Ollama server",
  });
}

function snippet(text: string): string {
  const flat = text.trim().replace(/\s+/g, " ");
  return flat.length > 60 ? `${flat.slice(0, 60)}...` : flat === "" ? "(empty)" : flat;
}
