/**
 * The OpenAI-compatible chat client: `POST {baseUrl}/chat/completions` (Ollama's /v1, vLLM, llama.cpp,
 * LM Studio ...), SSE or one JSON answer, turned into the same ChatEvents as the native client.
 */
import { providerHeaders, providerTransport } from "../catalog/provider-headers.ts";
import { OclawError } from "../errors.ts";
import { isInvalidThink } from "./think.ts";
import { errorMessageFromBody, httpErrorFromBody } from "./server-errors.ts";
import { warmOnce } from "./warm-up.ts";
import { clip, MAX_MESSAGE_CHARS } from "../clip.ts";
import { readErrorBody, withIdleTimeout } from "../http/body.ts";
import { request as httpRequest } from "../http/request.ts";
import { openAiBody } from "./openai-body.ts";
import { completionEvents, startClock, streamEvents } from "./openai-events.ts";
import type { ChatClient, ChatContext, ChatRequest } from "./request.ts";

function serviceName(request: ChatRequest): string {
  return request.provider.id === "ollama" ? "Ollama" : request.provider.id;
}

/**
 * A 404 from an OpenAI-compatible server that says the model does not exist is E_MODEL_NOT_FOUND
 * whatever its wording (OpenAI: "does not exist", code model_not_found; vLLM puts `message` at the top).
 */
async function openAiHttpError(response: Response, url: URL, service: string): Promise<OclawError> {
  const body = await readErrorBody(response);
  const error = httpErrorFromBody(response.status, body, url, service);
  // Named errors (and ours with a fix, such as a cloud sign-in) stand as httpErrorFromBody made them.
  if (error.code !== "E_HTTP" || error.hint !== undefined) return error;
  let message = errorMessageFromBody(body);
  if (message === undefined) {
    try {
      const top = (JSON.parse(body) as { message?: unknown }).message;
      if (typeof top === "string") message = clip(top, MAX_MESSAGE_CHARS);
    } catch {
      // Not JSON: httpError's message stands.
    }
  }
  if (message === undefined) return error;
  const at = `${service} at ${url.origin}`;
  if (response.status === 404 && /does not exist|not found|model_not_found/i.test(`${message} ${body}`)) {
    return new OclawError("E_MODEL_NOT_FOUND", `${at}: ${message}`, {
      status: 404,
      url: url.origin,
      hint: "Check the model id against the server's /v1/models, or 'oclaw models list'",
    });
  }
  return new OclawError("E_HTTP", `${at} answered ${response.status}: ${message}`, {
    status: response.status,
    url: url.origin,
  });
}

/** Sends the request; a non-2xx answer is thrown as {@link openAiHttpError} reads it. */
async function post(request: ChatRequest, context: ChatContext, url: URL, body: Record<string, unknown>) {
  const service = serviceName(request);
  // The timers were decided by the caller (lib/chat/attempt.ts), the same for both clients.
  const { connectMs, headersMs } = context.timeouts;
  const response = await httpRequest(context.http, url, {
    method: "POST",
    json: body,
    headers: providerHeaders(request.provider, request.model),
    transport: providerTransport(request.provider),
    signal: context.signal,
    service,
    ...(connectMs === undefined ? {} : { connectTimeoutMs: connectMs }),
    ...(headersMs === undefined ? {} : { headersTimeoutMs: headersMs }),
  });
  if (!response.ok) throw await openAiHttpError(response, url, service);
  return response;
}

/** Runs a two-event reply through the stream path (lib/client/warm-up.ts says why). */
async function warmUp(): Promise<void> {
  const reply = 'data: {"choices":[{"index":0,"delta":{"content":"."},"finish_reason":null}]}\n\n' +
    'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n';
  const body = withIdleTimeout(new Response(reply).body!, 60_000, () => "warm-up");
  for await (const _ of streamEvents(body, () => "warm-up", startClock(() => 0))) void _;
}

/**
 * The OpenAI-compatible {@link ChatClient}. Streams unless the request or the model's `params.streaming`
 * says no; a non-streamed answer yields the same events at the end.
 * @throws OclawError from the HTTP layer (E_UNREACHABLE, E_DNS, E_TIMEOUT, E_MODEL_NOT_FOUND, E_NO_TOOLS,
 *   E_HTTP ...), and E_STREAM for a malformed or cut stream (no `[DONE]`), a mid-stream error, or tool
 *   call arguments that are not JSON.
 */
export const openAiClient: ChatClient = async function* (request, context) {
  const service = serviceName(request);
  const url = new URL(`${request.provider.baseUrl.replace(/\/+$/, "")}/chat/completions`);
  const describe = () => `${service} at ${url.origin}`;
  const stream = request.stream && request.model.params.streaming !== false;
  const time = startClock(context.http.now);
  const body = openAiBody(request, stream);
  let response: Response;
  try {
    const answer = post(request, context, url, body);
    answer.catch(() => {});
    await warmOnce("openai", warmUp);
    response = await answer;
  } catch (error) {
    // As the native client does: a model that cannot think answers without reasoning rather than fail, and
    // an effort the server does not know (Ollama's /v1 took "none" only from 0.12.4) is left out.
    const noThinking = error instanceof OclawError && error.code === "E_NO_THINKING";
    if (!(noThinking || isInvalidThink(error)) || !("reasoning_effort" in body)) throw error;
    context.http.log.debug(
      `${request.model.ref} ${noThinking ? "does not support thinking" : `refused reasoning_effort ${body.reasoning_effort}`}; ` +
        "retrying without reasoning_effort",
    );
    delete body.reasoning_effort;
    response = await post(request, context, url, body);
  }
  if (response.body === null) throw new OclawError("E_STREAM", `${describe()} sent an empty answer`);
  const reply = withIdleTimeout(response.body, context.timeouts.idleMs, describe, context.signal);
  if (stream) yield* streamEvents(reply, describe, time);
  else yield* completionEvents(reply, describe, time);
};
