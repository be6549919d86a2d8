/**
 * What the numbers were measured on: CPU, cores, memory, kernel, and the versions of every program compared.
 */
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { capture } from "./proc.ts";

/** The machine and the versions of the programs in the comparison. */
export interface Machine {
  cpu: string;
  cores: number;
  memory: string;
  kernel: string;
  os: string;
  versions: Array<[string, string]>;
}

async function firstLine(argv: string[]): Promise<string> {
  try {
    const out = await capture({ argv }, 10_000);
    return (out.stdout || out.stderr).trim().split("\n")[0] ?? "?";
  } catch {
    return "not installed";
  }
}

async function packageVersion(root: string, name: string): Promise<string> {
  try {
    const json = JSON.parse(await readFile(path.join(root, "node_modules", name, "package.json"), "utf8"));
    return String((json as { version?: unknown }).version ?? "?");
  } catch {
    return "not installed";
  }
}

/** Reads the machine description and program versions. */
export async function describeMachine(root: string, bin: string): Promise<Machine> {
  const cpuinfo = await readFile("/proc/cpuinfo", "utf8").catch(() => "");
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? "?";
  const mhz = /^cpu MHz\s*:\s*([\d.]+)$/m.exec(cpuinfo)?.[1];
  const release = await readFile("/etc/os-release", "utf8").catch(() => "");
  return {
    cpu: mhz ? `${model} @ ${Math.round(Number(mhz))} MHz` : model,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    os: /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(release)?.[1] ?? os.platform(),
    versions: [
      ["oclaw", await firstLine([bin, "--version"])],
      ["bun", await firstLine(["bun", "--version"])],
      ["deno", (await firstLine(["deno", "--version"])).replace(/^deno /, "")],
      ["ollama (npm)", await packageVersion(root, "ollama")],
      ["openai (npm)", await packageVersion(root, "openai")],
      ["curl", (await firstLine(["curl", "--version"])).split(" ").slice(0, 2).join(" ")],
      ["hyperfine", await firstLine(["hyperfine", "--version"])],
    ],
  };
}
