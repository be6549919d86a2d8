import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import JSON5 from "json5";
import { editConfigText } from "../lib/config/edit.ts";
import { formatKeyPath, type KeySegment, parseKeyPath } from "../lib/config/key-path.ts";
import { OclawError } from "../lib/errors.ts";
import { LARGE_CONFIG } from "./fixtures/config/large-config.ts";

const LARGE = readFileSync(LARGE_CONFIG, "utf8");

const set = (text: string | undefined, path: string, value: unknown) => editConfigText(text, { op: "set", path: parseKeyPath(path), value });
const unset = (text: string, path: string) => editConfigText(text, { op: "unset", path: parseKeyPath(path) });

/** Lines of `after` that are not in `before`, and lines of `before` missing from `after` (as a diff would show). */
function lineDiff(before: string, after: string): { added: string[]; removed: string[] } {
  const a = before.split("\n");
  const b = after.split("\n");
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return { removed: a.slice(start, endA), added: b.slice(start, endB) };
}

// ---- key paths ----

test("key paths: dots, brackets with quotes for keys with dots or slashes, indexes", () => {
  assert.deepEqual(parseKeyPath(`agents.defaults.models["ollama/x"].params.num_ctx`), ["agents", "defaults", "models", "ollama/x", "params", "num_ctx"]);
  assert.deepEqual(parseKeyPath(`models.providers.ollama.models[0].id`), ["models", "providers", "ollama", "models", 0, "id"]);
  assert.deepEqual(parseKeyPath(`a['b.c'].d`), ["a", "b.c", "d"]);
  assert.deepEqual(parseKeyPath(`a["q\\"x"]`), ["a", `q"x`]);
  assert.deepEqual(parseKeyPath(`skills.entries[nano-banana-pro]`), ["skills", "entries", "nano-banana-pro"]);
  for (const bad of ["", "a..b", "a.", "a[", `a["x]`, "a[]", ".a"]) {
    assert.throws(() => parseKeyPath(bad), (e: unknown) => e instanceof OclawError && e.code === "E_USAGE", bad);
  }
  const paths: KeySegment[][] = [["agents", "defaults", "models", "ollama/x", "params"], ["a", 0, "b.c"], ["gateway", "mode"]];
  for (const path of paths) assert.deepEqual(parseKeyPath(formatKeyPath(path)), path);
  assert.equal(formatKeyPath(["agents", "defaults", "models", "ollama/x"]), `agents.defaults.models["ollama/x"]`);
});

// ---- the large realistic config ----

test("large commented config: parse-free round trip when nothing changes, and a changed value changes one line only", () => {
  const after = set(LARGE, "gateway.port", 18790);
  assert.deepEqual(lineDiff(LARGE, after), { removed: ["    port: 18789,"], added: ["    port: 18790,"] });
  const nested = set(LARGE, `agents.defaults.models["ollama/qwen3:8b"].params.temperature`, 0.2);
  assert.deepEqual(lineDiff(LARGE, nested), {
    removed: [`        "ollama/qwen3:8b": { alias: "qwen", params: { temperature: 0.6, think: "low" } },`],
    added: [`        "ollama/qwen3:8b": { alias: "qwen", params: { temperature: 0.2, think: "low" } },`],
  });
  const keyWithComment = set(LARGE, "gateway.auth.token", "new-token");
  assert.deepEqual(lineDiff(LARGE, keyWithComment), {
    removed: [`      token: "gw-3f9c2a71d0b84e6f", // rotate monthly`],
    added: [`      token: "new-token", // rotate monthly`],
  });
});

test("large commented config: a new key is one added line in the file's own style, after a trailing comment", () => {
  const after = set(LARGE, "models.providers.ollama.timeoutSeconds", 300);
  const diff = lineDiff(LARGE, after);
  assert.deepEqual(diff.removed, []);
  assert.deepEqual(diff.added, ["        timeoutSeconds: 300,"]);
  const deep = set(LARGE, "gateway.tls.certPath", "/etc/ssl/x.pem");
  assert.deepEqual(lineDiff(LARGE, deep).added, ["    tls: {", `      certPath: "/etc/ssl/x.pem"`, "    },"]);
  const withComment = set(LARGE, "gateway.reload.extra", true);
  assert.deepEqual(lineDiff(LARGE, withComment), {
    removed: [`    reload: { mode: "hybrid", debounceMs: 300 },`],
    added: [`    reload: { mode: "hybrid", debounceMs: 300, extra: true },`],
  });
});

