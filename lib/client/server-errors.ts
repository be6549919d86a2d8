/**
 * What an Ollama or OpenAI-compatible server's error answer means, in oclaw's codes: model not found, no
 * tools, no thinking, the Host check's 403, a different service on the port, or E_HTTP with the server's own
 * message. {@link apiRequest} is the HTTP request every API call makes, with that mapping applied.
 */
import { OclawError } from "../errors.ts";
import { knownOllamaError } from "./ollama-errors.ts";
import type { HttpContext } from "../http/context.ts";
import { clip, MAX_MESSAGE_CHARS } from "../clip.ts";
import { readErrorBody } from "../http/body.ts";
import { errorHint } from "../http/failure-hints.ts";
import { request, type RequestOptions } from "../http/request.ts";

/**
 * The error message a server put in its body: Ollama's `{"error":"..."}` or OpenAI's `{"error":{"message"}}`,
 * cut to {@link MAX_MESSAGE_CHARS}.
 */
export function errorMessageFromBody(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === "string") return clip(parsed.error, MAX_MESSAGE_CHARS);
    const nested = (parsed.error as { message?: unknown } | undefined)?.message;
    if (typeof nested === "string") return clip(nested, MAX_MESSAGE_CHARS);
  } catch {
    // Not JSON: fall through.
  }
  return undefined;
}

/**
 * Turns a non-2xx response into the matching OclawError (see {@link httpErrorFromBody}); its body is read
 * with a bound (lib/http/body.ts's readErrorBody) and cancelled.
 */
export async function httpError(response: Response, url: URL, service = "Ollama"): Promise<OclawError> {
  return httpErrorFromBody(response.status, await readErrorBody(response), url, service);
}

/**
 * The OclawError for a non-2xx answer with this body: model not found, no tools, no thinking, the Host
 * check's 403, a different service on the port, or E_HTTP with the server's own message.
 */
export function httpErrorFromBody(status: number, body: string, url: URL, service = "Ollama"): OclawError {
  const message = errorMessageFromBody(body);
  const base = { status, url: url.origin };
  const at = `${service} at ${url.origin}`;
  const known = message === undefined ? undefined : knownOllamaError(at, status, message, body, url.origin);
  if (known !== undefined) return known;
  if (message !== undefined && /does not support tools/.test(message)) {
    return new OclawError("E_NO_TOOLS", `${at}: ${message}`, {
      ...base,
      hint: "Pick a model whose capabilities include tools ('oclaw models list'), or send no --tools",
    });
  }
  if (message !== undefined && /does not support thinking/.test(message)) {
    return new OclawError("E_NO_THINKING", `${at}: ${message}`, base);
  }
  if (status === 404 && message !== undefined && /not found/.test(message)) {
    return new OclawError("E_MODEL_NOT_FOUND", `${at}: ${message}`, {
      ...base,
      hint: "Pull it with 'ollama pull <model>' or 'oclaw models pull <model>', or check 'oclaw models list'",
    });
  }
  if (status === 403 && message === undefined) {
    return new OclawError("E_HTTP", `${at} refused the request with 403 Forbidden`, {
      ...base,
      hint: errorHint("host-check"),
    });
  }
  if (message === undefined) {
    const snippet = body.trim().slice(0, 80).replace(/\s+/g, " ");
    return new OclawError("E_HTTP", `${at} answered ${status}${snippet ? `: ${snippet}` : ""}`, {
      ...base,
      hint: status === 404
        ? `That does not look like ${service === "Ollama" ? "Ollama's API" : "the API it should be"}; check the base URL and port`
        : undefined,
    });
  }
  return new OclawError("E_HTTP", `${at} answered ${status}: ${message}`, base);
}

/**
 * Sends one API request (lib/http/request.ts) and returns the response once its headers arrived.
 * @throws OclawError what {@link request} throws, and for a non-2xx answer the error {@link httpError} reads
 *   from its body
 */
export async function apiRequest(ctx: HttpContext, url: string | URL, options: RequestOptions = {}): Promise<Response> {
  const response = await request(ctx, url, options);
  if (!response.ok) throw await httpError(response, new URL(url), options.service ?? "Ollama");
  return response;
}
