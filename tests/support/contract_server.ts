/**
 * Serves the contract handler on this runtime's adapter, with options from
 * the command line: --port N --engine native|omnisocket --heartbeat MS
 * --max-message-size BYTES --handshake-timeout MS, and --fetch to answer plain requests (no
 * `Upgrade` header) with a small page.
 * Prints `listening on http://HOST:PORT`; SIGTERM shuts down gracefully.
 *
 * @module
 */

import {
  commandLineArgs,
  exit,
  onShutdownSignal,
  serverAddressArgs,
} from "../../examples/support/runtime.ts";
import { serveOnThisRuntime } from "../../examples/support/serve_on_this_runtime.ts";
import { contractHandler } from "./contract_handler.ts";

const args = commandLineArgs();
const option = (name: string, fallback: number) => {
  const index = args.indexOf(name);
  return index === -1 ? fallback : Number(args[index + 1]);
};

const server = await serveOnThisRuntime(contractHandler, {
  ...serverAddressArgs(args),
  heartbeatInterval: option("--heartbeat", 30_000),
  handshakeTimeout: option("--handshake-timeout", 10_000),
  maxMessageSize: option("--max-message-size", 16 * 1024 * 1024),
  protocols: ["chat", "superchat"],
  backpressureLimit: 64 * 1024,
  shutdownTimeout: 2_000,
  fetch: args.includes("--fetch")
    ? () => new Response("demo page\n", { headers: { "Content-Type": "text/plain" } })
    : undefined,
});
console.log(`listening on ${server.url}`);
onShutdownSignal(async () => {
  await server.close();
  console.log("shut down");
  exit(0);
});
