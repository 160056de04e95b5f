/**
 * A topic publication written to many connections: permessage-deflate
 * compresses it once for every connection that can share the compressed
 * frame (no server context takeover, same parameters), per connection only
 * where context takeover requires it.
 *
 * @module
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { nodeDeflateCodec } from "../../../src/runtime/node_deflate_codec.ts";
import type { DeflateCodec } from "../../../src/protocol/deflate_codec.ts";
import type { DeflateAgreement } from "../../../src/handshake/negotiate_permessage_deflate.ts";
import { PerMessageDeflate } from "../../../src/protocol/per_message_deflate.ts";
import type { WebSocketConnection } from "../../../src/protocol/websocket_connection.ts";
import { SharedMessage } from "../../../src/api/topics/shared_message.ts";
import { joined } from "../frame/fixtures.ts";
import { open } from "./harness.ts";

const real = nodeDeflateCodec();

/** The real codec, counting its deflate calls. */
function countingCodec(): DeflateCodec & { deflates: number } {
  const codec = {
    deflates: 0,
    supportsDictionary: real.supportsDictionary,
    deflate(data: Uint8Array, options: Parameters<DeflateCodec["deflate"]>[1]) {
      codec.deflates++;
      return real.deflate(data, options);
    },
    inflate: (data: Uint8Array, options: Parameters<DeflateCodec["inflate"]>[1]) =>
      real.inflate(data, options),
  };
  return codec;
}

const TAKEOVER: DeflateAgreement = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};
const FRESH: DeflateAgreement = { ...TAKEOVER, serverNoContextTakeover: true };
const SETTINGS = { level: 6, memLevel: 8, threshold: 1024, maxMessageSize: 1 << 20 };

/** A server connection, with permessage-deflate when `agreement` is given. */
function server(codec: DeflateCodec, agreement?: DeflateAgreement): WebSocketConnection {
  const extensions = agreement === undefined
    ? []
    : [new PerMessageDeflate(codec, agreement, SETTINGS)];
  return open("server", { extensions }).connection;
}

/** The client side of `agreement`, decoding what the server sent (its context included). */
function client(agreement: DeflateAgreement): PerMessageDeflate {
  return new PerMessageDeflate(real, agreement, SETTINGS, "client");
}

interface Frame {
  first: number;
  payload: Uint8Array;
}

/** Splits a server's output into frames (unmasked, as servers send). */
function framesOf(connection: WebSocketConnection): Frame[] {
  const bytes = joined(connection.takeOutput());
  const frames: Frame[] = [];
  for (let at = 0; at < bytes.length;) {
    let length = bytes[at + 1] & 0x7f;
    let header = 2;
    if (length === 126) {
      length = (bytes[at + 2] << 8) | bytes[at + 3];
      header = 4;
    } else if (length === 127) {
      length = Number(new DataView(bytes.buffer, bytes.byteOffset + at + 2, 8).getBigUint64(0));
      header = 10;
    }
    frames.push({
      first: bytes[at],
      payload: bytes.slice(at + header, at + header + length),
    });
    at += header + length;
  }
  return frames;
}

/** A JSON document of about `size` bytes with repeated keys, as apps publish. */
function json(size: number, seed: number): string {
  const items = [];
  for (let i = 0; JSON.stringify(items).length < size - 40; i++) {
    items.push({ id: seed * 1000 + i, name: `item-${i}`, price: (i * 37 + seed) % 500 });
  }
  return JSON.stringify({ type: "update", seq: seed, items });
}

const text = new TextDecoder();