test("large commented config: unset removes the key's line (and its trailing comment), nothing else", () => {
  const after = unset(LARGE, "gateway.auth.token");
  assert.deepEqual(lineDiff(LARGE, after), { removed: [`      token: "gw-3f9c2a71d0b84e6f", // rotate monthly`], added: [] });
  const block = unset(LARGE, "cron");
  assert.deepEqual(lineDiff(LARGE, block), { removed: ["  cron: { enabled: true, maxConcurrentRuns: 1 },", ""], added: [] });
  const multiLine = unset(LARGE, "browser");
  const diff = lineDiff(LARGE, multiLine);
  assert.equal(diff.added.length, 0);
  assert.equal(diff.removed[0], "  browser: {");
  assert.equal(JSON5.parse(multiLine).browser, undefined);
});

test("strict JSON files stay strict JSON: no trailing comma left after unsetting the last key", () => {
  const json = `{\n  "a": 1,\n  "b": {\n    "c": true,\n    "d": [1, 2]\n  }\n}\n`;
  const noD = unset(json, "b.d");
  assert.equal(noD, `{\n  "a": 1,\n  "b": {\n    "c": true\n  }\n}\n`);
  assert.equal(unset(noD, "b.c"), `{\n  "a": 1,\n  "b": {}\n}\n`);
  assert.equal(unset(json, "b"), `{\n  "a": 1\n}\n`);
  const added = set(json, "b.e.f", "x");
  assert.equal(added, `{\n  "a": 1,\n  "b": {\n    "c": true,\n    "d": [1, 2],\n    "e": {\n      "f": "x"\n    }\n  }\n}\n`);
  JSON.parse(added);
  assert.equal(set(json, "z", { "k/1": [] }), `{\n  "a": 1,\n  "b": {\n    "c": true,\n    "d": [1, 2]\n  },\n  "z": {\n    "k/1": []\n  }\n}\n`);
});

test("tabs and four-space indentation are followed", () => {
  assert.equal(set(`{\n\t"a": {\n\t\t"b": 1\n\t}\n}`, "a.c", 2), `{\n\t"a": {\n\t\t"b": 1,\n\t\t"c": 2\n\t}\n}`);
  assert.equal(set(`{\n    a: 1,\n}`, "b.c", 'x'), `{\n    a: 1,\n    b: {\n        c: "x"\n    },\n}`);
});

test("a new file is pretty JSON; arrays can be appended to and elements edited", () => {
  assert.equal(set(undefined, "gateway.mode", "local"), `{\n  "gateway": {\n    "mode": "local"\n  }\n}\n`);
  assert.equal(set("  ", "a", 1), `{\n  "a": 1\n}\n`);
  const text = `{ list: [ { id: "a" } ] }`;
  assert.equal(set(text, "list[1]", { id: "b" }), `{ list: [ { id: "a" }, {id: "b"} ] }`);
  assert.equal(set(text, "list[0].x", 1), `{ list: [ { id: "a", x: 1 } ] }`);
  assert.equal(unset(`{ list: [1, 2, 3] }`, "list[1]"), `{ list: [1, 3] }`);
  assert.throws(() => set(text, "list[5]", 1), /past the end/);
});

test("inside a multi-line value, a short list of plain values stays on one line; objects and long lists do not", () => {
  const entry = { id: "qwen3:8b", input: ["text", "image"], cost: { input: 0 }, tags: [{ a: 1 }] };
  assert.equal(
    set(`{\n  models: [],\n}\n`, "models[0]", entry),
    `{\n  models: [\n    {\n      id: "qwen3:8b",\n      input: ["text", "image"],\n      cost: {\n        input: 0\n      },\n` +
      `      tags: [\n        {\n          a: 1\n        }\n      ]\n    }\n  ],\n}\n`,
  );
  const long = Array.from({ length: 12 }, (_, i) => `model-${i}`);
  assert.ok(set(`{\n  a: 1,\n}\n`, "list", long).includes(`list: [\n    "model-0",\n    "model-1",`));
});

test("a one-line parent keeps short values on its line; a long structured value goes multi-line there", () => {
  const text = `{\n  ollama: { baseUrl: "http://h:1", models: [{ id: "old" }] },\n}\n`;
  assert.equal(set(text, "ollama.models", [{ id: "a" }]), `{\n  ollama: { baseUrl: "http://h:1", models: [{id: "a"}] },\n}\n`);
  const many = Array.from({ length: 6 }, (_, i) => ({ id: `model-${i}`, input: ["text"] }));
  const replaced = set(text, "ollama.models", many);
  assert.ok(replaced.startsWith(`{\n  ollama: { baseUrl: "http://h:1", models: [\n    {\n      id: "model-0",\n      input: ["text"]\n    },\n`), replaced);
  assert.ok(replaced.endsWith(`\n  ] },\n}\n`), replaced);
  assert.ok(replaced.split("\n").every((line) => line.length <= 120));
  // Inserted into a one-line parent, the same.
  const inserted = set(`{\n  ollama: { baseUrl: "http://h:1" },\n}\n`, "ollama.models", many);
  assert.ok(inserted.startsWith(`{\n  ollama: { baseUrl: "http://h:1", models: [\n    {\n`), inserted);
  assert.deepEqual(JSON5.parse(inserted), { ollama: { baseUrl: "http://h:1", models: many } });
});

