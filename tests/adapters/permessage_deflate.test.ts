/**
 * permessage-deflate on every engine server (our engine on each runtime under
 * test, Bun's native one) and Deno's native refusal; workerd has its own file.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { REPO_ROOT, runtimesUnderTest, startExample } from "../support/example_server.ts";
import { CAPABILITIES } from "../support/capabilities.ts";
import { deflateSuite } from "./permessage_deflate_suite.ts";

for (const runtime of runtimesUnderTest()) {
  deflateSuite({
    name: `${runtime} (omnisocket engine)`,
    start: () =>
      startExample({
        runtime,
        file: "examples/echo.ts",
        args: ["--engine", "omnisocket", "--deflate"],
      }),
    boundsInflatedSize: true,
    strictDeflateFraming: true,
  });
  if (runtime === "bun") {
    deflateSuite({
      name: "bun (native)",
      start: () => startExample({ runtime: "bun", file: "examples/echo.ts", args: ["--deflate"] }),
      boundsInflatedSize: true,
      strictDeflateFraming: CAPABILITIES.bun.strictDeflateFraming,
    });
  }
}

if (runtimesUnderTest().includes("deno")) {
  test("deno (native) refuses perMessageDeflate at start-up with UNSUPPORTED_ON_RUNTIME", {
    timeout: 30_000,
  }, () => {
    assert.equal(CAPABILITIES.deno.perMessageDeflate, false);
    const run = spawnSync(`${REPO_ROOT}node_modules/.bin/deno`, [
      "run",
      "-A",
      "examples/echo.ts",
      "--deflate",
      "--port",
      "0",
    ], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      timeout: 25_000,
    });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /UNSUPPORTED_ON_RUNTIME|engine: "omnisocket"/);
  });
}
