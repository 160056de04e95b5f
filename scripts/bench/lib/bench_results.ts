/**
 * The shape of docs/bench/results.json.
 *
 * @module
 */

import type { RuntimeId, WorkloadId } from "./targets.ts";

/** One server measured on one workload. */
export interface Measurement {
  /** The headline figure: msg/s, handshakes/s or KiB per idle connection. */
  value: number;
  /** Throughput workloads: payload megabytes (10^6) per second echoed. */
  mbPerSecond?: number;
  /** Server CPU over the timed window in cores (1.0 = the whole pinned core). */
  serverCores?: number;
  /** Generator CPU over the same window in cores. */
  loadgenCores?: number;
  /** CPU used by every other process on the machine over the window: noise. */
  otherCores?: number;
  /** Every round's value, when the run had several. */
  rounds: number[];
  /** Idle workload: server RSS before and after, KiB. */
  rssBeforeKiB?: number;
  rssAfterKiB?: number;
  error?: string;
}

/** One row: reference against ours on one runtime and workload. */
export interface ResultRow {
  runtime: RuntimeId;
  workload: WorkloadId;
  workloadLabel: string;
  unit: string;
  lowerIsBetter: boolean;
  reference: Measurement;
  ours: Measurement;
  /** ours / reference. */
  ratio: number;
  target: number;
  met: boolean;
}

/** The whole file. */
export interface BenchResults {
  date: string;
  /** The commit measured; dirty when src/ or examples/ had uncommitted changes. */
  source: { commit: string; dirty: boolean };
  machine: { cpu: string; cores: number; kernel: string };
  settings: {
    seconds: number;
    warmupSeconds: number;
    rounds: number;
    idleConnections: number;
    serverCore: number | undefined;
    loadgenCore: number | undefined;
  };
  servers: Record<RuntimeId, { reference: string; ours: string; runtime: string }>;
  rows: ResultRow[];
  warnings: string[];
}
