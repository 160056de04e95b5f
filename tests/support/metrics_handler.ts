/**
 * The handler behind the metrics suite (tests/adapters/metrics_suite.ts):
 * the topic suite's commands, plus {"cmd":"close","code":C} (the server
 * closes the peer with C). Every server of the suite serves GET /metrics
 * (Prometheus text of its ServerMetrics) and allows one origin only.
 *
 * @module
 */

import {
  type Handler,
  PROMETHEUS_CONTENT_TYPE,
  prometheusText,
  type ServerMetrics,
  type ServerOptions,
} from "../../mod.ts";
import { TOPICS_SUITE_OPTIONS, topicsHandler } from "./topics_handler.ts";

/** The one origin the suite's servers accept. */
export const METRICS_SUITE_ORIGIN = "http://allowed.test";

/** The options every server of the suite uses (with its own `metrics`). */
export const METRICS_SUITE_OPTIONS: ServerOptions = {
  topics: TOPICS_SUITE_OPTIONS,
  allowedOrigins: [METRICS_SUITE_ORIGIN],
  backpressureLimit: 256 * 1024,
  maxBufferedAmount: 1024 * 1024,
  shutdownTimeout: 2_000,
};

/** The suite's handler. */
export const metricsHandler: Handler = {
  message(peer, message) {
    if (typeof message.data === "string" && message.data.startsWith('{"cmd":"close"')) {
      const { code } = message.json<{ code: number }>();
      peer.close(code, "asked to");
      return;
    }
    return topicsHandler.message!(peer, message);
  },
};

/** GET /metrics of `metrics`; 404 otherwise. */
export function metricsFetch(metrics: ServerMetrics | undefined, request: Request): Response {
  if (metrics === undefined || new URL(request.url).pathname !== "/metrics") {
    return new Response("Not Found\n", { status: 404 });
  }
  return new Response(prometheusText(metrics.snapshot()), {
    headers: { "Content-Type": PROMETHEUS_CONTENT_TYPE },
  });
}
