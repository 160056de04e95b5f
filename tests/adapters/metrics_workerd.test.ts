// The metrics suite on workerd: a plain Worker (no topics), and a Durable
// Object counting in its own ServerMetrics (malformed upgrades are refused by
// the Worker in front of it and never reach the object).

import { startWorker } from "../support/workerd.ts";
import { defineMetricsSuite } from "./metrics_suite.ts";

defineMetricsSuite(
  "workerd (Worker)",
  () => startWorker({ entry: "tests/support/metrics_worker.ts" }),
  { topics: false, malformedReachServer: true },
);

defineMetricsSuite(
  "workerd (Durable Object)",
  () =>
    startWorker({
      entry: "tests/support/metrics_durable_object.ts",
      durableObjects: [{ className: "MetricsObject", binding: "METRICS" }],
    }),
  { topics: true, malformedReachServer: false },
);
