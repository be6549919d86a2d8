/**
 * The peer for the native stream: the official `ollama` npm library consuming a streamed /api/chat and
 * writing every token to stdout, the way an app built on it would.
 *
 *   bun scripts/bench/ollama-js-consumer.ts http://127.0.0.1:PORT MODEL [PROMPT]
 */
import process from "node:process";
import { Ollama } from "ollama";

const [host, model, prompt = "hi"] = process.argv.slice(2);
if (!host || !model) {
  process.stderr.write("usage: ollama-js-consumer.ts HOST MODEL [PROMPT]\n");
  process.exit(2);
}
const client = new Ollama({ host });
const stream = await client.chat({ model, messages: [{ role: "user", content: prompt }], stream: true });
for await (const part of stream) {
  if (part.message.content) process.stdout.write(part.message.content);
}
process.stdout.write("\n");
