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
  | "rss_after_reset"
  | "deflate_json"
  | "deflate_idle_rss"
  | "deflate_storm"
  | FanoutWorkloadId;

/**
 * Topic workloads: broadcast servers, a different pair per runtime
 * (FANOUT_REFERENCES in run.ts). The `_net` ones (Node only) measure against
 * a bare node:net loop instead of ws.
 */
export type FanoutWorkloadId =
  | "fanout64"
  | "fanout1k"
  | "chat16"
  | "fanout64_net"
  | "fanout1k_net"
  | "chat16_net"
  | "deflate_fanout";

/** How a workload is run and judged. */
export interface Workload {
  id: WorkloadId;
  label: string;
  /** Throughput workloads: echo parameters for the generator. */
  echo?: { connections: number; inflight: number; size: number; type: "text" | "binary" };
  /**
   * Topic workloads: every connection subscribed, the first `publishers`
   * publishing (see loadgen.c `fanout`); the figure is deliveries per second.
   */
  fanout?: {
    connections: number;
    publishers: number;
    inflight: number;
    size: number;
    type: "text" | "binary";
    /**
     * permessage-deflate negotiated (loadgen `deflate-fanout`): the publisher
     * sends compressed 2 KiB JSON, every delivery must arrive compressed.
     */
    deflate?: boolean;
  };
  /** Runtimes the workload is measured on (default: all). */
  runtimes?: readonly RuntimeId[];
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
  /** permessage-deflate workloads: arguments both servers get. */
  serverArgs?: string[];
  /** Compressed JSON echo (loadgen deflate-echo). */
  deflateEcho?: { connections: number; inflight: number };
  /** Idle connections after this many compressed messages went each way. */
  deflateIdleMessages?: number;
  /** ws#1202's storm: connections compressing at once for `seconds`, RSS then and 30 s later. */
  storm?: { connections: number; seconds: number };
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
    runtimes: ["deno_engine"],
    lowerIsBetter: true,
    unit: "KiB",
  },
  {
    id: "deflate_json",
    label: "deflate JSON 1-4 KiB",
    deflateEcho: { connections: 50, inflight: 1 },
    serverArgs: ["--deflate"],
    runtimes: ["node", "bun"],
    lowerIsBetter: false,
    unit: "msg/s",
  },
  {
    id: "deflate_idle_rss",
    label: "RSS / idle deflate conn",
    deflateIdleMessages: 4,
    serverArgs: ["--deflate"],
    runtimes: ["node", "bun"],
    lowerIsBetter: true,
    unit: "KiB/conn",
  },
  {
    id: "deflate_storm",
    label: "RSS after 2,000 compressing 30 s",
    storm: { connections: 2000, seconds: 30 },
    serverArgs: ["--deflate"],
    runtimes: ["node"],
    lowerIsBetter: true,
    unit: "KiB",
  },
  ...fanoutWorkloads(""),
  ...fanoutWorkloads("_net"),
  {
    id: "deflate_fanout",
    label: "deflate fan-out 1→1000, 2 KiB JSON",
    fanout: {
      connections: 1000,
      publishers: 1,
      inflight: 32,
      size: 2048,
      type: "text",
      deflate: true,
    },
    serverArgs: ["--deflate"],
    runtimes: ["node", "bun"],
    lowerIsBetter: false,
    unit: "deliveries/s",
  },
];

function fanoutWorkloads(suffix: "" | "_net"): Workload[] {
  const versus = suffix === "_net" ? " vs node:net loop" : "";
  const runtimes: readonly RuntimeId[] | undefined = suffix === "_net" ? ["node"] : undefined;
  const shape = (size: number) => ({ connections: 1000, publishers: 1, inflight: 32, size });
  return [
    {
      id: `fanout64${suffix}` as FanoutWorkloadId,
      label: `fan-out 1→1000, 64 B${versus}`,
      fanout: { ...shape(64), type: "text" },
      runtimes,
      lowerIsBetter: false,
      unit: "deliveries/s",
    },
    {
      id: `fanout1k${suffix}` as FanoutWorkloadId,
      label: `fan-out 1→1000, 1 KiB${versus}`,
      fanout: { ...shape(1024), type: "text" },
      runtimes,
      lowerIsBetter: false,
      unit: "deliveries/s",
    },
    {
      id: `chat16${suffix}` as FanoutWorkloadId,
      label: `chat, 16 publishing into one room${versus}`,
      fanout: { connections: 16, publishers: 16, inflight: 16, size: 64, type: "text" },
      runtimes,
      lowerIsBetter: false,
      unit: "deliveries/s",
    },
  ];
}

// Issue #12: Node >= 3x ws's loop and >= 0.8x a bare net loop; Bun >= 0.95x
// native publish; Deno >= 2x a loop over Deno's sockets.
const FANOUT_TARGETS = (x: number, net: number): Record<FanoutWorkloadId, number> => ({
  fanout64: x,
  fanout1k: x,
  chat16: x,
  fanout64_net: net,
  fanout1k_net: net,
  chat16_net: net,
  deflate_fanout: NaN,
});

/** The ratio (ours / reference) each runtime must reach per workload. */
export const TARGETS: Readonly<Record<RuntimeId, Readonly<Partial<Record<WorkloadId, number>>>>> = {
  node: {
    ...{ text64: 2.0, binary16k: 1.0, binary1m: 1.0, handshake: 1.5, handshake_abrupt: 1.5 },
    ...{ idle_rss: 0.7, deflate_json: 2.0, deflate_idle_rss: 0.5, deflate_storm: 1.0 },
    ...FANOUT_TARGETS(3, 0.8),
    // Issue #16: one compressed frame shared by every subscriber, >= 5x ws's loop.
    deflate_fanout: 5,
  },
  bun: {
    ...{ text64: 0.95, binary16k: 0.95, binary1m: 0.95, handshake: 0.95, handshake_abrupt: 0.9 },
    // Issue #16: compressed echo >= 0.9x and idle compressed connections <= 4x
    // Bun's default permessage-deflate (shared compressor and decompressor).
    ...{ idle_rss: 1.1, deflate_json: 0.9, deflate_idle_rss: 4, deflate_storm: 1.0 },
    ...FANOUT_TARGETS(0.95, NaN),
    deflate_fanout: 0.9,
  },
  // Deno's own server cannot compress: no deflate rows.
  deno: {
    ...{ text64: 0.95, binary16k: 0.95, binary1m: 0.95, handshake: 0.95, handshake_abrupt: 0.9 },
    ...{ idle_rss: 1.1 },
    ...FANOUT_TARGETS(2, NaN),
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
