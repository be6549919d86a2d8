/**
 * The conversation: the one {@link Message} type the chat pipeline runs on, from the command (prompt,
 * `--messages`, a session, attachments) through the tool loop down to both clients' request bodies, and the
 * zod schema that reads messages written in Ollama's or OpenAI's shape (`--messages FILE`, session files).
 *
 * A leaf room: it imports only zod and the image sniffer, so lib/client may take the types from here.
 */
import { lazySchema, z } from "../zod.ts";
import { type ImageMime, isBase64, sniffBase64Image } from "./image-type.ts";

/** A tool call the model made (arguments parsed), as the clients yield it and the loop sends it back. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

/** An image sent with a user message: base64 bytes and their type (a file's name when it was attached). */
export interface Image {
  mime: ImageMime;
  /** Standard base64, without a `data:` prefix (Ollama's native API refuses one). */
  data: string;
  /** The attached file's name, for the log and sessions; the server never sees it. */
  name?: string;
}

/** The system prompt. */
export interface SystemMessage {
  role: "system";
  content: string;
}

/** What the user says, with images for models that take them. */
export interface UserMessage {
  role: "user";
  content: string;
  images?: Image[];
}

/** A reply: text, and the tool calls the model made. */
export interface AssistantMessage {
  role: "assistant";
  content: string;
  /** Sent back only where the model needs it (some models want their reasoning with their tool calls). */
  thinking?: string;
  toolCalls?: ToolCall[];
}

/**
 * A tool's result. Ollama matches it by `tool_name` (v0.9.6+) and `tool_call_id` (v0.12.10+), `/v1` by
 * `tool_call_id`: at least one is set.
 */
export interface ToolMessage {
  role: "tool";
  content: string;
  toolName?: string;
  toolCallId?: string;
}

/** A message in the conversation. */
export type Message = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

/** An image kept by reference (session files): the bytes live elsewhere, found by their SHA-256. */
export interface ImageRef {
  sha256: string;
  mime: ImageMime;
  size: number;
  name?: string | undefined;
}

/**
 * One message as Ollama (`images`, `tool_name`, `thinking`, arguments as objects) or OpenAI (content parts,
 * `tool_call_id`, arguments as strings) writes it. Strict, so a misspelt key is named rather than dropped;
 * OpenAI's `name`, `refusal` and the reasoning fields are accepted.
 */
export const wireMessageSchema = lazySchema(() => {
  const TextPartSchema = z.strictObject({ type: z.literal("text"), text: z.string() });
  const ImageUrlPartSchema = z.strictObject({
    type: z.literal("image_url"),
    image_url: z.union([z.string(), z.looseObject({ url: z.string() })]),
  });

  const WireToolCallSchema = z.strictObject({
    id: z.string().min(1).optional(),
    type: z.literal("function").optional(),
    index: z.number().optional(),
    function: z.strictObject({
      index: z.number().optional(),
      name: z.string().min(1),
      // Ollama's native shape is an object; OpenAI's a JSON string.
      arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
    }),
  });

  const ImageRefSchema = z.strictObject({
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    mime: z.enum(["image/png", "image/jpeg", "image/webp", "image/gif"]),
    size: z.number().int().nonnegative(),
    name: z.string().optional(),
  });

  return z.strictObject({
    role: z.enum(["system", "user", "assistant", "tool"]),
    content: z.union([z.string(), z.null(), z.array(z.discriminatedUnion("type", [TextPartSchema, ImageUrlPartSchema]))])
      .optional(),
    thinking: z.string().optional(),
    reasoning: z.string().optional(),
    reasoning_content: z.string().optional(),
    refusal: z.string().nullish(),
    name: z.string().optional(),
    images: z.array(z.union([z.string(), ImageRefSchema])).nullish(),
    tool_calls: z.array(WireToolCallSchema).nullish(),
    tool_call_id: z.string().min(1).optional(),
    tool_name: z.string().min(1).optional(),
  });
});

/** A message as written in a file. */
export type WireMessage = z.infer<ReturnType<typeof wireMessageSchema>>;

/** A message that did not make sense: where (`[2].tool_calls[0]`) and what. */
export class MessageIssue extends Error {
  override name = "MessageIssue";
  constructor(readonly where: string, message: string) {
    super(message);
  }
}

/** Looks up the bytes of an image kept by reference (sessions); undefined when references are not allowed. */
export type ImageResolver = (ref: ImageRef) => Image;

const DATA_URL = /^data:([^;,]*)(;base64)?,/;

function imageFrom(value: string, where: string): Image {
  let data = value;
  const prefix = DATA_URL.exec(value);
  if (prefix !== null) {
    if (prefix[2] === undefined) throw new MessageIssue(where, "a data: URL must be base64-encoded");
    data = value.slice(prefix[0].length);
  } else if (/^https?:/i.test(value)) {
    throw new MessageIssue(where, "oclaw fetches no image URLs: attach the file with -a, or give it as base64");
  }
  data = data.replace(/\s+/g, "");
  if (!isBase64(data)) throw new MessageIssue(where, "the image is not base64");
  const mime = sniffBase64Image(data);
  if (mime === undefined) throw new MessageIssue(where, "the image is not a PNG, JPEG, WebP or GIF");
  return { mime, data };
}

