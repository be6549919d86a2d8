import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { symlink } from "node:fs/promises";
import { resolveConfig } from "../lib/config/resolve.ts";
import { withTempHome } from "./support/temp-home.ts";
import { expectOclawError } from "./support/expect-oclaw-error.ts";

// ---- which file ----

test("no config anywhere: empty config from ~/.openclaw/openclaw.json, ollama not enabled, and why", () =>
  withTempHome(async (home) => {
    const config = await resolveConfig(home.io());
    assert.deepEqual(config.file, { path: home.configFile, exists: false, source: "default" });
    assert.deepEqual(config.data, {});
    assert.deepEqual(config.providers, []);
    assert.equal(config.ollama.enabled, false);
    assert.ok(config.ollama.reasons.some((r) => r.includes("OLLAMA_API_KEY is not set")));
    assert.deepEqual(config.selection, { fallbacks: [] });
    assert.equal(config.stateDir, home.stateDir);
  }));

test("file precedence: --config > OPENCLAW_CONFIG_PATH > OPENCLAW_STATE_DIR > ~/.openclaw", () =>
  withTempHome(async (home) => {
    const flag = await home.write("flag.json", `{ gateway: { mode: "flag" } }`);
    const envPath = await home.write("env.json", `{ gateway: { mode: "env" } }`);
    const stateFile = await home.write("state/openclaw.json", `{ gateway: { mode: "state" } }`);
    await home.write(".openclaw/openclaw.json", `{ gateway: { mode: "default" } }`);
    const env = { OPENCLAW_CONFIG_PATH: envPath, OPENCLAW_STATE_DIR: path.dirname(stateFile) };
    const mode = (c: { data: Record<string, unknown> }) => (c.data.gateway as { mode: string }).mode;

    const a = await resolveConfig(home.io(env), { configPath: flag });
    assert.deepEqual([a.file.source, mode(a)], ["flag", "flag"]);
    const b = await resolveConfig(home.io(env));
    assert.deepEqual([b.file.source, mode(b)], ["OPENCLAW_CONFIG_PATH", "env"]);
    const c = await resolveConfig(home.io({ OPENCLAW_STATE_DIR: path.dirname(stateFile) }));
    assert.deepEqual([c.file.source, mode(c), c.stateDir], ["OPENCLAW_STATE_DIR", "state", path.dirname(stateFile)]);
    const d = await resolveConfig(home.io({ OPENCLAW_CONFIG_PATH: "  ", OPENCLAW_STATE_DIR: "" }));
    assert.deepEqual([d.file.source, mode(d)], ["default", "default"]);
  }));

test("~ and relative paths: ~/x is under HOME, a relative --config is relative to the working directory", () =>
  withTempHome(async (home) => {
    await home.write("cfg/my.json", `{ a: 1 }`);
    const tilde = await resolveConfig(home.io({ OPENCLAW_CONFIG_PATH: "~/cfg/my.json" }));
    assert.equal(tilde.file.path, path.join(home.dir, "cfg/my.json"));
    const relative = await resolveConfig(home.io(), { configPath: "cfg/my.json" });
    assert.deepEqual(relative.data, { a: 1 });
  }));

test("a missing --config file is an error (exit 3); a missing OPENCLAW_CONFIG_PATH file is an empty config", () =>
  withTempHome(async (home) => {
    const missing = path.join(home.dir, "nope.json");
    const error = await expectOclawError(resolveConfig(home.io(), { configPath: missing }));
    assert.equal(error.code, "E_CONFIG_INVALID");
    assert.match(error.message, /nope\.json does not exist \(named by --config\)/);
    const viaEnv = await resolveConfig(home.io({ OPENCLAW_CONFIG_PATH: missing }));
    assert.equal(viaEnv.file.exists, false);
  }));

test("an empty or whitespace-only file is an empty config", () =>
  withTempHome(async (home) => {
    await home.write(".openclaw/openclaw.json", "\n  \n");
    assert.deepEqual((await resolveConfig(home.io())).data, {});
  }));

// ---- JSON5 ----

