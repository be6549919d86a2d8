import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { cycles, importGraph, importSpecifiers } from "../scripts/import-cycles.ts";
import { withTempDir } from "./support/temp-dir.ts";

test("lib/ has no import cycle (static, type-only and dynamic imports all count)", () => {
  assert.deepEqual(cycles(importGraph("lib")), []);
});

test("the cycle check finds a cycle through a dynamic import and a type-only import", async () => {
  await withTempDir("cycles", async (dir) => {
    await mkdir(path.join(dir, "commands"));
    await writeFile(path.join(dir, "commands", "index.ts"), `export const load = () => import("./chat.ts");\n`);
    await writeFile(path.join(dir, "commands", "chat.ts"), `import type { X } from "../leaf.ts";\nexport const a = 1;\n`);
    await writeFile(path.join(dir, "leaf.ts"), `// import "./commands/index.ts" is only a comment\nexport type X = 1;\n`);
    assert.deepEqual(cycles(importGraph(dir)), []);
    await writeFile(path.join(dir, "leaf.ts"), `import type { load } from "./commands/index.ts";\nexport type X = typeof load;\n`);
    const found = cycles(importGraph(dir)).map((c) => c.map((f) => path.relative(dir, f)));
    assert.deepEqual(found, [["commands/chat.ts", "commands/index.ts", "leaf.ts"]]);
  });
});

test("import specifiers: static, re-export, side-effect and dynamic; comments skipped", () => {
  const source = `import a from "./a.ts";\nimport { b,\n  c } from "../b.ts";\nexport * from "./c.ts";\n` +
    `import "./d.ts";\nconst e = await import("./e.ts");\n/* import "./f.ts" */\nimport z from "zod";\n`;
  assert.deepEqual(importSpecifiers(source), ["./a.ts", "../b.ts", "./c.ts", "./d.ts", "./e.ts"]);
});
