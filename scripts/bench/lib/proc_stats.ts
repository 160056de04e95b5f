/**
 * What the benchmark reads about a process from /proc: CPU time (user +
 * system, all threads) and resident memory.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Clock ticks per second, the unit of utime/stime in /proc/PID/stat. */
export const CLOCK_TICKS_PER_SECOND: number = Number(
  execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim(),
) || 100;

/** CPU seconds (user + system, every thread) that `pid` has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may hold spaces and parentheses; fields after
  // the last ")" are plain numbers. utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** Resident set size of `pid` in KiB (VmRSS of /proc/PID/status). */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const line = status.split("\n").find((l) => l.startsWith("VmRSS:"));
  if (!line) throw new Error(`Cannot read RSS: no VmRSS for process ${pid}`);
  return Number(line.replace(/[^0-9]/g, ""));
}

/** A CPU reading to subtract a later one from. */
export interface CpuMark {
  cpu: number;
  wall: number;
}

/** Reads the CPU time of `pid` now, with the wall clock. */
export function markCpu(pid: number): CpuMark {
  return { cpu: cpuSeconds(pid), wall: performance.now() / 1000 };
}

/** Share of one core used by `pid` between `from` and now (1.0 = a whole core). */
export function coreShareSince(pid: number, from: CpuMark): number {
  const to = markCpu(pid);
  return (to.cpu - from.cpu) / (to.wall - from.wall);
}

/** CPU seconds the whole machine has spent busy (every core, not idle or iowait). */
export function machineBusySeconds(): number {
  const first = readFileSync("/proc/stat", "utf8").split("\n")[0];
  const [user, nice, system, , , irq, softirq, steal] = first.trim().split(/\s+/).slice(1).map(
    Number,
  );
  return (user + nice + system + irq + softirq + (steal || 0)) / CLOCK_TICKS_PER_SECOND;
}