test("JSON5: comments, unquoted keys, single quotes, trailing commas, unknown keys kept", () =>
  withTempHome(async (home) => {
    await home.write(".openclaw/openclaw.json", `// top\n{ /* c */ gateway: { mode: 'local', }, channels: { telegram: { enabled: true } }, }`);
    const config = await resolveConfig(home.io());
    assert.deepEqual(config.data, { gateway: { mode: "local" }, channels: { telegram: { enabled: true } } });
  }));

test("a JSON5 syntax error names file:line:col, exit code 3", () =>
  withTempHome(async (home) => {
    await home.write(".openclaw/openclaw.json", `{\n  gateway: {\n    mode: "local"\n    port: 1,\n  },\n}\n`);
    const error = await expectOclawError(resolveConfig(home.io()));
    assert.equal(error.code, "E_CONFIG_PARSE");
    assert.ok(error.message.includes(`${home.configFile}:4:5`), error.message);
  }));

test("a config whose top level is not an object is invalid", () =>
  withTempHome(async (home) => {
    await home.write(".openclaw/openclaw.json", `["a"]`);
    const error = await expectOclawError(resolveConfig(home.io()));
    assert.equal(error.code, "E_CONFIG_INVALID");
    assert.match(error.message, /top level must be an object/);
  }));

// ---- $include ----

test("$include: string and array, relative to the including file, deep-merged, own keys win", () =>
  withTempHome(async (home) => {
    await home.write(".openclaw/base.json5", `{ gateway: { mode: "local", port: 1 }, list: [1] }`);
    await home.write(".openclaw/parts/models.json5", `{ $include: "./more.json5", providers: { ollama: { apiKey: "k" } } }`);
    await home.write(".openclaw/parts/more.json5", `{ providers: { vllm: { baseUrl: "http://h:8000/v1" } } }`);
    await home.write(".openclaw/extra.json5", `{ gateway: { bind: "loopback" }, list: [2] }`);
    await home.write(
      ".openclaw/openclaw.json",
      `{ $include: ["./base.json5", "extra.json5"], gateway: { port: 2 }, models: { $include: "parts/models.json5" } }`,
    );
    const config = await resolveConfig(home.io());
    assert.deepEqual(config.data, {
      gateway: { mode: "local", port: 2, bind: "loopback" },
      list: [1, 2],
      models: { providers: { vllm: { baseUrl: "http://h:8000/v1" }, ollama: { apiKey: "k" } } },
    });
  }));

test("$include cycle is rejected and names the chain", () =>
  withTempHome(async (home) => {
    await home.write(".openclaw/a.json5", `{ $include: "b.json5" }`);
    await home.write(".openclaw/b.json5", `{ x: { $include: "a.json5" } }`);
    await home.write(".openclaw/openclaw.json", `{ $include: "a.json5" }`);
    const error = await expectOclawError(resolveConfig(home.io()));
    assert.equal(error.code, "E_CONFIG_INVALID");
    assert.match(error.message, /in .*b\.json5: include cycle openclaw\.json -> a\.json5 -> b\.json5 -> a\.json5$/);
  }));

test("$include that escapes the config directory is rejected (../ and absolute paths)", () =>
  withTempHome(async (home) => {
    await home.write("secret.json5", `{ stolen: true }`);
    await home.write(".openclaw/openclaw.json", `{ $include: "../secret.json5" }`);
    const error = await expectOclawError(resolveConfig(home.io()));
    assert.equal(error.code, "E_CONFIG_INVALID");
    assert.match(error.message, /'\.\.\/secret\.json5' escapes the config directory/);
    await home.write(".openclaw/openclaw.json", `{ a: { $include: ${JSON.stringify(path.join(home.dir, "secret.json5"))} } }`);
    const absolute = await expectOclawError(resolveConfig(home.io()));
    assert.match(absolute.message, /escapes the config directory/);
    assert.match(absolute.message, /at a\.\$include/);
  }));

test("$include through a symlink that points outside the config directory is rejected", () =>
  withTempHome(async (home) => {
    const outside = await home.write("outside.json5", `{ stolen: true }`);
    await home.write(".openclaw/openclaw.json", `{ $include: "link.json5" }`);
    await symlink(outside, path.join(home.stateDir, "link.json5"));
    const error = await expectOclawError(resolveConfig(home.io()));
    assert.match(error.message, /outside the config directory .* symlink/);
  }));

