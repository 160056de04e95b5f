/**
 * RFC 6455 conformance of examples/echo.ts on every runtime under test: each case × delivery
 * runs over a fresh raw TCP connection. OMNISOCKET_RUNTIMES picks runtimes (default all three).
 *
 * @module
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  REPO_ROOT,
  type RunningExample,
  runtimesUnderTest,
  startExample,
} from "../support/example_server.ts";
import { caseRuns, DEFLATE_CASES, runCase } from "./cases.ts";

const EXAMPLE = "examples/echo.ts";
// How a run fails when the server answers without permessage-deflate.
const DECLINED = /extension|permessage-deflate|negotiat/i;

if (!existsSync(join(REPO_ROOT, EXAMPLE))) {
  test("conformance suite finds examples/echo.ts", () => {
    throw new Error(`${EXAMPLE} does not exist: the conformance suite has no server to test`);
  });
} else {
  for (const runtime of runtimesUnderTest()) {
    // The omnisocket engine on every runtime (Node has no other). Deno's and
    // Bun's native servers deviate from RFC 6455 in ways no adapter can mend
    // from outside; the README's capability table lists them.
    describe(`${runtime} ${EXAMPLE} conformance (omnisocket engine)`, () => {
      let server: RunningExample | undefined;
      before(async () => {
        server = await startExample({ runtime, file: EXAMPLE, args: ["--engine", "omnisocket"] });
      }, { timeout: 30_000 });
      after(async () => {
        await server?.stop();
      }, { timeout: 10_000 });
      for (const run of caseRuns()) {
        // Each case bounds itself; the runner's own timeout (5 s on Bun) must not cut it first.
        const timeout = 2 * run.testCase.timeoutMs + 2_000;
        test(`${runtime} ${run.name}`, { timeout }, async () => {
          if (!server) throw new Error(`${EXAMPLE} did not start on ${runtime}`);
          await runCase(server.url, run);
        });
      }
    });

    // permessage-deflate (Autobahn 12.x and 13.x) on the same engine, started with --deflate.
    describe(`${runtime} ${EXAMPLE} --deflate conformance (omnisocket engine)`, () => {
      let server: RunningExample | undefined;
      before(async () => {
        server = await startExample({
          runtime,
          file: EXAMPLE,
          args: ["--engine", "omnisocket", "--deflate"],
        });
      }, { timeout: 30_000 });
      after(async () => {
        await server?.stop();
      }, { timeout: 10_000 });
      for (const run of caseRuns(DEFLATE_CASES)) {
        const timeout = 2 * run.testCase.timeoutMs + 2_000;
        test(`${runtime} ${run.name}`, { timeout }, async () => {
          if (!server) throw new Error(`${EXAMPLE} --deflate did not start on ${runtime}`);
          await runCase(server.url, run);
        });
      }
    });

    // Bun's native server compresses with uWebSockets, our options mapped onto it (README,
    // capability table, footnote 5). With `--deflate` (Bun's shared compressor) it declines every
    // offer of server_max_window_bits=8 (13.3 and 13.5), which RFC 7692 allows: those runs must
    // fail for that reason.
    if (runtime !== "bun") continue;
    describe(`bun ${EXAMPLE} --deflate conformance (Bun's native server)`, () => {
      let server: RunningExample | undefined;
      before(async () => {
        server = await startExample({ runtime, file: EXAMPLE, args: ["--deflate"] });
      }, { timeout: 30_000 });
      after(async () => {
        await server?.stop();
      }, { timeout: 10_000 });
      for (const run of caseRuns(DEFLATE_CASES)) {
        const timeout = 2 * run.testCase.timeoutMs + 2_000;
        const declined = run.testCase.id.startsWith("13.3.") ||
          run.testCase.id.startsWith("13.5.");
        const name = declined ? `${run.name}: offer declined by Bun` : run.name;
        test(`bun native ${name}`, { timeout }, async () => {
          if (!server) throw new Error(`${EXAMPLE} --deflate did not start on Bun`);
          if (!declined) return await runCase(server.url, run);
          await assert.rejects(runCase(server.url, run), DECLINED);
        });
      }
    });
  }
}
