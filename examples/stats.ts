/**
 * The live picture behind `examples/chat.ts --metrics`: once a second a
 * sample of the server's metrics (connections, messages/s in and out,
 * deliveries/s, backplane lag, closes by code) is kept (the last 5 minutes)
 * and pushed to every page open at GET /stats, over a WebSocket of its own
 * (path `/stats`): `{"type":"history","samples":[...]}` when it connects,
 * then `{"type":"sample","sample":{...}}` each second.
 *
 * @module
 */

import type { Handler, Peer, ServerMetrics } from "../mod.ts";
import { statsPageHtml } from "./stats_page.ts";

/** One second of the picture. */
export interface StatsSample {
  /** When it was taken, ms since the epoch. */
  t: number;
  /** Open connections (the stats pages' own included). */
  connections: number;
  /** Data messages received per second. */
  inPerSecond: number;
  /** Data messages sent per second. */
  outPerSecond: number;
  /** Deliveries to subscribers per second. */
  deliveriesPerSecond: number;
  /** Mean backplane lag of the publications from other processes in this second, ms (null: none). */
  lagMs: number | null;
  /** Closes in this second, by code. */
  closes: Record<string, number>;
}

const STATS = Symbol("stats page");
const HISTORY = 300; // samples: 5 minutes at one a second

interface Totals {
  time: number;
  received: number;
  sent: number;
  deliveries: number;
  lagSum: number;
  lagCount: number;
  closes: Map<string, number>;
}

function totalsOf(metrics: ServerMetrics): Totals {
  const totals: Totals = {
    time: 0,
    received: 0,
    sent: 0,
    deliveries: 0,
    lagSum: 0,
    lagCount: 0,
    closes: new Map(),
  };
  const snapshot = metrics.snapshot();
  totals.time = snapshot.time;
  for (const family of snapshot.families) {
    if (family.type === "histogram") {
      if (family.name === "omnisocket_backplane_lag_seconds") {
        totals.lagSum = family.samples[0].sum;
        totals.lagCount = family.samples[0].count;
      }
      continue;
    }
    const value = family.samples[0]?.value ?? 0;
    if (family.name === "omnisocket_messages_received_total") totals.received = value;
    else if (family.name === "omnisocket_messages_sent_total") totals.sent = value;
    else if (family.name === "omnisocket_deliveries_total") totals.deliveries = value;
    else if (family.name === "omnisocket_closes_total") {
      for (const sample of family.samples) totals.closes.set(sample.labels.code, sample.value);
    }
  }
  return totals;
}

/**
 * Wraps `handler` so that upgrades on `/stats` become live stats pages;
 * everything else goes to `handler`. `plainFetch(request)` answers GET /stats
 * with the page (or returns undefined). Stop with `stop()`.
 */
export function withStats<Data>(
  handler: Handler<Data>,
  metrics: ServerMetrics,
  intervalMs = 1_000,
): {
  handler: Handler<Data>;
  plainFetch: (request: Request) => Response | undefined;
  stop: () => void;
} {
  const pages = new Set<Peer<Data>>();
  const samples: StatsSample[] = [];
  let last = totalsOf(metrics);
  const timer = setInterval(() => {
    const now = totalsOf(metrics);
    const seconds = Math.max(0.001, (now.time - last.time) / 1000);
    const closes: Record<string, number> = {};
    for (const [code, count] of now.closes) {
      const change = count - (last.closes.get(code) ?? 0);
      if (change > 0) closes[code] = change;
    }
    const lagCount = now.lagCount - last.lagCount;
    const sample: StatsSample = {
      t: now.time,
      connections: metrics.value("omnisocket_connections"),
      inPerSecond: (now.received - last.received) / seconds,
      outPerSecond: (now.sent - last.sent) / seconds,
      deliveriesPerSecond: (now.deliveries - last.deliveries) / seconds,
      lagMs: lagCount > 0 ? ((now.lagSum - last.lagSum) / lagCount) * 1000 : null,
      closes,
    };
    last = now;
    samples.push(sample);
    if (samples.length > HISTORY) samples.shift();
    const text = JSON.stringify({ type: "sample", sample });
    for (const page of pages) page.send(text);
  }, intervalMs);
  const isPage = (peer: Peer<Data>) => (peer.data as unknown) === STATS;
  const wrapped: Handler<Data> = {
    ...handler,
    upgrade(request, info) {
      if (new URL(request.url).pathname === "/stats") return { data: STATS as Data };
      return handler.upgrade ? handler.upgrade(request, info) : { data: undefined as Data };
    },
    open(peer) {
      if (!isPage(peer)) return handler.open?.(peer);
      pages.add(peer);
      peer.send(JSON.stringify({ type: "history", samples }));
    },
    message(peer, message) {
      if (!isPage(peer)) return handler.message?.(peer, message);
    },
    close(peer, details) {
      if (!isPage(peer)) return handler.close?.(peer, details);
      pages.delete(peer);
    },
  };
  return {
    handler: wrapped,
    plainFetch(request) {
      if (new URL(request.url).pathname !== "/stats") return undefined;
      return new Response(statsPageHtml, {
        headers: { "Content-Type": "text/html; charset=utf-8" },
      });
    },
    stop: () => clearInterval(timer),
  };
}
