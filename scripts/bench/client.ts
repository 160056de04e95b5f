/**
 * Client benchmark: echo round trips of one client process against one fast
 * server (Bun.serve, tests/client/servers/bun_native_echo.ts) pinned to core
 * 0, the client pinned to core 1. Ours (@omnisocket/core/client) against
 * ws's client and Node's WebSocket (undici) on Node 24, and against the
 * native WebSocket on Deno and Bun; plus RSS per idle client connection.
 *
 *   node_modules/node24/bin/node scripts/bench/client.ts [--seconds N (3)] [--rounds N (2)]
 *     [--only node,deno,bun] [--workloads text64,binary16k,binary1m,idle]
 *
 * Each cell is the best of the rounds; implementations alternate within a
 * round. Prints a markdown table with each runtime's ratio against its
 * references. The machine may be shared: read ratios, not absolute figures.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startServer } from "./lib/server_process.ts";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const BUN = join(ROOT, "node_modules/.bin/bun");
const DENO = join(ROOT, "node_modules/.bin/deno");
const NODE = process.execPath;

const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string" },
    rounds: { type: "string" },
    only: { type: "string" },
    workloads: { type: "string" },
  },
});
const seconds = Number(flags.seconds ?? 3);
const rounds = Number(flags.rounds ?? 2);

const ALL_RUNTIMES: { runtime: string; argv: string[]; impls: string[] }[] = [
  { runtime: "node", argv: [NODE], impls: ["ours", "ws", "native"] },
  { runtime: "deno", argv: [DENO, "run", "-A"], impls: ["ours", "native"] },
  { runtime: "bun", argv: [BUN], impls: ["ours", "native"] },
];
const RUNTIMES = ALL_RUNTIMES.filter(({ runtime }) =>
  flags.only === undefined || flags.only.split(",").includes(runtime)
);
const WORKLOADS = (flags.workloads ?? "text64,binary16k,binary1m,idle").split(",");

function worker(argv: string[], impl: string, workload: string, url: string) {
  const output = execFileSync("taskset", [
    "-c",
    "1",
    ...argv,
    join(ROOT, "scripts/bench/client_worker.ts"),
    impl,
    workload,
    url,
    String(seconds),
  ], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  return JSON.parse(output.trim().split("\n").at(-1)!) as Record<string, number>;
}

const server = await startServer(
  { argv: [BUN, "tests/client/servers/bun_native_echo.ts"] },
  ROOT,
  0,
);
const url = `ws://127.0.0.1:${server.port}/`;
const best = new Map<string, number>();
try {
  for (let round = 0; round < rounds; round++) {
    for (const { runtime, argv, impls } of RUNTIMES) {
      for (const workload of WORKLOADS) {
        for (const impl of impls) {
          const result = worker(argv, impl, workload, url);
          const key = `${runtime}/${workload}/${impl}`;
          if (workload === "idle") {
            const value = result.bytesPerConnection;
            best.set(key, Math.min(best.get(key) ?? Infinity, value));
          } else {
            best.set(key, Math.max(best.get(key) ?? 0, result.roundTripsPerSecond));
          }
        }
      }
    }
  }
} finally {
  await server.stop();
}

const names: Record<string, string> = {
  "node/ws": "ws",
  "node/native": "undici",
  "deno/native": "Deno native",
  "bun/native": "Bun native",
};
console.log(
  `client benchmark: ${seconds} s windows, best of ${rounds}, server Bun.serve on core 0`,
);
console.log("| runtime | workload | ours | reference | ratio |");
console.log("|---|---|---|---|---|");
for (const { runtime, impls } of RUNTIMES) {
  for (const workload of WORKLOADS) {
    const ours = best.get(`${runtime}/${workload}/ours`)!;
    for (const impl of impls.slice(1)) {
      const reference = best.get(`${runtime}/${workload}/${impl}`)!;
      const idle = workload === "idle";
      const format = (value: number) =>
        idle ? `${(value / 1024).toFixed(1)} KiB/conn` : `${Math.round(value)} rt/s`;
      const ratio = idle ? reference / ours : ours / reference;
      console.log(
        `| ${runtime} | ${workload} | ${format(ours)} | ${names[`${runtime}/${impl}`]} ${
          format(reference)
        } | ${ratio.toFixed(2)}x |`,
      );
    }
  }
}
