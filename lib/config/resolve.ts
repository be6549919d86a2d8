/**
 * Config resolution: finds the config file, loads it (JSON5, `$include`, `${VAR}`, schema) and turns it into
 * what the rest of oclaw uses — enabled providers, the model selection, per-model params and the secrets
 * to redact. The one entry point commands call.
 */
import type { EnabledBy, ModelParams, ModelSelection, Provider } from "../catalog/types.ts";
import type { Io } from "../io.ts";
import { authProfilesPath, DEFAULT_AGENT, findAuthProfiles } from "./auth-profiles.ts";
import { OclawError } from "../errors.ts";
import { formatKeyPath, type KeySegment } from "./key-path.ts";
import { type LoadedConfig, loadConfig, type LoadProblem, problemError } from "./load.ts";
import { type ConfigSource, locateConfig, stateDirFor } from "./location.ts";
import { formatModelRef, parseModelRef } from "./model-ref.ts";
import { validMemo } from "./valid-memo.ts";
import { cacheDir } from "../state/dirs.ts";
import { proxyPassword } from "./provider-request.ts";
import { buildProviders, type IgnoredProvider, OLLAMA_PROVIDER } from "./providers.ts";
import type { ConfigData } from "./schema.ts";
import { collectSecrets, collectUrlPasswords, headerSecrets } from "./secrets.ts";

/** Everything oclaw knows after reading the config. */
export interface ResolvedConfig {
  file: { path: string; exists: boolean; source: ConfigSource };
  /** The whole config after `$include` and `${VAR}`, unknown keys kept. */
  data: Record<string, unknown>;
  /** Enabled providers; `ollama` first when enabled. */
  providers: Provider[];
  /** Configured providers oclaw skips (an API it does not speak), for doctor and `-v`. */
  ignoredProviders: IgnoredProvider[];
  /** `agents.defaults.model`, refs normalised to `provider/id`. */
  selection: ModelSelection;
  /** `agents.defaults.models["<ref>"].params`, keyed by normalised ref. */
  modelParams: Record<string, ModelParams>;
  /** Whether the ollama provider is enabled, how, and why (not). */
  ollama: { enabled: boolean; enabledBy?: EnabledBy; reasons: string[] };
  /** Every secret value seen (config, env, auth profiles, resolved SecretRefs, headers), for redaction. */
  secrets: string[];
  /** Facts worth a `-v` line: which credentials a provider sends when it has several. */
  notes: string[];
  /** `$OPENCLAW_STATE_DIR` or `~/.openclaw`. */
  stateDir: string;
}

/** Options for {@link resolveConfig}. */
export interface ResolveOptions {
  /** The value of `--config`. */
  configPath?: string | undefined;
  /** The OpenClaw agent whose auth profiles count (default `main`). */
  agent?: string | undefined;
  /** Ends reading the files (default: the Io's interrupt). */
  signal?: AbortSignal | undefined;
  /** Do not print warnings (a `${VAR}` missing under a key oclaw does not read). */
  quiet?: boolean | undefined;
}

/**
 * Finds, loads, validates and resolves the config.
 * @throws OclawError E_CONFIG_PARSE (file:line:col), E_CONFIG_INVALID (key path, "did you mean" hint),
 *   E_CONFIG_ENV (variable and key path)
 */
export async function resolveConfig(io: Io, options: ResolveOptions = {}): Promise<ResolvedConfig> {
  const location = locateConfig(io, options.configPath);
  const memo = validMemo(cacheDir(io));
  const loaded = await loadConfig(location, io.env, { signal: options.signal ?? io.interrupt, memo });
  const { fatal, deferred, warnings } = sortProblems(loaded.problems, location.path);
  if (fatal.length > 0) throw problemError(fatal, location.path);
  if (options.quiet !== true) {
    for (const warning of warnings) await io.stderr.write(`oclaw: warning: ${warning}\n`);
  }
  return await resolveLoaded(io, loaded, options.agent, deferred);
}

// Where a missing `${VAR}` stops everything: the keys every command reads (the model selection, secrets).
function neededEverywhere(path: readonly KeySegment[]): boolean {
  if (path[0] === "models" && path[1] !== "providers") return true;
  if (path[0] === "agents" && path[1] === "defaults" && (path[2] === "model" || path[2] === "models")) return true;
  return path[0] === "secrets" || (path[0] === "plugins" && path[2] === "ollama");
}

/**
 * Sorts load problems: a missing variable inside one provider makes that provider unusable (the error is
 * thrown where it is needed); one under a key oclaw never reads is only a warning; the rest stop the run.
 */
