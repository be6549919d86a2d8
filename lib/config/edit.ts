/**
 * Lossless edits of config text: set or remove one key and leave every other byte as it was — comments,
 * key order, quoting, indentation. The edit splices the original text at the ranges json5-tree.ts finds.
 * (@croct/json5-parser was the first choice, but it rejects reserved words as unquoted keys — `default: true`
 * in OpenClaw's agents.list — and its re-printing shifts closing braces and orphans comments on delete.)
 * The edit is planned on json5-doc.ts's view (every line terminator a `\n`) and applied to the original;
 * what it writes follows the file's style (json5-style.ts).
 */
import JSON5 from "json5";
import { OclawError, usageError } from "../errors.ts";
import { Json5Doc, type Splice } from "./json5-doc.ts";
import { checkNesting } from "./json5-text.ts";
import { type Json5Member, type Json5Node, parseJson5Tree, skipTrivia } from "./json5-tree.ts";
import { type KeySegment, formatKeyPath } from "./key-path.ts";
import { detectStyle, isMultiline, isStructured, lineIndent, lineIsCompact, quoteKeys, renderKey, renderValue, type Style, tooLong } from "./json5-style.ts";

/** One change to a config file. */
export type ConfigEdit =
  | { op: "set"; path: KeySegment[]; value: unknown }
  | { op: "unset"; path: KeySegment[] };

type Child = Json5Member;

/**
 * Applies an edit to config text (`undefined` or blank text: a new file) and returns the new text.
 * @throws OclawError E_NOT_SET when unsetting a key that is not there, E_USAGE when the path runs through
 *   a value that is not an object or array, E_CONFIG_PARSE when the text is not JSON5
 */
export function editConfigText(text: string | undefined, edit: ConfigEdit, file = "config"): string {
  if (text === undefined || text.trim() === "") {
    if (edit.op === "unset") throw notSet(edit.path, file);
    return JSON.stringify(buildSubtree(edit.path, edit.value, edit.path), null, 2) + "\n";
  }
  checkNesting(text, file);
  const doc = new Json5Doc(text);
  let root: Json5Node;
  try {
    root = parseJson5Tree(doc.view, (start, end) => doc.sourceSlice(start, end));
  } catch (cause) {
    throw new OclawError("E_CONFIG_PARSE", `Cannot edit ${file}: ${(cause as Error).message}`, { cause });
  }
  if (root.kind !== "object") {
    throw new OclawError("E_CONFIG_INVALID", `Cannot edit ${file}: the top level is not an object`);
  }
  const view = doc.view;
  const style = detectStyle(view);
  let node = root;
  for (let i = 0; i < edit.path.length; i++) {
    const segment = edit.path[i]!;
    const last = i === edit.path.length - 1;
    const child = findChild(node, segment, edit.path.slice(0, i + 1));
    if (child === undefined) {
      if (edit.op === "unset") throw notSet(edit.path, file);
      return doc.apply(insertChild(view, node, segment, buildSubtree(edit.path.slice(i + 1), edit.value, edit.path), style));
    }
    if (last) {
      return doc.apply(edit.op === "unset" ? removeChild(view, node, child) : replaceValue(view, child.value, edit.value, style));
    }
    if (child.value.kind === "scalar") {
      if (edit.op === "unset") throw notSet(edit.path, file);
      throw usageError(
        `Cannot set ${formatKeyPath(edit.path)}: ${formatKeyPath(edit.path.slice(0, i + 1))} is ${describe(doc, child.value)}, not an object`,
        `Set ${formatKeyPath(edit.path.slice(0, i + 1))} itself, or unset it first`,
      );
    }
    node = child.value;
  }
  throw usageError("Cannot edit the whole config at once", "Name a key, e.g. gateway.mode");
}

function notSet(path: KeySegment[], file: string): OclawError {
  return new OclawError("E_NOT_SET", `${formatKeyPath(path)} is not set in ${file}`);
}

function describe(doc: Json5Doc, node: Json5Node): string {
  const value: unknown = JSON5.parse(doc.sourceSlice(node.start, node.end));
  return value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
}

/** The value to insert where the path leaves the existing document: nested objects (or a new array at [0]). */
function buildSubtree(rest: KeySegment[], value: unknown, path: KeySegment[]): unknown {
  let out = value;
  for (let i = rest.length - 1; i >= 0; i--) {
    const segment = rest[i]!;
    if (typeof segment === "number" && segment !== 0) {
      throw usageError(`Cannot set ${formatKeyPath(path)}: there is no array to put index ${segment} in`);
    }
    out = typeof segment === "number" ? [out] : { [segment]: out };
  }
  return out;
}

function findChild(node: Json5Node, segment: KeySegment, at: KeySegment[]): Child | undefined {
  if (node.kind === "object") {
    const key = String(segment);
    // The last duplicate wins when JSON5 reads the file, so edit that one.
    return node.members.findLast((m) => m.key === key);
  }
  const index = typeof segment === "number" ? segment : /^\d+$/.test(segment) ? Number(segment) : undefined;
  if (index === undefined) {
    throw usageError(`Cannot use key '${segment}' at ${formatKeyPath(at)}: the value there is an array`, "Use an index, e.g. models[0]");
  }
  const element = node.members[index];
  if (element === undefined && index !== node.members.length) {
    throw usageError(`Index ${index} is past the end of ${formatKeyPath(at.slice(0, -1))} (${node.members.length} entries)`);
  }
  return element;
}

