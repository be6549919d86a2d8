/**
 * Resolving SecretRefs the way OpenClaw 2026.9.6 does (src/secrets/resolve.ts): `env` reads a variable
 * (provider `default` needs no `secrets.providers` entry), `file` reads a JSON file (`id` a JSON pointer) or
 * a whole file (`mode: "singleValue"`, id `value`), `exec` runs a command that answers
 * `{protocolVersion: 1, values: {id: value}}` for `{protocolVersion: 1, provider, ids}` on stdin. A file must
 * be the user's and not readable by others, a command not writable by others, as OpenClaw requires.
 */
import { OclawError } from "../errors.ts";
import type { SecretInput, SecretProviderConfig, SecretRef, SecretsConfig } from "./schema-secret.ts";

/** What resolving needs: the config's `secrets` block, the environment and the home directory. */
export interface SecretContext {
  secrets: SecretsConfig | undefined;
  env: Readonly<Record<string, string | undefined>>;
  homeDir: string;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_BYTES = 1024 * 1024;

function refText(ref: SecretRef): string {
  return `${ref.source}:${ref.provider}:${ref.id}`;
}

function failure(ref: SecretRef, at: string, why: string, hint: string, cause?: unknown): OclawError {
  return new OclawError("E_CONFIG_ENV", `Cannot resolve the secret at ${at} (${refText(ref)}): ${why}`, { hint, cause });
}

function providerFor(ref: SecretRef, ctx: SecretContext, at: string): SecretProviderConfig {
  const configured = ctx.secrets?.providers?.[ref.provider];
  if (configured === undefined) {
    const defaultEnv = ctx.secrets?.defaults?.env?.trim() || "default";
    if (ref.source === "env" && ref.provider === defaultEnv) return { source: "env" };
    throw failure(ref, at, `secret provider '${ref.provider}' is not configured`, `Add secrets.providers.${ref.provider} ({ source: "${ref.source}", ... }) to the config`);
  }
  if (configured.source !== ref.source) {
    throw failure(ref, at, `secret provider '${ref.provider}' has source '${configured.source}'`, `Use source "${configured.source}" in the reference, or another provider`);
  }
  return configured;
}

function expandHome(file: string, homeDir: string): string {
  return file === "~" ? homeDir : file.startsWith("~/") ? `${homeDir}${file.slice(1)}` : file;
}

/** Reads a JSON pointer (`/a/b`, `~1` for `/`, `~0` for `~`) out of a parsed document. */
function readPointer(document: unknown, pointer: string): unknown {
  let current = document;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

async function checkOwnFile(file: string, readableByOthers: boolean): Promise<string | undefined> {
  const { lstat } = await import("node:fs/promises");
  const stat = await lstat(file);
  if (stat.isSymbolicLink()) return "it is a symlink";
  if (!stat.isFile()) return "it is not a file";
  if ((stat.mode & 0o022) !== 0) return "its permissions are too open (writable by others)";
  if (!readableByOthers && (stat.mode & 0o044) !== 0) return "its permissions are too open (readable by others; chmod 600 it)";
  const uid = (process as { getuid?: () => number }).getuid?.();
  if (uid !== undefined && stat.uid !== uid) return `it is not owned by the current user (uid ${uid})`;
  return undefined;
}

async function resolveFile(ref: SecretRef, config: Extract<SecretProviderConfig, { source: "file" }>, ctx: SecretContext, at: string): Promise<unknown> {
  const file = expandHome(config.path, ctx.homeDir);
  const fix = `Check secrets.providers.${ref.provider}.path (${file})`;
  let text: string;
  try {
    const insecure = await checkOwnFile(file, false);
    if (insecure !== undefined) throw failure(ref, at, `${file}: ${insecure}`, fix);
    const { readFile } = await import("node:fs/promises");
    const bytes = await readFile(file, { signal: AbortSignal.timeout(config.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
    if (bytes.byteLength > (config.maxBytes ?? DEFAULT_MAX_BYTES)) throw failure(ref, at, `${file} is larger than maxBytes`, fix);
    text = new TextDecoder().decode(bytes).replace(/^\uFEFF/, "");
  } catch (error) {
    if (error instanceof OclawError) throw error;
    const code = (error as { code?: unknown }).code;
    throw failure(ref, at, `cannot read ${file}${typeof code === "string" ? ` (${code})` : ""}`, fix, error);
  }
  if (config.mode === "singleValue") {
    if (ref.id !== "value") throw failure(ref, at, 'a singleValue file provider expects the id "value"', 'Set the reference\'s id to "value"');
    return text.replace(/\r?\n$/, "");
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw failure(ref, at, `${file} is not JSON`, `Fix the file, or set secrets.providers.${ref.provider}.mode to "singleValue"`, cause);
  }
  if (ref.id === "value") throw failure(ref, at, 'the id "value" needs mode "singleValue"', "Use a JSON pointer such as /ollama/apiKey");
  const value = readPointer(document, ref.id);
  if (value === undefined) throw failure(ref, at, `${file} has nothing at ${ref.id}`, fix);
  return value;
}

async function resolveExec(ref: SecretRef, config: Extract<SecretProviderConfig, { source: "exec" }>, ctx: SecretContext, at: string): Promise<unknown> {
  if (!("command" in config)) {
    throw failure(ref, at, "plugin-integration exec providers are not supported by oclaw", "Use an env, file or command exec provider for this secret");
  }
  const fix = `Check secrets.providers.${ref.provider}.command (${config.command})`;
  const insecure = await checkOwnFile(config.command, true).catch((error) => `cannot read it (${(error as { code?: string }).code ?? error})`);
  if (insecure !== undefined) throw failure(ref, at, `${config.command}: ${insecure}`, fix);
  if (config.trustedDirs !== undefined && !config.trustedDirs.some((dir) => config.command.startsWith(`${dir.replace(/\/+$/, "")}/`))) {
    throw failure(ref, at, `${config.command} is outside trustedDirs`, fix);
  }
  const env: Record<string, string> = {};
  for (const name of config.passEnv ?? []) if (ctx.env[name] !== undefined) env[name] = ctx.env[name]!;
  Object.assign(env, config.env);
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { execFile } = await import("node:child_process");
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(config.command, config.args ?? [], {
      env,
      cwd: config.command.replace(/\/[^/]*$/, "") || "/",
      timeout: timeoutMs,
      maxBuffer: config.maxOutputBytes ?? DEFAULT_MAX_BYTES,
      encoding: "utf8",
    }, (error, out) => {
      if (error) {
        const code = (error as { code?: unknown }).code;
        const why = (error as { killed?: boolean }).killed ? `timed out after ${timeoutMs} ms` : `exited with ${typeof code === "number" ? `code ${code}` : String(code ?? error.message)}`;
        reject(failure(ref, at, `${config.command} ${why}`, fix, error));
      } else resolve(out);
    });
    child.stdin?.on("error", () => {/* the command need not read its input */});
    child.stdin?.end(JSON.stringify({ protocolVersion: 1, provider: ref.provider, ids: [ref.id] }));
  });
  const text = stdout.trim();
  if (text === "") throw failure(ref, at, `${config.command} printed nothing`, fix);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    if (config.jsonOnly === false) return text;
    throw failure(ref, at, `${config.command} did not answer JSON`, 'Answer {"protocolVersion":1,"values":{...}}, or set jsonOnly: false');
  }
  if (typeof parsed === "string" && config.jsonOnly === false) return parsed;
  const answer = parsed as { protocolVersion?: unknown; values?: Record<string, unknown>; errors?: Record<string, { message?: unknown }> };
  if (typeof answer !== "object" || answer === null || answer.protocolVersion !== 1 || typeof answer.values !== "object") {
    throw failure(ref, at, `${config.command} answered without protocolVersion 1 and values`, 'Answer {"protocolVersion":1,"values":{...}}');
  }
  const refused = answer.errors?.[ref.id];
  if (refused !== undefined) {
    throw failure(ref, at, `${config.command} failed for it${typeof refused.message === "string" ? ` (${refused.message})` : ""}`, fix);
  }
  if (!Object.hasOwn(answer.values ?? {}, ref.id)) throw failure(ref, at, `${config.command} did not return it`, fix);
  return answer.values![ref.id];
}

/**
 * The value of a secret field: a string as it is, a SecretRef resolved.
 * @throws OclawError E_CONFIG_ENV naming the key path and the reference, with a hint
 */
export async function resolveSecret(input: SecretInput, ctx: SecretContext, at: string): Promise<string> {
  if (typeof input === "string") return input;
  const provider = providerFor(input, ctx, at);
  let value: unknown;
  if (provider.source === "env") {
    if (provider.allowlist !== undefined && !provider.allowlist.includes(input.id)) {
      throw failure(input, at, `${input.id} is not in secrets.providers.${input.provider}.allowlist`, "Add it to the allowlist");
    }
    value = ctx.env[input.id];
    if (typeof value !== "string" || value === "") {
      throw failure(input, at, `environment variable ${input.id} is not set`, `export ${input.id}`);
    }
  } else if (provider.source === "file") value = await resolveFile(input, provider, ctx, at);
  else if (provider.source === "exec") value = await resolveExec(input, provider, ctx, at);
  else {
    throw failure(input, at, "OpenClaw's credential store is not readable by oclaw", "Use an env, file or exec secret provider for this value");
  }
  if (typeof value !== "string" || value.trim() === "") {
    throw failure(input, at, "it resolved to a non-string or empty value", "Check what the secret provider holds there");
  }
  return value;
}
