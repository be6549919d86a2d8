/** A fake Ollama for the length of one test body. */
import { type FakeOllama, startFakeOllama } from "./fake-ollama.ts";

/** Starts a fake Ollama with `options`, runs `body` with it, and closes it afterwards whatever happens. */
export async function withFakeOllama<T>(
  options: Parameters<typeof startFakeOllama>[0],
  body: (server: FakeOllama) => Promise<T>,
): Promise<T> {
  const server = await startFakeOllama(options);
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}
