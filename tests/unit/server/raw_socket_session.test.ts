import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { HandshakeAcceptance } from "../../../src/handshake/accept_upgrade.ts";
import {
  type ByteStream,
  RawSocketSession,
  type UpgradeVerdict,
} from "../../../src/server/raw_socket_session.ts";

const latin1 = new TextEncoder();
const HEAD = "GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n" +
  "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
  "Sec-WebSocket-Version: 13\r\n\r\n";
// A masked text frame "hi" with the all-zero key, so the payload reads as sent.
const MASKED_HI = [0x81, 0x82, 0, 0, 0, 0, 0x68, 0x69];

function recordingStream() {
  const written: string[] = [];
  let closed = false;
  const stream: ByteStream = {
    write(chunks) {
      for (const chunk of chunks) written.push(new TextDecoder("latin1").decode(chunk));
    },
    close() {
      closed = true;
    },
  };
  return { stream, written, isClosed: () => closed };
}

const syncAccept = () => "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/** An accepted verdict for the sample request, with the hook's extra headers if any. */
function accepted(headers?: Headers): UpgradeVerdict {
  const acceptance: HandshakeAcceptance = {
    key: "dGhlIHNhbXBsZSBub25jZQ==",
    accept: syncAccept(),
    protocol: undefined,
    extensions: [],
    headers: [["Upgrade", "websocket"], ["Connection", "Upgrade"], [
      "Sec-WebSocket-Accept",
      syncAccept(),
    ]],
  };
  return { accepted: true, acceptance, headers };
}

describe("RawSocketSession", () => {
  test("RawSocketSession opens within the read that completes the head when accepting is synchronous", () => {
    const { stream, written } = recordingStream();
    const messages: (string | Uint8Array)[] = [];
    const session = new RawSocketSession(stream, {
      onMessage: (data) => messages.push(data),
    }, { computeAccept: syncAccept });
    // The head and a first frame in one read, as a fast client sends them.
    session.receive(new Uint8Array([...latin1.encode(HEAD), ...MASKED_HI]));
    assert.equal(session.state, "open");
    assert.match(written[0], /^HTTP\/1\.1 101 /);
    assert.match(written[0], /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
    assert.deepEqual(messages, ["hi"]);
    session.terminate();
  });

  test("RawSocketSession keeps bytes in order while an asynchronous decision is pending", async () => {
    const { stream, written } = recordingStream();
    const messages: (string | Uint8Array)[] = [];
    let decide!: () => void;
    const session = new RawSocketSession(stream, {
      onMessage: (data) => messages.push(data),
      negotiate: () =>
        new Promise((resolve) => {
          decide = () => resolve(accepted());
        }),
    });
    session.receive(latin1.encode(HEAD));
    session.receive(new Uint8Array(MASKED_HI));
    assert.equal(session.state, "connecting");
    assert.deepEqual(written, []);
    decide();
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(session.state, "open");
    assert.deepEqual(messages, ["hi"]);
    session.terminate();
  });

  test("RawSocketSession answers 500 when the extra headers would rewrite the handshake's own", () => {
    const { stream, written, isClosed } = recordingStream();
    const errors: string[] = [];
    const session = new RawSocketSession(stream, {
      negotiate: () => accepted(new Headers({ Upgrade: "h2c" })),
      onError: (error) => errors.push(error.code),
    });
    session.receive(latin1.encode(HEAD));
    assert.equal(written.length, 1);
    assert.match(written[0], /^HTTP\/1\.1 500 /);
    assert.equal(errors.length, 1);
    assert.equal(session.state, "closed");
    assert.equal(isClosed(), true);
  });

  test("RawSocketSession answers a thrown negotiation with 500 and closes", () => {
    const { stream, written, isClosed } = recordingStream();
    const errors: string[] = [];
    let closedWith: number | undefined;
    const session = new RawSocketSession(stream, {
      negotiate: () => {
        throw new Error("bug");
      },
      onError: (error) => errors.push(error.code),
      onClose: (code) => closedWith = code,
    });
    session.receive(latin1.encode(HEAD));
    assert.match(written[0], /^HTTP\/1\.1 500 /);
    assert.deepEqual(errors, ["INTERNAL_ERROR"]);
    assert.equal(closedWith, 1006);
    assert.equal(isClosed(), true);
  });
});
