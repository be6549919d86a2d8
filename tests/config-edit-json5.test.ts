/**
 * The config editor reads everything JSON5 allows (spec 1.0.0): every line terminator (LF, CR, CRLF, U+2028,
 * U+2029) in comments, in string line continuations and between members; every number and string form;
 * reserved words as keys. Built from the spec's productions, checked with the json5 package, and as a
 * property: setting a new key then unsetting it gives back the original bytes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import JSON5 from "json5";
import { editConfigText } from "../lib/config/edit.ts";
import { parseKeyPath } from "../lib/config/key-path.ts";
import { OclawError } from "../lib/errors.ts";

const set = (text: string, path: string, value: unknown) => editConfigText(text, { op: "set", path: parseKeyPath(path), value });
const unset = (text: string, path: string) => editConfigText(text, { op: "unset", path: parseKeyPath(path) });

/** JSON5's LineTerminatorSequence: LF, CR (not followed by LF), CRLF, LS, PS. */
const TERMINATORS = { LF: "\n", CR: "\r", CRLF: "\r\n", LS: "\u2028", PS: "\u2029" } as const;

/** A config using terminator `t` everywhere a line can end: between members, in comments, in a string. */
function configWith(t: string): string {
  return [
    "{",
    "  // a line comment",
    "  /* a block",
    "     comment */",
    `  greeting: 'hello \\${t}world', // after a member`,
    "  nested: {",
    "    a: 1,",
    "  },",
    "  list: [1, 2,",
    "    3],",
    "}",
    "",
  ].join(t);
}

for (const [name, t] of Object.entries(TERMINATORS)) {
  test(`line terminator ${name}: set a new key, set a nested one, unset them: the original bytes come back`, () => {
    const original = configWith(t);
    const expected = JSON5.parse(original);
    assert.equal(expected.greeting, "hello world");

    const added = set(original, "zzz.k", 1);
    assert.deepEqual(JSON5.parse(added), { ...expected, zzz: { k: 1 } });
    assert.equal(unset(added, "zzz"), original);

    const nested = set(original, "nested.b", "two");
    assert.deepEqual(JSON5.parse(nested).nested, { a: 1, b: "two" });
    assert.equal(unset(nested, "nested.b"), original);

    const replaced = set(original, "nested.a", 5);
    assert.equal(replaced, original.replace("a: 1", "a: 5"));
    // New lines use the file's own ending: no LF appears in a file that has none.
    if (!t.includes("\n")) assert.ok(!added.includes("\n"), JSON.stringify(added));
    if (t === "\r\n") assert.ok(!added.replaceAll("\r\n", "").includes("\n"), JSON.stringify(added));
  });
}

test("CRLF files: inserted lines end in CRLF, never a bare LF", () => {
  const original = "{\r\n  a: 1,\r\n  b: {\r\n    c: 2\r\n  }\r\n}\r\n";
  const added = set(original, "b.d", { e: [1, 2], f: { g: true } });
  assert.equal(added.replaceAll("\r\n", "").includes("\n"), false, JSON.stringify(added));
  assert.deepEqual(JSON5.parse(added).b, { c: 2, d: { e: [1, 2], f: { g: true } } });
  const cr = "{\r  a: 1\r}\r";
  const addedCr = set(cr, "z", 2);
  assert.equal(addedCr.includes("\n"), false, JSON.stringify(addedCr));
  assert.equal(unset(addedCr, "z"), cr);
});