function parseArguments(value: Record<string, unknown> | string | undefined, where: string): Record<string, unknown> {
  if (value === undefined || value === "") return {};
  if (typeof value !== "string") return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new MessageIssue(where, "arguments is a string that is not JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new MessageIssue(where, "arguments must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}

function randomCallId(): string {
  return `call_${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}`;
}

/** Text and images of a message's content (a string, null, or OpenAI content parts). */
function contentOf(wire: WireMessage, where: string): { text: string; images: Image[] } {
  const content = wire.content;
  if (content === undefined || content === null) {
    if (wire.role === "assistant") return { text: "", images: [] };
    throw new MessageIssue(`${where}.content`, `a ${wire.role} message needs content`);
  }
  if (typeof content === "string") return { text: content, images: [] };
  const texts: string[] = [];
  const images: Image[] = [];
  content.forEach((part, i) => {
    if (part.type === "text") texts.push(part.text);
    else if (wire.role !== "user") {
      throw new MessageIssue(`${where}.content[${i}]`, "only user messages carry images");
    } else {
      const url = typeof part.image_url === "string" ? part.image_url : part.image_url.url;
      images.push(imageFrom(url, `${where}.content[${i}].image_url`));
    }
  });
  return { text: texts.join("\n"), images };
}

/**
 * One checked message in oclaw's own shape.
 * @throws MessageIssue naming the field that is wrong
 */
export function messageFrom(wire: WireMessage, where: string, resolveImage?: ImageResolver): Message {
  const { text, images } = contentOf(wire, where);
  if (wire.images?.length) {
    if (wire.role !== "user") throw new MessageIssue(`${where}.images`, "only user messages carry images");
    wire.images.forEach((image, i) => {
      if (typeof image === "string") images.push(imageFrom(image, `${where}.images[${i}]`));
      else if (resolveImage === undefined) {
        throw new MessageIssue(`${where}.images[${i}]`, "expected base64 image data");
      } else images.push(resolveImage(image));
    });
  }
  if (wire.tool_calls?.length && wire.role !== "assistant") {
    throw new MessageIssue(`${where}.tool_calls`, "only assistant messages carry tool calls");
  }
  switch (wire.role) {
    case "system":
      return { role: "system", content: text };
    case "user":
      return images.length ? { role: "user", content: text, images } : { role: "user", content: text };
    case "assistant": {
      const message: AssistantMessage = { role: "assistant", content: text };
      const thinking = wire.thinking ?? wire.reasoning ?? wire.reasoning_content;
      if (thinking) message.thinking = thinking;
      if (wire.tool_calls?.length) {
        message.toolCalls = wire.tool_calls.map((call, i) => ({
          id: call.id ?? randomCallId(),
          name: call.function.name,
          arguments: parseArguments(call.function.arguments, `${where}.tool_calls[${i}].function.arguments`),
        }));
      }
      return message;
    }
    case "tool": {
      const message: ToolMessage = { role: "tool", content: text };
      const toolName = wire.tool_name ?? wire.name;
      if (toolName !== undefined) message.toolName = toolName;
      if (wire.tool_call_id !== undefined) message.toolCallId = wire.tool_call_id;
      if (toolName === undefined && wire.tool_call_id === undefined) {
        throw new MessageIssue(where, "a tool message needs tool_call_id or tool_name");
      }
      return message;
    }
  }
}

/** Gives each tool result without a name the name of the earlier call with its id (Ollama wants the name). */
export function linkToolNames(messages: Message[]): Message[] {
  const names = new Map<string, string>();
  return messages.map((message) => {
    if (message.role === "assistant") for (const call of message.toolCalls ?? []) names.set(call.id, call.name);
    if (message.role !== "tool" || message.toolName !== undefined || message.toolCallId === undefined) return message;
    const name = names.get(message.toolCallId);
    return name === undefined ? message : { ...message, toolName: name };
  });
}

function pathOf(path: PropertyKey[]): string {
  return path.map((p) => typeof p === "number" ? `[${p}]` : `.${String(p)}`).join("");
}

/**
 * Reads a JSON array of messages (Ollama or OpenAI shape) into oclaw's messages.
 * @throws MessageIssue naming the first wrong message and field (`[2].tool_calls[0].function.name`)
 */
export function parseMessages(value: unknown, resolveImage?: ImageResolver): Message[] {
  if (!Array.isArray(value)) throw new MessageIssue("", "expected a JSON array of messages");
  const messages = value.map((item, i) => {
    const parsed = wireMessageSchema().safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new MessageIssue(`[${i}]${pathOf(issue?.path ?? [])}`, issue?.message ?? "invalid message");
    }
    return messageFrom(parsed.data, `[${i}]`, resolveImage);
  });
  return linkToolNames(messages);
}

/**
 * A message in Ollama's native shape, for files (sessions, the log): images go through `image`, which may
 * keep the base64 or put a reference in its place.
 */
export function wireMessage(message: Message, image: (image: Image) => string | ImageRef = (i) => i.data): WireMessage {
  switch (message.role) {
    case "system":
      return { role: "system", content: message.content };
    case "user":
      return message.images?.length
        ? { role: "user", content: message.content, images: message.images.map(image) }
        : { role: "user", content: message.content };
    case "assistant": {
      const wire: WireMessage = { role: "assistant", content: message.content };
      if (message.thinking !== undefined) wire.thinking = message.thinking;
      if (message.toolCalls?.length) {
        wire.tool_calls = message.toolCalls.map((c) => ({ id: c.id, function: { name: c.name, arguments: c.arguments } }));
      }
      return wire;
    }
    case "tool": {
      const wire: WireMessage = { role: "tool", content: message.content };
      if (message.toolName !== undefined) wire.tool_name = message.toolName;
      if (message.toolCallId !== undefined) wire.tool_call_id = message.toolCallId;
      return wire;
    }
  }
}
