/**
 * End-to-end benchmark: omnisocket against the reference server on each
 * runtime (Node: ws + bufferutil; Bun: Bun.serve; Deno: Deno.serve), driven
 * by the native generator scripts/bench/loadgen.c. The server runs on core 0,
 * the generator on core 1; references and ours alternate, each on a fresh
 * server process.
 *
 *   node_modules/.bin/node scripts/bench/run.ts            full run, writes docs/bench/
 *   node_modules/.bin/node scripts/bench/run.ts --quick    smoke run (1 s windows)
 *   options: --seconds N (4)  --warmup N (1)  --rounds N (2)  --only node,bun,deno,deno_engine
 *            --workloads text64,binary16k,binary1m,handshake,handshake_abrupt,idle_rss,
 *                        rss_after_reset,deflate_json,deflate_idle_rss,deflate_storm,
 *                        fanout64,fanout1k,chat16,fanout64_net,fanout1k_net,chat16_net,
 *                        deflate_fanout
 *            --idle-connections N  --out DIR
 *            --metrics-overhead   our server with metrics on against the same server with them
 *                                 off (echo and fan-out workloads; target: within 3%)
 *
 * Prints a markdown table; writes results.json and results.svg. A run with
 * --quick, --only or non-default windows writes under
 * node_modules/.cache/omnisocket-bench/ unless --out says otherwise, so the
 * committed figures only ever come from a full run.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, release } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import type { BenchResults, Measurement, ResultRow } from "./lib/bench_results.ts";
import {
  buildLoadgen,
  holdIdleConnections,
  loadgenArgs,
  loadgenBinary,
  runLoadgen,
} from "./lib/loadgen.ts";
import { rssKiB } from "./lib/proc_stats.ts";
import { renderMarkdown } from "./lib/render_markdown.ts";
import { renderSvg } from "./lib/render_svg.ts";
import { startServer } from "./lib/server_process.ts";
import type { ServerCommand } from "./lib/server_process.ts";
import { meetsTarget, TARGETS, WORKLOADS } from "./lib/targets.ts";
import type { RuntimeId, Workload, WorkloadId } from "./lib/targets.ts";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const CACHE = join(ROOT, "node_modules/.cache/omnisocket-bench");
const LOADGEN = loadgenBinary(CACHE, join(ROOT, "scripts/bench/loadgen.c"));
const BUN = join(ROOT, "node_modules/.bin/bun");
const DENO = join(ROOT, "node_modules/.bin/deno");
// The Node 24 running this script also runs both Node servers.
const NODE = process.execPath;

const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string" },
    warmup: { type: "string" },
    rounds: { type: "string" },
    only: { type: "string" },
    workloads: { type: "string" },
    "idle-connections": { type: "string" },
    out: { type: "string" },
    quick: { type: "boolean", default: false },
    "metrics-overhead": { type: "boolean", default: false },
  },
});
const metricsOverhead = flags["metrics-overhead"];
/** The echo and fan-out workloads the metrics-overhead run measures by default. */
const OVERHEAD_WORKLOADS = ["text64", "binary16k", "fanout64", "fanout1k"];

const quick = flags.quick;
const seconds = Number(flags.seconds ?? (quick ? 1 : 4));
const warmupSeconds = Number(flags.warmup ?? (quick ? 0.3 : 1));
const rounds = Math.max(1, Number(flags.rounds ?? (quick ? 1 : 2)));
const idleConnections = Number(flags["idle-connections"] ?? (quick ? 1000 : 10_000));
const allRuntimes: RuntimeId[] = ["node", "bun", "deno", "deno_engine"];
const runtimes = flags.only
  ? flags.only.split(",").map((s) => s.trim()) as RuntimeId[]
  : allRuntimes;
