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

const UPGRADE = "GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" +
  "Connection: Upgrade\r\n";
const VERSION_8 = UPGRADE + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
  "Sec-WebSocket-Version: 8\r\n\r\n";
const MALFORMED_KEY = UPGRADE + "Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n";
const PLAIN_GET = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/** Writes `request` and half-closes at once (FIN); resolves with all that came back before close. */
function halfClosedExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(request));
    let response = "";
    socket.on("data", (chunk) => (response += chunk.toString("latin1")));
    socket.on("close", () => resolve(response));
    socket.on("error", reject);
    socket.setTimeout(5_000, () => {
      socket.destroy();
      resolve(response);
    });
  });
}

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

    // A client may write its request and shut down its sending side at once
    // (FIN): legal HTTP. The answer is still written, then the connection closed.
    for (const engine of runtime === "node" ? ["omnisocket"] : ["native", "omnisocket"]) {
      const requests: [string, string, number][] = [
        ["an upgrade of version 8", VERSION_8, 426],
        ["an upgrade with a malformed key", MALFORMED_KEY, 400],
        ["a plain GET", PLAIN_GET, 200],
      ];
      for (const [what, request, status] of requests) {
        test(`answers ${what} with ${status} when the client half-closes after its request (${engine} engine)`, async () => {
          const server = await startExample({
            runtime,
            file: "tests/support/contract_server.ts",
            args: ["--engine", engine, "--fetch"],
          });
          try {
            const response = await halfClosedExchange(server.port, request);
            assert.match(response, new RegExp(`^HTTP/1\\.1 ${status} `), JSON.stringify(response));
          } finally {
            await server.stop();
          }
        });
      }
    }

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
