/**
 * The benchmark's results as a markdown table, for stdout and the README.
 *
 * @module
 */

import type { BenchResults, Measurement, ResultRow } from "./bench_results.ts";

const RUNTIME_LABEL = {
  node: "Node",
  bun: "Bun",
  deno: "Deno",
  deno_engine: 'Deno, engine "omnisocket"',
} as const;

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  if (value >= 100) return Math.round(value).toLocaleString("en-US");
  return value.toFixed(value >= 10 ? 1 : 2);
}

function formatMeasurement(row: ResultRow, m: Measurement): string {
  if (m.error) return "error";
  const mb = m.mbPerSecond !== undefined && row.workload !== "text64"
    ? ` (${formatNumber(m.mbPerSecond)} MB/s)`
    : "";
  return `${formatNumber(m.value)}${mb}`;
}

function formatCores(cores: number | undefined): string {
  if (cores === undefined || Number.isNaN(cores)) return "–";
  return `${Math.round(cores * 100)}%`;
}

/** Renders the rows as one markdown table plus notes. */
export function renderMarkdown(results: BenchResults): string {
  const lines = [
    "| Runtime | Workload | Unit | Reference | Ours | Ours / ref | Target | Met | Server CPU ref / ours | Generator CPU ref / ours |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: | :---: | ---: | ---: |",
  ];
  for (const row of results.rows) {
    const target = `${row.lowerIsBetter ? "≤" : "≥"} ${row.target.toFixed(2)}×`;
    const ratio = Number.isFinite(row.ratio) ? `${row.ratio.toFixed(2)}×` : "n/a";
    lines.push(
      `| ${RUNTIME_LABEL[row.runtime]} | ${row.workloadLabel} | ${row.unit} | ` +
        `${formatMeasurement(row, row.reference)} | ${formatMeasurement(row, row.ours)} | ` +
        `${ratio} | ${target} | ${row.met ? "✅ met" : "❌ missed"} | ` +
        `${formatCores(row.reference.serverCores)} / ${formatCores(row.ours.serverCores)} | ` +
        `${formatCores(row.reference.loadgenCores)} / ${formatCores(row.ours.loadgenCores)} |`,
    );
  }
  lines.push("");
  for (const runtime of Object.keys(results.servers) as (keyof typeof RUNTIME_LABEL)[]) {
    const s = results.servers[runtime];
    lines.push(
      `- ${RUNTIME_LABEL[runtime]} (${s.runtime}): reference ${s.reference}; ours ${s.ours}`,
    );
  }
  const st = results.settings;
  lines.push(
    `- ${results.machine.cpu}, ${results.machine.cores} cores, Linux ${results.machine.kernel}; ` +
      `server on core ${st.serverCore ?? "any"}, generator on core ${st.loadgenCore ?? "any"}; ` +
      `${st.warmupSeconds} s warmup + ${st.seconds} s window per run, ${st.rounds} round(s), ` +
      `median; RSS over ${st.idleConnections.toLocaleString("en-US")} idle connections.`,
  );
  lines.push(
    `- Measured ${results.date.slice(0, 16).replace("T", " ")} UTC at commit ` +
      `${results.source.commit.slice(0, 12)}${
        results.source.dirty ? " (with uncommitted changes)" : ""
      }.`,
  );
  for (const warning of results.warnings) lines.push(`- ⚠️ ${warning}`);
  return lines.join("\n") + "\n";
}
