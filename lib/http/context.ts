/** What every HTTP request of one command run shares: the injected fetch and resolver, and what it learnt. */
import type { Fetch, Io, Lookup } from "../io.ts";
import type { Logger } from "../log.ts";

/** What {@link request} needs from the outside world; one per command run (it remembers what it learnt). */
export interface HttpContext {
  fetch: Fetch;
  lookup: Lookup;
  log: Logger;
  now: () => number;
  /** Host names looked up in this run: origin → the lookup's address (a failed lookup is forgotten). */
  addresses: Map<string, Promise<string>>;
  /** Origins that answered, or took a connection, in this run: their later requests need no check. */
  reachable: Set<string>;
  /** The environment a proxy is read from (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`); none: direct. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Builds the HTTP context for a command run. */
export function httpContext(io: Io, log: Logger): HttpContext {
  return {
    fetch: io.fetch,
    lookup: io.lookup,
    log,
    now: () => io.now(),
    addresses: new Map(),
    reachable: new Set(),
    env: io.env,
  };
}
