// WebSockets over HTTP/2 (RFC 8441) on the Node adapter, over TLS: Node's
// own http2 client doing extended CONNECT, many sockets on one connection,
// undici's WebSocket with an allowH2 dispatcher, HTTP/1.1 upgrades on the
// same port, attach on an http2 secure server, and the close, reset,
// GOAWAY and backpressure paths. Certificates are made by the test.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  connect,
  constants,
  createSecureServer,
  type IncomingHttpHeaders,
} from "node:http2";
import { Buffer } from "node:buffer";
import { constants as zlibConstants, deflateRawSync, inflateRawSync } from "node:zlib";
import { Agent, WebSocket as UndiciWebSocket } from "undici";
import { attach, serve } from "../../src/adapters/node.ts";
import type { Handler } from "../../src/api/handler.ts";
import type { Peer } from "../../src/api/peer.ts";
import { makeTestCertificate, type TestCertificate } from "../support/test_certificate.ts";

let certificate: TestCertificate;
before(() => {
  certificate = makeTestCertificate();
});
after(() => certificate.remove());

/** A client frame: FIN, opcode (RSV1 with `compressed`), masked with a zero key (payload as given). */
function clientFrame(opcode: number, payload: Uint8Array, compressed = false): Uint8Array {
  assert.ok(payload.length < 65_536);
  const first = 0x80 | (compressed ? 0x40 : 0) | opcode;
  const head = payload.length < 126
    ? [first, 0x80 | payload.length]
    : [first, 0x80 | 126, payload.length >> 8, payload.length & 0xff];
  return new Uint8Array([...head, 0, 0, 0, 0, ...payload]);
}

const text = (value: string) => new TextEncoder().encode(value);

