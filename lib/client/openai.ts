/**
 * The OpenAI-compatible chat client: `POST {baseUrl}/chat/completions` (Ollama's /v1, vLLM, llama.cpp,
 * LM Studio ...), SSE or one JSON answer, turned into the same {@link ChatEvent}s as the native client.
 */
import { z } from "zod";
import { OclawError } from "../errors.ts";
import { snippet } from "./ndjson.ts";
import { errorMessageFromBody, httpError, request as httpRequest, withIdleTimeout } from "../http.ts";
import type { ChatEvent, StopReason, Timings, Usage } from "./events.ts";
import { openAiBody } from "./openai-body.ts";
import type { ChatClient, ChatContext, ChatRequest } from "./request.ts";
import { sseMessages } from "./sse.ts";
import { ToolCallBuffer, type ToolCallDelta } from "./tool-calls.ts";

const ToolCallSchema = z.looseObject({
  index: z.number().nullish(),
  id: z.string().nullish(),
  function: z.looseObject({ name: z.string().nullish(), arguments: z.unknown() }).nullish(),
});

const UsageSchema = z.looseObject({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
});

// Reasoning: Ollama (since 0.11.1) and OpenRouter send `reasoning`, vLLM and llama.cpp `reasoning_content`.
const MessageFields = {
  content: z.string().nullish(),
  reasoning: z.string().nullish(),
  reasoning_content: z.string().nullish(),
  tool_calls: z.array(ToolCallSchema).nullish(),
};

const ChunkSchema = z.looseObject({
  choices: z.array(z.looseObject({
    delta: z.looseObject(MessageFields).nullish(),
    finish_reason: z.string().nullish(),
  })).nullish(),
  usage: UsageSchema.nullish(),
  error: z.unknown().optional(),
});

const CompletionSchema = z.looseObject({
  choices: z.array(z.looseObject({
    message: z.looseObject(MessageFields).nullish(),
    finish_reason: z.string().nullish(),
  })).nullish(),
  usage: UsageSchema.nullish(),
  error: z.unknown().optional(),
});

/**
 * finish_reason → stopReason. A reply with tool calls stopped for them even when the server says "stop"
 * (Ollama did before 0.32.6), as the native client reads it; "content_filter" and others read as "stop".
 */
export function stopReasonOf(finishReason: string | null | undefined, sawToolCalls: boolean): StopReason {
  if (finishReason === "length") return "length";
  if (sawToolCalls || finishReason === "tool_calls" || finishReason === "function_call") return "tool_calls";
  return "stop";
}