test("$include nests up to 10 files deep, not 11", () =>
  withTempHome(async (home) => {
    const chain = async (depth: number) => {
      for (let i = 1; i <= depth; i++) {
        await home.write(`.openclaw/n${i}.json5`, i === depth ? `{ leaf: ${i} }` : `{ $include: "n${i + 1}.json5" }`);
      }
      await home.write(".openclaw/openclaw.json", `{ $include: "n1.json5" }`);
    };
    await chain(10);
    assert.deepEqual((await resolveConfig(home.io())).data, { leaf: 10 });
    await chain(11);
    const error = await expectOclawError(resolveConfig(home.io()));
    assert.match(error.message, /deeper than 10/);
  }));

test("a missing or broken include names the file", () =>
  withTempHome(async (home) => {
    await home.write(".openclaw/openclaw.json", `{ $include: "gone.json5" }`);
    assert.match((await expectOclawError(resolveConfig(home.io()))).message, /gone\.json5 does not exist/);
    await home.write(".openclaw/bad.json5", `{ a: }`);
    await home.write(".openclaw/openclaw.json", `{ $include: "bad.json5" }`);
    const error = await expectOclawError(resolveConfig(home.io()));
    assert.equal(error.code, "E_CONFIG_PARSE");
    assert.ok(error.message.includes(`${path.join(home.stateDir, "bad.json5")}:1:6`), error.message);
  }));

// ---- ${VAR} ----

test("${VAR} is substituted in strings, $${VAR} stays literal, keys are left alone", () =>
  withTempHome(async (home) => {
    await home.write(
      ".openclaw/openclaw.json",
      `{ models: { providers: { ollama: { apiKey: "\${OLLAMA_KEY}", baseUrl: "http://\${HOST_X}:11434" } } }, note: "$\${HOME_X} \${HOME_X}", "\${KEY}": 1 }`,
    );
    const config = await resolveConfig(home.io({ OLLAMA_KEY: "sekrit", HOST_X: "gpu", HOME_X: "/h" }));
    assert.equal(config.providers[0]!.apiKey, "sekrit");
    assert.equal(config.providers[0]!.baseUrl, "http://gpu:11434");
    assert.equal(config.data.note, "${HOME_X} /h");
    assert.equal(config.data["${KEY}"], 1);
    assert.ok(config.secrets.includes("sekrit"));
  }));

test("a missing ${VAR} in one provider makes that provider unusable (E_CONFIG_ENV naming variable and key), not the config", () =>
  withTempHome(async (home) => {
    await home.write(
      ".openclaw/openclaw.json",
      `{ models: { providers: { "ollama-gpu": { baseUrl: "http://x", api: "ollama", apiKey: "\${GPU_KEY}", models: [] } } },
         channels: { telegram: { botToken: "\${TG_TOKEN}" } } }`,
    );
    const io = home.io({ GPU_KEY: "" });
    const config = await resolveConfig(io);
    const gpu = config.providers.find((p) => p.id === "ollama-gpu")!;
    assert.ok(gpu.configError !== undefined);
    assert.equal(gpu.configError.code, "E_CONFIG_ENV");
    assert.match(gpu.configError.message, /^Provider 'ollama-gpu' cannot be used: Environment variable GPU_KEY is not set/);
    assert.ok(gpu.configError.message.includes("at models.providers.ollama-gpu.apiKey in"), gpu.configError.message);
    // A key oclaw never reads only warns.
    assert.match(io.stderr.text(), /^oclaw: warning: environment variable TG_TOKEN is not set \(used at channels\.telegram\.botToken, which oclaw does not read\)\n$/);
    // Where every command needs the value, it still stops the run.
    await home.write(".openclaw/openclaw.json", `{ agents: { defaults: { model: { primary: "\${PRIMARY}" } } } }`);
    const error = await expectOclawError(resolveConfig(home.io()));
    assert.equal(error.code, "E_CONFIG_ENV");
    assert.match(error.message, /PRIMARY is not set/);
  }));

// ---- schema ----

