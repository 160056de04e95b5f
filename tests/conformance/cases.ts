/**
 * Every conformance case, the deliveries each is run with, and the runner that connects a fresh
 * client per case and bounds it by the case's deadline.
 *
 * @module
 */

import type { ConformanceCase } from "./case_kit.ts";
import { closeCases } from "./cases/close.ts";
import { compressionCases } from "./cases/compression.ts";
import { fragmentationCases } from "./cases/fragmentation.ts";
import { framingCases } from "./cases/framing.ts";
import { limitCases } from "./cases/limits.ts";
import { pingCases } from "./cases/pings.ts";
import { opcodeCases, reservedBitCases } from "./cases/reserved.ts";
import { utf8Cases } from "./cases/utf8.ts";
import { type Delivery, RawClient } from "./raw_client.ts";

export type { ConformanceCase } from "./case_kit.ts";
export type { Delivery } from "./raw_client.ts";

/** All cases, in section order. */
export const CASES: ConformanceCase[] = [
  ...framingCases,
  ...pingCases,
  ...reservedBitCases,
  ...opcodeCases,
  ...fragmentationCases,
  ...utf8Cases,
  ...closeCases,
  ...limitCases,
];

/** permessage-deflate cases (Autobahn 12.x and 13.x), for servers started with it on. */
export const DEFLATE_CASES: ConformanceCase[] = compressionCases;

/** All bytes in one write; one write per frame; one byte per write. */
export const DELIVERIES: Delivery[] = ["whole", "frame", "byte"];

/** One case run with one delivery. */
export interface CaseRun {
  testCase: ConformanceCase;
  delivery: Delivery;
  name: string;
}

/** Every case × delivery that applies to it (large cases skip one-byte-per-write). */
export function caseRuns(cases: ConformanceCase[] = CASES): CaseRun[] {
  return cases.flatMap((testCase) =>
    DELIVERIES.filter((delivery) => delivery !== "byte" || testCase.byteDelivery).map((
      delivery,
    ) => ({
      testCase,
      delivery,
      name: `${testCase.id} ${testCase.description} [${delivery}]`,
    }))
  );
}

/** Connects a fresh client to `url` and runs one case; rejects with what went wrong. */
export async function runCase(url: string, run: CaseRun): Promise<void> {
  const { testCase, delivery } = run;
  const client = await RawClient.connect(url, testCase.timeoutMs, testCase.offer);
  client.setDeadline(Date.now() + testCase.timeoutMs);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(client.timeoutError()), testCase.timeoutMs + 250);
  });
  const running = testCase.run(client, delivery);
  // Past the deadline the run may still reject; its error is superseded by the timeout's.
  running.catch(() => {});
  try {
    await Promise.race([running, deadline]);
  } finally {
    clearTimeout(timer);
    client.destroy();
  }
}
