/**
 * Compiles main.ts into standalone executables with Bun: dist/oclaw for this machine, plus
 * dist/oclaw-linux-x64, dist/oclaw-linux-arm64 and their musl builds (dist/oclaw-linux-x64-musl,
 * dist/oclaw-linux-arm64-musl, for Alpine). The git commit is baked in for `--version`.
 *
 *   bun scripts/build.ts            all five
 *   bun scripts/build.ts --host     only dist/oclaw
 */
import { execFileSync } from "node:child_process";
import process from "node:process";

function commit(): string {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { stdio: ["ignore", "pipe", "ignore"] })
      .toString().trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      stdio: ["ignore", "pipe", "ignore"],
    }).toString().trim();
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return "unknown";
  }
}

const targets: Array<[string, string | undefined]> = [["dist/oclaw", undefined]];
if (!process.argv.includes("--host")) {
  targets.push(
    ["dist/oclaw-linux-x64", "bun-linux-x64"],
    ["dist/oclaw-linux-arm64", "bun-linux-arm64"],
    // musl (Alpine): these need libstdc++ and libgcc from the system (apk add libstdc++ libgcc).
    ["dist/oclaw-linux-x64-musl", "bun-linux-x64-musl"],
    ["dist/oclaw-linux-arm64-musl", "bun-linux-arm64-musl"],
  );
}
const define = `OCLAW_COMMIT=${JSON.stringify(commit())}`;
// A fresh id per build: the config-validation memo (lib/config/valid-memo.ts) is keyed on it, so a memo
// never outlives the schema that filled it.
const buildId = `OCLAW_BUILD_ID=${JSON.stringify(crypto.randomUUID())}`;
for (const [outfile, target] of targets) {
  // Bytecode: the binary starts without parsing and compiling the bundle (--version 75 → 39 ms here).
  // Splitting: each dynamically imported command is its own chunk inside the binary, with its own imports of
  // Node built-ins. Without it Bun hoists every `node:` import of the bundle to the top, so `--version` paid
  // for `node:stream` (the MCP SDK's stdio client) and the rest: --version 15.2 → 11.2 ms here.
  // No .env or bunfig.toml from the directory oclaw runs in: a stray file must not change its config.
  const args = [
    "build", "--compile", "--splitting", "--minify", "--bytecode", "--format=esm", "--sourcemap=none",
    "--no-compile-autoload-dotenv", "--no-compile-autoload-bunfig",
    "--define", define, "--define", buildId, "main.ts", "--outfile", outfile,
  ];
  if (target) args.push(`--target=${target}`);
  execFileSync(process.execPath, args, { stdio: ["ignore", "inherit", "inherit"] });
}
