/**
 * Picks the chat client for a wire protocol.
 */
import type { Api } from "../catalog/types.ts";
import { OclawError } from "../errors.ts";
import { ollamaChat } from "./ollama.ts";
import { openAiClient } from "./openai.ts";
import type { ChatClient } from "./request.ts";

const CLIENTS: Partial<Record<Api, ChatClient>> = {
  ollama: ollamaChat,
  "openai-completions": openAiClient,
};

/**
 * The client that speaks `api`.
 * @throws OclawError E_INTERNAL when no client for that api is built in
 */
export function clientFor(api: Api): ChatClient {
  const client = CLIENTS[api];
  if (client === undefined) throw new OclawError("E_INTERNAL", `No chat client for api '${api}'`);
  return client;
}