for (const r of runtimes) {
  if (!allRuntimes.includes(r)) throw new Error(`Cannot run: unknown runtime "${r}" in --only`);
}
const workloads = flags.workloads
  ? flags.workloads.split(",").map((id) => {
    const workload = WORKLOADS.find((w) => w.id === id.trim());
    if (!workload) throw new Error(`Cannot run: unknown workload "${id}" in --workloads`);
    return workload;
  })
  : metricsOverhead
  ? WORKLOADS.filter((w) => OVERHEAD_WORKLOADS.includes(w.id))
  : WORKLOADS;
const isFullRun = !metricsOverhead && !quick && !flags.only && !flags.workloads && !flags.seconds &&
  !flags.warmup &&
  !flags.rounds && !flags["idle-connections"];
const outDir = resolve(
  flags.out ?? (isFullRun ? join(ROOT, "docs/bench") : join(CACHE, "partial")),
);

const haveTaskset = (() => {
  try {
    execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
const pinned = haveTaskset && cpus().length >= 2;
const SERVER_CORE = pinned ? 0 : undefined;
const LOADGEN_CORE = pinned ? 1 : undefined;
const warnings: string[] = [];
if (!pinned) warnings.push("Not pinned to cores (taskset missing or fewer than 2 cores).");

// ws finds bufferutil by itself when it is installed next to it; a copy in
// the cache directory (npm install there) is found through NODE_PATH.
const wsEnv: Record<string, string> = {};
const cachedDeps = join(CACHE, "deps/node_modules");
if (existsSync(join(cachedDeps, "bufferutil"))) wsEnv.NODE_PATH = cachedDeps;

/** The commit measured, and whether src/ or examples/ differ from it. */
function sourceVersion(): BenchResults["source"] {
  try {
    const git = (args: string[]) =>
      execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
    return {
      commit: git(["rev-parse", "HEAD"]),
      dirty: git(["status", "--porcelain", "--", "src", "examples"]) !== "",
    };
  } catch {
    return { commit: "unknown", dirty: false };
  }
}

function packageVersion(dir: string): string {
  try {
    return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;
  } catch {
    return "?";
  }
}
function firstLine(binary: string, args: string[]): string {
  return execFileSync(binary, args, { encoding: "utf8" }).split("\n")[0].trim();
}

interface Side {
  name: string;
  command: ServerCommand;
}
interface Pair {
  runtime: string;
  reference: Side;
  ours: Side;
  /** The workloads this pair runs, when not all of them. */
  workloads?: readonly WorkloadId[];
  /** A different reference for some workloads. */
  referenceFor?: Partial<Record<WorkloadId, Side>>;
}

const denoNative = (): Side => ({
  name: "Deno.serve + Deno.upgradeWebSocket",
  command: { argv: [DENO, "run", "-A", "scripts/bench/servers/deno_native.ts"] },
});

const PAIRS: Record<RuntimeId, () => Pair> = {
  node: () => ({
    runtime: `Node ${process.versions.node}`,
    reference: {
      name: `ws ${packageVersion(join(ROOT, "node_modules/ws"))} + bufferutil`,
      command: { argv: [NODE, "scripts/bench/servers/ws_echo.mjs"], env: wsEnv },
    },
    ours: { name: "omnisocket over node:net", command: { argv: [NODE, "examples/echo.ts"] } },
  }),
  bun: () => ({
    runtime: `Bun ${firstLine(BUN, ["--version"])}`,
    reference: {
      name: "Bun.serve websocket",
      command: { argv: [BUN, "scripts/bench/servers/bun_native.ts"] },
    },
    ours: { name: "omnisocket over Bun.serve", command: { argv: [BUN, "examples/echo.ts"] } },
  }),
  deno: () => ({
    runtime: firstLine(DENO, ["--version"]).replace("deno", "Deno").replace(/ \(.*$/, ""),
    reference: {
      name: "Deno.serve + Deno.upgradeWebSocket",
      command: { argv: [DENO, "run", "-A", "scripts/bench/servers/deno_native.ts"] },
    },
    ours: {
      name: "omnisocket over Deno.serve",
      command: { argv: [DENO, "run", "-A", "examples/echo.ts"] },
    },
  }),
  // Our own engine over Deno.listen (`engine: "omnisocket"`).
  deno_engine: () => {
    const ours: Side = {
      name: "omnisocket engine over Deno.listen",
      command: { argv: [DENO, "run", "-A", "examples/echo.ts", "--engine", "omnisocket"] },
    };
    return {
      runtime: `${firstLine(DENO, ["--version"]).replace("deno", "Deno").replace(/ \(.*$/, "")}, ` +
        `engine: "omnisocket"`,
      reference: denoNative(),
      ours,
      workloads: ["handshake", "handshake_abrupt", "idle_rss", "rss_after_reset"],
      referenceFor: {
        idle_rss: {
          name: "omnisocket over node:net (Node adapter)",
          command: { argv: [NODE, "examples/echo.ts"] },
        },
        rss_after_reset: { name: "the same server, before any connection", command: ours.command },
      },
    };
  },
};

/**
 * The topic workloads' servers: a broadcast of every message to every
 * connection, ours through the topic registry. `_net` workloads (Node) use
 * the bare node:net loop as the reference.
 */
// Fan-out workloads run on node, bun and deno only (deno_engine lists its own workloads).
const FANOUT_PAIRS: Record<Exclude<RuntimeId, "deno_engine">, (workload: Workload) => Pair> = {
  node: (workload) => {
    const ours: Side = {
      name: "omnisocket topics over node:net",
      command: { argv: [NODE, "scripts/bench/servers/omnisocket_broadcast.ts"] },
    };
    const reference: Side = workload.id.endsWith("_net")
      ? {
        name: "bare node:net broadcast loop",
        command: { argv: [NODE, "scripts/bench/servers/net_broadcast.mjs"] },
      }
      : {
        name: `ws ${packageVersion(join(ROOT, "node_modules/ws"))} broadcast loop`,
        command: { argv: [NODE, "scripts/bench/servers/ws_broadcast.mjs"], env: wsEnv },
      };
    return { runtime: `Node ${process.versions.node}`, reference, ours };
  },
  bun: () => ({
    runtime: `Bun ${firstLine(BUN, ["--version"])}`,
    reference: {
      name: "Bun.serve server.publish",
      command: { argv: [BUN, "scripts/bench/servers/bun_publish.ts"] },
    },
    ours: {
      name: "omnisocket topics over Bun.serve",
      command: { argv: [BUN, "scripts/bench/servers/omnisocket_broadcast.ts"] },
    },
  }),
  deno: () => ({
    runtime: firstLine(DENO, ["--version"]).replace("deno", "Deno").replace(/ \(.*$/, ""),
    reference: {
      name: "Deno.upgradeWebSocket broadcast loop",
      command: { argv: [DENO, "run", "-A", "scripts/bench/servers/deno_broadcast.ts"] },
    },
    // Our engine over Deno.listen: one shared frame per publication; Deno's
    // native sockets would take one send() per subscriber.
    ours: {
      name: "omnisocket topics, engine omnisocket over Deno.listen",
      command: {
        argv: [
          DENO,
          "run",
          "-A",
          "scripts/bench/servers/omnisocket_broadcast.ts",
          "--engine",
          "omnisocket",
        ],
      },
    },
  }),
};

/**
 * --metrics-overhead: the same omnisocket server (scripts/bench/servers/omnisocket_metrics.ts),
 * metrics off as the reference, on as ours; Deno's fan-out on our engine as in FANOUT_PAIRS.
 */
function metricsOverheadPair(runtime: RuntimeId, workload: Workload): Pair {
  const mode = workload.fanout ? "broadcast" : "echo";
  const base = runtime === "node" ? [NODE] : runtime === "bun" ? [BUN] : [DENO, "run", "-A"];
  const engine = runtime === "deno_engine" || (runtime === "deno" && workload.fanout)
    ? ["--engine", "omnisocket"]
    : [];
  const argv = [...base, "scripts/bench/servers/omnisocket_metrics.ts", "--mode", mode, ...engine];
  return {
    runtime: PAIRS[runtime]().runtime,
    reference: { name: `omnisocket ${mode}, metrics off`, command: { argv } },
    ours: { name: `omnisocket ${mode}, metrics on`, command: { argv: [...argv, "--metrics"] } },
  };
}
/** Metrics on may cost at most 3% of the throughput with them off. */
const METRICS_OVERHEAD_TARGET = 0.97;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measureOnce(
  side: Side,
  workload: Workload,
  which: "reference" | "ours" = "ours",
): Promise<Measurement> {
  const command = workload.serverArgs
    ? { ...side.command, argv: [...side.command.argv, ...workload.serverArgs] }
    : side.command;
  const server = await startServer(command, ROOT, SERVER_CORE);
  try {
    if (workload.afterReset) {
      return await measureAfterReset(server.pid, server.port, workload, which);
    }
    if (server.output.some((l) => l.includes("bufferutil:") && !l.includes("native"))) {
      warnings.push(`${side.name}: ${server.output.find((l) => l.includes("bufferutil:"))}`);
    }
    if (workload.id === "idle_rss") return await measureIdle(server.pid, server.port);
    if (workload.deflateIdleMessages !== undefined) {
      return await measureIdle(server.pid, server.port, workload.deflateIdleMessages);
    }
    if (workload.storm) return await measureStorm(server.pid, server.port, workload.storm);
    const args = loadgenArgs(workload, server.port, seconds, warmupSeconds);
    const run = await runLoadgen(LOADGEN, args, server.pid, LOADGEN_CORE);
    if (!run.result || run.exitCode !== 0) {
      const why = `${side.name}, ${workload.label}: generator exit ${run.exitCode}: ` +
        run.stderr.trim().split("\n").slice(0, 3).join("; ");
      warnings.push(why);
      if (!run.result) return { value: NaN, rounds: [], error: why };
    }
    const result = run.result!;
    return {
      value: workload.echo || workload.deflateEcho || workload.fanout
        ? result.msgs_per_s
        : result.handshakes_per_s,
      mbPerSecond: workload.echo || workload.deflateEcho || workload.fanout
        ? result.mb_per_s
        : undefined,
      serverCores: run.serverCores,
      loadgenCores: run.loadgenCores,
      otherCores: run.otherCores,
      rounds: [],
    };
  } finally {
    await server.stop();
  }
}

async function measureIdle(
  pid: number,
  port: number,
  deflateMessages?: number,
): Promise<Measurement> {
  await sleep(1000); // let start-up allocation settle
  const before = rssKiB(pid);
  const hold = await holdIdleConnections(
    LOADGEN,
    port,
    idleConnections,
    LOADGEN_CORE,
    deflateMessages,
  );
  await sleep(2000); // let per-connection setup finish before reading RSS
  const after = rssKiB(pid);
  await hold.release();
  return {
    value: (after - before) / idleConnections,
    rssBeforeKiB: before,
    rssAfterKiB: after,
    rounds: [],
  };
}

/**
 * ws#1202's storm: `connections` echo compressed JSON at once for `seconds`.
 * The figure is the server's RSS at the end of the storm; `rssBeforeKiB` is
 * its idle RSS before, `rssAfterKiB` its RSS 30 s after the storm ended.
 */
async function measureStorm(
  pid: number,
  port: number,
  storm: { connections: number; seconds: number },
): Promise<Measurement> {
  await sleep(1000);
  const before = rssKiB(pid);
  let atEnd = NaN;
  const stormSeconds = flags.seconds ? seconds : storm.seconds;
  const args = ["deflate-echo", "127.0.0.1", String(port), String(storm.connections), "1"]
    .concat([String(stormSeconds), "0"]);
  const sample = setTimeout(() => (atEnd = rssKiB(pid)), (stormSeconds - 0.5) * 1000 + 3000);
  const run = await runLoadgen(LOADGEN, args, pid, LOADGEN_CORE);
  clearTimeout(sample);
  if (Number.isNaN(atEnd)) atEnd = rssKiB(pid);
  if (run.exitCode !== 0) warnings.push(`storm: generator exit ${run.exitCode}: ${run.stderr}`);
  await sleep(30_000);
  return {
    value: atEnd,
    rssBeforeKiB: before,
    rssAfterKiB: rssKiB(pid),
    serverCores: run.serverCores,
    rounds: [],
  };
}

/**
 * RSS of a server that served `connections` idle connections, reset them all
 * (RST, as clients that vanish) and then had `settleSeconds` to give memory
 * back; the reference side reads the same server's RSS before any connection.
 */
async function measureAfterReset(
  pid: number,
  port: number,
  workload: Workload,
  which: "reference" | "ours",
): Promise<Measurement> {
  const { connections, settleSeconds } = workload.afterReset!;
  await sleep(1000); // let start-up allocation settle
  const before = rssKiB(pid);
  if (which === "reference") return { value: before, rssBeforeKiB: before, rounds: [] };
  const hold = await holdIdleConnections(LOADGEN, port, connections, LOADGEN_CORE, undefined, true);
  await sleep(2000);
  const held = rssKiB(pid);
  await hold.release();
  await sleep(settleSeconds * 1000);
  const after = rssKiB(pid);
  return { value: after, rssBeforeKiB: before, rssAfterKiB: held, rounds: [] };
}

/** CPU (in cores) that other processes may use during a window before it is redone. */
const NOISE_LIMIT = 0.15;
const MAX_NOISY_RETRIES = 2;

function isNoisy(m: Measurement): boolean {
  return (m.otherCores ?? 0) > NOISE_LIMIT;
}

function median(values: number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function combine(runs: Measurement[]): Measurement {
  const pick = (key: keyof Measurement) => {
    const values = runs.map((r) => r[key]).filter((x): x is number => typeof x === "number");
    return values.length ? median(values) : undefined;
  };
  const errorRun = runs.find((r) => r.error);
  return {
    value: median(runs.map((r) => r.value)),
    mbPerSecond: pick("mbPerSecond"),
    serverCores: pick("serverCores"),
    loadgenCores: pick("loadgenCores"),
    otherCores: pick("otherCores"),
    rssBeforeKiB: pick("rssBeforeKiB"),
    rssAfterKiB: pick("rssAfterKiB"),
    rounds: runs.map((r) => r.value),
    ...(errorRun ? { error: errorRun.error } : {}),
  };
}

function checkCpu(side: Side, workload: Workload, m: Measurement): void {
  if (m.serverCores === undefined || Number.isNaN(m.serverCores)) return;
  const pct = (x: number | undefined) => `${Math.round((x ?? NaN) * 100)}%`;
  if (isNoisy(m)) {
    warnings.push(
      `${side.name}, ${workload.label}: other processes used ${pct(m.otherCores)} of a core ` +
        `during the window: the machine was not quiet.`,
    );
  }
  if (m.serverCores >= 0.9) return;
  const generatorBound = (m.loadgenCores ?? 0) >= 0.9;
  warnings.push(
    `${side.name}, ${workload.label}: server used ${pct(m.serverCores)} of its core, ` +
      `generator ${pct(m.loadgenCores)}: ` +
      (generatorBound
        ? "the generator was the bottleneck, so this figure understates the server."
        : "neither was saturated: the server idles between messages (latency-bound)."),
  );
}

async function main(): Promise<void> {
  buildLoadgen(join(ROOT, "scripts/bench/loadgen.c"), LOADGEN);
  const rows: ResultRow[] = [];
  const servers = {} as BenchResults["servers"];
  const started = performance.now();
  for (const runtime of runtimes) {
    const pair = PAIRS[runtime]();
    servers[runtime] = {
      reference: pair.reference.name,
      ours: pair.ours.name,
      runtime: pair.runtime,
    };
    for (const workload of workloads) {
      if (workload.runtimes && !workload.runtimes.includes(runtime)) continue;
      if (pair.workloads && !pair.workloads.includes(workload.id) && !metricsOverhead) continue;
      if (metricsOverhead && runtime === "deno_engine" && workload.fanout) continue;
      const reference = pair.referenceFor?.[workload.id] ?? pair.reference;
      const sides = metricsOverhead
        ? metricsOverheadPair(runtime, workload)
        : workload.fanout
        ? FANOUT_PAIRS[runtime as Exclude<RuntimeId, "deno_engine">](workload)
        : { reference, ours: pair.ours };
      const refRuns: Measurement[] = [];
      const ourRuns: Measurement[] = [];
      for (let round = 0; round < rounds; round++) {
        // Alternate which side goes first so drift (thermal, page cache) is shared.
        const order = round % 2 === 0
          ? ["reference", "ours"] as const
          : ["ours", "reference"] as const;
        for (const which of order) {
          let m = await measureOnce(sides[which], workload, which);
          // Another process stealing CPU skews one side only: measure again.
          for (let retry = 1; retry <= MAX_NOISY_RETRIES && isNoisy(m); retry++) {
            console.error(
              `  ${sides[which].name}, ${workload.label}: other processes used ` +
                `${Math.round(m.otherCores! * 100)}% of a core; measuring again`,
            );
            await sleep(3000);
            m = await measureOnce(sides[which], workload, which);
          }
          (which === "reference" ? refRuns : ourRuns).push(m);
        }
      }
      const referenceResult = combine(refRuns);
      const ours = combine(ourRuns);
      checkCpu(sides.reference, workload, referenceResult);
      checkCpu(sides.ours, workload, ours);
      const ratio = ours.value / referenceResult.value;
      const target = metricsOverhead
        ? METRICS_OVERHEAD_TARGET
        : TARGETS[runtime][workload.id] ?? NaN;
      const row: ResultRow = {
        runtime,
        workload: workload.id,
        workloadLabel: workload.label,
        unit: workload.unit,
        lowerIsBetter: workload.lowerIsBetter,
        reference: referenceResult,
        ours,
        ratio,
        target,
        met: Number.isFinite(ratio) && meetsTarget(workload, ratio, target),
      };
      rows.push(row);
      const cores = (m: Measurement) =>
        m.serverCores === undefined ? "" : ` cpu ${Math.round(m.serverCores * 100)}%`;
      console.error(
        `[${
          ((performance.now() - started) / 1000).toFixed(0)
        } s] ${pair.runtime} ${workload.label}: ` +
          `ref ${referenceResult.value.toFixed(1)}${cores(referenceResult)} | ours ${
            ours.value.toFixed(1)
          }` +
          `${cores(ours)} | ${ratio.toFixed(2)}x ${row.met ? "met" : "MISSED"}`,
      );
    }
  }
  const results: BenchResults = {
    date: new Date().toISOString(),
    source: sourceVersion(),
    machine: { cpu: cpus()[0]?.model.trim() ?? "?", cores: cpus().length, kernel: release() },
    settings: {
      seconds,
      warmupSeconds,
      rounds,
      idleConnections,
      serverCore: SERVER_CORE,
      loadgenCore: LOADGEN_CORE,
    },
    servers,
    rows,
    warnings,
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "results.json"), JSON.stringify(results, null, 2) + "\n");
  writeFileSync(join(outDir, "results.svg"), renderSvg(results));
  console.log(renderMarkdown(results));
  console.error(`wrote ${join(outDir, "results.json")} and results.svg`);
}

await main();
