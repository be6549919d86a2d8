/**
 * The older forms OpenClaw 2026.9.6 still loads but rewrites when it starts (its legacy config migrations),
 * said as `config validate` warnings, as `openclaw config validate` says them: the file stays valid.
 */

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
}

/** One line per older form found in the (already substituted) config data. */
export function migrationNotes(data: unknown): string[] {
  const notes: string[] = [];
  const providers = record(record(record(data)?.models)?.providers) ?? {};
  for (const [id, value] of Object.entries(providers)) {
    for (const key of ["contextTokens", "contextWindow"]) {
      if (record(value)?.[key] !== undefined) {
        notes.push(
          `models.providers.${id}.${key}: OpenClaw moves it into the model entries that have none (oclaw applies it the same way)`,
        );
      }
    }
  }
  if (Array.isArray(record(record(data)?.agents)?.list)) {
    notes.push("agents.list: OpenClaw moves it to agents.entries (oclaw does not read either)");
  }
  return notes;
}
