/**
 * The programs compared on a stream: oclaw (compiled), the official library under the same runtime, and
 * curl as the floor, for the native /api/chat path and the /v1 SSE path.
 */
import path from "node:path";
import type { OclawSetup } from "./config.ts";
import type { Cmd } from "./proc.ts";
import type { BenchContext } from "./types.ts";

/** One program that consumes a chat stream and writes what it got to stdout. */
export interface Consumer {
  /** "oclaw", "ollama (npm)", "openai (npm)", "curl". */
  name: string;
  cmd: Cmd;
}

/** The two wire paths. */
export type ChatPath = "native" | "v1";

/** The request body curl sends: the same chat the clients ask for (both paths take this shape). */
function body(model: string): string {
  return JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], stream: true });
}

/** The oclaw run for a path: `chat` with the provider that speaks it. */
export function oclawConsumer(ctx: BenchContext, setup: OclawSetup, model: string, chatPath: ChatPath): Consumer {
  const ref = chatPath === "native" ? `ollama/${model}` : `bench/${model}`;
  return { name: "oclaw", cmd: { argv: [ctx.bin, "chat", "-m", ref, "hi"], env: setup.env } };
}

/** curl reading the raw stream: the floor no client can beat. */
export function curlConsumer(baseUrl: string, model: string, chatPath: ChatPath): Consumer {
  const url = chatPath === "native" ? `${baseUrl}/api/chat` : `${baseUrl}/v1/chat/completions`;
  return {
    name: "curl",
    cmd: { argv: ["curl", "-sSN", "--fail", "-H", "Content-Type: application/json", "-d", body(model), url] },
  };
}

/** The floor reader (scripts/bench/floor-reader.ts): the least a client can do, in the same runtime. */
export function floorConsumer(ctx: BenchContext, baseUrl: string, model: string, chatPath: ChatPath): Consumer {
  return { name: "floor (bun)", cmd: { argv: [ctx.runtime, path.join(ctx.root, "scripts/bench/floor-reader.ts"), chatPath, baseUrl, model] } };
}

/** The official library for the path, run as a script under the same runtime as oclaw. */
export function libraryConsumer(ctx: BenchContext, baseUrl: string, model: string, chatPath: ChatPath): Consumer {
  const script = path.join(ctx.root, "scripts/bench", chatPath === "native" ? "ollama-js-consumer.ts" : "openai-consumer.ts");
  const target = chatPath === "native" ? baseUrl : `${baseUrl}/v1`;
  return {
    name: chatPath === "native" ? "ollama (npm)" : "openai (npm)",
    cmd: { argv: [ctx.runtime, script, target, model], env: { HOME: "/nonexistent-home" } },
  };
}

/** One request a server recorded (scripts/bench/at-once-server.ts). */
export interface RecordedRequest {
  method: string;
  path: string;
  body: string;
}

/**
 * One curl process making the same requests, in the same order, as a recorded oclaw run (`--next` between
 * them, so the connection is reused as oclaw's fetch reuses it): the least a program doing that work costs.
 */
export function curlReplay(baseUrl: string, requests: readonly RecordedRequest[]): string[] {
  const argv = ["curl"];
  requests.forEach((r, i) => {
    if (i > 0) argv.push("--next");
    argv.push("-s", "-o", "/dev/null", "-X", r.method);
    if (r.body) argv.push("-H", "Content-Type: application/json", "--data-raw", r.body);
    argv.push(`${baseUrl}${r.path}`);
  });
  return argv;
}