function sortProblems(problems: LoadProblem[], file: string): {
  fatal: LoadProblem[];
  deferred: Map<string, OclawError>;
  warnings: string[];
} {
  const fatal: LoadProblem[] = [];
  const byProvider = new Map<string, LoadProblem[]>();
  const warnings: string[] = [];
  for (const problem of problems) {
    const [root, second, id] = problem.path;
    if (problem.openclawOnly === true) continue;
    if (problem.code !== "E_CONFIG_ENV") fatal.push(problem);
    else if (root === "models" && second === "providers" && typeof id === "string" && problem.path.length > 3) {
      byProvider.set(id, [...byProvider.get(id) ?? [], problem]);
    } else if (neededEverywhere(problem.path)) fatal.push(problem);
    else warnings.push(`${problem.message} (used at ${formatKeyPath(problem.path)}, which oclaw does not read)`);
  }
  const deferred = new Map<string, OclawError>();
  for (const [id, list] of byProvider) {
    const error = problemError(list, file);
    deferred.set(id, new OclawError(error.code, `Provider '${id}' cannot be used: ${error.message}`, { hint: error.hint }));
  }
  return { fatal, deferred, warnings };
}

/** Resolves an already loaded, valid config (for commands that loaded it themselves). */
export async function resolveLoaded(
  io: Io,
  loaded: LoadedConfig,
  agent: string = DEFAULT_AGENT,
  deferred?: ReadonlyMap<string, OclawError>,
): Promise<ResolvedConfig> {
  const data = loaded.data as ConfigData;
  const stateDir = stateDirFor(io);
  const profilesFile = authProfilesPath(stateDir, agent);
  const authProfiles = await findAuthProfiles(profilesFile, OLLAMA_PROVIDER);
  const built = await buildProviders({
    data,
    env: io.env,
    file: loaded.location.path,
    authProfiles,
    authProfilesFile: profilesFile,
    homeDir: io.homeDir,
    ...(deferred === undefined ? {} : { deferred }),
  });
  const { providers, ollama, ignored } = built;
  const secrets = collectSecrets(loaded.data);
  for (const secret of built.secrets) secrets.add(secret);
  for (const name of ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"]) {
    const password = io.env[name] === undefined ? undefined : proxyPassword(io.env[name]!);
    if (password !== undefined) secrets.add(password);
  }
  if (io.env.OLLAMA_API_KEY) secrets.add(io.env.OLLAMA_API_KEY);
  for (const profile of authProfiles) if (profile.secret) secrets.add(profile.secret);
  collectUrlPasswords(loaded.data, secrets);
  if (io.env.OLLAMA_HOST) collectUrlPasswords(io.env.OLLAMA_HOST, secrets);
  for (const provider of providers) {
    if (provider.apiKey) secrets.add(provider.apiKey);
    for (const value of headerSecrets(provider.headers)) secrets.add(value);
  }
  // From here on, both output streams redact them from everything: messages, events, -v lines.
  io.secrets.add(secrets);
  return {
    file: { path: loaded.location.path, exists: loaded.exists, source: loaded.location.source },
    data: loaded.data,
    providers,
    ignoredProviders: ignored,
    selection: selectionOf(data),
    modelParams: modelParamsOf(data),
    ollama,
    secrets: [...secrets],
    notes: providers.flatMap((p) => p.authNote ?? []),
    stateDir,
  };
}

function normalizeRef(ref: string): string {
  return formatModelRef(parseModelRef(ref));
}

function selectionOf(data: ConfigData): ModelSelection {
  const model = data.agents?.defaults?.model;
  if (model === undefined) return { fallbacks: [] };
  if (typeof model === "string") return { primary: normalizeRef(model), fallbacks: [] };
  const selection: ModelSelection = { fallbacks: (model.fallbacks ?? []).map(normalizeRef) };
  if (model.primary !== undefined) selection.primary = normalizeRef(model.primary);
  return selection;
}

function modelParamsOf(data: ConfigData): Record<string, ModelParams> {
  const out: Record<string, ModelParams> = {};
  for (const [ref, entry] of Object.entries(data.agents?.defaults?.models ?? {})) {
    const params = entry.streaming === undefined ? entry.params : { ...entry.params, streaming: entry.streaming };
    if (params === undefined) continue;
    let key = ref;
    try {
      key = normalizeRef(ref);
    } catch {
      // A key that is not a model ref (OpenClaw may hold other entries here): keep it as written.
    }
    out[key] = { ...out[key], ...params };
  }
  return out;
}
