// The cloudflare adapter on the real workerd runtime (bundled with esbuild,
// served by the `workerd` binary from node_modules, offline): the echo
// example, then a probe worker that records what its hooks saw. Malformed
// handshakes go over raw TCP, since a WebSocket client cannot send them.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import WebSocket from "ws";
import { demoPageHtml } from "../../examples/demo_page.ts";
import { type RunningWorker, startWorker } from "../support/workerd.ts";
import { open, rawExchange } from "../support/ws_client.ts";
import {
  closePayload,
  encodeFrame,
  FrameParser,
  OP,
  type ServerFrame,
} from "../conformance/frame_codec.ts";

const CRLF = "\r\n";
const SAMPLE_KEY = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";
const UPGRADE_FIELDS = ["Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade"];

function refusedStatus(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once("unexpected-response", (request, response) => {
      resolve(response.statusCode ?? 0);
      request.destroy();
    });
    socket.on("error", () => {});
    socket.once("open", () => reject(new Error("the upgrade was accepted")));
  });
}

function nextMessage(socket: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve, reject) => {
    socket.once("message", (data: Buffer, isBinary: boolean) => resolve({ data, isBinary }));
    socket.once("close", (code) => reject(new Error(`closed with ${code} before a message`)));
  });
}

function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    socket.once(
      "close",
      (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() }),
    )
  );
}

/**
 * A client over raw TCP, for close frames a WebSocket client refuses to send:
 * it writes exact frames and reads the server's frames strictly (a control
 * frame over 125 bytes throws).
 */
class RawPeer {
  readonly #socket: Socket;
  readonly #parser = new FrameParser();
  readonly #frames: ServerFrame[] = [];
  #wake: (() => void) | undefined;
  #ended = false;

  constructor(socket: Socket, rest: Buffer) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => this.#push(chunk));
    socket.on("close", () => {
      this.#ended = true;
      this.#wake?.();
    });
    this.#push(rest);
  }

  static connect(port: number, lines: string[]): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => socket.write(lines.join(CRLF) + CRLF + CRLF));
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf(CRLF + CRLF);
        if (end === -1) return;
        socket.off("data", onData);
        const status = head.subarray(0, end).toString("latin1").split(CRLF)[0];
        if (!status.startsWith("HTTP/1.1 101 ")) return reject(new Error(status));
        resolve(new RawPeer(socket, head.subarray(end + 4)));
      };
      socket.on("data", onData);
      socket.once("error", reject);
    });
  }

  send(frame: Uint8Array): void {
    this.#socket.write(frame);
  }

  /** The next frame, or undefined once the server closed TCP with nothing more. */
  async next(): Promise<ServerFrame | undefined> {
    const deadline = Date.now() + 5_000;
    while (this.#frames.length === 0 && !this.#ended) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("no frame and no TCP close within 5 s");
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, left);
      });
    }
    return this.#frames.shift();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #push(chunk: Uint8Array): void {
    this.#parser.push(chunk);
    for (let frame = this.#parser.next(); frame; frame = this.#parser.next()) {
      this.#frames.push(frame);
    }
    this.#wake?.();
  }
}

/** A close frame's code (undefined for an empty payload) and reason. */
function closeOf(frame: ServerFrame | undefined): { code?: number; reason: string } {
  assert.equal(frame?.opcode, OP.close, `expected a close frame, got ${JSON.stringify(frame)}`);
  const payload = frame?.payload ?? new Uint8Array(0);
  if (payload.length === 0) return { reason: "" };
  return {
    code: (payload[0] << 8) | payload[1],
    reason: new TextDecoder().decode(payload.subarray(2)),
  };
}

function upgradeLines(path: string, extra: string[] = []): string[] {
  return [
    `GET ${path} HTTP/1.1`,
    ...UPGRADE_FIELDS,
    SAMPLE_KEY,
    "Sec-WebSocket-Version: 13",
    ...extra,
  ];
}

