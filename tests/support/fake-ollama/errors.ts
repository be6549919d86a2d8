/**
 * Ollama's error texts, exact, by server version (the wire doc's table), and the OpenAI-compatible
 * error body the /v1 routes wrap them in.
 */
import { goJson } from "./go-json.ts";
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

/**
 * 400 for a `think` value the server's version does not take (api/types.go `ThinkValue.UnmarshalJSON`):
 * before 0.11.0 `think` is a Go bool, so any string fails to decode; "max" joined the levels in 0.21.3.
 */
export function badThink(value: unknown, version: string): HttpError {
  if (!atLeast(version, "0.11.0")) {
    return {
      status: 400,
      message: `json: cannot unmarshal ${typeof value === "string" ? "string" : typeof value} into Go struct field ChatRequest.think of type bool`,
    };
  }
  const max = atLeast(version, "0.21.3");
  const allowed = max ? `"high", "medium", "low", "max", true, or false` : `"high", "medium", "low", true, or false`;
  return {
    status: 400,
    message: typeof value === "string"
      ? `invalid think value: ${JSON.stringify(value)} (must be ${allowed})`
      : `think must be a boolean or string (${allowed})`,
  };
}

/** True when a server of `version` accepts this `think` value. */
export function thinkAccepted(value: unknown, version: string): boolean {
  if (typeof value === "boolean") return true;
  if (typeof value !== "string" || !atLeast(version, "0.11.0")) return false;
  return ["low", "medium", "high"].includes(value) || (value === "max" && atLeast(version, "0.21.3"));
}

/** server/cloud_proxy.go `writeCloudUnauthorized`: a cloud model asked for while not signed in to ollama.com. */
export function cloudUnauthorized(): HttpError & { body: string } {
  const message = "unauthorized";
  // The sign-in URL names the host and the server's public key (server/routes.go `signinURL`).
  const body = goJson({ error: message, signin_url: "https://ollama.com/connect?name=fake-host&key=c3NoLWVkMjU1MTkgQUFBQQ" });
  return { status: 401, message, body };
}

/** internal/cloud/policy.go `DisabledError`: cloud models turned off (OLLAMA_NO_CLOUD). */
export function cloudDisabled(): HttpError {
  return { status: 403, message: "ollama cloud is disabled: remote model is unavailable" };
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
