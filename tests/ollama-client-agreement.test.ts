/**
 * oclaw's native client and the official `ollama` npm library read the same recorded streams (served by
 * the fake Ollama, cut into random write sizes) and must agree on the text, thinking and tool calls.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Ollama } from "ollama";
import { ollamaChat } from "../lib/client/ollama.ts";
import { RECORDED } from "./fixtures/ollama-chat-recorded.ts";
import { quietHttp } from "./support/http-context.ts";
import { catalogModel } from "./support/models.ts";
import { ollamaProvider } from "./support/providers.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

interface Seen {
  text: string;
  thinking: string;
  calls: Array<{ name: string; arguments: unknown }>;
}

async function viaOllamaJs(url: string): Promise<Seen> {
  const ollama = new Ollama({ host: url });
  const seen: Seen = { text: "", thinking: "", calls: [] };
  const stream = await ollama.chat({ model: "qwen3:8b", messages: [{ role: "user", content: "Hi" }], stream: true });
  for await (const part of stream) {
    seen.text += part.message.content;
    seen.thinking += part.message.thinking ?? "";
    for (const call of part.message.tool_calls ?? []) {
      seen.calls.push({ name: call.function.name, arguments: call.function.arguments });
    }
  }
  return seen;
}

async function viaOclaw(url: string): Promise<Seen> {
  const http = quietHttp();
  const model = catalogModel("qwen3:8b", { reasoning: true, contextWindow: 40960, maxTokens: 409600, source: "discovered" });
  const provider = ollamaProvider(url);
  const seen: Seen = { text: "", thinking: "", calls: [] };
  const request = { provider, model, messages: [{ role: "user" as const, content: "Hi" }], stream: true };
  for await (const event of ollamaChat(request, { http, signal: new AbortController().signal, timeouts: {} })) {
    if (event.type === "text") seen.text += event.text;
    if (event.type === "thinking") seen.thinking += event.text;
    if (event.type === "tool_call") seen.calls.push({ name: event.name, arguments: event.arguments });
  }
  return seen;
}

for (const recorded of RECORDED) {
  test(`oclaw and the ollama library agree: ${recorded.name}`, async () => {
    for (const seed of [11, 12, 13]) {
      const options = {
        chunking: { random: seed, maxBytes: 9 },
        replies: { "*": { raw: { ndjson: recorded.ndjson.split("\n").filter(Boolean) } } },
      };
      await withFakeOllama(options, async (server) => {
        const theirs = await viaOllamaJs(server.url);
        const ours = await viaOclaw(server.url);
        assert.deepEqual(ours, theirs);
        // And both are what was recorded.
        assert.equal(ours.text, recorded.text);
        assert.deepEqual(ours.calls, recorded.toolCalls.map((c) => ({ name: c.name, arguments: c.arguments })));
      });
    }
  });
}
