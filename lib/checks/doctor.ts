/**
 * `oclaw doctor`'s checks in order: the config, then per provider reachability, server version, models
 * and what `/api/ps` says, then the model selection, then (with `--probe`) a tiny chat.
 */
import { buildCatalog, type Catalog, defaultCacheDir } from "../catalog/catalog.ts";
import { listTags } from "../catalog/discovery.ts";
import type { CatalogModel, ModelSelection, Provider } from "../catalog/types.ts";
import { locateConfig } from "../config/location.ts";
import { type ResolvedConfig, resolveConfig } from "../config/resolve.ts";
import { OclawError, toOclawError } from "../errors.ts";
import { deadline } from "../http/abort.ts";
import { type HttpContext, httpContext } from "../http/context.ts";
import type { Io } from "../io.ts";
import type { Logger } from "../log.ts";
import { configCheck, configErrorCheck, permissionsCheck, providerCheck } from "./config.ts";
import { contextCheck, cpuCheck, loadedModels } from "./loaded-models.ts";
import { configuredModelsCheck, discoveryCheck, selectionChecks } from "./models.ts";
import { probeCheck, runProbe } from "./probe.ts";
import { reachabilityChecks } from "./reachability.ts";
import { probeServer } from "./server.ts";
import { nativeApiCheck, unlistedModelsCheck } from "./drift.ts";
import { check, type CheckResult } from "./types.ts";
import { versionCheck } from "./version.ts";
import { DOCTOR_DNS_RETRY } from "../retry.ts";

/** Options of a doctor run. */
export interface DoctorOptions {
  configPath?: string | undefined;
  /** Also send a tiny chat. */
  probe?: boolean;
  /** Ctrl-C. */
  signal?: AbortSignal;
}

/** Time for one status answer (`/api/version`) once connected. */
const ANSWER_TIMEOUT_MS = 10_000;
/** Time for the probe chat; a cold load on a CPU host takes minutes. */
const PROBE_TIMEOUT_MS = 300_000;

/** The checks of one reachable Ollama server besides its catalogue: configured models installed, /api/ps. */
async function ollamaServerChecks(
  http: HttpContext,
  provider: Provider,
  catalog: Catalog,
  selection: ModelSelection,
  configData: Record<string, unknown>,
  signal: AbortSignal | undefined,
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const outcome = catalog.providers.find((o) => o.provider.id === provider.id);
  if (outcome?.discovery !== undefined) out.push(discoveryCheck(provider, outcome.discovery));
  else if (outcome?.error !== undefined) {
    out.push(check("models", "fail", outcome.error.message, { provider: provider.id, fix: outcome.error.hint }));
  } else {
    try {
      out.push(configuredModelsCheck(provider, (await listTags(provider, http, signal)).map((t) => t.name)));
    } catch (error) {
      const e = toOclawError(error);
      out.push(check("models", "warn", `Cannot list the models on ${provider.baseUrl}: ${e.message}`, {
        provider: provider.id,
        fix: e.hint,
      }));
    }
  }
  try {
    const loaded = await loadedModels(http, provider, signal);
    out.push(cpuCheck(provider.id, loaded, selection));
    const ctx = contextCheck(provider.id, loaded, catalog.models, configData);
    if (ctx !== undefined) out.push(ctx);
  } catch (error) {
    const e = toOclawError(error);
    out.push(check("cpu", "warn", `Cannot read the loaded models (/api/ps): ${e.message}`, {
      provider: provider.id,
      fix: e.hint,
    }));
  }
  return out;
}

/** The model the probe talks to: the primary when usable, else the first usable fallback, else any. */
function probeTarget(config: ResolvedConfig, models: CatalogModel[]): CatalogModel | undefined {
  const usable = models.filter((m) => m.tools && !m.tags.includes("missing") && !m.tags.includes("unverified"));
  const byTag = (tag: string) => usable.find((m) => m.tags.includes(tag));
  const fallbacks = config.selection.fallbacks.map((_, i) => byTag(`fallback#${i + 1}`));
  return byTag("default") ?? fallbacks.find((m) => m !== undefined) ?? usable[0];
}