test("a wrong type inside a provider names the key path", () =>
  withTempHome(async (home) => {
    await home.write(".openclaw/openclaw.json", `{ models: { providers: { ollama: { models: [{ id: "a", contextWindow: "big" }] } } } }`);
    const error = await expectOclawError(resolveConfig(home.io()));
    assert.equal(error.code, "E_CONFIG_INVALID");
    assert.match(error.message, /models\.providers\.ollama\.models\[0\]\.contextWindow: expected number, received string/);
  }));

test("an unknown key inside a provider is an error with a did-you-mean hint (baseURL, contextwindow, fallback)", () =>
  withTempHome(async (home) => {
    const cases: [string, RegExp, string][] = [
      [`{ models: { providers: { ollama: { baseURL: "http://x" } } } }`, /models\.providers\.ollama\.baseURL: unknown key 'baseURL'/, "baseUrl"],
      [`{ models: { providers: { ollama: { models: [{ id: "a", contextwindow: 4096 }] } } } }`, /models\[0\]\.contextwindow/, "contextWindow"],
      [`{ agents: { defaults: { model: { primary: "ollama/a", fallback: [] } } } }`, /agents\.defaults\.model\.fallback/, "fallbacks"],
      [`{ models: { providers: { ollama: { base_url: "http://x" } } } }`, /base_url/, "baseUrl"],
    ];
    for (const [text, message, suggestion] of cases) {
      await home.write(".openclaw/openclaw.json", text);
      const error = await expectOclawError(resolveConfig(home.io()));
      assert.equal(error.code, "E_CONFIG_INVALID");
      assert.match(error.message, message);
      assert.equal(error.hint, `Did you mean ${suggestion}?`);
    }
  }));

test("keys outside oclaw's subtrees pass through, however unknown", () =>
  withTempHome(async (home) => {
    await home.write(".openclaw/openclaw.json", `{ provider: "ollama", gateway: { mode: "local", whatever: [1] }, agents: { list: [{ id: "main" }], defaults: { sandbox: { mode: "all" } } } }`);
    const config = await resolveConfig(home.io());
    assert.equal(config.data.provider, "ollama");
    assert.deepEqual((config.data.agents as { defaults: unknown }).defaults, { sandbox: { mode: "all" } });
  }));

test("the realistic OpenClaw config resolves: providers, selection, params, ignored anthropic, secrets", () =>
  withTempHome(async (home) => {
    const { readFile } = await import("node:fs/promises");
    const { LARGE_CONFIG } = await import("./fixtures/config/large-config.ts");
    await home.write(".openclaw/openclaw.json", await readFile(LARGE_CONFIG, "utf8"));
    const config = await resolveConfig(home.io({ GPU_BOX_KEY: "gpu-key" }));
    assert.deepEqual(config.providers.map((p) => [p.id, p.api, p.baseUrl, p.discover]), [
      ["ollama", "ollama", "http://127.0.0.1:11434", false],
      ["ollama-gpu", "openai-completions", "http://10.8.0.2:11434/v1", false],
    ]);
    assert.deepEqual(config.ignoredProviders.map((p) => p.id), ["anthropic"]);
    assert.deepEqual(config.selection, {
      primary: "ollama/qwen3:8b",
      fallbacks: ["ollama/gpt-oss:20b", "ollama-gpu/llama3.3:70b"],
    });
    assert.deepEqual(config.modelParams, { "ollama/qwen3:8b": { temperature: 0.6, think: "low" } });
    const vision = config.providers[0]!.models[2]!;
    assert.deepEqual(vision, {
      id: "qwen2.5vl:7b",
      name: "Qwen2.5 VL 7B",
      reasoning: false,
      input: ["text", "image"],
      cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
      contextWindow: 32768,
      maxTokens: 327680,
      params: {},
    });
    assert.equal(config.providers[0]!.models[0]!.params.num_ctx, 32768);
    for (const secret of ["ollama-local", "gpu-key", "gw-3f9c2a71d0b84e6f", "123456789:AAH-fake-token-for-tests", "BSA-fake-brave-key", "ghp_fakefakefake"]) {
      assert.ok(config.secrets.includes(secret), `secrets include ${secret}`);
    }
    assert.ok(!config.secrets.includes("409600"));
  }));
