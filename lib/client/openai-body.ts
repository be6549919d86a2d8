/**
 * The JSON body of an OpenAI-compatible `POST /chat/completions`, built from a {@link ChatRequest}.
 */
import type { ChatRequest, Message, Think } from "./request.ts";

/** The OpenAI shape of one message. */
type OpenAiMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string | Array<Record<string, unknown>> }
  | {
    role: "assistant";
    content: string;
    tool_calls?: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }>;
  }
  | { role: "tool"; content: string; tool_call_id?: string; name?: string };

function toOpenAiMessage(message: Message): OpenAiMessage {
  switch (message.role) {
    case "system":
      return { role: "system", content: message.content };
    case "user":
      if (!message.images?.length) return { role: "user", content: message.content };
      return {
        role: "user",
        content: [
          { type: "text", text: message.content },
          ...message.images.map((image) => ({
            type: "image_url",
            image_url: { url: `data:${image.mime};base64,${image.data}` },
          })),
        ],
      };
    case "assistant":
      if (!message.toolCalls?.length) return { role: "assistant", content: message.content };
      return {
        role: "assistant",
        content: message.content,
        // OpenAI wants the arguments as a JSON string (Ollama's native API wants an object).
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: "function",
          function: { name: call.name, arguments: JSON.stringify(call.arguments) },
        })),
      };
    case "tool":
      if (message.toolCallId !== undefined) return { role: "tool", content: message.content, tool_call_id: message.toolCallId };
      // Without an id, the tool's name is all there is: Ollama's /v1 reads it from `name` (openai/openai.go).
      return message.toolName === undefined
        ? { role: "tool", content: message.content }
        : { role: "tool", content: message.content, name: message.toolName };
  }
}

/**
 * `think` as `reasoning_effort`: levels pass through ("max" becomes "high", the highest level Ollama's
 * /v1 accepts), false becomes "none", true is left out (thinking models think by default).
 */
export function reasoningEffort(think: Think | undefined): string | undefined {
  if (think === undefined || think === true) return undefined;
  if (think === false) return "none";
  return think === "max" ? "high" : think;
}

/** Model params sent as top-level OpenAI fields; `num_predict` stands in for `max_tokens`. */
const PASSED_PARAMS = [
  "temperature",
  "top_p",
  "max_tokens",
  "seed",
  "stop",
  "presence_penalty",
  "frequency_penalty",
];

/** Builds the request body; `stream` decides between SSE (with the usage chunk) and one JSON answer. */
export function openAiBody(request: ChatRequest, stream: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: request.model.id,
    messages: request.messages.map(toOpenAiMessage),
    stream,
  };
  if (stream) body.stream_options = { include_usage: true };
  if (request.tools?.length) body.tools = request.tools;
  const effort = reasoningEffort(request.think);
  if (effort !== undefined) body.reasoning_effort = effort;
  // Not beside tools: a schema-held reply cannot call them (lib/chat/server-rules.ts warns).
  if (request.tools?.length) {
    // No response_format.
  } else if (request.format === "json") body.response_format = { type: "json_object" };
  else if (request.format !== undefined) {
    body.response_format = { type: "json_schema", json_schema: { name: "response", schema: request.format } };
  }
  const params = request.model.params;
  for (const key of PASSED_PARAMS) {
    if (params[key] !== undefined) body[key] = params[key];
  }
  if (body.max_tokens === undefined && typeof params.num_predict === "number") {
    body.max_tokens = params.num_predict;
  }
  return body;
}
