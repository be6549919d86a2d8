/**
 * Warm-ups: while the first request is out, each client runs a canned reply through its own stream path
 * once, so the first use of the runtime's stream code and the schemas (milliseconds) does not land on the
 * first token. The one record of which warm-ups ran in this process lives here, not in each client.
 */

const done = new Set<string>();

/** Runs `warmUp` the first time `name` asks in this process; later calls resolve at once. */
export async function warmOnce(name: string, warmUp: () => Promise<void>): Promise<void> {
  if (done.has(name)) return;
  done.add(name);
  await warmUp();
}