test("edits that cannot be made are errors, and unset of a missing key is E_NOT_SET", () => {
  const text = `{ provider: "ollama", list: [] }`;
  assert.throws(() => set(text, "provider.x", 1), (e: unknown) => e instanceof OclawError && e.code === "E_USAGE" && /provider is a string/.test(e.message));
  assert.throws(() => unset(text, "nope.deeper"), (e: unknown) => e instanceof OclawError && e.code === "E_NOT_SET");
  assert.throws(() => unset(text, "provider.x"), (e: unknown) => e instanceof OclawError && e.code === "E_NOT_SET");
  assert.throws(() => editConfigText(undefined, { op: "unset", path: ["a"] }), (e: unknown) => e instanceof OclawError && e.code === "E_NOT_SET");
  assert.throws(() => set(`[1]`, "a", 1), (e: unknown) => e instanceof OclawError && e.code === "E_CONFIG_INVALID");
});

// ---- properties over the large config ----

function leafPaths(value: unknown, at: KeySegment[] = []): KeySegment[][] {
  if (Array.isArray(value)) return value.length === 0 ? [at] : value.flatMap((v, i) => leafPaths(v, [...at, i]));
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value);
    return entries.length === 0 ? [at] : [at, ...entries.flatMap(([k, v]) => leafPaths(v, [...at, k]))].filter((p) => p.length > 0);
  }
  return [at];
}

function applyExpected(data: unknown, path: KeySegment[], op: "set" | "unset", value?: unknown): unknown {
  const copy = structuredClone(data) as Record<string, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const segment of path.slice(0, -1)) {
    if (node[segment] === undefined) node[segment] = {};
    node = node[segment] as Record<string | number, unknown>;
  }
  const last = path.at(-1)!;
  if (op === "unset") {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = value;
  return copy;
}

const PARSED = JSON5.parse(LARGE);
const PATHS = leafPaths(PARSED);
// Whole-line comments and the trailing `// ...` after values.
const COMMENTS = [
  ...LARGE.split("\n").filter((l) => /^\s*(\/\/|\/\*|\*)/.test(l)),
  ...[...LARGE.matchAll(/\s(\/\/ .*)$/gm)].map((m) => m[1]!),
];
const jsonValue = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

test("property: setting any existing key to any JSON value changes exactly that value and keeps every comment", () => {
  fc.assert(
    fc.property(fc.constantFrom(...PATHS), jsonValue, (path, value) => {
      const after = editConfigText(LARGE, { op: "set", path, value });
      assert.deepEqual(JSON5.parse(after), applyExpected(PARSED, path, "set", value));
      const old = path.reduce<unknown>((v, s) => (v as Record<string | number, unknown>)[s], PARSED);
      // Comments inside a replaced object or array go with it; every other comment stays.
      if (typeof old === "object" && old !== null) return;
      for (const comment of COMMENTS) assert.ok(after.includes(comment.trim()), `comment kept: ${comment}`);
    }),
    { numRuns: 300 },
  );
});

test("property: unsetting any existing key removes exactly that key and the result still parses", () => {
  fc.assert(
    fc.property(fc.constantFrom(...PATHS), (path) => {
      const after = editConfigText(LARGE, { op: "unset", path });
      assert.deepEqual(JSON5.parse(after), applyExpected(PARSED, path, "unset"));
    }),
    { numRuns: 300 },
  );
});

test("property: adding a new key under any existing object adds exactly that key", () => {
  const objects = [[], ...PATHS].filter((p) => {
    let v: unknown = PARSED;
    for (const s of p) v = (v as Record<string | number, unknown>)[s];
    return typeof v === "object" && v !== null && !Array.isArray(v);
  });
  fc.assert(
    fc.property(fc.constantFrom(...objects), fc.stringMatching(/^[a-zA-Z_][\w./-]{0,12}$/), jsonValue, (parent, key, value) => {
      fc.pre(!(key in (parent.reduce<unknown>((v, s) => (v as Record<string | number, unknown>)[s], PARSED) as object)));
      const path = [...parent, key];
      const after = editConfigText(LARGE, { op: "set", path, value });
      assert.deepEqual(JSON5.parse(after), applyExpected(PARSED, path, "set", value));
      assert.deepEqual(lineDiff(LARGE, after).removed.filter((l) => l.trim() !== "" && !/[,{}]\s*$/.test(l)), []);
    }),
    { numRuns: 300 },
  );
});
