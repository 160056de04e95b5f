/**
 * Serves the metrics suite's handler on this runtime's adapter:
 * --port N --engine native|omnisocket [--deflate] (permessage-deflate on). Prints `listening on http://HOST:PORT`;
 * SIGTERM shuts down.
 *
 * @module
 */

import { ServerMetrics } from "../../mod.ts";
import {
  commandLineArgs,
  exit,
  onShutdownSignal,
  serverAddressArgs,
} from "../../examples/support/runtime.ts";
import { serveOnThisRuntime } from "../../examples/support/serve_on_this_runtime.ts";
import { METRICS_SUITE_OPTIONS, metricsFetch, metricsHandler } from "./metrics_handler.ts";
import { useTopicServer } from "./topics_handler.ts";

const metrics = new ServerMetrics();
const server = await serveOnThisRuntime(metricsHandler, {
  ...serverAddressArgs(),
  ...METRICS_SUITE_OPTIONS,
  metrics,
  perMessageDeflate: commandLineArgs().includes("--deflate"),
  fetch: (request) => metricsFetch(metrics, request),
});
useTopicServer(server);
console.log(`listening on ${server.url}`);
onShutdownSignal(async () => {
  await server.close();
  exit(0);
});
