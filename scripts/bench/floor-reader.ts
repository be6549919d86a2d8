/**
 * The floor: the least a streaming chat client can do in the same runtime as oclaw. It POSTs one chat,
 * decodes the body as it arrives, splits lines, `JSON.parse`s each and writes the text to stdout, with no
 * validation, no error handling beyond the status and no events. Every streaming figure is also a ratio to
 * this program, and its compiled form is the peer for the first stdout byte.
 *
 *   floor-reader.ts native|v1 BASE_URL MODEL
 */
import { writeSync } from "node:fs";
import process from "node:process";

const [path, baseUrl, model] = process.argv.slice(2);
if ((path !== "native" && path !== "v1") || !baseUrl || !model) {
  process.stderr.write("usage: floor-reader.ts native|v1 BASE_URL MODEL\n");
  process.exit(2);
}
const url = path === "native" ? `${baseUrl}/api/chat` : `${baseUrl}/v1/chat/completions`;
const res = await fetch(url, {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], stream: true }),
});
if (!res.ok || !res.body) {
  process.stderr.write(`floor-reader: HTTP ${res.status}\n`);
  process.exit(1);
}

/** The text of one line: `message.content` (NDJSON) or `choices[0].delta.content` after `data: ` (SSE). */
const textOf = path === "native"
  ? (line: string): string => (JSON.parse(line) as { message?: { content?: string } }).message?.content ?? ""
  : (line: string): string => {
    if (!line.startsWith("data: ") || line === "data: [DONE]") return "";
    const chunk = JSON.parse(line.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> };
    return chunk.choices?.[0]?.delta?.content ?? "";
  };

const decoder = new TextDecoder();
let pending = "";
for await (const bytes of res.body) {
  const lines = (pending + decoder.decode(bytes, { stream: true })).split("\n");
  pending = lines.pop() ?? "";
  let out = "";
  for (const line of lines) if (line) out += textOf(line);
  if (out) writeSync(1, out);
}
if (pending) {
  const rest = textOf(pending);
  if (rest) writeSync(1, rest);
}
writeSync(1, "\n");
