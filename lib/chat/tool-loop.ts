/**
 * The tool loop of `oclaw chat`, above one request (and its fallback): send → the model's tool calls →
 * run them (at the same time; results in call order) → append the assistant message with its calls and
 * one `tool` message per call → send again, until a reply without calls (with no tools declared: the first
 * reply) or `--max-steps` requests.
 * Calls written as text by small models are promoted to real calls when they name a declared tool.
 */
import type { RunEvent, Usage } from "../client/events.ts";
import type { Message } from "./messages.ts";
import { OclawError } from "../errors.ts";
import type { Approve } from "../tools/consent.ts";
import { promoteText, TextCallFilter } from "../tools/promote.ts";
import type { ToolBox, ToolResult } from "../tools/toolbox.ts";
import type { Candidate } from "./fallback.ts";

/** Requests a run makes at most when `--max-steps` is not given. */
export const DEFAULT_MAX_STEPS = 8;

/** What the loop needs. */
export interface ToolLoopOptions {
  /** The conversation; the loop appends the assistant's calls and the tool results to it. */
  messages: Message[];
  tools: ToolBox;
  approve: Approve;
  maxSteps: number;
  /** Ctrl-C, `--timeout`: stops a running tool too. */
  signal: AbortSignal;
  candidates: Candidate[];
  /**
   * False: with no tools declared, the reply (it ends the run) is not appended to `messages`, and its text
   * is not held while it streams: only a session reads it, and a long reply would stay in memory for nothing.
   */
  keepReply?: boolean;
  /** One request with fallback over `candidates`, for the conversation as it is now. */
  step: (messages: Message[], candidates: Candidate[]) => AsyncIterable<RunEvent>;
}

type ToolCallEvent = Extract<RunEvent, { type: "tool_call" }>;
type DoneEvent = Extract<RunEvent, { type: "done" }>;

function callId(): string {
  return `call_${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}`;
}

function assistantMessage(content: string, calls: ToolCallEvent[]): Message {
  if (calls.length === 0) return { role: "assistant", content };
  return { role: "assistant", content, toolCalls: calls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })) };
}

function addUsage(total: Usage | undefined, more: Usage | undefined): Usage | undefined {
  if (more === undefined) return total;
  if (total === undefined) return { ...more };
  return { inputTokens: total.inputTokens + more.inputTokens, outputTokens: total.outputTokens + more.outputTokens };
}

/**
 * Runs the loop and yields the run's events: each request's events (intermediate `done`s folded into the
 * last one, whose usage counts every request), a `tool_result` per call that ran, in call order.
 * A call of a declared tool that does not run (a `--tools` entry without `command`) ends the run after its
 * reply, as without the loop.
 * @throws OclawError E_MAX_STEPS when the model still calls tools after `maxSteps` requests (what was done
 *   is kept), E_TOOL when a tool cannot be started, and whatever one request throws
 */
export async function* runToolLoop(options: ToolLoopOptions): AsyncGenerator<RunEvent, void, undefined> {
  const { messages, tools, signal } = options;
  const declared = new Set(tools.list().map((t) => t.function.name));
  let chain = options.candidates;
  let usage: Usage | undefined;
  let lastModel: string | undefined;
  // With no tools declared no call can run, so the first reply is the last.
  const keepText = declared.size > 0 || options.keepReply !== false;
  for (let step = 1;; step++) {
    const filter = declared.size > 0 ? new TextCallFilter() : undefined;
    const calls: ToolCallEvent[] = [];
    let content = "";
    let done: DoneEvent | undefined;
    for await (const event of options.step(messages, chain)) {
      if (event.type === "start") {
        if (event.model !== lastModel) yield event;
        lastModel = event.model;
      } else if (event.type === "text") {
        const shown = filter ? filter.push(event.text) : event.text;
        if (shown !== "") {
          if (keepText) content += shown;
          yield { type: "text", text: shown };
        }
      } else if (event.type === "tool_call") {
        calls.push(event);
        yield event;
      } else if (event.type === "done") {
        done = event;
      } else {
        yield event;
      }
    }
    if (done === undefined) throw new OclawError("E_STREAM", "The reply ended without a final message");
    const held = filter?.end() ?? "";
    if (held !== "") {
      const promoted = calls.length === 0 ? promoteText(held, declared) : undefined;
      if (promoted === undefined) {
        content += held;
        yield { type: "text", text: held };
      } else {
        if (promoted.rest !== "") {
          content += promoted.rest;
          yield { type: "text", text: promoted.rest };
        }
        for (const call of promoted.calls) {
          const event: ToolCallEvent = { type: "tool_call", id: callId(), name: call.name, arguments: call.arguments, promoted: true };
          calls.push(event);
          yield event;
        }
      }
    }
    usage = addUsage(usage, done.usage);
    const answered = chain.findIndex((c) => c.ref === done.model);
    // Later requests start at the model that answered: the ones before it failed already.
    if (answered > 0) chain = chain.slice(answered);
    const final: DoneEvent = usage === undefined ? done : { ...done, usage };
    if (calls.length > 0) final.stopReason = "tool_calls";
    if (declared.size === 0 || calls.length === 0 || calls.some((c) => tools.has(c.name) && !tools.runs(c.name))) {
      // The reply ends the run; calls of declared-only tools stay in it (a session keeps them).
      if (keepText) messages.push(assistantMessage(content, calls));
      yield final;
      return;
    }
    if (step >= options.maxSteps) {
      if (content !== "") messages.push({ role: "assistant", content });
      yield final;
      const names = [...new Set(calls.map((c) => c.name))].join(", ");
      throw new OclawError(
        "E_MAX_STEPS",
        `Stopped after ${step} request${step === 1 ? "" : "s"} (--max-steps ${options.maxSteps}): the model still asked to run ${names}`,
        { hint: "Raise --max-steps, or ask for less in one run" },
      );
    }
    const results = await runCalls(calls, tools, options.approve, signal);
    messages.push(assistantMessage(content, calls));
    for (const [i, call] of calls.entries()) {
      const result = results[i]!;
      yield { type: "tool_result", id: call.id, name: call.name, ok: result.ok, output: result.output };
      messages.push({ role: "tool", content: result.output, toolName: call.name, toolCallId: call.id });
    }
  }
}

/**
 * Asks consent for each call (one question at a time), then runs the approved ones together; when one
 * cannot be started, the others are stopped.
 */
async function runCalls(calls: ToolCallEvent[], tools: ToolBox, approve: Approve, signal: AbortSignal): Promise<ToolResult[]> {
  const approved: boolean[] = [];
  for (const call of calls) approved.push(!tools.runs(call.name) || await approve(call.name, call.arguments, signal));
  const group = new AbortController();
  const stop = () => group.abort(signal.reason);
  signal.addEventListener("abort", stop, { once: true });
  try {
    return await Promise.all(calls.map(async (call, i) => {
      if (!approved[i]) return { ok: false, output: `The user declined to run ${call.name} with these arguments` };
      try {
        return await tools.call(call.name, call.arguments, { signal: group.signal, id: call.id });
      } catch (error) {
        if (!group.signal.aborted) group.abort(error);
        throw error;
      }
    }));
  } finally {
    signal.removeEventListener("abort", stop);
  }
}
