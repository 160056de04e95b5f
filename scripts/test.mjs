// The whole test suite on every runtime: `npm test` (after `npm ci`), or in one
// step from a fresh clone: `npm install-ci-test`.
//
// Plain JavaScript on purpose: npm starts it with whatever Node it runs on
// (Node 20 on a fresh machine), which cannot strip TypeScript types.
// Every tool comes from node_modules, pinned by package-lock.json.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkSteps } from "./check_steps.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const deno = bin("deno");
const bun = bin("bun");
// The aliased `node24` package links its binary as node_modules/.bin/node.
const node24 = join(root, "node_modules", "node24", "bin", "node");
// The machine's own Node (20 on a fresh machine, the oldest the npm package
// supports) tests the build: the first `node` on PATH outside node_modules,
// where the pinned Node 24 shadows it inside npm scripts.
const node20 = machineNode();

if (![deno, bun, node24].every(existsSync)) {
  console.error("Cannot run the tests: dev tools are missing; run `npm ci` first.");
  process.exit(1);
}

/** Each step: a name, a command, and how to read pass/fail counts from its output. */
const steps = [
  // The static checks, the same list `deno task check` runs.
  ...checkSteps(root).map((step) => ({ ...step, counts: step.doc ? denoCounts : undefined })),
  { name: "unit: Deno", cmd: [deno, "test", "-A", "tests/unit/"], counts: denoCounts },
  { name: "unit: Bun", cmd: [bun, "test", "./tests/unit/"], counts: bunCounts },
  {
    name: "unit: Node 24",
    cmd: [node24, "--test", "--test-reporter=spec", "tests/unit/**/*.test.ts"],
    counts: nodeCounts,
  },
  ...["node", "deno", "bun"].map((runtime) => ({
    name: `servers on ${runtime}: end-to-end, adapter black-box, conformance, interop`,
    cmd: [
      node24,
      "--test",
      "--test-reporter=spec",
      "--test-concurrency=1",
      "tests/e2e/**/*.test.ts",
      "tests/adapters/black_box.test.ts",
      "tests/adapters/peer_request.test.ts",
      "tests/adapters/permessage_deflate.test.ts",
      "tests/adapters/publish_compress.test.ts",
      "tests/adapters/topics.test.ts",
      "tests/adapters/metrics.test.ts",
      "tests/conformance/**/*.test.ts",
      "tests/interop/**/*.test.ts",
    ],
    env: { OMNISOCKET_RUNTIMES: runtime },
    counts: nodeCounts,
  })),
  // Our client (@omnisocket/core/client) on each runtime: the client conformance suite against
  // our fuzzing server (deflate included), interop with other servers (TLS, CONNECT proxy),
  // WebSocketStream backpressure, the echo_client.ts contract, and its unit tests.
  ...["node", "deno", "bun"].map((runtime) => ({
    name: `client on ${runtime}: conformance, interop, backpressure, echo_client contract, units`,
    cmd: [
      node24,
      "--test",
      "--test-reporter=spec",
      "--test-concurrency=1",
      "tests/client/**/*.test.ts",
    ],
    env: { OMNISOCKET_RUNTIMES: runtime },
    counts: nodeCounts,
  })),
  // TLS and WebSockets over HTTP/2 (RFC 8441) on Node: Node's http2 client, undici, Chromium;
  // then wss:// with the black-box handler on every standalone adapter.
  {
    name:
      "TLS: WebSockets over HTTP/2 on Node (http2 client, undici, Chromium), wss on every adapter",
    cmd: [
      node24,
      "--test",
      "--test-reporter=spec",
      "--test-concurrency=1",
      "tests/http2/**/*.test.ts",
    ],
    counts: nodeCounts,
  },
  // A cluster on a private redis-server and on a private three-master Redis Cluster (both started
  // by the tests): the backplane itself on each runtime, then Node, Deno and Bun processes sharing
  // topics, with faults (a master restarted empty, a resharding under load) and Chromium.
  {
    name: "cluster: Redis backplane on Deno",
    cmd: [deno, "test", "-A", "tests/cluster/redis_backplane.test.ts"],
    counts: denoCounts,
  },
  {
    name: "cluster: Redis backplane on Bun",
    // The Redis Cluster's fault tests (a master restarted, a resharding) take over Bun's 5 s.
    cmd: [bun, "test", "--timeout", "30000", "./tests/cluster/redis_backplane.test.ts"],
    counts: bunCounts,
  },
  // The topic client (reconnections, a killed node, gaps, a frozen node) on each runtime's own
  // WebSocket; Node runs it in the cluster step below.
  {
    name: "cluster: topic client on Deno",
    cmd: [deno, "test", "-A", "tests/cluster/topic_client.test.ts"],
    counts: denoCounts,
  },
  {
    name: "cluster: topic client on Bun",
    // The 1,000-reconnection storm takes about 30 s on a quiet machine, over 2 minutes on a busy one.
    cmd: [bun, "test", "--timeout", "300000", "./tests/cluster/topic_client.test.ts"],
    counts: bunCounts,
  },
  {
    name:
      "cluster: Redis backplane, topic suite over Redis and a Redis Cluster, chat cluster (Node+Deno+Bun) on both, Chromium",
    cmd: [
      node24,
      "--test",
      "--test-reporter=spec",
      "--test-concurrency=1",
      "tests/cluster/**/*.test.ts",
    ],
    counts: nodeCounts,
  },
  {
    name: "servers on workerd: Cloudflare adapter, adapter black-box",
    cmd: [
      node24,
      "--test",
      "--test-reporter=spec",
      "tests/adapters/cloudflare.test.ts",
      "tests/adapters/black_box_workerd.test.ts",
      "tests/adapters/permessage_deflate_workerd.test.ts",
      "tests/adapters/black_box_durable_object.test.ts",
      "tests/adapters/durable_object.test.ts",
      "tests/adapters/topics_workerd.test.ts",
      "tests/adapters/topics_durable_object.test.ts",
      "tests/adapters/metrics_workerd.test.ts",
      "tests/adapters/topics_protocol_durable_object.test.ts",
    ],
    counts: nodeCounts,
  },
  {
    name: `npm build, unit tests on Node ${await versionOf(node20)} against it`,
    cmd: [node24, "scripts/build_npm.ts", "--check", "--node", node20],
    counts: nodeCounts,
  },
];

