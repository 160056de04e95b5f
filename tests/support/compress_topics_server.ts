/**
 * Serves the publish-compression test's handler on this runtime's adapter:
 * --port N --engine native|omnisocket. permessage-deflate on (defaults: the
 * threshold is 1 KiB); every connection subscribes to "t" on open and is told
 * `ready`; a text message {"data":D,"compress"?:B} is published to "t"
 * (sender included) with `{ compress: B }`. Prints `listening on
 * http://HOST:PORT`; SIGTERM shuts down.
 *
 * @module
 */

import { exit, onShutdownSignal, serverAddressArgs } from "../../examples/support/runtime.ts";
import { serveOnThisRuntime } from "../../examples/support/serve_on_this_runtime.ts";
import type { Handler } from "../../mod.ts";

const handler: Handler = {
  async open(peer) {
    await peer.subscribe("t");
    peer.send("ready", { compress: false });
  },
  async message(peer, message) {
    const command = JSON.parse(message.text()) as { data: string; compress?: boolean };
    await peer.publish("t", command.data, { self: true, compress: command.compress });
  },
};

const server = await serveOnThisRuntime(handler, {
  ...serverAddressArgs(),
  perMessageDeflate: true,
  shutdownTimeout: 2_000,
});
console.log(`listening on ${server.url}`);
onShutdownSignal(async () => {
  await server.close();
  exit(0);
});
