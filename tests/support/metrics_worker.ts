/**
 * The metrics suite's handler on a plain Cloudflare Worker (no topics):
 * one ServerMetrics for the isolate, GET /metrics.
 *
 * @module
 */

import { createWorkerFetch } from "../../src/adapters/cloudflare.ts";
import { ServerMetrics } from "../../mod.ts";
import { METRICS_SUITE_OPTIONS, metricsFetch, metricsHandler } from "./metrics_handler.ts";

const metrics = new ServerMetrics();

export default {
  fetch: createWorkerFetch(metricsHandler, {
    ...METRICS_SUITE_OPTIONS,
    metrics,
    fetch: (request: Request) => metricsFetch(metrics, request),
  }),
};
