/**
 * `oclaw config get|set|unset|file|validate`: read and edit the OpenClaw config file oclaw shares.
 */
import JSON5 from "json5";
import type { Command, CommandContext, TopLevelCommand } from "../cli/command.ts";
import { EXIT, OclawError, usageError } from "../errors.ts";
import { authProfilesPath } from "../config/auth-profiles.ts";
import { formatKeyPath, parseKeyPath } from "../config/key-path.ts";
import { type LoadProblem, loadConfig } from "../config/load.ts";
import { migrationNotes } from "../config/openclaw-notes.ts";
import { type ConfigLocation, locateConfig, stateDirFor } from "../config/location.ts";
import { buildProviders } from "../config/providers.ts";
import type { ConfigData } from "../config/schema.ts";
import { isSecretConfigKey, maskSecrets } from "../config/secrets.ts";
import { applyConfigEdit, valueAt } from "../config/update.ts";
import type { UpdateOptions } from "../config/write.ts";

function location(ctx: CommandContext): ConfigLocation {
  const found = locateConfig(ctx.io, ctx.global.config);
  ctx.log.debug(`config file: ${found.path} (from ${found.source})`);
  return found;
}

function positionals(ctx: CommandContext, names: string[], usage: string): string[] {
  if (ctx.positionals.length !== names.length) {
    const what = ctx.positionals.length < names.length
      ? `Missing ${names.slice(ctx.positionals.length).join(" and ")}`
      : names.length === 0
      ? `Unexpected argument '${ctx.positionals[0]}'`
      : `Too many arguments (expected ${names.join(" ")})`;
    throw usageError(what, `Usage: oclaw config ${usage}${names.includes("VALUE") ? " (quote a VALUE with spaces)" : ""}`);
  }
  return ctx.positionals;
}

/** How an edit waits for the config's lock: logged with -v, ended by a signal; `--force` edits a read-only file. */
function waiting(ctx: CommandContext): UpdateOptions {
  return {
    onWait: (lockFile) => ctx.log.debug(`waiting for ${lockFile}: another oclaw is updating the config`),
    signal: ctx.io.interrupt,
    force: ctx.values.force === true,
  };
}

async function say(ctx: CommandContext, text: string): Promise<void> {
  if (!ctx.global.quiet) await ctx.io.stderr.write(`${text}\n`);
}

/** VALUE as a JSON5 literal, else as a plain string (unless `--strict-json`). */
function parseValue(text: string, strict: boolean): unknown {
  try {
    return JSON5.parse(text);
  } catch (cause) {
    if (strict) {
      throw new OclawError("E_USAGE", `VALUE is not a JSON5 literal: ${text}`, {
        hint: `Quote a string: '"${text}"', or leave out --strict-json`,
        cause,
      });
    }
    return text;
  }
}

const getCommand: Command = {
  name: "get",
  summary: "Print a config value (strings raw, anything else as JSON)",
  usage: "get PATH [--reveal]",
  positionals: [{ name: "PATH", help: 'e.g. agents.defaults.model.primary or agents.defaults.models["ollama/x"].params' }],
  flags: { reveal: { type: "boolean", help: "Show secrets (apiKey, tokens, passwords) instead of ***" } },
  notes: "Exit 1 when the key is not set.",
  async run(ctx) {
    const [pathText] = positionals(ctx, ["PATH"], "get PATH");
    const path = parseKeyPath(pathText!);
    const where = location(ctx);
    const loaded = await loadConfig(where, ctx.io.env, { signal: ctx.io.interrupt });
    const value = valueAt(loaded.data, path);
    if (value === undefined) {
      throw new OclawError("E_NOT_SET", `${formatKeyPath(path)} is not set in ${where.path}`, {
        hint: loaded.exists ? undefined : "That file does not exist yet: an empty config is used",
      });
    }
    const last = path.at(-1);
    const shown = ctx.values.reveal === true ? value : maskSecrets(value, typeof last === "string" ? last : undefined);
    if (shown === "***" && typeof last === "string" && isSecretConfigKey(last)) {
      ctx.log.debug("secret hidden; --reveal shows it");
    }
    const text = typeof shown === "string" && !ctx.global.json ? shown : JSON.stringify(shown, null, 2);
    await ctx.io.stdout.write(`${text}\n`);
    return EXIT.ok;
  },
};

const setCommand: Command = {
  name: "set",
  summary: "Set a config value, keeping the file's comments and formatting",
  usage: "set PATH VALUE [--strict-json] [--force]",
  positionals: [
    { name: "PATH", help: "e.g. models.providers.ollama.apiKey" },
    { name: "VALUE", help: 'A JSON5 literal (8192, true, ["a","b"], {primary:"ollama/x"}), else a string' },
  ],
  flags: {
    "strict-json": { type: "boolean", help: "Refuse a VALUE that is not a JSON5 literal" },
    force: {
      type: "boolean",
      help: "Write anyway: a key OpenClaw would refuse to load (a root 'provider'), or a read-only file",
    },
  },
  notes: `The whole config is checked before writing, as strictly as OpenClaw checks it (a key it does not
know stops it from starting); the previous file is kept as <file>.bak.
Use -- before a VALUE that starts with '-': oclaw config set gateway.x -- -1`,
  async run(ctx) {
    const [pathText, valueText] = positionals(ctx, ["PATH", "VALUE"], "set PATH VALUE");
    const path = parseKeyPath(pathText!);
    const value = parseValue(valueText!, ctx.values["strict-json"] === true);
    const where = location(ctx);
    const result = await applyConfigEdit(where, { op: "set", path, value }, ctx.io.env, waiting(ctx));
    if (ctx.global.json) {
      await ctx.io.stdout.write(`${JSON.stringify({ path: formatKeyPath(path), file: result.file, changed: result.changed, created: result.created })}\n`);
    }
    await say(ctx, result.changed
      ? `Set ${formatKeyPath(path)} in ${result.file}${result.created ? " (new file)" : ""}`
      : `${formatKeyPath(path)} already has that value in ${result.file}`);
    return EXIT.ok;
  },
};

