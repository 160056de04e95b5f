/**
 * Serves the topic suite's handler on this runtime's adapter:
 * --port N --engine native|omnisocket. Prints `listening on http://HOST:PORT`;
 * SIGTERM shuts down. maxBufferedAmount is 1 MiB so that a subscriber that
 * stops reading is closed soon.
 *
 * @module
 */

import { exit, onShutdownSignal, serverAddressArgs } from "../../examples/support/runtime.ts";
import { serveOnThisRuntime } from "../../examples/support/serve_on_this_runtime.ts";
import { TOPICS_SUITE_OPTIONS, topicsHandler, useTopicServer } from "./topics_handler.ts";

const server = await serveOnThisRuntime(topicsHandler, {
  ...serverAddressArgs(),
  topics: TOPICS_SUITE_OPTIONS,
  backpressureLimit: 256 * 1024,
  maxBufferedAmount: 1024 * 1024,
  shutdownTimeout: 2_000,
});
useTopicServer(server);
console.log(`listening on ${server.url}`);
onShutdownSignal(async () => {
  await server.close();
  exit(0);
});
