/**
 * Ollama's error texts, exact, by server version (the wire doc's table), and the OpenAI-compatible
 * error body the /v1 routes wrap them in.
 */
import { fullName } from "./store.ts";
import { atLeast } from "./version.ts";

/** An error decided before the body: HTTP status and Ollama's message. */
export interface HttpError {
  status: number;
  message: string;
}

/** 404 for a model missing from the store (`model 'x' not found` since 0.12.0). */
export function modelNotFound(model: string, version: string): HttpError {
  return {
    status: 404,
    message: atLeast(version, "0.12.0")
      ? `model '${model}' not found`
      : `model "${model}" not found, try pulling it first`,
  };
}

/** 400 for tools sent to a model without the tools capability (short name up to 0.5.1). */
export function noTools(model: string, version: string): HttpError {
  const name = atLeast(version, "0.5.2") ? fullName(model) : model;
  return { status: 400, message: `${name} does not support tools` };
}

/** 400 for `think` on a model without the thinking capability (quoted request string since 0.12.0). */
export function noThinking(model: string, version: string): HttpError {
  const message = atLeast(version, "0.12.0")
    ? `${JSON.stringify(model)} does not support thinking`
    : `${fullName(model)} does not support thinking`;
  return { status: 400, message };
}

/** 400 for a model without the completion capability (an embedding model) in chat. */
export function noChat(model: string): HttpError {
  return { status: 400, message: `${JSON.stringify(model)} does not support chat` };
}

/** 400 for a `think` value that is neither a boolean nor a known level. */
export function badThink(value: unknown): HttpError {
  const allowed = `"high", "medium", "low", "max", true, or false`;
  return {
    status: 400,
    message: typeof value === "string"
      ? `invalid think value: ${JSON.stringify(value)} (must be ${allowed})`
      : `think must be a boolean or string (${allowed})`,
  };
}

/** The error line Ollama writes when generation fails after streaming began. */
export const MID_STREAM_ERROR = "an error was encountered while running the model";

/** The OpenAI-compatible error body: type by status, param and code null. */
export function openaiErrorBody(status: number, message: string): unknown {
  const type = status === 400 ? "invalid_request_error" : status === 404 ? "not_found_error" : "api_error";
  return { error: { message, type, param: null, code: null } };
}

/** Approximates Go's json error for a body that does not parse. */
export function badJson(text: string): HttpError {
  if (text.trim() === "") return { status: 400, message: "missing request body" };
  const c = text.trim()[0]!;
  if (c === "{" || c === "[") return { status: 400, message: "unexpected EOF" };
  return { status: 400, message: `invalid character '${c}' looking for beginning of value` };
}