test("every number and string form, and reserved words as keys, are read and kept", () => {
  const original = `{
  hex: 0x1F, HEX: -0XAb, lead: .5, trail: 5., plus: +1, exp: 1e3, neg: -2.5E-3,
  inf: Infinity, ninf: -Infinity, nan: NaN,
  single: 'it\\'s', double: "say \\"hi\\"", escapes: '\\x41\\u0042\\t\\0\\v',
  continued: 'one \\
two',
  default: 1, if: 2, class: 3, null: 4, true: 5, function: 6, new: 7,
  'quoted key': 8, "dq key": 9, $dollar: 10, _under: 11, \\u0061bc: 12, café: 13,
}
`;
  const before = JSON5.parse(original);
  for (const [path, value] of [["default", 100], ["zzz", "new"], ["class", { a: 1 }], ["'quoted key'", 0], ["abc", 1]] as const) {
    const after = set(original, path.startsWith("'") ? `[${path}]` : path, value);
    const key = path.replace(/'/g, "");
    assert.deepEqual(JSON5.parse(after), { ...before, [key]: value }, `set ${path}`);
  }
  const added = set(original, "zzz", 1);
  assert.equal(unset(added, "zzz"), original);
  assert.deepEqual(JSON5.parse(unset(original, "if")), Object.fromEntries(Object.entries(before).filter(([k]) => k !== "if")));
});

test("config set into an object that holds only a comment keeps the comment", () => {
  const original = "{\n  // keep me\n}\n";
  const after = set(original, "zzz.k", 1);
  assert.ok(after.includes("// keep me"), after);
  assert.deepEqual(JSON5.parse(after), { zzz: { k: 1 } });
  assert.equal(unset(after, "zzz"), original);
  const block = "{ /* keep me too */ }";
  const afterBlock = set(block, "a", 1);
  assert.ok(afterBlock.includes("/* keep me too */"), afterBlock);
  assert.deepEqual(JSON5.parse(afterBlock), { a: 1 });
  const nested = "{\n  a: {\n    // only a comment\n  },\n}\n";
  const afterNested = set(nested, "a.b", true);
  assert.ok(afterNested.includes("// only a comment"), afterNested);
  assert.deepEqual(JSON5.parse(afterNested), { a: { b: true } });
});

test("__proto__, constructor and prototype as path segments are usage errors", () => {
  for (const path of ["__proto__.x", "a.constructor", "a.prototype.b", 'a["__proto__"]']) {
    assert.throws(() => parseKeyPath(path), (e: unknown) => e instanceof OclawError && e.code === "E_USAGE" && /cannot be a config key/.test(e.message), path);
  }
});

// The property: files drawn from JSON5's productions, in any layout; a new key set then unset leaves them as
// they were, byte for byte, and the edit in between reads as exactly that key added.
const terminator = fc.constantFrom(...Object.values(TERMINATORS));
const identifier = fc.constantFrom("a", "b2", "$x", "_y", "default", "if", "null", "true", "café", "\\u0061z");
const number = fc.constantFrom("0", "-1", "+2", ".5", "5.", "0x1F", "1e3", "Infinity", "-Infinity", "NaN", "3.25");
const string = fc.constantFrom("'s'", '"d"', "'it\\'s'", '"\\u00e9"', "''", '"a\\\\b"');
const comment = fc.constantFrom("", " // c", " /* b */");

interface Layout {
  eol: string;
  indent: string;
  trailingComma: boolean;
  quoteKeys: boolean;
}

function printObject(entries: Array<[string, string, string]>, layout: Layout, depth: number): string {
  if (entries.length === 0) return "{}";
  const pad = layout.indent.repeat(depth + 1);
  const lines = entries.map(([k, v, c], i) => {
    const key = layout.quoteKeys ? JSON.stringify(JSON5.parse(`{${k}:0}`) && Object.keys(JSON5.parse(`{${k}:0}`))[0]) : k;
    const comma = i < entries.length - 1 || layout.trailingComma ? "," : "";
    return `${pad}${key}: ${v}${comma}${c}`;
  });
  return `{${layout.eol}${lines.join(layout.eol)}${layout.eol}${layout.indent.repeat(depth)}}`;
}

const configText = fc.record({
  eol: terminator,
  indent: fc.constantFrom("  ", "    ", "\t"),
  trailingComma: fc.boolean(),
  quoteKeys: fc.boolean(),
  entries: fc.uniqueArray(fc.tuple(identifier, fc.oneof(number, string), comment), { minLength: 0, maxLength: 5, selector: (e) => e[0] }),
  inner: fc.uniqueArray(fc.tuple(identifier, fc.oneof(number, string), comment), { minLength: 0, maxLength: 3, selector: (e) => e[0] }),
}).map(({ entries, inner, ...layout }) => {
  const nested: Array<[string, string, string]> = [...entries, ["zin", printObject(inner, layout, 1), ""]];
  return printObject(nested, layout, 0) + layout.eol;
});

test("property: set a new key then unset it gives back the original bytes, in any JSON5 layout", () => {
  fc.assert(
    fc.property(configText, fc.constantFrom("zzz", "zin.zzz", "zzz.deep.k"), fc.jsonValue({ maxDepth: 2 }), (text, path, raw) => {
      const value = JSON.parse(JSON.stringify(raw)) as unknown;
      const before = JSON5.parse(text) as Record<string, unknown>;
      const after = set(text, path, value);
      const parsed = JSON5.parse(after) as Record<string, unknown>;
      const [head, ...rest] = path.split(".");
      if (head === "zin") assert.deepEqual(parsed.zin, { ...(before.zin as object), zzz: value });
      else assert.deepEqual(parsed.zzz, rest.reduceRight<unknown>((v, k) => ({ [k]: v }), value));
      assert.equal(unset(after, head === "zin" ? "zin.zzz" : "zzz"), text);
    }),
    { numRuns: 400 },
  );
});
