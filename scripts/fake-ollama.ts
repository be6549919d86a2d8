/**
 * Runs the fake Ollama server (tests/support/fake-ollama.ts) for demos and benchmarks. Prints its URL
 * on stdout once listening and runs until SIGINT/SIGTERM.
 *
 *   bun scripts/fake-ollama.ts [--port N] [--version V] [--models FILE|N] [--replies FILE]
 *     [--tokens N] [--header-delay MS] [--token-delay MS] [--show-delay MS] [--stall-after N]
 *     [--chunk-bytes N | --chunk-random SEED] [--host-check] [--sse-layout legacy|current]
 *     [--fragment-tool-calls] [--gpu-gib N] [--context-length N] [--cloud ok|signed-out|disabled]
 *
 * --gpu-gib sets the GPU memory behind the default context from 0.15.5 (≥ 47: 262144, ≥ 23: 32768, else
 * 4096); --context-length is OLLAMA_CONTEXT_LENGTH on the server; --cloud how cloud models answer.
 * --models takes a JSON file ({"models":[...]} or an array) or a number of synthetic models.
 * --tokens N answers every chat with N lazily generated tokens, as fast as the socket takes, and adds a
 * model named `bench` to the store. GET /_fake/stats reports firstTokenAt (epoch ms) of the latest chat.
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { parseArgs } from "node:util";
import {
  type FakeModel,
  type FakeOllamaOptions,
  fixtureModel,
  fixtureModels,
  type Replies,
  startFakeOllama,
  syntheticModels,
} from "../tests/support/fake-ollama.ts";

const USAGE = readFileSync(new URL(import.meta.url), "utf8").split("*/")[0]!.replace(/^\/\*\*\n/, "").replace(/^ \* ?/gm, "").trimEnd() + "\n";

function flags() {
  try {
    return parseArgs({ args: process.argv.slice(2), options: OPTIONS }).values;
  } catch (error) {
    process.stderr.write(`fake-ollama: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}

const OPTIONS = {
  port: { type: "string", default: "0" },
  version: { type: "string" },
  models: { type: "string" },
  replies: { type: "string" },
  tokens: { type: "string" },
  "bulk-tokens": { type: "string" },
  "header-delay": { type: "string" },
  "token-delay": { type: "string" },
  "show-delay": { type: "string" },
  "show-delay-ms": { type: "string" },
  "stall-after": { type: "string" },
  "chunk-bytes": { type: "string" },
  "chunk-random": { type: "string" },
  "host-check": { type: "boolean" },
  "sse-layout": { type: "string" },
  "fragment-tool-calls": { type: "boolean" },
  "gpu-gib": { type: "string" },
  "context-length": { type: "string" },
  cloud: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const values = flags();

if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

/** Parses a non-negative integer flag. */
function int(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`fake-ollama: --${name} needs a non-negative integer, got '${text}'\n`);
    process.exit(2);
  }
  return n;
}

function loadModels(spec: string): FakeModel[] {
  if (/^\d+$/.test(spec)) return syntheticModels(Number(spec));
  const data = JSON.parse(readFileSync(spec, "utf8")) as FakeModel[] | { models: FakeModel[] };
  return Array.isArray(data) ? data : data.models;
}

const options: Partial<FakeOllamaOptions> & { port: number } = { port: int("port", values.port) ?? 0 };
if (values.version) options.version = values.version;
let models = values.models ? loadModels(values.models) : fixtureModels();
const tokens = int("tokens", values.tokens ?? values["bulk-tokens"]);
if (tokens !== undefined) {
  models = [...models, { ...fixtureModel("llama3.2:3b"), name: "bench:latest" }];
  options.replies = { "*": { bulkTokens: tokens } };
}
options.models = models;
if (values.replies) options.replies = JSON.parse(readFileSync(values.replies, "utf8")) as Replies;
const numbers: Array<[keyof FakeOllamaOptions, string | undefined, string]> = [
  ["headerDelayMs", values["header-delay"], "header-delay"],
  ["tokenDelayMs", values["token-delay"], "token-delay"],
  ["showDelayMs", values["show-delay"] ?? values["show-delay-ms"], "show-delay"],
  ["stallAfterChunks", values["stall-after"], "stall-after"],
  ["gpuGiB", values["gpu-gib"], "gpu-gib"],
  ["contextLength", values["context-length"], "context-length"],
];
for (const [key, text, flag] of numbers) {
  const n = int(flag, text);
  if (n !== undefined) Object.assign(options, { [key]: n });
}
const bytes = int("chunk-bytes", values["chunk-bytes"]);
const seed = int("chunk-random", values["chunk-random"]);
if (bytes !== undefined) options.chunking = { bytes };
if (seed !== undefined) options.chunking = { random: seed };
if (values["host-check"]) options.hostCheck = true;
if (values["fragment-tool-calls"]) options.fragmentToolCalls = true;
if (values.cloud === "ok" || values.cloud === "signed-out" || values.cloud === "disabled") options.cloud = values.cloud;
if (values["sse-layout"] === "legacy" || values["sse-layout"] === "current") options.sseLayout = values["sse-layout"];

const server = await startFakeOllama(options);
process.stdout.write(`${server.url}\n`);

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
