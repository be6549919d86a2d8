/**
 * Host names resolved by oclaw itself before fetch, so a failure says EAI_AGAIN or ENOTFOUND in Bun and Deno
 * alike; looked up once per run and origin.
 */
import { OclawError } from "../errors.ts";
import { errnoCode, isIpAddress } from "../net/host.ts";
import type { HttpContext } from "./context.ts";
import { errorHint } from "./failure-hints.ts";

/** True for a DNS failure that may pass by itself (a resolver restarting): worth retrying. */
export function isTransientDns(error: unknown): boolean {
  return error instanceof OclawError && error.code === "E_DNS" && errnoCode(error.cause) === "EAI_AGAIN";
}

/**
 * The address the URL's host resolves to, looked up once per run and origin (a failure is not kept).
 * @throws OclawError E_DNS with the resolver's errno code in `cause`
 */
export function resolveHost(ctx: HttpContext, url: URL, service: string): Promise<string> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIpAddress(host)) return Promise.resolve(host);
  let found = ctx.addresses.get(url.origin);
  if (found === undefined) {
    found = lookupOnce(ctx, url, host, service);
    ctx.addresses.set(url.origin, found);
    // A retry (DNS backoff) must ask the resolver again.
    found.catch(() => ctx.addresses.delete(url.origin));
  }
  return found;
}

async function lookupOnce(ctx: HttpContext, url: URL, host: string, service: string): Promise<string> {
  try {
    const addresses = await ctx.lookup(host);
    if (addresses[0] === undefined) throw Object.assign(new Error(`No address for ${host}`), { code: "ENODATA" });
    return addresses[0];
  } catch (error) {
    const code = errnoCode(error);
    throw new OclawError(
      "E_DNS",
      `Cannot reach ${service} at ${url.origin}: DNS lookup of ${host} failed${code ? ` (${code})` : ""}`,
      { cause: error, url: url.origin, hint: errorHint(code === "EAI_AGAIN" ? "dns-transient" : "dns") },
    );
  }
}