// No step takes more than a few minutes on a quiet machine: one that hangs is killed at this
// deadline and counted as failed, so the run always ends with a summary (CI stops at 90 minutes).
const STEP_DEADLINE_MINUTES = 20;

// A step runs in its own process group (see run): pass an interrupt on to it.
let runningGroup;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (runningGroup !== undefined) {
      try {
        process.kill(-runningGroup, "SIGKILL");
      } catch { /* already gone */ }
    }
    process.exit(130);
  });
}

const results = [];
await ensureSystemPackages();
for (const step of steps) {
  console.log(`\n=== ${step.name}`);
  const { code, output } = await run(step.cmd, step.env, false, STEP_DEADLINE_MINUTES);
  const counts = step.counts?.(output) ?? null;
  results.push({ name: step.name, ok: code === 0, counts });
}

console.log("\n=== summary");
let passed = 0;
let failed = 0;
for (const { name, ok, counts } of results) {
  const figures = counts ? ` (${counts.passed} passed, ${counts.failed} failed)` : "";
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${figures}`);
  if (counts) {
    passed += counts.passed;
    failed += counts.failed;
  }
  // A step that failed without failing tests (lint, a crash) still counts once.
  if (!ok && (!counts || counts.failed === 0)) failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

// The interop tests need clients nobody here wrote, from Debian: Chromium and
// python3-websockets; the cluster tests need redis-server. Installed when missing
// (the machines run as root).
async function ensureSystemPackages() {
  const hasChromium = existsSync("/usr/bin/chromium");
  const hasPythonWebsockets =
    (await run(["/usr/bin/python3", "-c", "import websockets"], {}, true)).code === 0;
  // The cluster tests start their own private redis-server (tests/support/redis_server.ts).
  const hasRedisServer = existsSync("/usr/bin/redis-server");
  // The benchmark's load generator builds its permessage-deflate frames with zlib.
  const hasZlib = existsSync("/usr/include/zlib.h");
  if (hasChromium && hasPythonWebsockets && hasRedisServer && hasZlib) return;
  const packages = ["chromium", "python3-websockets", "redis-server", "zlib1g-dev"];
  console.log(`=== installing Debian packages: ${packages.join(" ")}`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const update = await run(["apt-get", "update", "-qq"], env);
  const install = update.code === 0 &&
    (await run(["apt-get", "install", "-y", "-qq", ...packages], env)).code === 0;
  if (!install) {
    console.error(
      `Cannot install ${packages.join(", ")}: run the tests as root, or install them first.`,
    );
    process.exit(1);
  }
}

function machineNode() {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir === "" || dir.includes("node_modules")) continue;
    const candidate = join(dir, "node");
    if (existsSync(candidate)) return candidate;
  }
  return process.execPath;
}

function run([command, ...args], env = {}, quiet = false, deadlineMinutes = undefined) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: a step past its deadline is killed with everything it started.
      detached: deadlineMinutes !== undefined,
    });
    if (deadlineMinutes !== undefined) runningGroup = child.pid;
    let timedOut = false;
    const deadline = deadlineMinutes === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      process.stderr.write(`\n!!! step still running after ${deadlineMinutes} minutes: killed\n`);
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, deadlineMinutes * 60_000);
    let output = "";
    const tee = (stream) => (data) => {
      output += data;
      if (!quiet) stream.write(data);
    };
    child.stdout.on("data", tee(process.stdout));
    child.stderr.on("data", tee(process.stderr));
    child.on("close", (code) => {
      clearTimeout(deadline);
      resolve({ code: timedOut ? 1 : code, output });
    });
    child.on("error", (error) => {
      clearTimeout(deadline);
      resolve({ code: 1, output: String(error) });
    });
  });
}

async function versionOf(node) {
  const { output } = await new Promise((resolve) => {
    let text = "";
    const child = spawn(node, ["--version"], { stdio: ["ignore", "pipe", "ignore"] });
    child.stdout.on("data", (d) => (text += d));
    child.on("close", () => resolve({ output: text.trim() }));
  });
  return output.replace(/^v/, "").split(".")[0];
}

// "ok | 12 passed (30 steps) | 0 failed (1s)"
function denoCounts(output) {
  const match = /\| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed/.exec(output);
  return match
    ? { passed: Number(match[1]) + Number(match[2] ?? 0), failed: Number(match[3]) }
    : null;
}

// " 42 pass" / " 0 fail"
function bunCounts(output) {
  const pass = /^\s*(\d+) pass$/m.exec(output);
  const fail = /^\s*(\d+) fail$/m.exec(output);
  return pass ? { passed: Number(pass[1]), failed: Number(fail?.[1] ?? 0) } : null;
}

// "ℹ pass 42" / "ℹ fail 0" (the spec reporter's closing lines)
function nodeCounts(output) {
  const pass = [...output.matchAll(/^ℹ pass (\d+)$/gm)].at(-1);
  const fail = [...output.matchAll(/^ℹ fail (\d+)$/gm)].at(-1);
  return pass ? { passed: Number(pass[1]), failed: Number(fail?.[1] ?? 0) } : null;
}
