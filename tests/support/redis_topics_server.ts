/**
 * The topic suite's server (tests/support/topics_server.ts) with every publication going through
 * Redis: --port N --engine native|omnisocket --redis URL[,URL...]. Prints `listening on http://HOST:PORT`;
 * SIGTERM shuts down.
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
import { RedisBackplane } from "../../src/backplanes/redis_backplane.ts";
import { TOPICS_SUITE_OPTIONS, topicsHandler, useTopicServer } from "./topics_handler.ts";

const args = commandLineArgs();
const url = args[args.indexOf("--redis") + 1];
const backplane = await RedisBackplane.connect({
  // One URL, or the seed nodes of a Redis Cluster, comma-separated (as examples/chat.ts).
  urls: url.split(","),
  // Each server its own keys: the suite's topic names repeat from one server to the next.
  prefix: `suite${crypto.randomUUID()}:`,
  history: TOPICS_SUITE_OPTIONS.history,
});
const server = await serveOnThisRuntime(topicsHandler, {
  ...serverAddressArgs(
    args.filter((_, i) => i !== args.indexOf("--redis") && i !== args.indexOf("--redis") + 1),
  ),
  topics: { ...TOPICS_SUITE_OPTIONS, backplane },
  backpressureLimit: 256 * 1024,
  maxBufferedAmount: 1024 * 1024,
  shutdownTimeout: 2_000,
  // Through Redis the slow-subscriber case takes longer than in process (every 256 KiB
  // publication makes the round trip): the paused client must still find the 1008 close frame
  // when it reads again, not a connection reset after the default 5 s.
  closeTimeout: 30_000,
});
useTopicServer(server);
console.log(`listening on ${server.url}`);
onShutdownSignal(async () => {
  await server.close();
  await backplane.close();
  exit(0);
});
