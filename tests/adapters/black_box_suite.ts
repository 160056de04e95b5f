// The black-box adapter suite: one handler (tests/support/contract_handler.ts)
// served by a real adapter, driven over real sockets by the `ws` client and by
// raw TCP for malformed handshakes. Defined once, run against every runtime
// (black_box.test.ts) and workerd (black_box_workerd.test.ts).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import type { Capabilities } from "../support/capabilities.ts";
import { closed, nextMessage, open, rawExchange } from "../support/ws_client.ts";

const VALID_HEAD = [
  "GET /chat HTTP/1.1",
  "Host: 127.0.0.1",
  "Upgrade: websocket",
  "Connection: Upgrade",
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
  "Sec-WebSocket-Version: 13",
];

export async function ask<T>(socket: WebSocket, command: object): Promise<T> {
  const reply = nextMessage(socket);
  socket.send(JSON.stringify(command));
  return JSON.parse((await reply).data.toString()) as T;
}

/**
 * Has the contract server send `count` messages of `size` bytes to a client
 * that stops reading for `pauseMs`, then reads on until the server reports
 * `drained()` resolved; returns the server's flood report.
 */
async function floodWhileNotReading(
  url: string,
  count: number,
  size: number,
  pauseMs: number,
): Promise<{ flooded: number; refused: number }> {
  const socket = await open(url);
  const raw = (socket as unknown as { _socket: import("node:net").Socket })._socket;
  const texts: string[] = [];
  let resolveDrained: () => void;
  const drained = new Promise<void>((resolve) => (resolveDrained = resolve));
  socket.on("message", (data: Buffer, isBinary: boolean) => {
    if (isBinary) return;
    texts.push(data.toString());
    if (data.toString() === "drained") resolveDrained();
  });
  raw.pause();
  socket.send(JSON.stringify({ cmd: "flood", count, size }));
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
  raw.resume();
  await drained;
  socket.close();
  return JSON.parse(texts[0]);
}

function rejectionStatus(
  url: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk));
      response.on(
        "end",
        () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      );
    });
    socket.on("open", () => reject(new Error("the upgrade was accepted")));
    socket.on("error", () => {/* reported through unexpected-response */});
  });
}

/** A running contract server: the handler with maxMessageSize 65536. */
export interface ContractServer {
  port: number;
  stop(): Promise<unknown>;
}