describe("sendShared with permessage-deflate", () => {
  test("a publication is compressed once for every connection without server context takeover", () => {
    const codec = countingCodec();
    const connections = [1, 2, 3].map(() => server(codec, FRESH));
    const data = json(2048, 1);
    const message = new SharedMessage(data, undefined);
    for (const connection of connections) assert.equal(connection.sendShared(message), true);
    assert.equal(codec.deflates, 1, "one deflate call for three subscribers");
    const [first, ...others] = connections.map((connection) => framesOf(connection));
    assert.equal(first.length, 1);
    assert.equal(first[0].first, 0xc1, "FIN, RSV1, text");
    assert.ok(first[0].payload.length < data.length / 2, "compressed");
    for (const frames of others) assert.deepEqual(frames, first, "identical bytes on the wire");
    assert.equal(text.decode(client(FRESH).decodeMessage(first[0].payload)), data);
  });

  test("connections with context takeover compress per connection and decode in sequence", () => {
    const codec = countingCodec();
    const connections = [server(codec, TAKEOVER), server(codec, TAKEOVER)];
    const decoders = connections.map(() => client(TAKEOVER));
    const sent = [1, 2, 3].map((seed) => json(2048, seed));
    for (const data of sent) {
      const message = new SharedMessage(data, undefined);
      for (const connection of connections) connection.sendShared(message);
    }
    assert.equal(codec.deflates, 6, "three messages for each of two connections");
    connections.forEach((connection, i) => {
      const frames = framesOf(connection);
      assert.equal(frames.length, 3);
      const got = frames.map((frame) => {
        assert.equal(frame.first, 0xc1);
        return text.decode(decoders[i].decodeMessage(frame.payload));
      });
      assert.deepEqual(got, sent);
    });
  });

  test("mixed subscribers: one shared frame, one per takeover connection, plain for the rest", () => {
    const codec = countingCodec();
    const fresh = [server(codec, FRESH), server(codec, FRESH)];
    const takeover = server(codec, TAKEOVER);
    const plain = server(codec);
    const narrow = server(codec, { ...FRESH, serverMaxWindowBits: 10 });
    const data = json(4096, 7);
    const sent = [data, json(4096, 8)];
    const takeoverDecoder = client(TAKEOVER);
    for (const each of sent) {
      const message = new SharedMessage(each, undefined);
      for (const connection of [...fresh, takeover, plain, narrow]) connection.sendShared(message);
    }
    // Per message: one for both 15-bit fresh connections, one for the 10-bit one, one takeover.
    assert.equal(codec.deflates, 6);
    const [a, b] = fresh.map((connection) => framesOf(connection));
    assert.deepEqual(a, b);
    assert.deepEqual(
      a.map((frame) => text.decode(client(FRESH).decodeMessage(frame.payload))),
      sent,
    );
    assert.deepEqual(
      framesOf(takeover).map((frame) => text.decode(takeoverDecoder.decodeMessage(frame.payload))),
      sent,
    );
    const plainFrames = framesOf(plain);
    assert.deepEqual(plainFrames.map((frame) => frame.first), [0x81, 0x81]);
    assert.deepEqual(plainFrames.map((frame) => text.decode(frame.payload)), sent);
    const narrowDecoder = client({ ...FRESH, serverMaxWindowBits: 10 });
    assert.deepEqual(
      framesOf(narrow).map((frame) => text.decode(narrowDecoder.decodeMessage(frame.payload))),
      sent,
    );
  });

  test("compress: false sends the uncompressed frame to every subscriber", () => {
    const codec = countingCodec();
    const connections = [server(codec, FRESH), server(codec, TAKEOVER)];
    const data = json(2048, 3);
    const message = new SharedMessage(data, false);
    for (const connection of connections) connection.sendShared(message);
    assert.equal(codec.deflates, 0);
    for (const connection of connections) {
      const frames = framesOf(connection);
      assert.equal(frames[0].first, 0x81, "no RSV1");
      assert.equal(text.decode(frames[0].payload), data);
    }
  });

  test("the threshold applies unless compress is true", () => {
    const codec = countingCodec();
    const connection = server(codec, FRESH);
    connection.sendShared(new SharedMessage("short", undefined));
    connection.sendShared(new SharedMessage("short", true));
    assert.equal(codec.deflates, 1);
    const frames = framesOf(connection);
    assert.deepEqual(frames.map((frame) => frame.first), [0x81, 0xc1]);
    assert.equal(text.decode(client(FRESH).decodeMessage(frames[1].payload)), "short");
  });

  test("binary publications share one compressed binary frame", () => {
    const codec = countingCodec();
    const connections = [server(codec, FRESH), server(codec, FRESH)];
    const bytes = new TextEncoder().encode(json(3000, 4));
    const message = new SharedMessage(bytes, undefined);
    for (const connection of connections) connection.sendShared(message);
    assert.equal(codec.deflates, 1);
    const frames = connections.map((connection) => framesOf(connection)[0]);
    assert.equal(frames[0].first, 0xc2);
    assert.deepEqual(frames[0], frames[1]);
    assert.deepEqual(new Uint8Array(client(FRESH).decodeMessage(frames[0].payload)), bytes);
  });
});
