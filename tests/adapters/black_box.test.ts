// The black-box adapter suite on Node, Deno and Bun (servers started from
// tests/support/contract_server.ts), plus what only a process of our own can
// show: the heartbeat and graceful shutdown on SIGTERM.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
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

    // Our raw-socket session owns the request head (Node; Deno and Bun with
    // the omnisocket engine); the natives' HTTP servers have their own limits.
    test("answers 408 and closes when a request head trickles in past handshakeTimeout", async () => {
      const server = await startExample({
        runtime,
        file: "tests/support/contract_server.ts",
        args: ["--engine", "omnisocket", "--handshake-timeout", "500"],
      });
      try {
        const socket = connect(server.port, "127.0.0.1");
        let response = "";
        socket.on("data", (chunk) => (response += chunk.toString("latin1")));
        const ended = new Promise((resolve) => socket.on("close", resolve));
        const head = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n";
        const started = Date.now();
        // One byte every 100 ms: the head would take seconds to complete.
        for (let i = 0; i < head.length && !socket.destroyed && response === ""; i++) {
          socket.write(head[i]);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await ended;
        assert.match(response, /^HTTP\/1\.1 408 /);
        assert.ok(
          Date.now() - started < 3_000,
          "cut off near the timeout, not at the end of the head",
        );
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
