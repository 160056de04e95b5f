/**
 * Profiles omnisocket's Node server under one benchmark workload and prints
 * the functions with the most self time. Same pinning as run.ts: server on
 * core 0, generator on core 1.
 *
 *   node_modules/.bin/node scripts/bench/profile_node.ts [--workload text64|binary16k|binary1m|handshake]
 *        [--seconds N] [--top N] [--server ours|ws]
 *
 * The raw .cpuprofile (open it in Chrome DevTools) is kept under
 * node_modules/.cache/omnisocket-bench/profiles/.
 *
 * @module
 */

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { buildLoadgen, runLoadgen } from "./lib/loadgen.ts";
import { startServer } from "./lib/server_process.ts";
import { summarizeCpuProfile } from "./lib/summarize_cpu_profile.ts";
import { WORKLOADS } from "./lib/targets.ts";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const CACHE = join(ROOT, "node_modules/.cache/omnisocket-bench");
const LOADGEN = join(CACHE, "loadgen");

const { values: flags } = parseArgs({
  options: {
    workload: { type: "string", default: "text64" },
    seconds: { type: "string", default: "5" },
    top: { type: "string", default: "15" },
    server: { type: "string", default: "ours" },
  },
});
const workload = WORKLOADS.find((w) => w.id === flags.workload);
if (!workload || workload.id === "idle_rss") {
  throw new Error(`Cannot profile: unknown or unsupported workload "${flags.workload}"`);
}
const profileDir = join(CACHE, "profiles", `${flags.server}-${workload.id}`);
rmSync(profileDir, { recursive: true, force: true });
mkdirSync(profileDir, { recursive: true });

buildLoadgen(join(ROOT, "scripts/bench/loadgen.c"), LOADGEN);
const script = flags.server === "ws" ? "scripts/bench/servers/ws_echo.mjs" : "examples/echo.ts";
const cachedDeps = join(CACHE, "deps/node_modules");
const pinned = cpus().length >= 2;
const server = await startServer(
  {
    argv: [process.execPath, "--cpu-prof", `--cpu-prof-dir=${profileDir}`, script],
    env: existsSync(cachedDeps) ? { NODE_PATH: cachedDeps } : {},
  },
  ROOT,
  pinned ? 0 : undefined,
);
const args = workload.echo
  ? [
    "echo",
    "127.0.0.1",
    String(server.port),
    String(workload.echo.connections),
    String(workload.echo.inflight),
    String(workload.echo.size),
    workload.echo.type,
    flags.seconds,
    "1",
  ]
  : [
    "handshake",
    "127.0.0.1",
    String(server.port),
    String(workload.handshakeConcurrency),
    flags.seconds,
  ];
const run = await runLoadgen(LOADGEN, args, server.pid, pinned ? 1 : undefined);
// The profile is written when the server exits after SIGTERM.
await server.stop(15_000);
console.log(`${flags.server} on Node ${process.versions.node}, ${workload.label}:`, run.result);
console.log(
  `server CPU ${Math.round(run.serverCores * 100)}%, generator ${
    Math.round(run.loadgenCores * 100)
  }%\n`,
);
const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
if (!file) throw new Error(`Cannot summarize: no .cpuprofile in ${profileDir}`);
console.log(summarizeCpuProfile(JSON.parse(readFileSync(join(profileDir, file), "utf8")), {
  top: Number(flags.top),
  root: ROOT,
}));
console.log(`\nprofile: ${join(profileDir, file)}`);
