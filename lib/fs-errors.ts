/**
 * File-system errors in words: what an errno code means to a user reading `Cannot write X: <reason>`.
 */

/** A short reason for a file-system error code; for a write, a missing path means a missing directory. */
export function fsReason(error: unknown, doing: "read" | "write" = "read"): string {
  const code = (error as { code?: unknown })?.code;
  switch (code) {
    case "ENOENT":
      return doing === "write" ? "the directory does not exist" : "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    case "ENOTDIR":
      return "a parent is not a directory";
    case "EROFS":
      return "read-only file system";
    case "ENOSPC":
      return "no space left on device";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** True when the error means the file does not exist. */
export function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}
