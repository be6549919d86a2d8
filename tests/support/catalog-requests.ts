/**
 * The requests a catalogue run made, without `/api/version`: discovery asks the version beside `/api/tags`
 * once per run (it keys the show cache), so counts of what a run costs leave it out and assert it apart.
 */

/** The server's recorded requests other than `/api/version`. */
export function catalogRequests<T extends { path: string }>(server: { requests: T[] }): T[] {
  return server.requests.filter((r) => r.path !== "/api/version");
}
