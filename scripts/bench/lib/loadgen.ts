/**
 * Builds scripts/bench/loadgen.c and runs it pinned to a core, sampling the
 * server's and the generator's CPU time over exactly the timed window (the
 * generator prints `window-start` / `window-end` on stderr).
 *
 * @module
 */

import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { coreShareSince, machineBusySeconds, markCpu } from "./proc_stats.ts";
import type { CpuMark } from "./proc_stats.ts";
import type { Workload } from "./targets.ts";

/**
 * Where the generator built from `source` lives in `cacheDir`: named after a
 * hash of the source, so worktrees sharing one node_modules (and cache) never
 * run each other's build of a different loadgen.c.
 */
export function loadgenBinary(cacheDir: string, source: string): string {
  const hash = createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 12);
  return join(cacheDir, `loadgen-${hash}`);
}

/** Compiles the generator into `output` unless it is newer than `source`. */
export function buildLoadgen(source: string, output: string): void {
  if (existsSync(output) && statSync(output).mtimeMs > statSync(source).mtimeMs) return;
  mkdirSync(dirname(output), { recursive: true });
  // zlib (zlib1g-dev) builds the compressed frames of the permessage-deflate workloads.
  // Built aside and renamed: a run starting meanwhile never sees half a binary.
  const building = `${output}.${process.pid}`;
  execFileSync("gcc", ["-O2", "-o", building, source, "-lz"], { stdio: "inherit" });
  renameSync(building, output);
}

/** The generator's JSON line plus the CPU use sampled over its window. */
export interface LoadgenRun {
  /** Parsed JSON result line; undefined if the generator printed none. */
  result: Record<string, number> | undefined;
  /** Server CPU over the timed window, in cores (1.0 = one core busy). */
  serverCores: number;
  /** Generator CPU over the same window, in cores. */
  loadgenCores: number;
  /** CPU used by every other process over the window, in cores: noise. */
  otherCores: number;
  exitCode: number;
  stderr: string;
}

/** Runs `loadgen args...` on `core` while the server `serverPid` is measured. */
export function runLoadgen(
  binary: string,
  args: string[],
  serverPid: number,
  core: number | undefined,
): Promise<LoadgenRun> {
  const argv = core === undefined ? [binary, ...args] : ["-c", String(core), binary, ...args];
  const child = spawn(core === undefined ? binary : "taskset", core === undefined ? args : argv, {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let serverMark: CpuMark | undefined;
  let loadgenMark: CpuMark | undefined;
  let serverCores = NaN;
  let loadgenCores = NaN;
  let otherCores = NaN;
  let machineMark = 0;
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => (stdout += chunk));
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk;
    // Sample as soon as each marker arrives; the pipe adds microseconds.
    if (!serverMark && stderr.includes("window-start\n")) {
      serverMark = markCpu(serverPid);
      loadgenMark = markCpu(child.pid!);
      machineMark = machineBusySeconds();
    }
    if (serverMark && Number.isNaN(serverCores) && stderr.includes("window-end\n")) {
      serverCores = coreShareSince(serverPid, serverMark);
      loadgenCores = coreShareSince(child.pid!, loadgenMark!);
      const wall = performance.now() / 1000 - serverMark.wall;
      otherCores = (machineBusySeconds() - machineMark) / wall - serverCores - loadgenCores;
    }
  });
  return new Promise((resolve) => {
    child.on("close", (code) => {
      const line = stdout.split("\n").find((l) => l.startsWith("{"));
      resolve({
        result: line ? JSON.parse(line) : undefined,
        serverCores,
        loadgenCores,
        otherCores,
        exitCode: code ?? 1,
        stderr: stderr.replace(/window-(start|end)\n/g, ""),
      });
    });
  });
}

/** A generator holding idle connections until `release()` closes its stdin. */
export interface IdleHold {
  release(): Promise<number>;
}

/**
 * Opens `count` idle connections; resolves once the generator says `ready`.
 * With `deflateMessages`, permessage-deflate is negotiated and that many
 * compressed messages go each way on every connection first.
 */
export function holdIdleConnections(
  binary: string,
  port: number,
  count: number,
  core: number | undefined,
  deflateMessages?: number,
  reset = false,
): Promise<IdleHold> {
  // reset: released connections leave with a RST (clients that vanish), not a FIN.
  const args = deflateMessages === undefined
    ? [reset ? "idle-reset" : "idle", "127.0.0.1", String(port), String(count), "600"]
    : ["deflate-idle", "127.0.0.1", String(port), String(count), String(deflateMessages), "600"];
  const child = core === undefined
    ? spawn(binary, args, { stdio: ["pipe", "pipe", "pipe"] })
    : spawn("taskset", ["-c", String(core), binary, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 1)));
  const release = () => {
    child.stdin.end();
    return exited;
  };
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      if (stdout.includes("ready\n")) resolve({ release });
    });
    exited.then((code) =>
      reject(new Error(`Cannot hold idle connections (exit ${code}): ${stderr}`))
    );
  });
}

/** The generator's arguments for one echo or handshake workload against 127.0.0.1:`port`. */
export function loadgenArgs(
  workload: Workload,
  port: number,
  seconds: number,
  warmupSeconds: number,
): string[] {
  if (workload.deflateEcho) {
    const { connections, inflight } = workload.deflateEcho;
    return ["deflate-echo", "127.0.0.1", String(port), String(connections), String(inflight)]
      .concat([String(seconds), String(warmupSeconds)]);
  }
  if (workload.fanout?.deflate) {
    const { connections, publishers, inflight } = workload.fanout;
    return ["deflate-fanout", "127.0.0.1", String(port), String(connections), String(publishers)]
      .concat([String(inflight), String(seconds), String(warmupSeconds)]);
  }
  if (workload.fanout) {
    const { connections, publishers, inflight, size, type } = workload.fanout;
    return [
      "fanout",
      "127.0.0.1",
      String(port),
      String(connections),
      String(publishers),
      String(inflight),
      String(size),
      type,
      String(seconds),
      String(warmupSeconds),
    ];
  }
  if (workload.echo) {
    const { connections, inflight, size, type } = workload.echo;
    return [
      "echo",
      "127.0.0.1",
      String(port),
      String(connections),
      String(inflight),
      String(size),
      type,
      String(seconds),
      String(warmupSeconds),
    ];
  }
  const concurrency = String(workload.handshakeConcurrency);
  const mode = workload.abruptClose ? "handshake-abrupt" : "handshake";
  return [mode, "127.0.0.1", String(port), concurrency, String(seconds)];
}
