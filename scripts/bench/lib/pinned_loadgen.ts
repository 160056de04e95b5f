/**
 * Runs scripts/bench/loadgen.c on its own core while several processes (a cluster's nodes, its
 * broker) are measured: each one's CPU over exactly the generator's timed window, so a result says
 * who saturated. Also pins those processes to a core for the run and puts them back after.
 *
 * @module
 */

import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import {
  CLOCK_TICKS_PER_SECOND,
  coreShareSince,
  machineBusySeconds,
  markCpu,
} from "./proc_stats.ts";
import type { CpuMark } from "./proc_stats.ts";

/** The generator's JSON line and the CPU each measured process used over its window. */
export interface PinnedLoadgenRun {
  /** Parsed JSON result line; undefined if the generator printed none. */
  result: Record<string, number> | undefined;
  /** CPU over the timed window per name given (1.0 = one core busy), `loadgen` included. */
  cores: Record<string, number>;
  /** CPU every other process on the machine used over the window, in cores: noise. */
  otherCores: number;
  /** How busy each core was over the window (1.0 = never idle), by core number. */
  coreBusy: number[];
  exitCode: number;
  stderr: string;
}

/** Busy CPU seconds of each core so far (all but idle and iowait), from /proc/stat's cpuN lines. */
export function coreBusySeconds(): number[] {
  const busy: number[] = [];
  for (const line of readFileSync("/proc/stat", "utf8").split("\n")) {
    const match = /^cpu(\d+)\s/.exec(line);
    if (!match) continue;
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(
      Number,
    );
    busy[Number(match[1])] = (user + nice + system + irq + softirq + (steal || 0)) /
      CLOCK_TICKS_PER_SECOND;
  }
  return busy;
}

/** True when `taskset` works here and there are at least `cores` cores to pin to. */
export function canPin(cores: number, available: number): boolean {
  if (available < cores) return false;
  try {
    execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Pins every thread of `pid` (`taskset -a`) to the CPUs in `cpuList` (e.g. "0"); returns a
 * function that restores the affinity it had.
 */
export function pinProcess(pid: number, cpuList: string): () => void {
  const before = execFileSync("taskset", ["-p", String(pid)], { encoding: "utf8" });
  const mask = before.trim().split(/\s+/).pop()!;
  execFileSync("taskset", ["-a", "-p", "-c", cpuList, String(pid)], { stdio: "ignore" });
  return () => {
    try {
      execFileSync("taskset", ["-a", "-p", mask, String(pid)], { stdio: "ignore" });
    } catch {
      // Already gone: nothing to restore.
    }
  };
}

/**
 * Runs `binary args...` (on `core` when given) and samples the CPU of every process in `pids`
 * between the generator's `window-start` and `window-end` stderr markers.
 */
export function runPinnedLoadgen(
  binary: string,
  args: string[],
  core: number | undefined,
  pids: Record<string, number>,
): Promise<PinnedLoadgenRun> {
  const child = core === undefined
    ? spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] })
    : spawn("taskset", ["-c", String(core), binary, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
  // `taskset` execs the generator: the child's pid is the generator's.
  const measured: Record<string, number> = { ...pids, loadgen: child.pid! };
  let stdout = "";
  let stderr = "";
  let marks: Record<string, CpuMark> | undefined;
  let machineMark = 0;
  let coreMarks: number[] = [];
  let coreBusy: number[] = [];
  const cores: Record<string, number> = {};
  let otherCores = NaN;
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => (stdout += chunk));
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk;
    if (!marks && stderr.includes("window-start\n")) {
      marks = {};
      for (const [name, pid] of Object.entries(measured)) marks[name] = markCpu(pid);
      machineMark = machineBusySeconds();
      coreMarks = coreBusySeconds();
    }
    if (marks && Number.isNaN(otherCores) && stderr.includes("window-end\n")) {
      let total = 0;
      for (const [name, pid] of Object.entries(measured)) {
        cores[name] = coreShareSince(pid, marks[name]);
        total += cores[name];
      }
      const wall = performance.now() / 1000 - marks.loadgen.wall;
      otherCores = (machineBusySeconds() - machineMark) / wall - total;
      coreBusy = coreBusySeconds().map((busy, core) => (busy - coreMarks[core]) / wall);
    }
  });
  return new Promise((resolve) => {
    child.on("close", (code) => {
      const line = stdout.split("\n").find((l) => l.startsWith("{"));
      resolve({
        result: line ? JSON.parse(line) : undefined,
        cores,
        otherCores,
        coreBusy,
        exitCode: code ?? 1,
        stderr: stderr.replace(/window-(start|end)\n/g, ""),
      });
    });
  });
}
