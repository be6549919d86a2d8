/**
 * oclaw's one error type. Every failure a user can see is an {@link OclawError} with a stable code;
 * the exit code is derived from that code in {@link EXIT_CODES}, nowhere else.
 */

/** Stable error codes, part of the user contract (cli.md "Exit codes"). */
export const ERROR_CODES = [
  "E_USAGE",
  "E_CONFIG_PARSE",
  "E_CONFIG_INVALID",
  "E_CONFIG_ENV",
  "E_CONFIG_WRITE",
  "E_WRITE",
  "E_NO_PROVIDER",
  "E_NO_MODEL",
  "E_UNREACHABLE",
  "E_DNS",
  "E_TIMEOUT",
  "E_HTTP",
  "E_MODEL_NOT_FOUND",
  "E_NO_TOOLS",
  "E_NO_THINKING",
  "E_NO_IMAGES",
  "E_CONTEXT",
  "E_STREAM",
  "E_ABORTED",
  "E_RUN_TIMEOUT",
  "E_NOT_SET",
  "E_UNSUPPORTED_API",
  "E_TOOL",
  "E_MAX_STEPS",
  "E_INTERNAL",
] as const;

/** One of the stable error codes. */
export type ErrorCode = typeof ERROR_CODES[number];

/** Process exit codes for every command but `health` (which follows the Nagios plugin API). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  config: 3,
  unreachable: 4,
  notFound: 5,
  timeout: 124,
  interrupted: 130,
} as const;

/** The one table from error code to exit code. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  E_USAGE: EXIT.usage,
  E_CONFIG_PARSE: EXIT.config,
  E_CONFIG_INVALID: EXIT.config,
  E_CONFIG_ENV: EXIT.config,
  E_CONFIG_WRITE: EXIT.failure,
  E_WRITE: EXIT.failure,
  E_NO_PROVIDER: EXIT.config,
  E_NO_MODEL: EXIT.notFound,
  E_UNREACHABLE: EXIT.unreachable,
  E_DNS: EXIT.unreachable,
  // A server that answered and then stalled; one that sent no byte at all is "not answered" (4), see
  // {@link noServerAnswered}. A connect timeout is E_UNREACHABLE.
  E_TIMEOUT: EXIT.failure,
  E_HTTP: EXIT.failure,
  E_MODEL_NOT_FOUND: EXIT.notFound,
  E_NO_TOOLS: EXIT.failure,
  E_NO_THINKING: EXIT.failure,
  // Images for a model whose catalogue input lacks "image": the next candidate is tried; none left → 1.
  E_NO_IMAGES: EXIT.failure,
  // The prompt is longer than the context the server gives the model (and it refused to cut it).
  E_CONTEXT: EXIT.failure,
  E_STREAM: EXIT.failure,
  E_ABORTED: EXIT.interrupted,
  E_RUN_TIMEOUT: EXIT.timeout,
  E_NOT_SET: EXIT.failure,
  // A configured model whose `api` (anthropic-messages ...) oclaw cannot speak: chat falls back past it.
  E_UNSUPPORTED_API: EXIT.failure,
  // A tool (command or MCP server) that could not be started or answered nothing usable.
  E_TOOL: EXIT.failure,
  // The tool loop reached --max-steps; what was done so far is kept.
  E_MAX_STEPS: EXIT.failure,
  E_INTERNAL: EXIT.failure,
};

/** Extra facts an error may carry; all optional. */
export interface OclawErrorOptions {
  /** One line telling the user how to fix it. */
  hint?: string | undefined;
  /** The underlying error (shown with `-v`). */
  cause?: unknown;
  /** HTTP status, when a server answered. */
  status?: number | undefined;
  /** Where to sign in, when a server said so (Ollama's 401 for a cloud model carries `signin_url`). */
  signinUrl?: string | undefined;
  /** The URL that was being talked to. */
  url?: string | undefined;
  /** For E_TIMEOUT: true when the server took the connection but sent not one byte of an answer. */
  noAnswer?: boolean | undefined;
}

/**
 * The base class of every error oclaw reports. `message` is one sentence-case line without a trailing
 * period that says what was tried and with what.
 */
export class OclawError extends Error {
  override name = "OclawError";
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly status: number | undefined;
  readonly url: string | undefined;
  readonly signinUrl: string | undefined;
  readonly noAnswer: boolean;

  constructor(code: ErrorCode, message: string, options: OclawErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.status = options.status;
    this.url = options.url;
    this.signinUrl = options.signinUrl;
    this.noAnswer = options.noAnswer === true;
  }

  /** The JSON shape used by `--json` output and `error` events. */
  toJSON(): { code: ErrorCode; message: string; hint?: string } {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint };
  }
}

/** Shorthand for a usage error (exit 2). */
export function usageError(message: string, hint?: string): OclawError {
  return new OclawError("E_USAGE", message, { hint });
}

/** Wraps anything thrown into an OclawError; unknown errors become E_INTERNAL with the original as cause. */
export function toOclawError(error: unknown): OclawError {
  if (error instanceof OclawError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new OclawError("E_INTERNAL", `Unexpected error: ${message}`, { cause: error });
}

/**
 * The one place that decides whether a failure means "no server answered" (the contract's exit 4): it could
 * not be reached (refused, DNS, connect timeout), or it took the connection and timed out before sending a
 * byte (E_TIMEOUT with `noAnswer`). A server that answered and then stalled is not this (exit 1).
 */
export function noServerAnswered(error: unknown): boolean {
  if (!(error instanceof OclawError)) return false;
  if (error.code === "E_TIMEOUT") return error.noAnswer;
  return EXIT_CODES[error.code] === EXIT.unreachable;
}

/** The exit code for an error (anything that is not an OclawError exits 1). */
export function exitCodeFor(error: unknown): number {
  if (!(error instanceof OclawError)) return EXIT.failure;
  return noServerAnswered(error) ? EXIT.unreachable : EXIT_CODES[error.code];
}

/** The cause chain of an error, outermost first, as lines for `-v`. */
export function causeChain(error: unknown): string[] {
  const lines: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error instanceof Error ? error.cause : undefined;
  while (current !== undefined && current !== null && !seen.has(current) && lines.length < 10) {
    seen.add(current);
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      lines.push(`${current.name}${typeof code === "string" ? ` [${code}]` : ""}: ${current.message}`);
      current = current.cause;
    } else {
      lines.push(String(current));
      current = undefined;
    }
  }
  return lines;
}