describe("echo worker on workerd", () => {
  let worker: RunningWorker;
  let url: string;
  before(async () => {
    worker = await startWorker({ entry: "examples/echo_worker.ts" });
    url = `ws://127.0.0.1:${worker.port}/`;
  });
  after(() => worker?.stop());

  test("echo worker sends text back as text when a text message arrives", async () => {
    const socket = await open(url);
    socket.send("héllo, workerd");
    const { data, isBinary } = await nextMessage(socket);
    assert.equal(isBinary, false);
    assert.equal(data.toString("utf8"), "héllo, workerd");
    socket.close();
  });

  test("echo worker sends bytes back as binary when a binary message arrives", async () => {
    const socket = await open(url);
    socket.send(Uint8Array.of(0, 1, 2, 0xfe, 0xff));
    const { data, isBinary } = await nextMessage(socket);
    assert.equal(isBinary, true);
    assert.deepEqual([...data], [0, 1, 2, 0xfe, 0xff]);
    socket.close();
  });

  test("echo worker echoes 1 MiB byte for byte when the message is that large", async () => {
    const socket = await open(url, [], { perMessageDeflate: false });
    const payload = new Uint8Array(1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + 7) & 0xff;
    socket.send(payload);
    const { data, isBinary } = await nextMessage(socket);
    assert.equal(isBinary, true);
    assert.equal(data.length, payload.length);
    assert.ok(data.equals(payload));
    socket.close();
  });

  test("echo worker answers with the client's close code and reason when the client closes", async () => {
    const socket = await open(url);
    const done = closed(socket);
    socket.close(4001, "bye now");
    assert.deepEqual(await done, { code: 4001, reason: "bye now" });
  });

  test("echo worker answers with an empty close frame when the client closes without a code", async () => {
    const socket = await open(url);
    const done = closed(socket);
    socket.close();
    assert.deepEqual(await done, { code: 1005, reason: "" });
  });

  test("echo worker serves the demo page when GET / has no Upgrade header", async () => {
    const response = await fetch(`${worker.url}/`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(await response.text(), demoPageHtml);
  });

  test("echo worker answers 404 when a plain request asks for another path", async () => {
    const response = await fetch(`${worker.url}/nothing-here`);
    assert.equal(response.status, 404);
    await response.body?.cancel();
  });

  test("echo worker answers 101 with the RFC 6455 accept value when the handshake is valid", async () => {
    const response = await rawExchange(worker.port, [
      "GET / HTTP/1.1",
      ...UPGRADE_FIELDS,
      SAMPLE_KEY,
      "Sec-WebSocket-Version: 13",
    ]);
    assert.equal(response.status, 101);
    assert.match(response.head, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=(\r\n|$)/i);
  });

  // workerd alone answers 101 to this request (with an accept value for "bad").
  test("echo worker answers 400 INVALID_KEY when Sec-WebSocket-Key is not base64 of 16 bytes", async () => {
    const response = await rawExchange(worker.port, [
      "GET / HTTP/1.1",
      ...UPGRADE_FIELDS,
      "Sec-WebSocket-Key: bad",
      "Sec-WebSocket-Version: 13",
    ]);
    assert.equal(response.status, 400);
    assert.equal(
      response.body,
      "Cannot accept upgrade: Sec-WebSocket-Key must be base64 of 16 bytes",
    );
  });

  // workerd alone answers 101 here too.
  test("echo worker answers 400 when the Connection header does not list upgrade", async () => {
    const response = await rawExchange(worker.port, [
      "GET / HTTP/1.1",
      "Host: 127.0.0.1",
      "Upgrade: websocket",
      SAMPLE_KEY,
      "Sec-WebSocket-Version: 13",
    ]);
    assert.equal(response.status, 400);
    assert.equal(response.body, "Cannot accept upgrade: the Connection header must list upgrade");
  });

  test("echo worker answers 426 with Sec-WebSocket-Version: 13 when the client asks for version 8", async () => {
    const response = await rawExchange(worker.port, [
      "GET / HTTP/1.1",
      ...UPGRADE_FIELDS,
      SAMPLE_KEY,
      "Sec-WebSocket-Version: 8",
    ]);
    assert.equal(response.status, 426);
    assert.match(response.head, /\r\nSec-WebSocket-Version: 13(\r\n|$)/i);
    assert.equal(response.body, "Cannot accept upgrade: Sec-WebSocket-Version must be 13");
  });

  test("echo worker answers 405 with Allow: GET when an upgrade comes as POST", async () => {
    const response = await rawExchange(worker.port, [
      "POST / HTTP/1.1",
      ...UPGRADE_FIELDS,
      SAMPLE_KEY,
      "Sec-WebSocket-Version: 13",
      "Content-Length: 0",
    ]);
    assert.equal(response.status, 405);
    assert.match(response.head, /\r\nAllow: GET(\r\n|$)/i);
  });
  for (const code of [0, 999, 1004, 1006, 1015, 2999, 5000]) {
    test(`echo worker answers 1002 and closes TCP when the client's close code is ${code}`, async () => {
      const peer = await RawPeer.connect(worker.port, upgradeLines("/"));
      peer.send(encodeFrame({ opcode: OP.close, payload: closePayload(code) }));
      assert.deepEqual(closeOf(await peer.next()), { code: 1002, reason: "" });
      assert.equal(await peer.next(), undefined);
    });
  }

  test("echo worker answers 1002 when the client's close frame is 126 bytes long", async () => {
    const peer = await RawPeer.connect(worker.port, upgradeLines("/"));
    peer.send(encodeFrame({ opcode: OP.close, payload: closePayload(1000, "*".repeat(124)) }));
    assert.deepEqual(closeOf(await peer.next()), { code: 1002, reason: "" });
    assert.equal(await peer.next(), undefined);
  });

  test("echo worker echoes the reason when the client's close frame is exactly 125 bytes", async () => {
    const peer = await RawPeer.connect(worker.port, upgradeLines("/"));
    peer.send(encodeFrame({ opcode: OP.close, payload: closePayload(1000, "κ".repeat(61) + "*") }));
    assert.deepEqual(closeOf(await peer.next()), { code: 1000, reason: "κ".repeat(61) + "*" });
    assert.equal(await peer.next(), undefined);
  });

  // The limits below are workerd's: it hands the worker no bytes to check.
  test("echo worker answers an empty close when the client's close payload is 1 byte (workerd reports 1005)", async () => {
    const peer = await RawPeer.connect(worker.port, upgradeLines("/"));
    peer.send(encodeFrame({ opcode: OP.close, payload: Uint8Array.of(0x03) }));
    assert.deepEqual(closeOf(await peer.next()), { reason: "" });
    peer.destroy();
  });

  test("echo worker echoes U+FFFD when a text message is invalid UTF-8 (workerd decodes it first)", async () => {
    const peer = await RawPeer.connect(worker.port, upgradeLines("/"));
    // "κ", a UTF-16 surrogate (ED A0 80), then "!": workerd makes the surrogate three U+FFFD.
    peer.send(
      encodeFrame({ opcode: OP.text, payload: Uint8Array.of(0xce, 0xba, 0xed, 0xa0, 0x80, 0x21) }),
    );
    const echo = await peer.next();
    assert.equal(echo?.opcode, OP.text);
    assert.equal(new TextDecoder().decode(echo?.payload), "κ\ufffd\ufffd\ufffd!");
    peer.destroy();
  });
});

describe("cloudflare adapter hooks on workerd", () => {
  let worker: RunningWorker;
  let url: string;
  const origin = "https://allowed.example";
  before(async () => {
    worker = await startWorker({ entry: "tests/support/probe_worker.ts" });
    url = `ws://127.0.0.1:${worker.port}/`;
  });
  after(() => worker?.stop());

  async function info(socket: WebSocket): Promise<Record<string, unknown>> {
    socket.send("info");
    return JSON.parse((await nextMessage(socket)).data.toString());
  }

  async function eventsMatching(
    match: (event: Record<string, unknown>) => boolean,
  ): Promise<Record<string, unknown>> {
    const [found] = await eventsOf(undefined, (events) => events.some(match), match);
    return found;
  }

  async function eventsOf(
    id: unknown,
    until: (events: Record<string, unknown>[]) => boolean,
    select: (event: Record<string, unknown>) => boolean = (event) => event.id === id,
  ): Promise<Record<string, unknown>[]> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const all = await (await fetch(`${worker.url}/events`)).json() as Record<string, unknown>[];
      const mine = all.filter(select);
      if (until(mine)) return mine;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`the events of peer ${id} never met the condition`);
  }

  test("close hook receives the client's close code and reason intact when the client closes", async () => {
    const socket = await open(url, [], { origin });
    const { id } = await info(socket);
    socket.close(4321, "see you later");
    const events = await eventsOf(id, (events) => events.some((event) => event.hook === "close"));
    assert.deepEqual(events.find((event) => event.hook === "close"), {
      hook: "close",
      id,
      code: 4321,
      reason: "see you later",
      wasClean: true,
    });
  });

  test("peer.close sends the code and reason to the client when the server closes", async () => {
    const socket = await open(url, [], { origin });
    const done = closed(socket);
    socket.send("close 4000 server is done");
    assert.deepEqual(await done, { code: 4000, reason: "server is done" });
  });

  test("adapter closes with 1009 and reports MESSAGE_TOO_LARGE when a message exceeds maxMessageSize", async () => {
    const socket = await open(url, [], { origin });
    const { id } = await info(socket);
    socket.send(new Uint8Array(1024));
    assert.equal((await nextMessage(socket)).data.length, 1024);
    const done = closed(socket);
    socket.send(new Uint8Array(1025));
    assert.deepEqual(await done, { code: 1009, reason: "message too big" });
    const events = await eventsOf(id, (events) => events.some((event) => event.hook === "close"));
    assert.ok(events.some((event) => event.hook === "error" && event.code === "MESSAGE_TOO_LARGE"));
  });

  test("adapter picks the first configured subprotocol the client offered when the hook picks none", async () => {
    const socket = await open(url, ["x-other", "superchat", "chat"], { origin });
    assert.equal(socket.protocol, "chat");
    assert.equal((await info(socket)).protocol, "chat");
    socket.close();
  });

  test("adapter answers with the hook's subprotocol when the hook picks one", async () => {
    const socket = await open(url, ["chat", "hook-choice"], { origin });
    assert.equal(socket.protocol, "hook-choice");
    socket.close();
  });

  test("adapter sends the hook's extra headers and data when the hook accepts", async () => {
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const socket = new WebSocket(`${url}?user=ada`, { origin });
      socket.once("upgrade", (response) => resolve(response.headers));
      socket.once("open", () => socket.close());
      socket.once("error", reject);
    });
    assert.equal(headers["x-probe"], "accepted");
    const socket = await open(`${url}?user=ada`, [], { origin });
    assert.deepEqual((await info(socket)).data, { user: "ada" });
    socket.close();
  });

  test("adapter answers the hook's status when the upgrade hook rejects", async () => {
    assert.equal(await refusedStatus(`${url}?deny`, { origin }), 401);
  });

  test("adapter answers 403 when the Origin is not in allowedOrigins", async () => {
    assert.equal(await refusedStatus(url, { origin: "https://evil.example" }), 403);
  });

  test("adapter answers 426 when a request has no Upgrade header and no fetch option", async () => {
    const response = await fetch(`${worker.url}/`);
    assert.equal(response.status, 426);
    await response.body?.cancel();
  });

  test("peer.ping throws UNSUPPORTED_ON_RUNTIME when the runtime is workerd", async () => {
    const socket = await open(url, [], { origin });
    socket.send("ping");
    assert.equal((await nextMessage(socket)).data.toString(), "ping threw UNSUPPORTED_ON_RUNTIME");
    socket.close();
  });

  test("peer.terminate sends 1001 and reports 1006 to the close hook when called", async () => {
    const socket = await open(url, [], { origin });
    const { id } = await info(socket);
    const done = closed(socket);
    socket.send("terminate");
    assert.equal((await done).code, 1001);
    const events = await eventsOf(id, (events) => events.some((event) => event.hook === "close"));
    const close = events.find((event) => event.hook === "close");
    assert.deepEqual(close, { hook: "close", id, code: 1006, reason: "", wasClean: false });
  });

  test("peer.remoteAddress is the CF-Connecting-IP header when the request carries one", async () => {
    const socket = await open(url, [], { origin, headers: { "CF-Connecting-IP": "203.0.113.7" } });
    assert.equal((await info(socket)).remoteAddress, "203.0.113.7");
    socket.close();
  });

  test("peer.remoteAddress is empty when nothing sets CF-Connecting-IP", async () => {
    const socket = await open(url, [], { origin });
    assert.equal((await info(socket)).remoteAddress, "");
    socket.close();
  });

  // Raw TCP, so that "not reading" means the same on every runtime.
  test("send reports backpressure and drain fires when the client reads slowly", async () => {
    const socket = connect(worker.port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    socket.write(
      [
        "GET /?user=slow-reader HTTP/1.1",
        ...UPGRADE_FIELDS,
        SAMPLE_KEY,
        "Sec-WebSocket-Version: 13",
        `Origin: ${origin}`,
      ].join(CRLF) + CRLF + CRLF,
    );
    const head = await new Promise<string>((resolve) =>
      socket.once("data", (chunk: Buffer) => resolve(chunk.toString("latin1")))
    );
    assert.ok(head.startsWith("HTTP/1.1 101"), head);
    // Stop reading so workerd's queue grows past backpressureLimit (512 KiB).
    socket.pause();
    const command = Buffer.from("flood 16");
    // A masked text frame; the all-zero mask leaves the payload as it is.
    socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | command.length, 0, 0, 0, 0]), command]));
    const flooded = await eventsMatching((event) =>
      event.hook === "flooded" && event.user === "slow-reader"
    );
    assert.ok(
      (flooded.refused as number) > 0,
      `send() never returned false: ${JSON.stringify(flooded)}`,
    );
    assert.ok((flooded.bufferedAmount as number) > 512 * 1024);
    socket.on("data", () => {});
    socket.resume();
    const drained = await eventsMatching((event) =>
      event.hook === "drain" && event.id === flooded.id
    );
    assert.equal(drained.bufferedAmount, 0);
    socket.destroy();
  });

  test("adapter reports INVALID_CLOSE_CODE and a 1002 close when the client's close code is 1004", async () => {
    const peer = await RawPeer.connect(worker.port, upgradeLines("/", [`Origin: ${origin}`]));
    peer.send(encodeFrame({ opcode: OP.text, payload: new TextEncoder().encode("info") }));
    const reply = await peer.next();
    const { id } = JSON.parse(new TextDecoder().decode(reply?.payload));
    peer.send(encodeFrame({ opcode: OP.close, payload: closePayload(1004, "reserved") }));
    assert.deepEqual(closeOf(await peer.next()), { code: 1002, reason: "" });
    const events = await eventsOf(id, (events) => events.some((event) => event.hook === "close"));
    assert.deepEqual(events.filter((event) => event.hook !== "open"), [
      { hook: "error", id, code: "INVALID_CLOSE_CODE" },
      { hook: "close", id, code: 1002, reason: "", wasClean: false },
    ]);
    peer.destroy();
  });
});