const unsetCommand: Command = {
  name: "unset",
  summary: "Remove a config key",
  usage: "unset PATH [--force]",
  positionals: [{ name: "PATH", help: "e.g. agents.defaults.model.fallbacks" }],
  flags: { force: { type: "boolean", help: "Edit the file even when it is read-only" } },
  notes: "Exit 1 when the key is not set.",
  async run(ctx) {
    const [pathText] = positionals(ctx, ["PATH"], "unset PATH");
    const path = parseKeyPath(pathText!);
    const where = location(ctx);
    const result = await applyConfigEdit(where, { op: "unset", path }, ctx.io.env, waiting(ctx));
    if (ctx.global.json) {
      await ctx.io.stdout.write(`${JSON.stringify({ path: formatKeyPath(path), file: result.file, changed: result.changed })}\n`);
    }
    await say(ctx, `Removed ${formatKeyPath(path)} from ${result.file}`);
    return EXIT.ok;
  },
};

const fileCommand: Command = {
  name: "file",
  summary: "Print the config file's path (stderr says whether it exists and what chose it)",
  usage: "file",
  async run(ctx) {
    positionals(ctx, [], "file");
    const where = location(ctx);
    const loaded = await loadConfig(where, ctx.io.env, { allowMissing: true, signal: ctx.io.interrupt });
    if (ctx.global.json) {
      await ctx.io.stdout.write(`${JSON.stringify({ path: where.path, exists: loaded.exists, source: where.source })}\n`);
      return EXIT.ok;
    }
    await ctx.io.stdout.write(`${where.path}\n`);
    const chosen = where.source === "flag" ? "--config" : where.source === "default" ? "the default" : `$${where.source}`;
    await say(ctx, loaded.exists
      ? `exists (chosen by ${chosen})`
      : `does not exist (chosen by ${chosen}; an empty config is used until 'oclaw config set' creates it)`);
    return EXIT.ok;
  },
};

interface ShownProblem {
  path: string;
  code: string;
  message: string;
  hint?: string;
}

const validateCommand: Command = {
  name: "validate",
  summary: "Check the config and list every problem (exit 0 when valid, 3 when not)",
  usage: "validate",
  async run(ctx) {
    positionals(ctx, [], "validate");
    const where = location(ctx);
    const problems: ShownProblem[] = [];
    let warnings: string[] = [];
    let exists = false;
    try {
      const loaded = await loadConfig(where, ctx.io.env, { signal: ctx.io.interrupt });
      exists = loaded.exists;
      warnings = migrationNotes(loaded.data);
      problems.push(...loaded.problems.map(show));
      if (loaded.problems.length === 0) {
        // Provider resolution has checks of its own (OLLAMA_HOST, SecretRefs that must resolve, TLS).
        const built = await buildProviders({
          data: loaded.data as ConfigData,
          env: ctx.io.env,
          file: where.path,
          authProfiles: [],
          authProfilesFile: authProfilesPath(stateDirFor(ctx.io)),
          homeDir: ctx.io.homeDir,
        });
        for (const provider of built.providers) {
          const error = provider.configError;
          if (error !== undefined) {
            problems.push({ path: `models.providers.${provider.id}`, code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) });
          }
        }
      }
    } catch (error) {
      if (!(error instanceof OclawError) || !error.code.startsWith("E_CONFIG")) throw error;
      exists = error.code === "E_CONFIG_PARSE" || exists;
      problems.push({ path: "", code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) });
    }
    if (ctx.global.json) {
      await ctx.io.stdout.write(`${JSON.stringify({ file: where.path, exists, valid: problems.length === 0, problems, warnings })}\n`);
    } else {
      for (const warning of warnings) await say(ctx, `warning: ${warning}`);
      for (const p of problems) {
        await ctx.io.stdout.write(`${p.path ? `${p.path}: ` : ""}${p.message}${p.hint ? ` (${p.hint})` : ""}\n`);
      }
      await say(ctx, problems.length === 0
        ? `${where.path} is valid${exists ? "" : " (it does not exist: an empty config)"}`
        : `${problems.length} problem${problems.length === 1 ? "" : "s"} in ${where.path}`);
    }
    return problems.length === 0 ? EXIT.ok : EXIT.config;
  },
};

function show(problem: LoadProblem): ShownProblem {
  const shown: ShownProblem = { path: formatKeyPath(problem.path), code: problem.code, message: problem.message };
  if (problem.hint) shown.hint = problem.hint;
  return shown;
}

/** The `config` command. */
export const configCommand: TopLevelCommand = {
  name: "config",
  usage: "config <get|set|unset|file|validate> [options]",
  subcommands: [getCommand, setCommand, unsetCommand, fileCommand, validateCommand],
};
