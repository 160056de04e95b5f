/**
 * Starts a private Redis Cluster for the cluster tests: three masters from Debian's
 * `redis-server` in cluster mode on free loopback ports, no persistence (a restarted master comes
 * back empty), created with `redis-cli --cluster create ... --cluster-yes`.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import process from "node:process";

/** One master of the cluster. */
export interface ClusterNode {
  readonly port: number;
  readonly url: string;
  readonly pid: number | undefined;
  /** Kills it (SIGKILL) and waits for its exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and node id (empty: nothing persisted but its nodes.conf). */
  restart(): Promise<void>;
}

/** A running private Redis Cluster. */
export interface RedisCluster {
  readonly nodes: ClusterNode[];
  /** The masters' URLs: the seed nodes. */
  readonly urls: string[];
  /** The seed URLs joined with commas (examples/chat.ts --redis). */
  readonly url: string;
  /** Runs `redis-cli` with these arguments; resolves with its output (rejects when it fails). */
  cli(...args: string[]): Promise<string>;
  /** Waits until every node reports `cluster_state:ok`. */
  waitOk(): Promise<void>;
  /** Stops every node and removes their directory. */
  stop(): Promise<void>;
}

const READY_LINE = /Ready to accept connections/;
const START_TIMEOUT_MS = 10_000;

/**
 * Starts three masters and joins them into one cluster; resolves once it is `ok`.
 *
 * @example
 * ```ts
 * const cluster = await startRedisCluster();
 * try {
 *   console.log(cluster.url);
 * } finally {
 *   await cluster.stop();
 * }
 * ```
 */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), "omnisocket-redis-cluster-"));
  const children = new Set<ChildProcess>();
  const killOnExit = () => {
    for (const child of children) child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < masters; i++) nodes.push(await startNode(dir, await freePort(), children));
  const cli = (...args: string[]) => run("redis-cli", args);
  const cluster: RedisCluster = {
    nodes,
    urls: nodes.map((node) => node.url),
    url: nodes.map((node) => node.url).join(","),
    cli,
    async waitOk() {
      const deadline = Date.now() + 20_000;
      for (const node of nodes) {
        while (
          !(await cli("-p", String(node.port), "cluster", "info")).includes("cluster_state:ok")
        ) {
          if (Date.now() > deadline) {
            throw new Error("Cannot start the Redis Cluster: not ok in time");
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
    async stop() {
      await Promise.all(nodes.map((node) => node.stop()));
      process.removeListener("exit", killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cli(
    "--cluster",
    "create",
    ...nodes.map((node) => `127.0.0.1:${node.port}`),
    "--cluster-replicas",
    "0",
    "--cluster-yes",
  );
  await cluster.waitOk();
  return cluster;
}

async function startNode(
  dir: string,
  port: number,
  children: Set<ChildProcess>,
): Promise<ClusterNode> {
  let child: ChildProcess | undefined;
  const launch = (): Promise<void> => {
    const started = spawn("redis-server", [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--protected-mode",
      "no",
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      join(dir, `nodes-${port}.conf`),
      "--cluster-node-timeout",
      "2000",
      // A master that is down takes only its own slots with it.
      "--cluster-require-full-coverage",
      "no",
      "--cluster-allow-reads-when-down",
      "no",
      "--dir",
      dir,
    ], { stdio: ["ignore", "pipe", "pipe"] });
    child = started;
    children.add(started);
    started.once("exit", () => children.delete(started));
    let output = "";
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        started.kill("SIGKILL");
        reject(new Error(`Cannot start redis-server on ${port}: not ready in time\n${output}`));
      }, START_TIMEOUT_MS);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (READY_LINE.test(output)) {
          clearTimeout(timer);
          started.stdout!.removeListener("data", onData);
          started.stdout!.resume();
          resolve();
        }
      };
      started.stdout!.on("data", onData);
      started.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      started.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`Cannot start redis-server on ${port}: exited (${code})\n${output}`));
      });
    });
  };
  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    running.kill("SIGKILL");
    await exited;
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    stop,
    async restart() {
      await stop();
      await launch();
    },
  };
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`Cannot run ${command} ${args.join(" ")}: exit ${code}\n${output}`));
    });
  });
}

/** A port nobody listens on right now (bound then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
