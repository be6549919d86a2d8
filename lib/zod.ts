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
