/**
 * In-process measure of the stream parsers alone: a recorded reply fed in 64 KiB reads through oclaw's
 * parser (bytes → ChatEvents) and through the floor's loop (split, JSON.parse, append), CPU per token.
 * Start-up, the network and the server are out of the picture.
 *
 *   bun scripts/bench/hot-loop.ts native|v1 FILE [ROUNDS]
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { ollamaBodyEvents } from "../../lib/client/ollama.ts";
import { startClock, streamEvents } from "../../lib/client/openai-events.ts";

const [path, file, roundsText = "7"] = process.argv.slice(2);
const bytes = readFileSync(file!);
const rounds = Number(roundsText);

function body(): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + 65536));
      at += 65536;
    },
  });
}

async function oclaw(): Promise<number> {
  let n = 0;
  const events = path === "native" ? ollamaBodyEvents(body(), "bench") : streamEvents(body(), () => "bench", startClock(() => performance.now()));
  for await (const e of events) if (e.type === "text") n += e.text.length;
  return n;
}

async function floor(): Promise<number> {
  const decoder = new TextDecoder();
  let pending = "";
  let n = 0;
  for await (const chunk of body()) {
    const lines = (pending + decoder.decode(chunk, { stream: true })).split("\n");
    pending = lines.pop() ?? "";
    let out = "";
    for (const line of lines) {
      if (!line) continue;
      if (path === "native") out += (JSON.parse(line) as { message?: { content?: string } }).message?.content ?? "";
      else if (line.startsWith("data: ") && line !== "data: [DONE]") {
        out += (JSON.parse(line.slice(6)) as { choices: Array<{ delta?: { content?: string } }> }).choices[0]?.delta?.content ?? "";
      }
    }
    n += out.length;
  }
  return n;
}

for (const [name, f] of [["floor", floor], ["oclaw", oclaw]] as const) {
  const times: number[] = [];
  let chars = 0;
  for (let i = 0; i < rounds; i++) {
    const t = process.cpuUsage();
    chars = await f();
    const d = process.cpuUsage(t);
    times.push((d.user + d.system) / 1000);
  }
  times.sort((a, b) => a - b);
  process.stdout.write(`${name}: median ${times[times.length >> 1]!.toFixed(1)} ms CPU, ${chars} chars\n`);
}
