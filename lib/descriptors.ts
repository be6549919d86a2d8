/**
 * What a descriptor is, at the least cost: a terminal (`node:tty` is loaded only when nothing cheaper settles
 * it, since in the compiled binary it brings Node's socket and stream machinery, ~4 ms at start-up), or the
 * null device (cron's `< /dev/null`, whose read would only say "end of file").
 */
import fs from "node:fs";
import process from "node:process";

/** The null device's identity, looked up once (it is where cron and `hyperfine` send output). */
let nullDevice: number | undefined;

function isNullRdev(rdev: number): boolean {
  try {
    nullDevice ??= fs.statSync("/dev/null").rdev;
  } catch {
    return false;
  }
  return rdev === nullDevice;
}

/**
 * True when `fd` is a terminal. A pipe or a file is settled by fstat alone (only a character device can be
 * a terminal), and so is the null device; any other character device is asked through `node:tty`.
 */
export function isTerminal(fd: number): boolean {
  let rdev: number;
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isCharacterDevice()) return false;
    rdev = stat.rdev;
  } catch {
    return false;
  }
  if (isNullRdev(rdev)) return false;
  const tty = process.getBuiltinModule("node:tty") as typeof import("node:tty");
  return tty.isatty(fd);
}

/** True when `fd` is the null device. */
export function isNullDevice(fd: number): boolean {
  try {
    const stat = fs.fstatSync(fd);
    return stat.isCharacterDevice() && isNullRdev(stat.rdev);
  } catch {
    return false;
  }
}
