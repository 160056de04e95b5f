/**
 * Profiles one benchmark server under one workload and prints where its CPU
 * time goes. Same pinning as run.ts: server on core 0, generator on core 1.
 *
 *   node_modules/.bin/node scripts/bench/profile.ts [--runtime node|bun|deno]
 *        [--server ours|reference] [--workload text64|binary16k|binary1m|handshake|
 *         fanout64|fanout1k|chat16|fanout64_net|fanout1k_net|chat16_net]
 *        [--seconds N] [--top N] [--perf]
 *
 * Node and Bun: their own `--cpu-prof` (JavaScript self time; the raw
 * .cpuprofile opens in Chrome DevTools). Deno has no `--cpu-prof`, so it (and
 * any runtime given `--perf`) is sampled by Linux `perf` with V8's
 * `--perf-basic-prof` symbol map: native and JIT frames side by side, which is
 * also how to see time spent inside the runtime rather than in JavaScript.
 * Output is kept under node_modules/.cache/omnisocket-bench/profiles/.
 *
 * @module
 */

import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { buildLoadgen, loadgenArgs, loadgenBinary, runLoadgen } from "./lib/loadgen.ts";
import { type ServerCommand, startServer } from "./lib/server_process.ts";
import { summarizeCpuProfile } from "./lib/summarize_cpu_profile.ts";
import { WORKLOADS } from "./lib/targets.ts";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const CACHE = join(ROOT, "node_modules/.cache/omnisocket-bench");
const LOADGEN = loadgenBinary(CACHE, join(ROOT, "scripts/bench/loadgen.c"));
const BIN = join(ROOT, "node_modules/.bin");

const { values: flags } = parseArgs({
  options: {
    runtime: { type: "string", default: "node" },
    server: { type: "string", default: "ours" },
    workload: { type: "string", default: "text64" },
    seconds: { type: "string", default: "5" },
    top: { type: "string", default: "15" },
    perf: { type: "boolean", default: false },
  },
});
const workload = WORKLOADS.find((w) => w.id === flags.workload);
if (!workload || workload.id === "idle_rss") {
  throw new Error(`Cannot profile: unknown or unsupported workload "${flags.workload}"`);
}
const runtime = flags.runtime!;
const reference = flags.server === "reference" || flags.server === "ws";
const usePerf = flags.perf || runtime === "deno";
const profileDir = join(
  CACHE,
  "profiles",
  `${runtime}-${reference ? "reference" : "ours"}-${workload.id}`,
);
rmSync(profileDir, { recursive: true, force: true });
mkdirSync(profileDir, { recursive: true });

// Topic workloads run the broadcast servers (see FANOUT_PAIRS in run.ts).
function fanoutScript(): string[] | undefined {
  if (!workload!.fanout) return undefined;
  if (!reference) {
    const ours = "scripts/bench/servers/omnisocket_broadcast.ts";
    return runtime === "deno" ? [ours, "--engine", "omnisocket"] : [ours];
  }
  const net = workload!.id.endsWith("_net");
  const script = {
    node: net
      ? "scripts/bench/servers/net_broadcast.mjs"
      : "scripts/bench/servers/ws_broadcast.mjs",
    bun: "scripts/bench/servers/bun_publish.ts",
    deno: "scripts/bench/servers/deno_broadcast.ts",
  }[runtime];
  return script ? [script] : undefined;
}

function serverCommand(): ServerCommand {
  const [fanout, ...fanoutArgs] = fanoutScript() ?? [];
  const script = fanout ?? (reference
    ? {
      node: "scripts/bench/servers/ws_echo.mjs",
      bun: "scripts/bench/servers/bun_native.ts",
      deno: "scripts/bench/servers/deno_native.ts",
    }[runtime]
    : "examples/echo.ts");
  if (!script) throw new Error(`Cannot profile: unknown runtime "${runtime}"`);
  const cpuProf = usePerf ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`];
  if (runtime === "node") {
    const cachedDeps = join(CACHE, "deps/node_modules");
    return {
      argv: [
        process.execPath,
        ...(usePerf ? ["--perf-basic-prof", `--logfile=${join(profileDir, "v8.log")}`] : cpuProf),
        script,
        ...fanoutArgs,
      ],
      env: existsSync(cachedDeps) ? { NODE_PATH: cachedDeps } : {},
    };
  }
  if (runtime === "bun") return { argv: [join(BIN, "bun"), ...cpuProf, script, ...fanoutArgs] };
  // V8 writes a code log beside the symbol map: kept with the profile, not in the checkout.
  const v8Flags = `--v8-flags=--perf-basic-prof,--logfile=${join(profileDir, "v8.log")}`;
  return { argv: [join(BIN, "deno"), "run", "-A", v8Flags, script, ...fanoutArgs] };
}

buildLoadgen(join(ROOT, "scripts/bench/loadgen.c"), LOADGEN);
const pinned = cpus().length >= 2;
const server = await startServer(serverCommand(), ROOT, pinned ? 0 : undefined);
const perfData = join(profileDir, "perf.data");
const recorder = usePerf
  ? spawn("perf", ["record", "-F", "999", "-g", "-p", String(server.pid), "-o", perfData], {
    stdio: "ignore",
  })
  : undefined;
const args = loadgenArgs(workload, server.port, Number(flags.seconds), 1);
const run = await runLoadgen(LOADGEN, args, server.pid, pinned ? 1 : undefined);
if (recorder) {
  recorder.kill("SIGINT");
  await new Promise((done) => recorder.once("exit", done));
}
// A --cpu-prof profile is written when the server exits after SIGTERM.
await server.stop(15_000);
console.log(`${runtime} ${reference ? "reference" : "omnisocket"}, ${workload.label}:`, run.result);
console.log(
  `server CPU ${Math.round(run.serverCores * 100)}%, generator ${
    Math.round(run.loadgenCores * 100)
  }%\n`,
);
if (recorder) {
  console.log(
    execFileSync("perf", [
      "report",
      "-i",
      perfData,
      "--no-children",
      "--sort",
      "dso,sym",
      "--stdio",
      "-g",
      "none",
      "--percent-limit",
      "0.7",
    ], {
      encoding: "utf8",
      maxBuffer: 64 << 20,
    }).split("\n").filter((line) => line && !line.startsWith("#")).slice(0, Number(flags.top) + 5)
      .join("\n"),
  );
  console.log(`\nperf data: ${perfData} (perf report -i ${perfData})`);
} else {
  const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`Cannot summarize: no .cpuprofile in ${profileDir}`);
  console.log(summarizeCpuProfile(JSON.parse(readFileSync(join(profileDir, file), "utf8")), {
    top: Number(flags.top),
    root: ROOT,
  }));
  console.log(`\nprofile: ${join(profileDir, file)}`);
}
