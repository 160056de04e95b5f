/**
 * The metrics-overhead benchmark's server (scripts/bench/run.ts
 * --metrics-overhead): the echo handler of examples/echo.ts (`--mode echo`)
 * or the broadcast of omnisocket_broadcast.ts (`--mode broadcast`), with a
 * `ServerMetrics` counting when `--metrics` is given and without otherwise:
 * the same file on both sides, so the difference is the counting alone.
 *
 *   node scripts/bench/servers/omnisocket_metrics.ts --port 9000 --mode echo [--metrics]
 *     [--engine native|omnisocket]
 *
 * Prints `listening on http://127.0.0.1:PORT`; exits on SIGTERM or SIGINT.
 *
 * @module
 */

import type { Handler } from "../../../src/api/handler.ts";
import { ServerMetrics } from "../../../src/api/metrics/server_metrics.ts";
import { echoHandler } from "../../../examples/echo_handler.ts";
import {
  commandLineArgs,
  exit,
  onShutdownSignal,
  serverAddressArgs,
} from "../../../examples/support/runtime.ts";
import { serveOnThisRuntime } from "../../../examples/support/serve_on_this_runtime.ts";

const TOPIC = "bench";

const broadcast: Handler = {
  open(peer) {
    void peer.subscribe(TOPIC);
  },
  message(peer, message) {
    void peer.publish(TOPIC, message.data, { self: true });
  },
};

const args = commandLineArgs();
const mode = args[args.indexOf("--mode") + 1];
if (mode !== "echo" && mode !== "broadcast") {
  console.error("usage: omnisocket_metrics --mode echo|broadcast [--metrics]");
  exit(2);
}
const metrics = args.includes("--metrics") ? new ServerMetrics() : undefined;
const server = await serveOnThisRuntime(mode === "echo" ? echoHandler : broadcast, {
  ...serverAddressArgs(args),
  metrics,
});
console.log(`listening on ${server.url}${metrics ? " (metrics on)" : ""}`);
onShutdownSignal(async () => {
  await server.close();
  exit(0);
});
