import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Handler } from "../../../src/api/handler.ts";
import type { ByteStream } from "../../../src/server/byte_stream.ts";
import { EngineConnection } from "../../../src/server/engine_connection.ts";
import { ServerCore } from "../../../src/server/server_core.ts";

const latin1 = new TextEncoder();
const HEAD = "GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n" +
  "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
  "Sec-WebSocket-Version: 13\r\n\r\n";
// A masked text frame "hi" with the all-zero key, so the payload reads as sent.
const MASKED_HI = [0x81, 0x82, 0, 0, 0, 0, 0x68, 0x69];
const syncAccept = () => "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

function recordingStream() {
  const written: string[] = [];
  let closed = false;
  const stream: ByteStream = {
    remoteAddress: "127.0.0.1:1",
    queuedBytes: 0,
    write(chunks) {
      for (const chunk of chunks) written.push(new TextDecoder("latin1").decode(chunk));
    },
    close() {
      closed = true;
    },
    destroy() {
      closed = true;
    },
  };
  return { stream, written, isClosed: () => closed };
}

function connection(handler: Handler<unknown>, stream: ByteStream): EngineConnection {
  const core = new ServerCore(handler, { heartbeatInterval: 0 }, false);
  return new EngineConnection({ core, computeAccept: syncAccept }, stream);
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("EngineConnection", () => {
  test("EngineConnection opens within the read that completes the head when accepting is synchronous", () => {
    const { stream, written } = recordingStream();
    const messages: string[] = [];
    const served = connection({
      message: (_peer, message) => void messages.push(message.text()),
    }, stream);
    // The head and a first frame in one read, as a fast client sends them.
    served.data(new Uint8Array([...latin1.encode(HEAD), ...MASKED_HI]));
    assert.equal(served.state, "open");
    assert.match(written[0], /^HTTP\/1\.1 101 /);
    assert.match(written[0], /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
    assert.deepEqual(messages, ["hi"]);
    served.terminate();
  });

  test("EngineConnection keeps bytes in order while an asynchronous upgrade hook decides", async () => {
    const { stream, written } = recordingStream();
    const messages: string[] = [];
    let decide!: () => void;
    const served = connection({
      upgrade: () => new Promise<undefined>((resolve) => (decide = () => resolve(undefined))),
      message: (_peer, message) => void messages.push(message.text()),
    }, stream);
    served.data(latin1.encode(HEAD));
    served.data(new Uint8Array(MASKED_HI));
    assert.equal(served.state, "connecting");
    assert.deepEqual(written, []);
    decide();
    await tick();
    assert.equal(served.state, "open");
    assert.deepEqual(messages, ["hi"]);
    served.terminate();
  });

  test("EngineConnection answers 500 when the hook's extra headers would rewrite the handshake's own", async () => {
    const { stream, written, isClosed } = recordingStream();
    const served = connection({ upgrade: () => ({ headers: { Upgrade: "h2c" } }) }, stream);
    served.data(latin1.encode(HEAD));
    await tick();
    assert.equal(written.length, 1);
    assert.match(written[0], /^HTTP\/1\.1 500 /);
    assert.equal(served.state, "closed");
    assert.equal(isClosed(), true);
  });

  test("EngineConnection writes its answer, then closes, when the client half-closes during the handshake", async () => {
    const { stream, written, isClosed } = recordingStream();
    let decide!: () => void;
    const served = connection({
      upgrade: () => new Promise<number>((resolve) => (decide = () => resolve(403))),
    }, stream);
    served.data(latin1.encode(HEAD));
    assert.equal(served.ended(), true, "the answer is still on its way");
    decide();
    await tick();
    assert.match(written[0], /^HTTP\/1\.1 403 /);
    assert.equal(isClosed(), true);
  });

  test("EngineConnection reports a half-close before the head is complete as the end", () => {
    const { stream } = recordingStream();
    const served = connection({}, stream);
    served.data(latin1.encode("GET / HT"));
    assert.equal(served.ended(), false);
    served.terminate();
  });
});