/** Defines the suite for one target (a runtime, or workerd). */
export function defineBlackBoxSuite(
  target: string,
  start: () => Promise<ContractServer>,
  capabilities: Capabilities,
): void {
  const runtime = target;
  describe(`adapter on ${runtime}`, () => {
    let server: ContractServer;
    let url: string;
    before(async () => {
      server = await start();
      url = `ws://127.0.0.1:${server.port}/chat`;
    });
    after(() => server.stop());

    test("echoes text as text and binary as binary", async () => {
      const socket = await open(url);
      const text = nextMessage(socket);
      socket.send("héllo");
      assert.deepEqual(await text, { data: Buffer.from("héllo"), isBinary: false });
      const binary = nextMessage(socket);
      socket.send(new Uint8Array([0, 1, 2, 255]));
      assert.deepEqual(await binary, { data: Buffer.from([0, 1, 2, 255]), isBinary: true });
      socket.close();
    });

    test("echoes a burst of empty text and binary messages and stays open", async () => {
      const socket = await open(url);
      const received: { length: number; isBinary: boolean }[] = [];
      const all = new Promise<void>((resolve) => {
        socket.on("message", (data: Buffer, isBinary: boolean) => {
          received.push({ length: data.length, isBinary });
          if (received.length === 20) resolve();
        });
      });
      const ended = closed(socket);
      for (let i = 0; i < 10; i++) {
        socket.send("");
        socket.send(new Uint8Array(0));
      }
      const outcome = await Promise.race([all.then(() => "echoed"), ended.then((c) => c)]);
      assert.equal(outcome, "echoed", `closed instead: ${JSON.stringify(outcome)}`);
      for (const [index, message] of received.entries()) {
        assert.deepEqual(message, { length: 0, isBinary: index % 2 === 1 });
      }
      assert.equal(socket.readyState, WebSocket.OPEN);
      socket.close();
    });

    const rejections: [string, (lines: string[]) => string[], number][] = [
      [
        "a malformed Sec-WebSocket-Key",
        (l) => l.map((x) => x.startsWith("Sec-WebSocket-Key") ? "Sec-WebSocket-Key: short" : x),
        400,
      ],
      [
        "Sec-WebSocket-Version 8",
        (l) => l.map((x) => x.startsWith("Sec-WebSocket-Version") ? "Sec-WebSocket-Version: 8" : x),
        426,
      ],
      ["a POST", (l) => [l[0].replace("GET", "POST"), ...l.slice(1)], 405],
      ["no Connection: Upgrade", (l) => l.filter((x) => !x.startsWith("Connection")), 400],
      ["no Sec-WebSocket-Key", (l) => l.filter((x) => !x.startsWith("Sec-WebSocket-Key")), 400],
    ];
    for (const [what, mutate, status] of rejections) {
      test(`rejects ${what} with ${status}`, async () => {
        const response = await rawExchange(server.port, mutate(VALID_HEAD));
        assert.equal(response.status, status, response.head);
        if (status === 426) assert.match(response.head, /\r\nsec-websocket-version: 13(\r\n|$)/i);
        if (status === 405) assert.match(response.head, /\r\nallow: GET(\r\n|$)/i);
      });
    }

    test(`answers an unsupported Sec-WebSocket-Version with 426, ${capabilities.upgradeOn426 ? "Upgrade: websocket" : "(Upgrade dropped by the runtime)"} and version 13`, async () => {
      const response = await rawExchange(
        server.port,
        VALID_HEAD.map((line) =>
          line.startsWith("Sec-WebSocket-Version") ? "Sec-WebSocket-Version: 7" : line
        ),
      );
      assert.equal(response.status, 426, response.head);
      // RFC 9110 §15.5.22: a 426 names the protocol to upgrade to. Every adapter
      // sets it; where the runtime drops it on the way out, the gap is asserted
      // too, so a runtime that starts sending it shows up here.
      if (capabilities.upgradeOn426) {
        assert.match(response.head, /\r\nupgrade: websocket(\r\n|$)/i);
      } else {
        assert.doesNotMatch(response.head, /\r\nupgrade:/i);
      }
      assert.match(response.head, /\r\nsec-websocket-version: 13(\r\n|$)/i);
    });

    test(`${capabilities.rejectsHttp10 ? "rejects" : "cannot see the version of"} an HTTP/1.0 upgrade`, async () => {
      const response = await rawExchange(server.port, [
        VALID_HEAD[0].replace("1.1", "1.0"),
        ...VALID_HEAD.slice(1),
      ]);
      // Where the runtime hides the HTTP version from the Request, the upgrade
      // goes through: a documented gap (README capability table), not a choice.
      assert.equal(response.status, capabilities.rejectsHttp10 ? 400 : 101, response.head);
    });

    test("lets the upgrade hook reject with a status", async () => {
      const { status } = await rejectionStatus(`${url}?status=401`);
      assert.equal(status, 401);
    });

    test("lets the upgrade hook reject with its own Response", async () => {
      const { status, headers, body } = await rejectionStatus(`${url}?teapot`);
      assert.equal(status, 418);
      assert.equal(headers["x-custom"], "teapot");
      assert.equal(body, "short and stout\n");
    });

    test("chooses the subprotocol by server preference and adds the hook's headers", async () => {
      const socket = new WebSocket(url, ["superchat", "chat"]);
      const upgrade = new Promise<Record<string, unknown>>((resolve) =>
        socket.once("upgrade", (response) => resolve(response.headers))
      );
      await new Promise((resolve) => socket.once("open", resolve));
      assert.equal(socket.protocol, "chat");
      assert.equal((await upgrade)["x-contract"], "yes");
      socket.close();
    });

    test("lets the upgrade hook choose an offered subprotocol", async () => {
      const socket = await open(`${url}?protocol=superchat`, ["chat", "superchat"]);
      assert.equal(socket.protocol, "superchat");
      const me = await ask<{ protocol: string }>(socket, { cmd: "whoami" });
      assert.equal(me.protocol, "superchat");
      socket.close();
    });

    test("gives every hook the same peer with the upgrade's data and request", async () => {
      const socket = await open(`${url}?user=alice`);
      const me = await ask<{ user: string; samePeer: boolean; url: string; id: string }>(socket, {
        cmd: "whoami",
      });
      assert.equal(me.user, "alice");
      assert.equal(me.samePeer, true);
      assert.match(me.url, /\/chat\?user=alice$/);
      assert.ok(me.id.length > 0);
      socket.close();
    });

    test("delivers the client's close code and reason to the close hook", async () => {
      const socket = await open(url);
      const done = closed(socket);
      socket.close(4001, "client bye");
      assert.deepEqual(await done, { code: 4001, reason: "client bye" });
      const probe = await open(url);
      const recorded = await ask<{ code: number; reason: string; wasClean: boolean }[]>(probe, {
        cmd: "closes",
      });
      assert.ok(
        recorded.some((c) => c.code === 4001 && c.reason === "client bye" && c.wasClean),
        JSON.stringify(recorded),
      );
      probe.close();
    });

    test("sends the server's close code and reason to the client", async () => {
      const socket = await open(url);
      const done = closed(socket);
      socket.send(JSON.stringify({ cmd: "close", code: 4002, reason: "server bye" }));
      assert.deepEqual(await done, { code: 4002, reason: "server bye" });
    });

    test("accepts a message of exactly maxMessageSize and closes 1009 on one byte more", async () => {
      const socket = await open(url);
      const echoed = nextMessage(socket);
      socket.send(new Uint8Array(65536));
      assert.equal((await echoed).data.length, 65536);
      const done = closed(socket);
      socket.send(new Uint8Array(65537));
      assert.equal((await done).code, 1009);
    });

    test("resolves drained() for a queue below the backpressure limit", async () => {
      // 48 KiB sent while the client does not read: under the contract server's 64 KiB limit.
      const report = await floodWhileNotReading(url, 12, 4096, 300);
      assert.deepEqual(report, { flooded: 12, refused: 0 });
    });

    test("reports backpressure on a peer that stops reading, then drains", async () => {
      const report = await floodWhileNotReading(url, 256, 64 * 1024, 500);
      assert.equal(report.flooded, 256);
      assert.ok(
        report.refused > 0,
        "send() returned false at least once past the backpressure limit",
      );
    });

    test("serves 1,000 concurrent connections", async () => {
      const sockets = await Promise.all(Array.from({ length: 1000 }, () => open(url)));
      const replies = await Promise.all(sockets.map((socket, index) => {
        const reply = nextMessage(socket);
        socket.send(`n${index}`);
        return reply;
      }));
      assert.deepEqual(
        replies.map((r) => r.data.toString()),
        sockets.map((_, index) => `n${index}`),
      );
      await Promise.all(sockets.map((socket) => {
        const done = closed(socket);
        socket.close();
        return done;
      }));
    });
  });
}
