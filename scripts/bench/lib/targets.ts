/**
 * The workloads of the end-to-end benchmark and the targets
 * ("Faster than ws on Node, within 5% of native on Bun and Deno").
 *
 * @module
 */

/** A runtime pair: the reference server against ours on the same runtime. */
export type RuntimeId = "node" | "bun" | "deno" | "deno_engine";

/** One workload of the benchmark. */
export type WorkloadId =
  | "text64"
  | "binary16k"
  | "binary1m"
  | "handshake"
  | "handshake_abrupt"
  | "idle_rss"
  | "rss_after_reset";

/** How a workload is run and judged. */
export interface Workload {
  id: WorkloadId;
  label: string;
  /** Throughput workloads: echo parameters for the generator. */
  echo?: { connections: number; inflight: number; size: number; type: "text" | "binary" };
  /** The handshake workload: concurrent connections. */
  handshakeConcurrency?: number;
  /** Handshake clients reset the TCP connection right after their close frame (no FIN). */
  abruptClose?: boolean;
  /**
   * RSS after `connections` idle connections were opened and reset, `settleSeconds`
   * later; the reference side is the same server measured before any connection.
   */
  afterReset?: { connections: number; settleSeconds: number };
  /** True when a lower figure is better (memory). */
  lowerIsBetter: boolean;
  unit: string;
}

/** Every workload, in report order. */
export const WORKLOADS: readonly Workload[] = [
  {
    id: "text64",
    label: "64 B text",
    echo: { connections: 50, inflight: 4, size: 64, type: "text" },
    lowerIsBetter: false,
    unit: "msg/s",
  },
  {
    id: "binary16k",
    label: "16 KiB binary",
    echo: { connections: 50, inflight: 2, size: 16 * 1024, type: "binary" },
    lowerIsBetter: false,
    unit: "msg/s",
  },
  {
    id: "binary1m",
    label: "1 MiB binary",
    echo: { connections: 50, inflight: 1, size: 1024 * 1024, type: "binary" },
    lowerIsBetter: false,
    unit: "msg/s",
  },
  {
    id: "handshake",
    label: "Handshakes",
    handshakeConcurrency: 50,
    lowerIsBetter: false,
    unit: "handshakes/s",
  },
  {
    id: "handshake_abrupt",
    label: "Handshakes, abrupt close",
    handshakeConcurrency: 50,
    abruptClose: true,
    lowerIsBetter: false,
    unit: "handshakes/s",
  },
  { id: "idle_rss", label: "RSS / idle conn", lowerIsBetter: true, unit: "KiB/conn" },
  {
    id: "rss_after_reset",
    label: "RSS 10 s after 2,000 resets",
    afterReset: { connections: 2000, settleSeconds: 10 },
    lowerIsBetter: true,
    unit: "KiB",
  },
];

/** The ratio (ours / reference) each runtime must reach per workload. */
export const TARGETS: Readonly<Record<RuntimeId, Readonly<Partial<Record<WorkloadId, number>>>>> = {
  node: {
    text64: 2.0,
    binary16k: 1.0,
    binary1m: 1.0,
    handshake: 1.5,
    handshake_abrupt: 1.5,
    idle_rss: 0.7,
  },
  bun: {
    text64: 0.95,
    binary16k: 0.95,
    binary1m: 0.95,
    handshake: 0.95,
    handshake_abrupt: 0.9,
    idle_rss: 1.1,
  },
  deno: {
    text64: 0.95,
    binary16k: 0.95,
    binary1m: 0.95,
    handshake: 0.95,
    handshake_abrupt: 0.9,
    idle_rss: 1.1,
  },
  // Deno with `engine: "omnisocket"`: handshakes against native Deno; idle RSS
  // against our Node adapter (the same engine where the runtime costs least);
  // RSS after resets against the same server before any connection.
  deno_engine: { handshake: 0.8, handshake_abrupt: 0.8, idle_rss: 1.5, rss_after_reset: 1.2 },
};

/** Whether `ratio` meets `target` for a workload (at most, when lower is better). */
export function meetsTarget(workload: Workload, ratio: number, target: number): boolean {
  return workload.lowerIsBetter ? ratio <= target : ratio >= target;
}
