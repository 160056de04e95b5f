/**
 * Runs a worker on the real workerd runtime, locally and offline: bundles the
 * entry with esbuild, writes a Cap'n Proto config next to the bundle, starts
 * the `workerd` binary from the `workerd` npm package and waits until it
 * accepts connections. No wrangler or miniflare: nothing phones home.
 *
 * @module
 */

import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { bundleWorker } from "../../scripts/bundle_worker.ts";

/** What to run. */
export interface StartWorkerOptions {
  /** Worker entry relative to the repository root, e.g. `examples/echo_worker.ts`. */
  entry: string;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /**
   * The worker's compatibility date. Default 2026-11-01: a current one, so the
   * tests meet today's defaults (binary messages as Blobs, auto-reply to close).
   */
  compatibilityDate?: string;
  /** Compatibility flags on top of the date's defaults. Default none. */
  compatibilityFlags?: string[];
  /**
   * Durable Object classes the entry exports, each bound in `env` under
   * `binding`.
   */
  durableObjects?: { className: string; binding: string }[];
  /**
   * Where their storage lives: `"memory"` (default; this workerd drops an
   * object's stored data when the object is evicted) or `"disk"` (SQLite
   * files in the worker's temporary directory: survives eviction).
   */
  durableObjectStorage?: "memory" | "disk";
  /** Where workerd's own stdout/stderr (the worker's `console` output) go. Default: collected. */
  stdio?: "pipe" | "inherit";
  /** How long to wait for the listening socket, in ms. Default 20 000. */
  startTimeoutMs?: number;
}

/** A running worker. */
export interface RunningWorker {
  /** The port workerd listens on. */
  port: number;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Everything workerd wrote so far (empty with `stdio: "inherit"`). */
  output(): string;
  /** Stops workerd (SIGTERM, SIGKILL after 1 s) and removes the bundle. */
  stop(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
// workerd drains open connections on SIGTERM and a WebSocket can stay open
// forever: a test server has nothing worth waiting for.
const STOP_GRACE_MS = 1_000;
const CONTROL_FD = 3;

/**
 * Bundles `entry` and serves it with workerd on 127.0.0.1.
 *
 * @example
 * ```ts ignore
 * const worker = await startWorker({ entry: "examples/echo_worker.ts" });
 * try {
 *   console.log(await (await fetch(worker.url)).text());
 * } finally {
 *   await worker.stop();
 * }
 * ```
 */
export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const dir = await mkdtemp(join(tmpdir(), "omnisocket-workerd-"));
  try {
    await bundleWorker(options.entry, join(dir, "worker.js"));
    if (options.durableObjectStorage === "disk") await mkdir(join(dir, "do-storage"));
    await writeFile(
      join(dir, "config.capnp"),
      workerdConfig(
        options.port ?? 0,
        options.compatibilityDate ?? "2026-11-01",
        options.compatibilityFlags ?? [],
        options.durableObjects ?? [],
        options.durableObjectStorage ?? "memory",
      ),
    );
    return await launch(dir, options);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The path of the workerd binary that the `workerd` npm package installed for this platform. */
export function workerdBinary(): string {
  const require = createRequire(join(REPO_ROOT, "package.json"));
  return (require("workerd") as { default: string }).default;
}

function workerdConfig(
  port: number,
  compatibilityDate: string,
  flags: string[],
  durableObjects: { className: string; binding: string }[],
  storage: "memory" | "disk",
): string {
  const disk = storage === "disk";
  const objects = durableObjects.length === 0 ? "" : `
  durableObjectNamespaces = [${
    durableObjects.map(({ className }) =>
      `(className = ${JSON.stringify(className)}, uniqueKey = ${
        JSON.stringify(`omnisocket-test-${className}`)
      })`
    ).join(", ")
  }],
  durableObjectStorage = (${disk ? 'localDisk = "do-disk"' : "inMemory = void"}),
  bindings = [${
    durableObjects.map(({ className, binding }) =>
      `(name = ${JSON.stringify(binding)}, durableObjectNamespace = ${JSON.stringify(className)})`
    ).join(", ")
  }],`;
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)${
    disk ? ', (name = "do-disk", disk = (path = "do-storage", writable = true))' : ""
  }],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "${compatibilityDate}",
  compatibilityFlags = [${flags.map((flag) => JSON.stringify(flag)).join(", ")}],${objects}
);
`;
}

function launch(dir: string, options: StartWorkerOptions): Promise<RunningWorker> {
  const inherit = options.stdio === "inherit";
  // workerd reports the port it bound (useful with port 0) on the control descriptor.
  const child = spawn(
    workerdBinary(),
    ["serve", "config.capnp", `--control-fd=${CONTROL_FD}`],
    {
      cwd: dir,
      stdio: ["ignore", inherit ? "inherit" : "pipe", inherit ? "inherit" : "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (text: string) => output += text);
  child.stderr?.setEncoding("utf8").on("data", (text: string) => output += text);
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.removeListener("exit", killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() =>
        reject(new Error(`Cannot start workerd for ${options.entry}: ${why}\n${output}`))
      );
    };
    const timeoutMs = options.startTimeoutMs ?? 20_000;
    const timer = setTimeout(() => fail(`not listening after ${timeoutMs} ms`), timeoutMs);
    child.once("error", (error) => fail(`cannot run workerd: ${error.message}`));
    child.once("exit", (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
    let control = "";
    const controlStream = child.stdio[CONTROL_FD] as Readable;
    controlStream.setEncoding("utf8");
    controlStream.on("data", (text: string) => {
      control += text;
      let newline;
      while ((newline = control.indexOf("\n")) !== -1) {
        const line = control.slice(0, newline);
        control = control.slice(newline + 1);
        const message = JSON.parse(line) as { event?: string; socket?: string; port?: number };
        if (message.event !== "listen" || message.socket !== "http" || !message.port) continue;
        const port = message.port;
        waitForConnection(port).then(() => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ port, url: `http://127.0.0.1:${port}`, output: () => output, stop });
        }, (error: Error) => fail(error.message));
      }
    });
  });
}

// The listen message comes once the socket is bound; one TCP connect proves it accepts.
function waitForConnection(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.destroy();
      resolve();
    });
    socket.once(
      "error",
      (error) => reject(new Error(`port ${port} refuses connections: ${error.message}`)),
    );
  });
}
