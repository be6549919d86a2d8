/**
 * Fails on an import cycle among the TypeScript files under a directory (lib/ by default): static imports,
 * `export ... from`, type-only imports and dynamic `import("...")` with a literal specifier all count, so
 * a lower room never imports a higher one, even lazily. Prints each cycle as a path of files.
 *
 *   bun scripts/import-cycles.ts [DIR]      # exit 0: no cycle; 1: cycles listed on stderr
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import process from "node:process";

/** The relative specifiers a module's text imports, static or dynamic (comments are skipped). */
export function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) found.push(match[1]!);
  }
  return found.filter((s) => s.startsWith("."));
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(dir, f));
}

/** The import graph of the files under `dir`: file → the files under `dir` it imports. */
export function importGraph(dir: string): Map<string, string[]> {
  const files = new Set(tsFiles(dir).map((f) => path.resolve(f)));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = importSpecifiers(readFileSync(file, "utf8"))
      .map((s) => path.resolve(path.dirname(file), s))
      .filter((t) => files.has(t));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The cycles of a graph: each strongly connected component of more than one file, or a file importing itself. */
export function cycles(graph: Map<string, string[]>): string[][] {
  // Tarjan's algorithm, iterative over an explicit stack of frames.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const frames: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const edges = graph.get(frame.node) ?? [];
      if (frame.next < edges.length) {
        const to = edges[frame.next++]!;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          frames.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1 || edges.includes(frame.node)) out.push(component.sort());
      }
    }
  }
  return out;
}

if (import.meta.main) {
  const dir = process.argv[2] ?? "lib";
  const found = cycles(importGraph(dir));
  for (const component of found) {
    process.stderr.write(`import cycle among: ${component.map((f) => path.relative(process.cwd(), f)).join(", ")}\n`);
  }
  process.stderr.write(found.length === 0 ? `no import cycles in ${dir}/\n` : `${found.length} import cycle(s) in ${dir}/\n`);
  process.exit(found.length === 0 ? 0 : 1);
}
