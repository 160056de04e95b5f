/**
 * Starts a benchmark server pinned to one core with the fd limit raised, and
 * waits for its `listening on http://HOST:PORT` line (https for a TLS server).
 *
 * @module
 */

import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";

/** A started server: its pid (the runtime itself, not a wrapper) and port. */
export interface ServerProcess {
  pid: number;
  port: number;
  /** Every line the server printed (stdout and stderr), for diagnostics. */
  output: string[];
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** How to start a server: argv, without `--port`. */
export interface ServerCommand {
  argv: string[];
  env?: Record<string, string>;
}

/**
 * Runs `command --host 127.0.0.1 --port 0` under `taskset -c core`. The shell
 * wrapper raises the soft fd limit to the hard one (10 000 idle connections
 * need more than the usual 1024) and then execs, so the pid is the server's.
 */
export function startServer(
  command: ServerCommand,
  cwd: string,
  core: number | undefined,
): Promise<ServerProcess> {
  const pin = core === undefined ? "" : `taskset -c ${core} `;
  const child = spawn(
    "bash",
    [
      "-c",
      `ulimit -n "$(ulimit -Hn)" && exec ${pin}"$@"`,
      "bash",
      ...command.argv,
      "--host",
      "127.0.0.1",
      "--port",
      "0",
    ],
    { cwd, env: { ...process.env, ...command.env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`Cannot start server: no "listening on" line in 30 s\n${output.join("\n")}`),
      );
    }, 30_000);
    let found = false;
    const onLine = (line: string) => {
      output.push(line);
      const match = /listening on https?:\/\/[^\s]+:(\d+)/.exec(line);
      if (match && !found) {
        found = true;
        clearTimeout(timer);
        resolve({
          pid: child.pid!,
          port: Number(match[1]),
          output,
          stop: (graceMs = 5000) => stopChild(child, graceMs),
        });
      }
    };
    readLines(child, onLine);
    child.on("exit", (code, signal) => {
      if (found) return;
      clearTimeout(timer);
      reject(
        new Error(`Cannot start server: exited (${code ?? signal})\n${output.join("\n")}`),
      );
    });
  });
}

function readLines(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let pending = "";
    stream!.setEncoding("utf8");
    stream!.on("data", (chunk: string) => {
      pending += chunk;
      let newline;
      while ((newline = pending.indexOf("\n")) >= 0) {
        onLine(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
      }
    });
  }
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