function usageOf(usage: z.infer<typeof UsageSchema> | null | undefined): Usage | undefined {
  if (!usage || typeof usage.prompt_tokens !== "number" || typeof usage.completion_tokens !== "number") {
    return undefined;
  }
  return { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
}

function serviceName(request: ChatRequest): string {
  return request.provider.id === "ollama" ? "Ollama" : request.provider.id;
}


/** Headers: the provider's own, plus `Authorization: Bearer` when an apiKey is set and none was given. */
function headersFor(request: ChatRequest): Record<string, string> {
  const headers: Record<string, string> = { ...request.provider.headers };
  const hasAuth = Object.keys(headers).some((k) => k.toLowerCase() === "authorization");
  if (request.provider.apiKey && !hasAuth) headers.authorization = `Bearer ${request.provider.apiKey}`;
  return headers;
}

/**
 * A 404 from an OpenAI-compatible server that says the model does not exist is E_MODEL_NOT_FOUND
 * whatever its wording (OpenAI: "does not exist", code model_not_found; vLLM puts `message` at the top).
 */
async function openAiHttpError(response: Response, url: URL, service: string): Promise<OclawError> {
  const body = await response.text().catch(() => "");
  const error = await httpError(new Response(body, { status: response.status }), url, service);
  if (error.code !== "E_HTTP") return error;
  let message = errorMessageFromBody(body);
  if (message === undefined) {
    try {
      const top = (JSON.parse(body) as { message?: unknown }).message;
      if (typeof top === "string") message = top;
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

function errorInBody(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return errorMessageFromBody(JSON.stringify({ error: value })) ?? snippet(JSON.stringify(value));
}

/** Counts time to the first output and builds `done`'s timings. */
function clock(context: ChatContext) {
  const now = context.http.now;
  const started = now();
  let first: number | undefined;
  return {
    output(): void {
      first ??= now();
    },
    timings(usage: Usage | undefined): Timings {
      const end = now();
      const timings: Timings = { totalMs: end - started };
      if (first !== undefined) {
        timings.firstTokenMs = first - started;
        const generation = (end - first) / 1000;
        if (usage !== undefined && usage.outputTokens > 0 && generation > 0) {
          timings.tokensPerSecond = usage.outputTokens / generation;
        }
      }
      return timings;
    },
  };
}

/** Sends the request; a non-2xx answer is thrown as {@link openAiHttpError} reads it. */
async function post(request: ChatRequest, context: ChatContext, url: URL, body: Record<string, unknown>) {
  const service = serviceName(request);
  const { connectMs } = context.timeouts;
  // provider.timeoutSeconds bounds the wait for an answer, as for the native client.
  const headersMs = request.provider.timeoutSeconds !== undefined
    ? request.provider.timeoutSeconds * 1000
    : context.timeouts.headersMs;
  const response = await httpRequest(context.http, url, {
    method: "POST",
    json: body,
    headers: headersFor(request),
    signal: context.signal,
    acceptAnyStatus: true,
    service,
    ...(connectMs === undefined ? {} : { connectTimeoutMs: connectMs }),
    ...(headersMs === undefined ? {} : { headersTimeoutMs: headersMs }),
  });
  if (!response.ok) throw await openAiHttpError(response, url, service);
  return response;
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
  const time = clock(context);
  const body = openAiBody(request, stream);
  let response: Response;
  try {
    response = await post(request, context, url, body);
  } catch (error) {
    // As the native client does: a model that cannot think answers without reasoning rather than fail.
    if (!(error instanceof OclawError && error.code === "E_NO_THINKING" && "reasoning_effort" in body)) {
      throw error;
    }
    context.http.log.debug(
      `${request.model.ref} does not support thinking; retrying without reasoning_effort`,
    );
    delete body.reasoning_effort;
    response = await post(request, context, url, body);
  }
  if (response.body === null) throw new OclawError("E_STREAM", `${describe()} sent an empty answer`);
  const reply = withIdleTimeout(response.body, context.timeouts.idleMs, describe, context.signal);
  if (stream) yield* streamEvents(reply, describe, time);
  else yield* completionEvents(reply, describe, time);
};

async function* streamEvents(
  body: ReadableStream<Uint8Array>,
  describe: () => string,
  time: ReturnType<typeof clock>,
): AsyncGenerator<ChatEvent, void, undefined> {
  const calls = new ToolCallBuffer();
  let finish: string | undefined;
  let usage: Usage | undefined;
  let sawDone = false;
  for await (const message of sseMessages(body, describe)) {
    if (message.data === "[DONE]") {
      sawDone = true;
      break;
    }
    let json: unknown;
    try {
      json = JSON.parse(message.data);
    } catch (error) {
      throw new OclawError(
        "E_STREAM",
        `${describe()} sent an event that is not JSON: ${snippet(message.data)}`,
        {
          cause: error,
        },
      );
    }
    const parsed = ChunkSchema.safeParse(json);
    if (!parsed.success) {
      throw new OclawError("E_STREAM", `${describe()} sent an unexpected chunk: ${snippet(message.data)}`, {
        cause: parsed.error,
      });
    }
    const chunk = parsed.data;
    const failure = message.event === "error" ? errorInBody(chunk.error ?? json) : errorInBody(chunk.error);
    if (failure !== undefined) {
      throw new OclawError("E_STREAM", `${describe()} failed mid-stream: ${failure}`);
    }
    usage = usageOf(chunk.usage) ?? usage;
    const choice = chunk.choices?.[0];
    if (choice === undefined) continue;
    const delta = choice.delta;
    const thinking = delta?.reasoning ?? delta?.reasoning_content;
    if (thinking) {
      time.output();
      yield { type: "thinking", text: thinking };
    }
    if (delta?.content) {
      time.output();
      yield { type: "text", text: delta.content };
    }
    for (const call of delta?.tool_calls ?? []) calls.add(call as ToolCallDelta);
    if (choice.finish_reason) {
      finish = choice.finish_reason;
      // Calls are complete once the server says why it stopped (the usage chunk may still follow).
      yield* takeCalls(calls, describe, time);
    }
  }
  if (!sawDone) {
    throw new OclawError("E_STREAM", `${describe()} ended the stream without [DONE]`, {
      hint: "The server may have failed mid-generation; check its log",
    });
  }
  yield* takeCalls(calls, describe, time);
  yield {
    type: "done",
    stopReason: stopReasonOf(finish, calls.taken > 0),
    ...(usage ? { usage } : {}),
    timings: time.timings(usage),
  };
}

function* takeCalls(
  calls: ToolCallBuffer,
  describe: () => string,
  time: ReturnType<typeof clock>,
): Generator<ChatEvent, void, undefined> {
  if (!calls.pending) return;
  for (const call of calls.take(describe)) {
    time.output();
    yield { type: "tool_call", ...call };
  }
}

async function* completionEvents(
  body: ReadableStream<Uint8Array>,
  describe: () => string,
  time: ReturnType<typeof clock>,
): AsyncGenerator<ChatEvent, void, undefined> {
  const text = await new Response(body).text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new OclawError("E_STREAM", `${describe()} sent an answer that is not JSON: ${snippet(text)}`, {
      cause: error,
    });
  }
  const parsed = CompletionSchema.safeParse(json);
  if (!parsed.success) {
    throw new OclawError("E_STREAM", `${describe()} sent an unexpected answer: ${snippet(text)}`, {
      cause: parsed.error,
    });
  }
  const failure = errorInBody(parsed.data.error);
  if (failure !== undefined) throw new OclawError("E_STREAM", `${describe()} failed: ${failure}`);
  const choice = parsed.data.choices?.[0];
  if (choice === undefined) throw new OclawError("E_STREAM", `${describe()} sent an answer without choices`);
  const message = choice.message;
  const usage = usageOf(parsed.data.usage);
  const thinking = message?.reasoning ?? message?.reasoning_content;
  if (thinking) {
    time.output();
    yield { type: "thinking", text: thinking };
  }
  if (message?.content) {
    time.output();
    yield { type: "text", text: message.content };
  }
  const calls = new ToolCallBuffer();
  // A non-streamed answer lists whole calls, often without an index: their position is one.
  for (const [index, call] of (message?.tool_calls ?? []).entries()) {
    calls.add({ ...call, index } as ToolCallDelta);
  }
  yield* takeCalls(calls, describe, time);
  yield {
    type: "done",
    stopReason: stopReasonOf(choice.finish_reason, calls.taken > 0),
    ...(usage ? { usage } : {}),
    timings: time.timings(usage),
  };
}
