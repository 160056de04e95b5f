import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { clientFrame, concat, hex, peerFrame } from "../frame/fixtures.ts";
import { closeFrameOf, feedEveryWay, open, ROLES } from "./harness.ts";

const TOO_BIG = (code: string) => [["error", code, 1009], ["close", 1009, "", false]];

/** A masked 1-byte continuation frame: 7 bytes on the wire. */
function tinyContinuation(): Uint8Array {
  return clientFrame(0x00, [0x61]);
}

describe("WebSocketConnection limits", () => {
  for (const role of ROLES) {
    test(`${role} accepts a message of exactly maxMessageSize bytes`, () => {
      feedEveryWay(role, peerFrame(role, 0x82, new Uint8Array(10)), {
        events: [["binary", hex(new Uint8Array(10))]],
      }, { maxMessageSize: 10 });
    });

    test(`${role} fails a frame declaring more than maxMessageSize from its header alone`, () => {
      const frame = peerFrame(role, 0x82, new Uint8Array(11));
      const header = frame.subarray(0, role === "server" ? 6 : 2);
      feedEveryWay(role, header, {
        events: TOO_BIG("MESSAGE_TOO_LARGE"),
        output: closeFrameOf(role, 1009),
      }, {
        maxMessageSize: 10,
        maxFrameSize: 100,
      });
    });

    test(`${role} fails fragments adding up to more than maxMessageSize`, () => {
      const bytes = concat(peerFrame(role, 0x01, "abcdef"), peerFrame(role, 0x80, "ghijk"));
      feedEveryWay(role, bytes, {
        events: TOO_BIG("MESSAGE_TOO_LARGE"),
        output: closeFrameOf(role, 1009),
      }, { maxMessageSize: 10 });
    });

    test(`${role} fails a frame larger than maxFrameSize`, () => {
      const bytes = concat(peerFrame(role, 0x01, "abcde"), peerFrame(role, 0x80, "fghijk"));
      feedEveryWay(role, bytes, {
        events: TOO_BIG("FRAME_TOO_LARGE"),
        output: closeFrameOf(role, 1009),
      }, { maxMessageSize: 100, maxFrameSize: 5 });
    });

    test(`${role} fails the fragment that exceeds the fragment budget`, () => {
      // 1-byte fragments cost 1 + 64: 15 fit in 1000, the 16th does not.
      const frames = [peerFrame(role, 0x02, [0])];
      for (let i = 0; i < 20; i++) frames.push(peerFrame(role, 0x00, [i]));
      const { connection, recorder } = open(role, { maxFragmentBudget: 1000 });
      let accepted = 0;
      for (const frame of frames) {
        connection.receive(frame);
        if (connection.state === "closed") break;
        accepted++;
      }
      assert.equal(accepted, 15);
      assert.deepEqual(recorder.events, TOO_BIG("FRAGMENT_BUDGET_EXCEEDED"));
      assert.equal(hex(connection.takeOutput().flatMap((c) => [...c])), closeFrameOf(role, 1009));
    });
  }

  test("client accepts a 16 MiB message with the default limits", () => {
    const size = 16 * 1024 * 1024;
    const { connection, recorder } = open("client");
    const frame = new Uint8Array(10 + size);
    frame.set([0x82, 127, 0, 0, 0, 0, 0x01, 0, 0, 0]);
    connection.receive(frame.subarray(0, 100_000));
    connection.receive(frame.subarray(100_000));
    assert.equal(recorder.messages.length, 1);
    assert.equal((recorder.messages[0] as Uint8Array).length, size);
  });

  test("client fails a message of 16 MiB + 1 with the default limits", () => {
    const { connection, recorder } = open("client");
    connection.receive(Uint8Array.of(0x82, 127, 0, 0, 0, 0, 0x01, 0, 0, 1));
    assert.deepEqual(recorder.events, TOO_BIG("FRAME_TOO_LARGE"));
  });

  test("server never allocates from a declared length before the bytes arrive", () => {
    // 2^52 bytes: allocating that up front would throw a RangeError.
    const { connection, recorder } = open("server", { maxMessageSize: Number.MAX_SAFE_INTEGER });
    connection.receive(Uint8Array.of(0x82, 0xff, 0, 0x10, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7));
    for (let i = 0; i < 64; i++) connection.receive(new Uint8Array(16 * 1024));
    assert.equal(connection.state, "open");
    assert.deepEqual(recorder.events, []);
  });

  test("server cuts a flood of 1-byte fragments off after budget / (1 + overhead) frames", () => {
    const budget = 1024 * 1024;
    const { connection, recorder } = open("server", { maxFragmentBudget: budget });
    connection.receive(clientFrame(0x02, [0x61]));
    const batch = concat(...Array.from({ length: 1000 }, tinyContinuation));
    let consumed = 0;
    while (connection.state !== "closed" && consumed < 100_000_000) {
      connection.receive(batch.slice());
      consumed += batch.length;
    }
    const framesAllowed = Math.floor(budget / 65);
    assert.ok(consumed <= (framesAllowed + 1000) * 7, `${consumed} bytes consumed`);
    assert.deepEqual(recorder.events, TOO_BIG("FRAGMENT_BUDGET_EXCEEDED"));
    const output = connection.takeOutput().flatMap((c) => [...c]);
    assert.equal(hex(output), "88 02 03 f1");
  });
});
