/**
 * The workloads of the end-to-end benchmark and the targets
 * ("Faster than ws on Node, within 5% of native on Bun and Deno").
 *
 * @module
 */

/** A runtime pair: the reference server against ours on the same runtime. */
export type RuntimeId = "node" | "bun" | "deno";

/** One workload of the benchmark. */
export type WorkloadId =
  | "text64"
  | "binary16k"
  | "binary1m"
  | "handshake"
  | "idle_rss"
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
  | "chat16_net";

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
  };
  /** Runtimes the workload is measured on (default: all). */
  runtimes?: readonly RuntimeId[];
  /** The handshake workload: concurrent connections. */
  handshakeConcurrency?: number;
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
  { id: "idle_rss", label: "RSS / idle conn", lowerIsBetter: true, unit: "KiB/conn" },
  ...fanoutWorkloads(""),
  ...fanoutWorkloads("_net"),
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
});

/** The ratio (ours / reference) each runtime must reach per workload. */
export const TARGETS: Readonly<Record<RuntimeId, Readonly<Record<WorkloadId, number>>>> = {
  node: {
    text64: 2.0,
    binary16k: 1.0,
    binary1m: 1.0,
    handshake: 1.5,
    idle_rss: 0.7,
    ...FANOUT_TARGETS(3, 0.8),
  },
  bun: {
    text64: 0.95,
    binary16k: 0.95,
    binary1m: 0.95,
    handshake: 0.95,
    idle_rss: 1.1,
    ...FANOUT_TARGETS(0.95, NaN),
  },
  deno: {
    text64: 0.95,
    binary16k: 0.95,
    binary1m: 0.95,
    handshake: 0.95,
    idle_rss: 1.1,
    ...FANOUT_TARGETS(2, NaN),
  },
};

/** Whether `ratio` meets `target` for a workload (at most, when lower is better). */
export function meetsTarget(workload: Workload, ratio: number, target: number): boolean {
  return workload.lowerIsBetter ? ratio <= target : ratio >= target;
}