function replaceValue(text: string, node: Json5Node, value: unknown, style: Style): Splice[] {
  const start = node.start;
  const end = node.end;
  const indent = lineIndent(text, start);
  const keys = quoteKeys(node, text);
  const oneLine = renderValue(value, indent, style, keys, false);
  const multiline = isStructured(value) && (!lineIsCompact(text, start) || tooLong(text, start, oneLine));
  return [{ start, end, insert: multiline ? renderValue(value, indent, style, keys, true) : oneLine }];
}

function insertChild(text: string, node: Json5Node, segment: KeySegment, value: unknown, style: Style): Splice[] {
  const isObject = node.kind === "object";
  const keys = quoteKeys(node, text);
  const prefix = isObject ? `${renderKey(String(segment), keys, style)}: ` : "";
  const list = node.members;
  const open = node.start;
  const close = node.end - 1;
  const multiline = isMultiline(text, node) || (list.length === 0 && !lineIsCompact(text, open));
  if (list.length === 0) {
    const outer = lineIndent(text, open);
    // Only comments inside (`{\n  // keep me\n}`): the new member goes after them, and they stay.
    const contentEnd = open + 1 + text.slice(open + 1, close).trimEnd().length;
    if (!multiline) {
      const oneLine = renderValue(value, "", style, keys, false);
      const item = isStructured(value) && tooLong(text, open + 1, prefix + oneLine)
        ? renderValue(value, outer, style, keys, true)
        : oneLine;
      if (contentEnd > open + 1) return [{ start: contentEnd, end: contentEnd, insert: ` ${prefix}${item}` }];
      return [{ start: open + 1, end: close, insert: prefix + item }];
    }
    const inner = outer + style.unit;
    const member = `${inner}${prefix}${renderValue(value, inner, style, keys, true)}`;
    if (contentEnd > open + 1) {
      // A `// comment` runs to the end of its line: the member starts on the next one.
      return [{ start: contentEnd, end: contentEnd, insert: `\n${member}` }];
    }
    return [{ start: open + 1, end: close, insert: `\n${member}\n${outer}` }];
  }
  const last = list.at(-1)!;
  const afterLast = skipTrivia(text, last.end, true);
  const hasComma = text[afterLast] === ",";
  if (!multiline) {
    const insertAt = hasComma ? afterLast + 1 : last.end;
    const oneLine = `${hasComma ? " " : ", "}${prefix}${renderValue(value, "", style, keys, false)}`;
    const item = isStructured(value) && tooLong(text, insertAt, oneLine)
      ? `${hasComma ? " " : ", "}${prefix}${renderValue(value, lineIndent(text, open), style, keys, true)}`
      : oneLine;
    return [{ start: insertAt, end: insertAt, insert: item }];
  }
  const indent = lineIndent(text, last.start);
  let insertAt = hasComma ? afterLast + 1 : last.end;
  // After the member's own trailing comment on the same line, if the closing brace is not on that line.
  const lineEnd = text.indexOf("\n", insertAt);
  if (lineEnd !== -1 && lineEnd < close) insertAt = lineEnd;
  const item = `\n${indent}${prefix}${renderValue(value, indent, style, keys, true)}${hasComma ? "," : ""}`;
  const splices: Splice[] = [{ start: insertAt, end: insertAt, insert: item }];
  if (!hasComma) splices.push({ start: last.end, end: last.end, insert: "," });
  return splices;
}

function removeChild(text: string, node: Json5Node, child: Child): Splice[] {
  const list = node.members;
  const index = list.findIndex((m) => m.start === child.start);
  const cuts: [number, number][] = [];
  let start = child.start;
  let end = child.end;
  const afterValue = skipTrivia(text, end, true);
  const hasComma = text[afterValue] === ",";
  if (hasComma) end = afterValue + 1;
  else if (index > 0) {
    // The last member goes: so does the comma before it, and the file keeps its trailing-comma style.
    const afterPrevious = skipTrivia(text, list[index - 1]!.end, true);
    if (text[afterPrevious] === ",") cuts.push([afterPrevious, afterPrevious + 1]);
  }
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  const ownLine = /^[ \t]*$/.test(text.slice(lineStart, start));
  const restEnd = skipTrivia(text, end, false);
  const newline = text.indexOf("\n", restEnd);
  const rest = text.slice(restEnd, newline === -1 ? text.length : newline);
  if (ownLine && (rest === "" || rest.startsWith("//"))) {
    // The member had its line(s) to itself: remove them, with a trailing comment on the last one.
    start = lineStart;
    end = newline === -1 ? text.length : newline + 1;
    // Do not leave two blank lines where the member stood between blank lines.
    if (text.slice(start - 2, start) === "\n\n" && /^[ \t]*\n/.test(text.slice(end))) end = text.indexOf("\n", end) + 1;
  } else {
    end = restEnd;
  }
  cuts.push([start, end]);
  if (list.length === 1) {
    // An object or array left with only whitespace inside becomes `{}` / `[]` (comments keep their lines).
    const close = node.end - 1;
    let left = "";
    let at = node.start + 1;
    for (const [a, b] of [...cuts].sort((x, y) => x[0] - y[0])) {
      left += text.slice(at, a);
      at = b;
    }
    left += text.slice(at, close);
    if (/^\s*$/.test(left)) return [{ start: node.start + 1, end: close, insert: "" }];
  }
  return cuts.map(([a, b]) => ({ start: a, end: b, insert: "" }));
}
