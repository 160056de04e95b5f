/**
 * The benchmark's ratios (ours / reference) as a self-contained SVG bar
 * chart: one group per workload, one bar per runtime, the 1.0 line and each
 * bar's target drawn across it.
 *
 * @module
 */

import type { BenchResults, ResultRow } from "./bench_results.ts";
import { WORKLOADS } from "./targets.ts";
import type { RuntimeId } from "./targets.ts";

const RUNTIMES: readonly RuntimeId[] = ["node", "bun", "deno", "deno_engine"];
const COLOR: Record<RuntimeId, string> = {
  node: "#3c873a",
  bun: "#c97b3a",
  deno: "#3a6fc9",
  deno_engine: "#7a5ac9",
};
const LABEL: Record<RuntimeId, string> = {
  node: "Node vs ws",
  bun: "Bun vs native",
  deno: "Deno vs native",
  deno_engine: "Deno engine (see table)",
};

const WIDTH = 860;
const HEIGHT = 420;
const LEFT = 60;
const RIGHT = 20;
const TOP = 70;
const BOTTOM = 70;
const BAR = 34;
const BAR_GAP = 12;

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

/** Renders the chart; rows missing from `results` leave gaps. */
export function renderSvg(results: BenchResults): string {
  const ratios = results.rows.map((r) => r.ratio).filter(Number.isFinite);
  const targets = results.rows.map((r) => r.target);
  const top = Math.max(2.5, ...ratios.map((r) => r * 1.12), ...targets.map((t) => t * 1.1));
  const yMax = Math.ceil(top * 2) / 2;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const y = (value: number) => TOP + plotHeight - (Math.min(value, yMax) / yMax) * plotHeight;
  const groupWidth = plotWidth / WORKLOADS.length;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" ` +
      `viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, -apple-system, sans-serif" ` +
      `font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="24" font-size="16" font-weight="600">omnisocket / reference server ` +
      `(higher is better; RSS: lower is better)</text>`,
    `<text x="${LEFT}" y="44" fill="#555">${
      escapeXml(
        `${results.date.slice(0, 10)} · ${results.machine.cpu} · server and generator pinned ` +
          `to one core each · black tick = target`,
      )
    }</text>`,
  );
  // Grid and y axis.
  for (let v = 0; v <= yMax + 1e-9; v += 0.5) {
    const gy = y(v).toFixed(1);
    out.push(
      `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${gy}" y2="${gy}" stroke="#e4e4e4"/>`,
      `<text x="${LEFT - 8}" y="${gy}" dy="4" text-anchor="end" fill="#555">${
        v.toFixed(1)
      }×</text>`,
    );
  }
  const one = y(1).toFixed(1);
  out.push(
    `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${one}" y2="${one}" stroke="#222" ` +
      `stroke-dasharray="5 4"/>`,
  );
  WORKLOADS.forEach((workload, g) => {
    const rows = RUNTIMES.map((rt) =>
      results.rows.find((r) => r.runtime === rt && r.workload === workload.id)
    ).filter((r): r is ResultRow => r !== undefined);
    const groupX = LEFT + g * groupWidth;
    const barsWidth = rows.length * BAR + Math.max(0, rows.length - 1) * BAR_GAP;
    let x = groupX + (groupWidth - barsWidth) / 2;
    for (const row of rows) {
      const value = Number.isFinite(row.ratio) ? row.ratio : 0;
      const barTop = y(value);
      const base = y(0);
      out.push(
        `<rect x="${x.toFixed(1)}" y="${barTop.toFixed(1)}" width="${BAR}" ` +
          `height="${(base - barTop).toFixed(1)}" fill="${COLOR[row.runtime]}" ` +
          `opacity="${row.met ? 1 : 0.55}"><title>${
            escapeXml(
              `${LABEL[row.runtime]}, ${row.workloadLabel}: ${row.ratio.toFixed(2)}× ` +
                `(target ${row.lowerIsBetter ? "≤" : "≥"} ${row.target}×)`,
            )
          }</title></rect>`,
      );
      const ty = y(row.target).toFixed(1);
      out.push(
        `<line x1="${(x - 2).toFixed(1)}" x2="${(x + BAR + 2).toFixed(1)}" y1="${ty}" y2="${ty}" ` +
          `stroke="#000" stroke-width="3"/>`,
      );
      const labelY = Math.min(barTop, y(row.target)) - 6;
      out.push(
        `<text x="${(x + BAR / 2).toFixed(1)}" y="${labelY.toFixed(1)}" text-anchor="middle" ` +
          `font-size="11" fill="${row.met ? "#1a7f37" : "#cf222e"}">` +
          `${Number.isFinite(row.ratio) ? row.ratio.toFixed(2) : "n/a"}${
            row.met ? " ✓" : " ✗"
          }</text>`,
      );
      x += BAR + BAR_GAP;
    }
    out.push(
      `<text x="${(groupX + groupWidth / 2).toFixed(1)}" y="${HEIGHT - BOTTOM + 18}" ` +
        `text-anchor="middle" font-weight="600">${escapeXml(workload.label)}</text>`,
    );
  });
  // Legend.
  let lx = LEFT;
  for (const rt of RUNTIMES) {
    if (!results.rows.some((r) => r.runtime === rt)) continue;
    out.push(
      `<rect x="${lx}" y="${HEIGHT - 30}" width="14" height="14" fill="${COLOR[rt]}"/>`,
      `<text x="${lx + 20}" y="${HEIGHT - 19}">${LABEL[rt]}</text>`,
    );
    lx += 125;
  }
  out.push(
    `<line x1="${lx}" x2="${lx + 24}" y1="${HEIGHT - 23}" y2="${HEIGHT - 23}" stroke="#000" ` +
      `stroke-width="3"/>`,
    `<text x="${lx + 30}" y="${HEIGHT - 19}">target</text>`,
    `<line x1="${lx + 100}" x2="${lx + 124}" y1="${HEIGHT - 23}" y2="${HEIGHT - 23}" ` +
      `stroke="#222" stroke-dasharray="5 4"/>`,
    `<text x="${lx + 130}" y="${HEIGHT - 19}">parity (1.0×)</text>`,
    `<text x="${lx + 225}" y="${HEIGHT - 19}" fill="#555">faded = missed</text>`,
    `</svg>`,
  );
  return out.join("\n") + "\n";
}
