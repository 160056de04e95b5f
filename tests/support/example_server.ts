/**
 * Starts an example server from examples/ as a child process on a chosen runtime, for end-to-end
 * and conformance tests. The example must print `listening on http://HOST:PORT` on stdout.
 *
 * @module
 */

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import process from "node:process";

/** A JavaScript runtime an example can run on. */
export type Runtime = "node" | "deno" | "bun";

/** Signals {@linkcode RunningExample.stop} can send first. */
export type StopSignal = "SIGTERM" | "SIGINT" | "SIGKILL";

/** What to start. */
export interface StartExampleOptions {
  /** Runtime binary from node_modules/.bin to run the example with. */
  runtime: Runtime;
  /** Path of the example relative to the repository root, e.g. `examples/echo.ts`. */
  file: string;
  /** Extra arguments; `--port 0` is added unless they contain `--port`. */
  args?: string[];
  /** How long to wait for the `listening on` line (default 20 s: Deno compiles on first run). */
  startTimeoutMs?: number;
}

/** A started example. */
export interface RunningExample {
  /** Host to connect to (a wildcard listen address is mapped to loopback). */
  host: string;
  /** Port the example listens on. */
  port: number;
  /** `ws://HOST:PORT/`, ready for a WebSocket client. */
  url: string;
  /** Everything the child wrote to stdout and stderr so far. */
  output: () => string;
  /** The child's process id (for reading its memory in /proc). */
  pid: number | undefined;
  /** Sends `signal` (default SIGTERM), then SIGKILL after 5 s; resolves to the exit code. */
  stop(signal?: StopSignal): Promise<number | null>;
}

/**
 * Repository root, computed from this file's location so tests run from any directory.
 *
 * @example
 * ```ts
 * const deno = `${REPO_ROOT}/node_modules/.bin/deno`;
 * ```
 */
export const REPO_ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

const ALL_RUNTIMES: Runtime[] = ["node", "deno", "bun"];
const STOP_GRACE_MS = 5_000;
const LISTENING_LINE = /listening on (https?):\/\/(\[[^\]\s]+\]|[^\s:/]+):(\d+)/;

/**
 * Runtimes named by env `OMNISOCKET_RUNTIMES` (comma list), all three by default.
 *
 * @example
 * ```ts
 * for (const runtime of runtimesUnderTest()) console.log(runtime);
 * ```
 */
export function runtimesUnderTest(): Runtime[] {
  const raw = process.env.OMNISOCKET_RUNTIMES?.trim();
  if (!raw) return [...ALL_RUNTIMES];
  const names = raw.split(",").map((name) => name.trim()).filter((name) => name !== "");
  for (const name of names) {
    if (!ALL_RUNTIMES.includes(name as Runtime)) {
      throw new Error(`OMNISOCKET_RUNTIMES names unknown runtime "${name}" (known: node,deno,bun)`);
    }
  }
  return names as Runtime[];
}

function commandFor(runtime: Runtime, file: string, args: string[]): [string, string[]] {
  const bin = `${REPO_ROOT}node_modules/.bin/${runtime}`;
  if (runtime === "deno") return [bin, ["run", "-A", file, ...args]];
  return [bin, [file, ...args]];
}

function connectableHost(host: string): string {
  const bare = host.startsWith("[") ? host.slice(1, -1) : host;
  if (bare === "0.0.0.0") return "127.0.0.1";
  if (bare === "::") return "::1";
  return bare;
}

/**
 * Spawns `file` on `runtime` and resolves once it prints its `listening on` line.
 *
 * @example
 * ```ts
 * const server = await startExample({ runtime: "deno", file: "examples/echo.ts" });
 * try {
 *   console.log(server.url);
 * } finally {
 *   await server.stop();
 * }
 * ```
 */
export function startExample(options: StartExampleOptions): Promise<RunningExample> {
  const args = [...(options.args ?? [])];
  if (!args.includes("--port")) args.push("--port", "0");
  const [command, commandArgs] = commandFor(options.runtime, options.file, args);
  const child = spawn(command, commandArgs, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let output = "";
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (text: string) => {
    if (process.env.TOPIC_DEBUG) process.stderr.write(text);
    output += text;
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(null));
  });
  // A test runner that dies must not leave servers behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const stop = async (signal: StopSignal = "SIGTERM"): Promise<number | null> => {
    process.removeListener("exit", killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  const describe = `${options.runtime} ${options.file}`;

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop("SIGKILL");
      reject(
        new Error(`Cannot start ${describe}: ${why}\n--- child stdout and stderr ---\n${output}`),
      );
    };
    const timer = setTimeout(() => fail(`no "listening on" line after ${timeoutMs} ms`), timeoutMs);
    child.once("error", (error) => fail(`spawn failed: ${error.message}`));
    child.once("exit", (code, signal) => {
      fail(`exited early (code ${code}, signal ${signal})`);
    });
    child.stdout!.on("data", (text: string) => {
      output += text;
      if (settled) return;
      stdout += text;
      const match = LISTENING_LINE.exec(stdout);
      if (!match) return;
      settled = true;
      clearTimeout(timer);
      const host = connectableHost(match[2]);
      const port = Number(match[3]);
      const urlHost = host.includes(":") ? `[${host}]` : host;
      resolve({
        host,
        port,
        url: `${match[1] === "https" ? "wss" : "ws"}://${urlHost}:${port}/`,
        output: () => output,
        pid: child.pid,
        stop,
      });
    });
  });
}
