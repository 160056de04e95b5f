/**
 * Runs every conformance case against any WebSocket echo server and prints one line per case
 * and a summary.
 *
 *   node tests/conformance/run_against.ts --url ws://127.0.0.1:PORT [--filter 6.6] [--delivery byte] [--deflate]
 *
 * @module
 */

import process from "node:process";
import { caseRuns, CASES, DEFLATE_CASES, runCase } from "./cases.ts";

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const url = option("--url");
if (!url) {
  console.error("usage: run_against.ts --url ws://HOST:PORT/ [--filter ID_PREFIX] [--delivery D]");
  process.exit(2);
}
const filter = option("--filter");
const delivery = option("--delivery");

let passed = 0;
let failed = 0;
// --deflate adds the permessage-deflate cases (12.x, 13.x) for a server that compresses.
const cases = process.argv.includes("--deflate") ? [...CASES, ...DEFLATE_CASES] : CASES;
for (const run of caseRuns(cases)) {
  if (filter && !run.testCase.id.startsWith(filter)) continue;
  if (delivery && run.delivery !== delivery) continue;
  const started = Date.now();
  try {
    await runCase(url, run);
    passed++;
    console.log(`pass ${run.name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${run.name}: ${(error as Error).message}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
