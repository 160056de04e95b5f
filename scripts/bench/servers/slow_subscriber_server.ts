/**
 * Server of the slow-subscriber measurement (scripts/bench/slow_subscribers.ts):
 * every connection subscribes to one topic on open; a text message "publisher"
 * unsubscribes its sender, and every other message is published to the topic
 * (the sender skipped). Prints `overflowed N` when a publication closed N
 * subscribers with 1008 (their queue passed maxBufferedAmount).
 *
 *   node scripts/bench/servers/slow_subscriber_server.ts --port 9000 [--max-buffered-amount BYTES]
 *        [--engine native|omnisocket]
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

const TOPIC = "slow";

const handler: Handler = {
  open(peer) {
    void peer.subscribe(TOPIC);
  },
  message(peer, message) {
    if (message.data === "publisher") peer.unsubscribe(TOPIC);
    else {
      void peer.publish(TOPIC, message.data).then((result) => {
        if (result.overflowed > 0) console.log(`overflowed ${result.overflowed}`);
      });
    }
  },
};

const args = commandLineArgs();
const at = args.indexOf("--max-buffered-amount");
const maxBufferedAmount = at >= 0 ? Number(args[at + 1]) : undefined;
const rest = at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args;
const server = await serveOnThisRuntime(handler, {
  ...serverAddressArgs(rest),
  ...(maxBufferedAmount === undefined ? {} : { maxBufferedAmount }),
  heartbeatInterval: 0,
});
console.log(`listening on ${server.url}`);
onShutdownSignal(async () => {
  await server.close();
  exit(0);
});
