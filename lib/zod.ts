/**
 * zod as oclaw uses it. Every module takes `z` from here, so the settings below hold for every schema.
 *
 * Without JIT: zod compiles each object schema into a function (`new Function`) the first time it parses.
 * That pays off over thousands of parses; oclaw parses its config once per run, and compiling the config
 * schema took ~5 ms of every `oclaw health` (the hot stream lines are checked by hand, not by zod).
 */
import { z } from "zod";

z.config({ jitless: true });

export { z };

/**
 * A schema built the first time it is asked for. Building a schema costs about as much as a small parse, and
 * a module's schemas were all built when the module loaded, on every run, for inputs most runs never read
 * (a message file, the run log, a /v1 stream on the native path): ~12 ms of a chat's start-up.
 */
export function lazySchema<T>(build: () => T): () => T {
  let schema: T | undefined;
  return () => (schema ??= build());
}
