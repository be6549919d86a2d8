/**
 * Loading and unloading a model on an Ollama server, as `ollama run` and `ollama stop` do over the network:
 * `POST /api/chat` with no messages loads the model (answering `done_reason: "load"` once it is in memory)
 * and, with `keep_alive: 0`, unloads it (`done_reason: "unload"`, at once) — server/routes.go ChatHandler.
 */
import { providerHeaders, providerTransport } from "../catalog/provider-headers.ts";
import { fetchJson } from "../catalog/ollama-api.ts";
import { splitParams } from "../client/ollama-options.ts";
import type { HttpContext } from "../http/context.ts";
import { lazySchema, z } from "../zod.ts";
import type { Target } from "./targets.ts";

/** The answer to a load or unload request. */
const loadAnswerSchema = lazySchema(() => z.looseObject({ done: z.boolean().optional(), done_reason: z.string().optional() }));

/** A `keep_alive` as Ollama reads it: seconds (a number) or a Go duration ("30m", "1h30m", "-1"). */
export type KeepAlive = number | string;

/**
 * Reads `--keep-alive`: a number of seconds, or a Go duration (`90s`, `30m`, `1h30m`; negative: forever).
 * Undefined for a value Ollama would refuse.
 */
export function parseKeepAlive(text: string): KeepAlive | undefined {
  const value = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return /^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value) ? value : undefined;
}

/**
 * Loads the target (with the options chat would send, so chat does not reload it) and waits until it is in
 * memory. `keepAlive` overrides the model's params. Returns the time the load took, measured here.
 * @throws OclawError E_UNREACHABLE, E_DNS, E_TIMEOUT, E_MODEL_NOT_FOUND, E_HTTP
 */
export async function loadModel(
  http: HttpContext,
  target: Target,
  keepAlive: KeepAlive | undefined,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<{ ms: number; keepAlive: KeepAlive | undefined }> {
  const { options, topLevel } = splitParams(target.model.params, `params of ${target.ref}`);
  const sent = keepAlive ?? (topLevel.keep_alive as KeepAlive | undefined);
  const body: Record<string, unknown> = { model: target.model.id, messages: [] };
  if (Object.keys(options).length > 0) body.options = options;
  if (sent !== undefined) body.keep_alive = sent;
  const started = http.now();
  await post(http, target, body, signal, timeoutMs);
  return { ms: http.now() - started, keepAlive: sent };
}

/**
 * Unloads the target (`keep_alive: 0`); Ollama answers at once and frees the memory right after.
 * @throws OclawError as {@link loadModel}
 */
export async function unloadModel(http: HttpContext, target: Target, signal: AbortSignal, timeoutMs: number): Promise<void> {
  await post(http, target, { model: target.model.id, messages: [], keep_alive: 0 }, signal, timeoutMs);
}

async function post(
  http: HttpContext,
  target: Target,
  body: Record<string, unknown>,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<void> {
  await fetchJson(http, `${target.provider.baseUrl}/api/chat`, loadAnswerSchema, {
    json: body,
    signal,
    timeoutMs,
    headers: providerHeaders(target.provider),
    transport: providerTransport(target.provider),
  });
}
