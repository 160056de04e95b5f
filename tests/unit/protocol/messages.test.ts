import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { concat, hex, peerFrame } from "../frame/fixtures.ts";
import { feed, feedEveryWay, ownFrame, ROLES } from "./harness.ts";

const MASKED_HELLO = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
const UNMASKED_HELLO = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];

describe("WebSocketConnection messages", () => {
  test("server reads the RFC 6455 §5.7 masked Hello in every chunking", () => {
    feedEveryWay("server", Uint8Array.from(MASKED_HELLO), {
      events: [["text", "Hello"]],
      output: "",
    });
  });

  test("client reads the RFC 6455 §5.7 unmasked Hello in every chunking", () => {
    feedEveryWay("client", Uint8Array.from(UNMASKED_HELLO), {
      events: [["text", "Hello"]],
      output: "",
    });
  });

  for (const role of ROLES) {
    test(`${role} joins the fragmented Hel + lo into one message in every chunking`, () => {
      const bytes = concat(peerFrame(role, 0x01, "Hel"), peerFrame(role, 0x80, "lo"));
      feedEveryWay(role, bytes, { events: [["text", "Hello"]], output: "" });
    });

    test(`${role} reads 256-byte and 64 KiB binary messages in every chunking`, () => {
      const small = new Uint8Array(256).map((_, i) => i);
      const big = new Uint8Array(65536).map((_, i) => (i * 31) & 0xff);
      const bytes = concat(peerFrame(role, 0x82, small), peerFrame(role, 0x82, big));
      feedEveryWay(role, bytes, { events: [["binary", hex(small)], ["binary", hex(big)]] });
    });

    test(`${role} reads many frames from one chunk in order`, () => {
      const bytes = concat(
        peerFrame(role, 0x81, "one"),
        peerFrame(role, 0x82, [2]),
        peerFrame(role, 0x81, "three"),
      );
      feedEveryWay(role, bytes, {
        events: [["text", "one"], ["binary", "02"], [
          "text",
          "three",
        ]],
      });
    });

    test(`${role} accepts zero-length messages and zero-length fragments`, () => {
      const bytes = concat(
        peerFrame(role, 0x81),
        peerFrame(role, 0x82),
        peerFrame(role, 0x02),
        peerFrame(role, 0x00, [1]),
        peerFrame(role, 0x00),
        peerFrame(role, 0x80),
      );
      feedEveryWay(role, bytes, { events: [["text", ""], ["binary", ""], ["binary", "01"]] });
    });
  }

  test("server hands a whole-frame binary message over as a view of the received chunk", () => {
    const chunk = peerFrame("server", 0x82, [1, 2, 3, 4]);
    const run = feed("server", [chunk]);
    const message = run.recorder.messages[0] as Uint8Array;
    assert.equal(message.buffer, chunk.buffer);
    assert.deepEqual([...message], [1, 2, 3, 4]);
  });

  test("server keeps a text message that starts with a BOM intact", () => {
    const run = feed("server", [peerFrame("server", 0x81, [0xef, 0xbb, 0xbf, 0x41])]);
    assert.deepEqual(run.events, [["text", "\ufeffA"]]);
  });

  test("client assembles a message whose fragments arrive in many small chunks", () => {
    const text = "fragmented ".repeat(3000);
    const encoded = new TextEncoder().encode(text);
    const frames: Uint8Array[] = [];
    for (let at = 0; at < encoded.length; at += 5000) {
      const end = Math.min(at + 5000, encoded.length);
      const first = (at === 0 ? 0x01 : 0x00) | (end === encoded.length ? 0x80 : 0);
      frames.push(peerFrame("client", first, encoded.subarray(at, end)));
    }
    const run = feed("client", [concat(...frames)]);
    assert.deepEqual(run.events, [["text", text]]);
  });

  test("server writes a text and a binary reply as unmasked frames", () => {
    const run = feed("server", []);
    assert.equal(run.connection.send("Hello"), true);
    assert.equal(run.connection.send(Uint8Array.of(1, 2)), true);
    assert.equal(
      hex(run.connection.takeOutput().flatMap((chunk) => [...chunk])),
      `${ownFrame("server", 0x81, "Hello")} ${ownFrame("server", 0x82, [1, 2])}`,
    );
  });

  test("client writes the RFC 6455 §5.7 masked Hello", () => {
    const run = feed("client", []);
    run.connection.send("Hello");
    assert.equal(
      hex(run.connection.takeOutput().flatMap((chunk) => [...chunk])),
      hex(MASKED_HELLO),
    );
  });

  test("connection takeOutput returns an empty array when nothing is queued", () => {
    const run = feed("server", []);
    assert.equal(run.connection.hasOutput, false);
    assert.deepEqual(run.connection.takeOutput(), []);
  });

  for (const role of ROLES) {
    test(`${role} splits outgoing messages at outgoingFragmentSize`, () => {
      const run = feed(role, [], { outgoingFragmentSize: 2 });
      run.connection.send("Hello");
      assert.equal(
        hex(run.connection.takeOutput().flatMap((chunk) => [...chunk])),
        [
          ownFrame(role, 0x01, "He"),
          ownFrame(role, 0x00, "ll"),
          ownFrame(role, 0x80, "o"),
        ].join(" "),
      );
    });
  }
});
