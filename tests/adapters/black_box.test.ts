// The black-box adapter suite on Node, Deno and Bun (servers started from
// tests/support/contract_server.ts), plus what only a process of our own can
// show: the heartbeat and graceful shutdown on SIGTERM.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { CAPABILITIES } from "../support/capabilities.ts";
import { runtimesUnderTest, startExample } from "../support/example_server.ts";
import { closed, open } from "../support/ws_client.ts";
import { defineBlackBoxSuite } from "./black_box_suite.ts";

for (const runtime of runtimesUnderTest()) {
  defineBlackBoxSuite(
    runtime,
    () =>
      startExample({
        runtime,
        file: "tests/support/contract_server.ts",
        args: ["--max-message-size", "65536"],
      }),
    CAPABILITIES[runtime],
  );

  describe(`adapter on ${runtime}: heartbeat and shutdown`, () => {
    test("cuts off a peer that stops answering pings", async () => {
      const server = await startExample({
        runtime,
        file: "tests/support/contract_server.ts",
        args: ["--heartbeat", "1000"],
      });
      try {
        const url = `ws://127.0.0.1:${server.port}/`;
        const silent = await open(url, [], { autoPong: false });
        const healthy = await open(url);
        const silentClosed = closed(silent);
        const started = Date.now();
        await silentClosed;
        const elapsed = Date.now() - started;
        assert.ok(elapsed < 20_000, `cut off after ${elapsed} ms`);
        assert.equal(healthy.readyState, WebSocket.OPEN, "a peer that answers stays connected");
        healthy.close();
      } finally {
        await server.stop();
      }
    });

    test("closes every peer with 1001 on SIGTERM and exits cleanly", async () => {
      const server = await startExample({ runtime, file: "tests/support/contract_server.ts" });
      const url = `ws://127.0.0.1:${server.port}/`;
      const sockets = await Promise.all([open(url), open(url), open(url)]);
      const closes = sockets.map(closed);
      const exitCode = await server.stop("SIGTERM");
      for (const close of await Promise.all(closes)) assert.equal(close.code, 1001);
      assert.equal(exitCode, 0);
      assert.match(server.output(), /shut down/);
    });
  });
}