// From 2026-03-17 workerd hands binary messages over as Blobs, and from
// 2026-04-07 it answers close frames itself (echoing even forbidden codes).
describe("cloudflare adapter on workerd with compatibility date 2026-11-01", () => {
  let worker: RunningWorker;
  let url: string;
  const origin = "https://allowed.example";
  before(async () => {
    worker = await startWorker({
      entry: "tests/support/probe_worker.ts",
      compatibilityDate: "2026-11-01",
    });
    url = `ws://127.0.0.1:${worker.port}/`;
  });
  after(() => worker?.stop());

  test("adapter echoes binary bytes intact when the compatibility date delivers Blobs", async () => {
    const socket = await open(url, [], { origin });
    socket.send(Uint8Array.of(0, 1, 2, 0xfe, 0xff));
    const { data, isBinary } = await nextMessage(socket);
    assert.equal(isBinary, true);
    assert.deepEqual([...data], [0, 1, 2, 0xfe, 0xff]);
    socket.close();
  });

  test("adapter answers 1002 when the client's close code is 0 and workerd would auto-reply", async () => {
    const peer = await RawPeer.connect(worker.port, upgradeLines("/", [`Origin: ${origin}`]));
    peer.send(encodeFrame({ opcode: OP.close, payload: closePayload(0) }));
    assert.deepEqual(closeOf(await peer.next()), { code: 1002, reason: "" });
    assert.equal(await peer.next(), undefined);
  });

  test("adapter echoes the client's close code and reason when workerd would auto-reply", async () => {
    const socket = await open(url, [], { origin });
    const done = closed(socket);
    socket.close(4001, "bye now");
    assert.deepEqual(await done, { code: 4001, reason: "bye now" });
  });
});
