/**
 * Prometheus' text exposition format (version 0.0.4) of a metrics snapshot.
 *
 * @module
 */

import type { MetricsSnapshot } from "./metrics_snapshot.ts";

/**
 * The `Content-Type` of {@linkcode prometheusText}'s output.
 *
 * @example
 * ```ts
 * import { PROMETHEUS_CONTENT_TYPE } from "@omnisocket/core";
 *
 * console.log(PROMETHEUS_CONTENT_TYPE); // "text/plain; version=0.0.4; charset=utf-8"
 * ```
 */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * Writes a snapshot in Prometheus' text format: `# HELP` and `# TYPE` for
 * every metric, one line per sample, histograms as `_bucket{le}`, `_sum`
 * and `_count`. Label values are escaped; a metric without samples still
 * gets its `# HELP` and `# TYPE`.
 *
 * @example A /metrics endpoint
 * ```ts
 * import { PROMETHEUS_CONTENT_TYPE, prometheusText, ServerMetrics } from "@omnisocket/core";
 *
 * const metrics = new ServerMetrics();
 * const body = prometheusText(metrics.snapshot());
 * const response = new Response(body, { headers: { "Content-Type": PROMETHEUS_CONTENT_TYPE } });
 * console.log(body.includes("omnisocket_connections 0")); // true
 * console.log(response.status); // 200
 * ```
 */
export function prometheusText(snapshot: MetricsSnapshot): string {
  let out = "";
  for (const family of snapshot.families) {
    out += `# HELP ${family.name} ${
      escapeHelp(family.help)
    }\n# TYPE ${family.name} ${family.type}\n`;
    if (family.type === "histogram") {
      for (const sample of family.samples) {
        for (const bucket of sample.buckets) {
          const le = bucket.le === Infinity ? "+Inf" : String(bucket.le);
          out += `${family.name}_bucket${labelText({ ...sample.labels, le })} ${bucket.count}\n`;
        }
        const labels = labelText(sample.labels);
        out += `${family.name}_sum${labels} ${number(sample.sum)}\n`;
        out += `${family.name}_count${labels} ${sample.count}\n`;
      }
    } else {
      for (const sample of family.samples) {
        out += `${family.name}${labelText(sample.labels)} ${number(sample.value)}\n`;
      }
    }
  }
  return out;
}

function labelText(labels: Readonly<Record<string, string>>): string {
  let text = "";
  for (const name in labels) {
    text += `${text === "" ? "" : ","}${name}="${escapeLabel(labels[name])}"`;
  }
  return text === "" ? "" : `{${text}}`;
}

function number(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function escapeHelp(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

function escapeLabel(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}
