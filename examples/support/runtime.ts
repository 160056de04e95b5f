/**
 * The two things every example needs from its runtime: command-line
 * arguments and a shutdown signal. Examples may touch runtime globals; the
 * library in src/ does not.
 *
 * @module
 */

// deno-lint-ignore no-explicit-any
const runtime = globalThis as any;

/** Where an example server listens, from `--host H --port N` (defaults 127.0.0.1:8080). */
export interface ServerAddressArgs {
  hostname: string;
  port: number;
  /** `--engine native|omnisocket`: the protocol engine on Deno and Bun (default native). */
  engine: "native" | "omnisocket";
}

/** The arguments after the script name, on Deno, Bun and Node alike. */
export function commandLineArgs(): string[] {
  return runtime.Deno ? runtime.Deno.args : runtime.process.argv.slice(2);
}

/**
 * Reads `--host` and `--port` (also `--port=N`). Exits with a usage message on
 * a bad value rather than listening somewhere unexpected.
 */
export function serverAddressArgs(args: string[] = commandLineArgs()): ServerAddressArgs {
  const options = new Map<string, string>();
  // Flags other examples define (e.g. --heartbeat) are read by them, not here. A flag followed
  // by another flag has no value (a switch such as --metrics).
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split("=", 2);
    const value = inline ?? (args[i + 1]?.startsWith("--") ? "" : args[++i] ?? "");
    options.set(flag, value);
  }
  const hostname = options.get("--host") ?? "127.0.0.1";
  const port = Number(options.get("--port") ?? "8080");
  const engine = options.get("--engine") ?? "native";
  if (
    !Number.isInteger(port) || port < 0 || port > 65535 || hostname === "" ||
    (engine !== "native" && engine !== "omnisocket")
  ) {
    console.error("usage: <example> [--host HOST] [--port PORT] [--engine native|omnisocket]");
    exit(2);
  }
  return { hostname, port, engine };
}

/** Calls `handler` once on SIGINT or SIGTERM. */
export function onShutdownSignal(handler: () => void): void {
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    handler();
  };
  for (const signal of ["SIGINT", "SIGTERM"]) {
    if (runtime.Deno) runtime.Deno.addSignalListener(signal, once);
    else runtime.process.on(signal, once);
  }
}

/** Ends the process with `code`. */
export function exit(code: number): never {
  if (runtime.Deno) runtime.Deno.exit(code);
  runtime.process.exit(code);
  throw new Error("unreachable");
}
