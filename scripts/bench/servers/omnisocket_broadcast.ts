/**
 * Our side of the fan-out and chat benchmarks: every connection subscribes to
 * one topic on open, and every message it sends is published to that topic,
 * the sender included (`{ self: true }`), through omnisocket's topic registry.
 * Served by the adapter of whichever runtime runs it (`--engine omnisocket`
 * for our engine on Deno and Bun).
 *
 *   node scripts/bench/servers/omnisocket_broadcast.ts --port 9000 [--engine native|omnisocket]
 *        [--deflate]
 *
 * `--deflate`: permessage-deflate without server context takeover, so that
 * each publication is compressed once for every subscriber (the threshold,
 * 1 KiB, decides what is compressed).
 *
 * Prints `listening on http://127.0.0.1:PORT`; exits on SIGTERM or SIGINT.
 *
 * @module
 */

import type { Handler } from "../../../src/api/handler.ts";
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
const deflate = args.includes("--deflate");
const server = await serveOnThisRuntime(broadcast, {
  ...serverAddressArgs(args.filter((arg) => arg !== "--deflate")),
  ...(deflate ? { perMessageDeflate: { serverNoContextTakeover: true } } : {}),
});
console.log(`listening on ${server.url}`);
onShutdownSignal(async () => {
  await server.close();
  exit(0);
});
