/**
 * Tool calls of an OpenAI-compatible stream, put together: Ollama sends each call whole in one delta,
 * vLLM, llama.cpp and OpenAI send index+id+name first and append argument fragments by index, several
 * calls interleaved. Calls are handed out once complete, arguments parsed.
 */
import { OclawError } from "../errors.ts";
import { isJsonObject } from "../json-object.ts";

/** One `delta.tool_calls[]` entry (or `message.tool_calls[]` of a non-streamed answer), loosely typed. */
export interface ToolCallDelta {
  index?: number | null | undefined;
  id?: string | null | undefined;
  function?: { name?: string | null | undefined; arguments?: unknown } | null | undefined;
}

/** A complete tool call. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

interface Pending {
  id: string | undefined;
  name: string;
  args: string;
  /** Arguments sent as an object (not OpenAI's string) by a lenient server. */
  object: Record<string, unknown> | undefined;
}

function randomId(): string {
  return `call_${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}`;
}

/** Collects tool-call deltas; {@link ToolCallBuffer.take} returns the calls complete so far. */
export class ToolCallBuffer {
  #calls: Pending[] = [];
  #byIndex = new Map<number, Pending>();

  /** Adds one delta entry. */
  add(delta: ToolCallDelta): void {
    const id = delta.id ?? undefined;
    const name = delta.function?.name ?? undefined;
    const args = delta.function?.arguments;
    const indexed = typeof delta.index === "number";
    let call = indexed ? this.#byIndex.get(delta.index as number) : this.#calls.at(-1);
    // Where another call was, a new id, or a name after complete arguments, starts a new call: older
    // servers send index 0 (or none) for every whole call.
    if (call === undefined || (id && call.id !== undefined && call.id !== id) || (name && complete(call))) {
      call = { id: undefined, name: "", args: "", object: undefined };
      this.#calls.push(call);
    }
    if (indexed) this.#byIndex.set(delta.index as number, call);
    if (id) call.id = id;
    if (name && call.name === "") call.name = name;
    if (typeof args === "string") call.args += args;
    else if (isJsonObject(args)) call.object = args;
  }

  /** How many calls were taken so far. */
  taken = 0;

  /** True when calls are waiting to be taken. */
  get pending(): boolean {
    return this.#calls.length > 0;
  }

  /**
   * Returns the collected calls with parsed arguments and forgets them.
   * @throws OclawError E_STREAM when a call has no name or its arguments are not a JSON object (the raw
   *   text is in the message).
   */
  take(describe: () => string): ToolCall[] {
    const calls = this.#calls;
    this.#calls = [];
    this.#byIndex.clear();
    this.taken += calls.length;
    return calls.map((call) => {
      if (call.name === "") {
        throw new OclawError("E_STREAM", `${describe()} sent a tool call without a name`);
      }
      return { id: call.id ?? randomId(), name: call.name, arguments: parseArguments(call, describe) };
    });
  }
}

/** True when a call already has its name and a whole JSON value as arguments. */
function complete(call: Pending): boolean {
  if (call.name === "") return false;
  if (call.object !== undefined) return true;
  try {
    JSON.parse(call.args);
    return true;
  } catch {
    return false;
  }
}

function parseArguments(call: Pending, describe: () => string): Record<string, unknown> {
  if (call.object !== undefined && call.args === "") return call.object;
  if (call.args.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(call.args);
  } catch (error) {
    throw new OclawError(
      "E_STREAM",
      `${describe()} sent invalid JSON arguments for tool call ${call.name}: ${call.args.slice(0, 2000)}`,
      { cause: error },
    );
  }
  if (!isJsonObject(parsed)) {
    throw new OclawError(
      "E_STREAM",
      `${describe()} sent tool call ${call.name} with arguments that are not a JSON object: ${
        call.args.slice(0, 2000)
      }`,
    );
  }
  return parsed;
}
