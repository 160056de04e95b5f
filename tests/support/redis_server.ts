/**
 * Starts a private `redis-server` (Debian's, from PATH) for the cluster tests: a free port, no
 * persistence (`--save "" --appendonly no`), so a restart comes back empty, as after a crash of a
 * Redis that keeps nothing on disk. Nothing relies on a Redis that happens to be running.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import process from "node:process";

/** A running (or stopped, restartable) private Redis. */
export interface RedisServer {
  /** Port it listens on; the same after {@linkcode RedisServer.restart}. */
  readonly port: number;
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  /** The running redis-server's process id (for reading its CPU time in /proc). */
  readonly pid: number | undefined;
  /** Stops it with SIGTERM (or SIGKILL when `kill` is true) and waits for its exit. */
  stop(kill?: boolean): Promise<void>;
  /** Starts it again on the same port (empty: nothing persisted); resolves once it accepts. */
  restart(): Promise<void>;
}

const READY_LINE = /Ready to accept connections/;
const START_TIMEOUT_MS = 10_000;

/**
 * Starts `redis-server` on a free loopback port and resolves once it accepts connections.
 *
 * @example
 * ```ts
 * const redis = await startRedisServer();
 * try {
 *   console.log(redis.url);
 * } finally {
 *   await redis.stop();
 * }
 * ```
 */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const killOnExit = () => child?.kill("SIGKILL");
  process.once("exit", killOnExit);

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
    ], { stdio: ["ignore", "pipe", "pipe"] });
    child = started;
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
      started.once("error", (error) => {
        clearTimeout(timer);
        reject(new Error(`Cannot start redis-server: ${error.message}`));
      });
      started.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`Cannot start redis-server on ${port}: exited (${code})\n${output}`));
      });
    });
  };

  const stop = async (kill = false): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    running.kill(kill ? "SIGKILL" : "SIGTERM");
    await exited;
  };

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    async stop(kill?: boolean) {
      await stop(kill);
      process.removeListener("exit", killOnExit);
    },
    async restart() {
      await stop(true);
      process.removeListener("exit", killOnExit);
      process.once("exit", killOnExit);
      await launch();
    },
  };
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