/**
 * Runs every doctor check; never throws for what it finds (that is a failed check), only on abort.
 */
export async function runDoctor(io: Io, log: Logger, options: DoctorOptions = {}): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  let config: ResolvedConfig;
  try {
    config = await resolveConfig(io, { configPath: options.configPath });
  } catch (error) {
    checks.push(configErrorCheck(toOclawError(error)));
    const perms = await permissionsCheck(locateConfig(io, options.configPath).path);
    if (perms !== undefined) checks.push(perms);
    return checks;
  }
  log.addSecrets(config.secrets);
  for (const note of config.notes) log.debug(note);
  checks.push(configCheck(config));
  const perms = config.file.exists ? await permissionsCheck(config.file.path) : undefined;
  if (perms !== undefined) checks.push(perms);
  checks.push(providerCheck(config));

  const http = httpContext(io, log);
  const signal = options.signal;
  // A provider whose config cannot be used (an unset variable, a secret that does not resolve) is not asked.
  for (const provider of config.providers) {
    const error = provider.configError;
    if (error !== undefined) checks.push(check("config", "fail", error.message, { provider: provider.id, fix: error.hint }));
  }
  const usable = config.providers.filter((p) => p.configError === undefined);
  const probes = await Promise.all(usable.map((provider) =>
    probeServer(http, provider, {
      answerTimeoutMs: ANSWER_TIMEOUT_MS,
      dnsRetry: DOCTOR_DNS_RETRY,
      ...(signal ? { signal } : {}),
    })
  ));
  if (signal?.aborted) throw new OclawError("E_ABORTED", "Interrupted");
  const reachable = usable.filter((_, i) => probes[i]!.ok);
  const catalog = await buildCatalog({ ...config, providers: reachable }, http, {
    includeAll: true,
    cacheDir: defaultCacheDir(io),
    signal,
  });

  const perProvider = await Promise.all(usable.map(async (provider, i) => {
    const probe = probes[i]!;
    const out = reachabilityChecks(provider, probe);
    if (!probe.ok) return out;
    if (probe.version !== undefined) out.push(versionCheck(provider.id, probe.version, provider.discover));
    if (provider.api === "ollama") out.push(...await ollamaServerChecks(http, provider, catalog, config.selection, config.data, signal));
    else if (probe.modelIds !== undefined && probe.modelIds.length > 0) out.push(configuredModelsCheck(provider, probe.modelIds));
    else out.push(check("models", "ok", `${provider.models.length} configured model(s)`, { provider: provider.id }));
    const drift = provider.api === "ollama"
      ? await unlistedModelsCheck(http, provider, { cacheDir: defaultCacheDir(io), signal })
      : await nativeApiCheck(http, provider, signal);
    if (drift !== undefined) out.push(drift);
    return out;
  }));
  for (const list of perProvider) checks.push(...list);

  const unreachable = new Set(usable.filter((_, i) => !probes[i]!.ok).map((p) => p.id));
  for (const provider of config.providers) if (provider.configError !== undefined) unreachable.add(provider.id);
  checks.push(...selectionChecks(config.selection, config.providers, catalog.models, unreachable));

  if (options.probe === true) {
    const target = probeTarget(config, catalog.models);
    const provider = target && reachable.find((p) => p.id === target.provider);
    if (target === undefined || provider === undefined) {
      checks.push(check("probe", "fail", "No usable model to probe", {
        fix: "Fix the failed checks above first",
      }));
    } else {
      const limit = deadline(PROBE_TIMEOUT_MS, () =>
        new OclawError("E_TIMEOUT", `No answer within ${PROBE_TIMEOUT_MS / 1000} s`, {
          hint: "The model may be loading on a slow host; see the cpu check",
        }));
      const probeSignal = signal ? AbortSignal.any([signal, limit]) : limit;
      checks.push(probeCheck(provider.id, await runProbe(http, provider, target, probeSignal, config.data)));
    }
  }
  return checks;
}
