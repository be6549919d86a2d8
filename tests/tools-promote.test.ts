/** lib/tools/promote.ts: the forms small models write calls in, promoted only for declared tools. */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { promoteText, TextCallFilter } from "../lib/tools/promote.ts";

const declared = new Set(["get_weather", "add"]);
const tokyo = { name: "get_weather", arguments: { city: "Tokyo" } };

test("the forms real models write are promoted", () => {
  const forms: Array<[string, string]> = [
    ["Qwen/Hermes tags", '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Tokyo"}}\n</tool_call>'],
    ["tags without the closing one", '<tool_call>{"name": "get_weather", "arguments": {"city": "Tokyo"}}'],
    ["Mistral [TOOL_CALLS] array", '[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Tokyo"}}]'],
    ["Mistral [TOOL_CALLS]name[ARGS]", '[TOOL_CALLS]get_weather[ARGS]{"city": "Tokyo"}'],
    ["a bare object", '{"name": "get_weather", "arguments": {"city": "Tokyo"}}'],
    ["Llama's parameters", '{"name": "get_weather", "parameters": {"city": "Tokyo"}}'],
    ["a ```json fence", '```json\n{"name": "get_weather", "arguments": {"city": "Tokyo"}}\n```'],
    ["arguments as a JSON string", '{"name": "get_weather", "arguments": "{\\"city\\": \\"Tokyo\\"}"}'],
    ["Llama 3.1 <function=…>", '<function=get_weather>{"city": "Tokyo"}</function>'],
    ["Llama 3.1 <|python_tag|>", '<|python_tag|>{"name": "get_weather", "parameters": {"city": "Tokyo"}}'],
  ];
  for (const [what, text] of forms) {
    assert.deepEqual(promoteText(text, declared), { calls: [tokyo], rest: "" }, what);
  }
});

test("several calls, and the text around tagged calls, are kept", () => {
  const text = 'Checking.\n<tool_call>{"name":"get_weather","arguments":{"city":"Tokyo"}}</tool_call>\n' +
    '<tool_call>{"name":"add","arguments":{"a":1,"b":2}}</tool_call>';
  assert.deepEqual(promoteText(text, declared), {
    calls: [tokyo, { name: "add", arguments: { a: 1, b: 2 } }],
    rest: "Checking.",
  });
  assert.deepEqual(promoteText('[{"name":"add","arguments":{"a":1,"b":2}},{"name":"add","arguments":{}}]', declared)?.calls.length, 2);
});

test("anything else stays text: undeclared names, prose, JSON that is not a call, broken JSON", () => {
  for (
    const text of [
      '{"name": "rm_rf", "arguments": {}}',
      '<tool_call>{"name": "get_weather", "arguments": {}}</tool_call><tool_call>{"name": "nope", "arguments": {}}</tool_call>',
      "The weather is fine.",
      '{"name": "get_weather", "city": "Tokyo"}',
      '{"name": "get_weather", "arguments": {"city": "Tok',
      '{"name": "get_weather", "arguments": [1]}',
      'Here: {"name": "get_weather", "arguments": {}} as you asked',
      "[1, 2, 3]",
    ]
  ) {
    assert.equal(promoteText(text, declared), undefined, text);
  }
});

/** Feeds text through the filter in the given pieces; returns what was shown as it came and what was held. */
function filtered(pieces: string[]): { shown: string; held: string } {
  const filter = new TextCallFilter();
  let shown = "";
  for (const p of pieces) shown += filter.push(p);
  return { shown, held: filter.end() };
}

test("the stream filter shows prose as it comes and holds back what may be a call", () => {
  assert.deepEqual(filtered(["The sky", " is blue."]), { shown: "The sky is blue.", held: "" });
  assert.deepEqual(filtered(["Sure. <tool", "_call>{", '"name":"add"}</tool_call>']), {
    shown: "Sure. ",
    held: '<tool_call>{"name":"add"}</tool_call>',
  });
  assert.deepEqual(filtered(["  {", '"name"', ":1}"]), { shown: "", held: '  {"name":1}' });
  // A "<" that turns out to be prose goes out once it cannot be a marker any more.
  assert.deepEqual(filtered(["a <", "b> c"]), { shown: "a <b> c", held: "" });
});

test("property: whatever the pieces, shown + held is the whole text", () => {
  const text = fc.stringMatching(/^[a-z <>{}[\]"_=|A-Z]{0,40}$/);
  fc.assert(fc.property(fc.array(text, { maxLength: 6 }), (pieces) => {
    const { shown, held } = filtered(pieces);
    assert.equal(shown + held, pieces.join(""));
  }));
});