/** Reads server frames from a stream (unmasked; lengths up to 64 bits). */
class FrameReader {
  /** RSV1 of the last frame taken. */
  compressed = false;
  #buffer = new Uint8Array(0);
  #waiters: (() => void)[] = [];
  ended = false;
  constructor(stream: ClientHttp2Stream) {
    stream.on("data", (chunk: Uint8Array) => {
      const joined = new Uint8Array(this.#buffer.length + chunk.length);
      joined.set(this.#buffer);
      joined.set(chunk, this.#buffer.length);
      this.#buffer = joined;
      for (const wake of this.#waiters.splice(0)) wake();
    });
    stream.on("close", () => {
      this.ended = true;
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }
  async next(): Promise<{ opcode: number; payload: Uint8Array }> {
    for (;;) {
      const frame = this.#take();
      if (frame) return frame;
      if (this.ended) throw new Error("stream ended before a frame");
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }
  #take(): { opcode: number; payload: Uint8Array } | undefined {
    const bytes = this.#buffer;
    if (bytes.length < 2) return undefined;
    let length = bytes[1] & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (bytes.length < 4) return undefined;
      length = (bytes[2] << 8) | bytes[3];
      offset = 4;
    } else if (length === 127) {
      if (bytes.length < 10) return undefined;
      length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(2));
      offset = 10;
    }
    if (bytes.length < offset + length) return undefined;
    this.#buffer = bytes.slice(offset + length);
    this.compressed = (bytes[0] & 0x40) !== 0;
    return { opcode: bytes[0] & 0x0f, payload: bytes.slice(offset, offset + length) };
  }
}

async function connectH2(url: string): Promise<ClientHttp2Session> {
  const session = connect(url, { rejectUnauthorized: false });
  await new Promise<void>((resolve, reject) => {
    session.once("remoteSettings", () => resolve());
    session.once("error", reject);
  });
  return session;
}

function openStream(
  session: ClientHttp2Session,
  headers: Record<string, string> = {},
): Promise<{ stream: ClientHttp2Stream; response: IncomingHttpHeaders; frames: FrameReader }> {
  const stream = session.request({
    ":method": "CONNECT",
    ":protocol": "websocket",
    ":scheme": "https",
    ":path": "/chat?room=1",
    "sec-websocket-version": "13",
    ...headers,
  });
  const frames = new FrameReader(stream);
  return new Promise((resolve, reject) => {
    stream.once("response", (response) => resolve({ stream, response, frames }));
    stream.once("error", reject);
  });
}

const echo: Handler = { message: (peer, message) => void peer.send(message.data) };

async function serveTls<Data>(handler: Handler<Data>, options: Record<string, unknown> = {}) {
  return await serve(handler, {
    port: 0,
    tls: { cert: certificate.cert, key: certificate.key },
    ...options,
  });
}

describe("WebSockets over HTTP/2 on the Node adapter", () => {
  test("serve with tls announces extended CONNECT and a websocket stream echoes", async () => {
    const server = await serveTls(echo, { protocols: ["chat.v2"], perMessageDeflate: true });
    const session = await connectH2(server.url);
    try {
      assert.equal(server.url.startsWith("https://"), true);
      assert.equal(session.remoteSettings.enableConnectProtocol, true);
      const { stream, response, frames } = await openStream(session, {
        "sec-websocket-protocol": "chat.v1, chat.v2",
        "sec-websocket-extensions": "permessage-deflate; client_max_window_bits",
      });
      assert.equal(response[":status"], 200);
      // RFC 8441 §5: no Sec-WebSocket-Accept; no HTTP/1.1 connection fields on HTTP/2.
      assert.equal(response["sec-websocket-accept"], undefined);
      assert.equal(response["upgrade"], undefined);
      assert.equal(response["connection"], undefined);
      assert.equal(response["sec-websocket-protocol"], "chat.v2");
      assert.match(String(response["sec-websocket-extensions"]), /^permessage-deflate/);
      stream.write(clientFrame(0x1, text("hello over h2")));
      const reply = await frames.next();
      assert.equal(reply.opcode, 0x1);
      assert.equal(new TextDecoder().decode(reply.payload), "hello over h2");
      stream.close();
    } finally {
      session.destroy();
      await server.close();
    }
  });

  test("permessage-deflate negotiated on HTTP/2 inflates and compresses messages", async () => {
    const server = await serveTls(echo, { perMessageDeflate: true });
    const session = await connectH2(server.url);
    try {
      const { stream, response, frames } = await openStream(session, {
        "sec-websocket-extensions": "permessage-deflate",
      });
      assert.match(String(response["sec-websocket-extensions"]), /^permessage-deflate/);
      const message = "compress me over h2 ".repeat(100);
      const deflated = deflateRawSync(text(message), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
      stream.write(clientFrame(0x1, deflated.subarray(0, deflated.length - 4), true));
      const reply = await frames.next();
      assert.equal(frames.compressed, true, "the echo (2 KB, over the threshold) is compressed");
      const inflated = inflateRawSync(
        Buffer.concat([reply.payload, new Uint8Array([0, 0, 0xff, 0xff])]),
        { finishFlush: zlibConstants.Z_SYNC_FLUSH },
      );
      assert.equal(inflated.toString(), message);
    } finally {
      session.destroy();
      await server.close();
    }
  });

  test("peer.request has the https URL, path and headers of the CONNECT", async () => {
    let seen: Request | undefined;
    const server = await serveTls({
      open(peer: Peer<undefined>) {
        seen = peer.request;
        peer.send("ok");
      },
    });
    const session = await connectH2(server.url);
    try {
      const { frames } = await openStream(session, { "x-token": "abc" });
      await frames.next();
      assert.equal(seen?.url, `https://127.0.0.1:${server.port}/chat?room=1`);
      assert.equal(seen?.headers.get("x-token"), "abc");
    } finally {
      session.destroy();
      await server.close();
    }
  });

  test("a CONNECT with another version is refused with 4xx and sec-websocket-version: 13", async () => {
    const server = await serveTls(echo);
    const session = await connectH2(server.url);
    try {
      const { response } = await openStream(session, { "sec-websocket-version": "8" });
      const status = Number(response[":status"]);
      assert.ok(status >= 400 && status < 500, `status ${status}`);
      assert.equal(response["sec-websocket-version"], "13");
      assert.equal(response["upgrade"], undefined);
    } finally {
      session.destroy();
      await server.close();
    }
  });

  test("an upgrade hook's refusal keeps its status, headers and body on HTTP/2", async () => {
    const server = await serveTls({
      upgrade: (request: Request) =>
        new URL(request.url).pathname === "/teapot"
          ? new Response("short and stout", { status: 418, headers: { "x-custom": "teapot" } })
          : 401,
    });
    const session = await connectH2(server.url);
    try {
      const unauthorized = await openStream(session);
      assert.equal(unauthorized.response[":status"], 401);
      const teapot = await openStream(session, { ":path": "/teapot" });
      assert.equal(teapot.response[":status"], 418);
      assert.equal(teapot.response["x-custom"], "teapot");
      assert.equal(teapot.response["connection"], undefined);
      let body = "";
      teapot.stream.setEncoding("utf8");
      teapot.stream.removeAllListeners("data");
      teapot.stream.on("data", (chunk: string) => (body += chunk));
      await new Promise((resolve) => teapot.stream.once("end", resolve));
      assert.equal(body, "short and stout");
      assert.equal(server.peers.size, 0);
    } finally {
      session.destroy();
      await server.close();
    }
  });

  test("100 WebSockets on one HTTP/2 connection each get their own echo", async () => {
    const server = await serveTls(echo);
    const session = await connectH2(server.url);
    try {
      const sockets = await Promise.all(
        Array.from({ length: 100 }, () => openStream(session)),
      );
      assert.equal(server.peers.size, 100);
      // One TCP connection: every peer has the same remote address and port.
      const addresses = new Set([...server.peers.values()].map((peer) => peer.remoteAddress));
      assert.equal(addresses.size, 1);
      const replies = await Promise.all(sockets.map(async ({ stream, frames }, index) => {
        stream.write(clientFrame(0x1, text(`socket ${index}`)));
        return new TextDecoder().decode((await frames.next()).payload);
      }));
      assert.deepEqual(replies, sockets.map((_, index) => `socket ${index}`));
    } finally {
      session.destroy();
      await server.close();
    }
  });

  test("a close frame from the client closes cleanly with its code and ends the stream", async () => {
    const closes: [number, boolean][] = [];
    const server = await serveTls({
      close: (_peer, { code, wasClean }) => void closes.push([code, wasClean]),
    });
    const session = await connectH2(server.url);
    try {
      const { stream, frames } = await openStream(session);
      stream.write(clientFrame(0x8, new Uint8Array([0x03, 0xe8])));
      const reply = await frames.next();
      assert.equal(reply.opcode, 0x8);
      assert.deepEqual([...reply.payload], [0x03, 0xe8]);
      stream.end();
      await new Promise((resolve) => stream.once("close", resolve));
      await waitFor(() => closes.length === 1);
      assert.deepEqual(closes, [[1000, true]]);
    } finally {
      session.destroy();
      await server.close();
    }
  });

  test("a stream reset closes the peer with 1006, the other streams stay open", async () => {
    const closes: number[] = [];
    const server = await serveTls({
      message: (peer, message) => void peer.send(message.data),
      close: (_peer, { code }) => void closes.push(code),
    });
    const session = await connectH2(server.url);
    try {
      const first = await openStream(session);
      const second = await openStream(session);
      first.stream.close(constants.NGHTTP2_CANCEL);
      await waitFor(() => closes.length === 1);
      assert.deepEqual(closes, [1006]);
      second.stream.write(clientFrame(0x1, text("still here")));
      assert.equal(new TextDecoder().decode((await second.frames.next()).payload), "still here");
    } finally {
      session.destroy();
      await server.close();
    }
  });

  test("END_STREAM from the client without a close frame ends the peer with 1006", async () => {
    const closes: number[] = [];
    const server = await serveTls({ close: (_peer, { code }) => void closes.push(code) });
    const session = await connectH2(server.url);
    try {
      const { stream } = await openStream(session);
      stream.end();
      await new Promise((resolve) => stream.once("close", resolve));
      await waitFor(() => closes.length === 1);
      assert.deepEqual(closes, [1006]);
    } finally {
      session.destroy();
      await server.close();
    }
  });

  test("a GOAWAY from the client closes its WebSockets with 1001", async () => {
    const closes: number[] = [];
    const server = await serveTls({ close: (_peer, { code }) => void closes.push(code) });
    const session = await connectH2(server.url);
    try {
      const { stream, frames } = await openStream(session);
      session.goaway(constants.NGHTTP2_NO_ERROR);
      const reply = await frames.next();
      assert.equal(reply.opcode, 0x8);
      assert.equal((reply.payload[0] << 8) | reply.payload[1], 1001);
      stream.write(clientFrame(0x8, reply.payload));
      await waitFor(() => closes.length === 1);
      assert.deepEqual(closes, [1001]);
    } finally {
      session.destroy();
      await server.close();
    }
  });

  test("server.close() sends GOAWAY and close 1001 on every stream", async () => {
    const server = await serveTls(echo);
    const session = await connectH2(server.url);
    const goaway = new Promise((resolve) => session.once("goaway", resolve));
    const { stream, frames } = await openStream(session);
    const closing = server.close();
    const reply = await frames.next();
    assert.equal(reply.opcode, 0x8);
    assert.equal((reply.payload[0] << 8) | reply.payload[1], 1001);
    stream.write(clientFrame(0x8, reply.payload));
    await closing;
    await goaway;
    session.destroy();
  });

  test("HTTP/2 flow control is the peer's backpressure: send() false, then drained()", async () => {
    let result: { accepted: boolean; drained: boolean } | undefined;
    const big = new Uint8Array(1 << 20);
    const server = await serveTls({
      async open(peer) {
        let accepted = true;
        for (let i = 0; i < 4 && accepted; i++) accepted = peer.send(big);
        await peer.drained();
        result = { accepted, drained: true };
      },
    }, { backpressureLimit: 256 * 1024 });
    // A 64 KiB window, and a client that does not read at first.
    const session = connect(server.url, {
      rejectUnauthorized: false,
      settings: { initialWindowSize: 65_535 },
    });
    try {
      const stream = session.request({
        ":method": "CONNECT",
        ":protocol": "websocket",
        ":path": "/",
        "sec-websocket-version": "13",
      });
      stream.pause();
      await new Promise((resolve) => stream.once("response", resolve));
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(result, undefined, "drained() resolved while the client's window was full");
      let received = 0;
      stream.on("data", (chunk: Uint8Array) => void (received += chunk.length));
      stream.resume();
      await waitFor(() => result !== undefined);
      assert.deepEqual(result, { accepted: false, drained: true });
      assert.ok(received > 0);
    } finally {
      session.destroy();
      await server.close();
    }
  });

  test("undici's WebSocket with an allowH2 dispatcher opens over HTTP/2", async () => {
    const streams: string[] = [];
    const server = await serveTls(echo);
    const agent = new Agent({ allowH2: true, connect: { rejectUnauthorized: false } });
    try {
      const socket = new UndiciWebSocket(server.url.replace("https:", "wss:"), {
        dispatcher: agent,
      });
      const reply = await new Promise<string>((resolve, reject) => {
        socket.onopen = () => socket.send("via undici");
        socket.onmessage = (event) => resolve(String(event.data));
        socket.onerror = () => reject(new Error("undici WebSocket failed"));
      });
      assert.equal(reply, "via undici");
      // Over HTTP/1.1 the peer would be a socket of its own: the request shows the h2 form
      // (no Sec-WebSocket-Key of the client's; ours is the placeholder of the HTTP/2 path).
      for (const peer of server.peers.values()) {
        streams.push(peer.request.headers.get("sec-websocket-key")!);
      }
      assert.deepEqual(streams, ["AAAAAAAAAAAAAAAAAAAAAA=="]);
      socket.close(1000);
      await new Promise((resolve) => (socket.onclose = resolve));
    } finally {
      await agent.close();
      await server.close();
    }
  });

  test("an HTTP/1.1 wss upgrade works on the same port, and fetch answers plain requests", async () => {
    const server = await serveTls(echo, { fetch: () => new Response("page") });
    // allowH2 false: ALPN http/1.1, so the upgrade is a 101 on a TLS socket.
    const agent = new Agent({ allowH2: false, connect: { rejectUnauthorized: false } });
    try {
      const socket = new UndiciWebSocket(server.url.replace("https:", "wss:"), {
        dispatcher: agent,
      });
      const reply = await new Promise<string>((resolve, reject) => {
        socket.onopen = () => socket.send("via http/1.1");
        socket.onmessage = (event) => resolve(String(event.data));
        socket.onerror = () => reject(new Error("HTTP/1.1 WebSocket failed"));
      });
      assert.equal(reply, "via http/1.1");
      const [peer] = server.peers.values();
      assert.notEqual(peer.request.headers.get("sec-websocket-key"), "AAAAAAAAAAAAAAAAAAAAAA==");
      assert.equal(new URL(peer.request.url).protocol, "https:");
      socket.close(1000);
      await new Promise((resolve) => (socket.onclose = resolve));
      const session = await connectH2(server.url);
      const request = session.request({ ":path": "/" });
      let body = "";
      request.setEncoding("utf8");
      request.on("data", (chunk) => (body += chunk));
      await new Promise((resolve) => request.on("end", resolve));
      assert.equal(body, "page");
      session.close();
    } finally {
      await agent.close();
      await server.close();
    }
  });

  test("attach on http2.createSecureServer announces extended CONNECT only once mounted", async () => {
    const http2Server = createSecureServer(
      { cert: certificate.cert, key: certificate.key, allowHTTP1: true },
      (_request, response) => response.end("app"),
    );
    await new Promise<void>((resolve) => http2Server.listen(0, "127.0.0.1", resolve));
    const url = `https://127.0.0.1:${(http2Server.address() as { port: number }).port}`;
    const before = await connectH2(url);
    assert.equal(before.remoteSettings.enableConnectProtocol, false);
    before.close();
    const websocket = attach(http2Server, echo, { path: "/chat" });
    const session = await connectH2(url);
    try {
      assert.equal(session.remoteSettings.enableConnectProtocol, true);
      const { stream, response, frames } = await openStream(session);
      assert.equal(response[":status"], 200);
      stream.write(clientFrame(0x1, text("attached")));
      assert.equal(new TextDecoder().decode((await frames.next()).payload), "attached");
      // Another path is not ours: 404, and the application still answers plain requests.
      const other = await openStream(session, { ":path": "/elsewhere" });
      assert.equal(other.response[":status"], 404);
      const request = session.request({ ":path": "/" });
      let body = "";
      request.setEncoding("utf8");
      request.on("data", (chunk) => (body += chunk));
      await new Promise((resolve) => request.on("end", resolve));
      assert.equal(body, "app");
    } finally {
      session.destroy();
      await websocket.close();
      await new Promise((resolve) => http2Server.close(resolve));
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for a condition");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
