/** An HttpContext for calling lib code directly, without a command around it. */
import { type HttpContext, httpContext } from "../../lib/http/context.ts";
import { memoryIo, type MemoryIoOptions } from "./memory-io.ts";
import { createLogger } from "../../lib/log.ts";

/** An HttpContext over a fresh memoryIo built from `options`, with a logger that is not verbose. */
export function quietHttp(options: MemoryIoOptions = {}): HttpContext {
  const io = memoryIo(options);
  return httpContext(io, createLogger(io.stderr, false));
}
