/**
 * The metrics suite's handler in a Durable Object (one instance, "default",
 * bound as METRICS): each object counts in its own ServerMetrics
 * (`context.metrics`), served at GET /metrics by the object itself.
 *
 * @module
 */

import {
  createDurableObject,
  createDurableObjectFetch,
  type DurableObjectContext,
  type DurableObjectNamespace,
} from "../../src/adapters/cloudflare_durable_object.ts";
import type { Handler } from "../../src/api/handler.ts";
import { ServerMetrics } from "../../mod.ts";
import { METRICS_SUITE_OPTIONS, metricsFetch, metricsHandler } from "./metrics_handler.ts";
import { useTopicServer } from "./topics_handler.ts";

function handler({ publish, subscriberCount }: DurableObjectContext): Handler {
  useTopicServer({ publish, subscriberCount });
  return metricsHandler;
}

/** The object: its metrics at GET /metrics. */
export const MetricsObject = createDurableObject(handler, {
  ...METRICS_SUITE_OPTIONS,
  metrics: new ServerMetrics(),
  fetch: (request, context) => metricsFetch(context.metrics, request),
});

const upgrades = createDurableObjectFetch({ binding: "METRICS" });

export default {
  fetch(request: Request, env: { METRICS: DurableObjectNamespace }, ctx: unknown) {
    if (new URL(request.url).pathname === "/metrics") {
      const namespace = env.METRICS;
      return namespace.get(namespace.idFromName("default")).fetch(request);
    }
    return upgrades(request, env, ctx);
  },
};
