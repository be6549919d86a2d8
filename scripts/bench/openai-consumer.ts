/**
 * The peer for the /v1 SSE stream: the official `openai` npm SDK consuming a streamed chat completion and
 * writing every content delta to stdout, the way an app built on it would.
 *
 *   bun scripts/bench/openai-consumer.ts http://127.0.0.1:PORT/v1 MODEL [PROMPT]
 */
import process from "node:process";
import OpenAI from "openai";

const [baseURL, model, prompt = "hi"] = process.argv.slice(2);
if (!baseURL || !model) {
  process.stderr.write("usage: openai-consumer.ts BASE_URL MODEL [PROMPT]\n");
  process.exit(2);
}
const client = new OpenAI({ baseURL, apiKey: "ollama" });
const stream = await client.chat.completions.create({
  model,
  messages: [{ role: "user", content: prompt }],
  stream: true,
});
for await (const chunk of stream) {
  const text = chunk.choices[0]?.delta?.content;
  if (text) process.stdout.write(text);
}
process.stdout.write("\n");
