// The metrics suite on workerd: a plain Worker (no topics), and a Durable
// Object counting in its own ServerMetrics (malformed upgrades are refused by
// the Worker in front of it and never reach the object).

import { startWorker } from "../support/workerd.ts";
import { defineMetricsSuite } from "./metrics_suite.ts";

defineMetricsSuite(
  "workerd (Worker)",
  () => startWorker({ entry: "tests/support/metrics_worker.ts" }),
  { topics: false, malformedReachServer: true, backpressureSeen: false },
);

defineMetricsSuite(
  "workerd (Durable Object)",
  () =>
    startWorker({
      entry: "tests/support/metrics_durable_object.ts",
      durableObjects: [{ className: "MetricsObject", binding: "METRICS" }],
      // Uncompressed, so that the stalled subscriber's queue fills as on the other runtimes.
      compatibilityFlags: ["no_web_socket_compression"],
    }),
  { topics: true, malformedReachServer: false, backpressureSeen: true },
);
