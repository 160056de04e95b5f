import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Extension } from "../../../src/protocol/extension.ts";
import { clientFrame, concat, hex, seededRandom, serverFrame } from "../frame/fixtures.ts";
import { closeFrameOf, open, ownFrame } from "./harness.ts";

// A key whose bytes all differ, so a wrong key phase anywhere shows in the bytes.
const KEY = [0x9d, 0x01, 0x6e, 0xf3];
// Above the 16 KiB at which parts are kept as views rather than copied; odd so no chunking lines up.
const SIZE = 40_003;
const HEADER = 8; // 0x82, 126, two length bytes, four key bytes

function randomBytes(length: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

/**
 * Cuts `bytes` at `cuts` (ascending offsets) into chunks that each own a
 * buffer and start at byte offset 0 to 3 in it, so both the aligned and the
 * misaligned copy paths run.
 */
function cutAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const end of [...cuts, bytes.length]) {
    if (end <= at) continue;
    const shift = chunks.length & 3;
    const buffer = new Uint8Array(shift + end - at);
    buffer.set(bytes.subarray(at, end), shift);
    chunks.push(buffer.subarray(shift));
    at = end;
  }
  return chunks;
}

function cutEvery(bytes: Uint8Array, size: number): Uint8Array[] {
  const cuts: number[] = [];
  for (let at = size; at < bytes.length; at += size) cuts.push(at);
  return cutAt(bytes, cuts);
}

/** Ways to cut one frame whose payload of `size` bytes starts at `header`. */
function chunkingsOf(bytes: Uint8Array, header: number, size: number) {
  const half = header + Math.ceil(size / 2);
  const ways: { name: string; chunks: Uint8Array[] }[] = [];
  for (const chunkSize of [1, 3, 7, 1000, 4093, 16_384, 65_536]) {
    ways.push({ name: `${chunkSize}-byte chunks`, chunks: cutEvery(bytes, chunkSize) });
  }
  for (const delta of [-1, 0, 1]) {
    ways.push({
      name: `cut at half ${delta >= 0 ? "+" : ""}${delta}`,
      chunks: cutAt(bytes, [header, half + delta]),
    });
  }
  ways.push({ name: "header, then whole payload", chunks: cutAt(bytes, [header]) });
  ways.push({ name: "header and one byte, then the rest", chunks: cutAt(bytes, [header + 1]) });
  ways.push({ name: "all but the last byte, then it", chunks: cutAt(bytes, [bytes.length - 1]) });
  const random = seededRandom(17);
  const cuts: number[] = [];
  for (let at = 0; at < bytes.length; at += 1 + Math.floor(random() * 9000)) cuts.push(at);
  ways.push({ name: "random cuts", chunks: cutAt(bytes, cuts) });
  // Views into one shared buffer, as the protocol tests elsewhere feed them.
  const shared = bytes.slice();
  const views: Uint8Array[] = [];
  for (let at = 0; at < shared.length; at += 5000) views.push(shared.subarray(at, at + 5000));
  ways.push({ name: "5000-byte views of one buffer", chunks: views });
  return ways;
}

function firstDifference(actual: Uint8Array, expected: Uint8Array): number {
  if (actual.length !== expected.length) return Math.min(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) if (actual[i] !== expected[i]) return i;
  return -1;
}

function receiveAll(role: "server" | "client", chunks: Uint8Array[], options = {}) {
  const run = open(role, options);
  for (const chunk of chunks) run.connection.receive(chunk);
  return run;
}

describe("WebSocketConnection large messages", () => {
  const payload = randomBytes(SIZE, 1);
  const masked = clientFrame(0x82, payload, KEY);

  test("server assembles a large masked binary frame exactly in every chunking", () => {
    for (const { name, chunks } of chunkingsOf(masked, HEADER, SIZE)) {
      const { recorder } = receiveAll("server", chunks);
      assert.equal(recorder.messages.length, 1, name);
      assert.equal(recorder.errors.length, 0, name);
      const data = recorder.messages[0] as Uint8Array;
      assert.equal(firstDifference(data, payload), -1, name);
    }
  });

  test("server joins a message into the given allocation and covers every byte of it", () => {
    const sizes: number[] = [];
    // Stands in for uninitialised memory: any byte left unwritten would show as 0xAA.
    const allocate = (size: number) => {
      sizes.push(size);
      return new Uint8Array(size).fill(0xaa);
    };
    // Reads of 16 KiB and more are kept as parts and joined at the end.
    const { recorder } = receiveAll("server", cutEvery(masked, 20_000), { allocate });
    assert.deepEqual(sizes, [SIZE]);
    assert.equal(firstDifference(recorder.messages[0] as Uint8Array, payload), -1);
  });

  test("client assembles a large unmasked binary frame exactly in every chunking", () => {
    const bytes = serverFrame(0x82, payload);
    for (const { name, chunks } of chunkingsOf(bytes, 4, SIZE)) {
      const { recorder } = receiveAll("client", chunks);
      assert.equal(recorder.messages.length, 1, name);
      assert.equal(firstDifference(recorder.messages[0] as Uint8Array, payload), -1, name);
    }
  });

  test("server assembles a 1 MiB frame with a 64-bit length read in 64 KiB chunks", () => {
    const big = randomBytes(1024 * 1024 + 5, 2);
    const frame = clientFrame(0x82, big, KEY);
    for (const size of [65_536, 65_537, 1 << 20]) {
      const { recorder } = receiveAll("server", cutEvery(frame, size));
      assert.equal(recorder.messages.length, 1, `${size}-byte chunks`);
      const data = recorder.messages[0] as Uint8Array;
      assert.equal(firstDifference(data, big), -1, `${size}-byte chunks`);
    }
  });

  test("server delivers consecutive large frames and a ping between them in order", () => {
    const second = randomBytes(SIZE + 1, 3);
    const bytes = concat(masked, clientFrame(0x89, "hi", KEY), clientFrame(0x82, second, KEY));
    // 40_011 puts the ping and the next header in the chunk that ends the first frame.
    for (const size of [1, 977, 40_011, 65_536]) {
      const { connection, recorder } = receiveAll("server", cutEvery(bytes, size));
      assert.deepEqual(recorder.events.map((event) => (event as unknown[])[0]), [
        "binary",
        "ping",
        "binary",
      ]);
      assert.equal(firstDifference(recorder.messages[0] as Uint8Array, payload), -1);
      assert.equal(firstDifference(recorder.messages[1] as Uint8Array, second), -1);
      assert.equal(hex(concat(...connection.takeOutput())), ownFrame("server", 0x8a, "hi"));
    }
  });

  test("server hands an extension the exact unmasked bytes of a large RSV1 frame", () => {
    const seen: Uint8Array[] = [];
    const recording: Extension = {
      name: "x-record",
      rsvBits: 0x40,
      decodeMessage: (bytes) => {
        seen.push(bytes.slice());
        return bytes;
      },
    };
    // Text with RSV1 is not validated on arrival: its bytes take the masked route.
    const text = new TextEncoder().encode("€uro ".repeat(5000));
    const frame = clientFrame(0xc1, text, KEY);
    for (const size of [1, 4093, 65_536]) {
      seen.length = 0;
      const { recorder } = receiveAll("server", cutEvery(frame, size), {
        extensions: [recording],
      });
      assert.equal(seen.length, 1);
      assert.equal(firstDifference(seen[0], text), -1);
      assert.deepEqual(recorder.messages, ["€uro ".repeat(5000)]);
    }
  });

  test("server refuses a frame just over maxMessageSize from its header, before any payload", () => {
    const limit = 64 * 1024;
    const frame = clientFrame(0x82, new Uint8Array(limit + 1), KEY);
    const { connection, recorder } = receiveAll("server", [frame.slice(0, 14)], {
      maxMessageSize: limit,
    });
    assert.deepEqual(recorder.events, [
      ["error", "FRAME_TOO_LARGE", 1009],
      ["close", 1009, "", false],
    ]);
    assert.equal(hex(concat(...connection.takeOutput())), closeFrameOf("server", 1009));
    // The payload that follows is never looked at.
    connection.receive(frame.slice(14));
    assert.equal(recorder.messages.length, 0);
  });

  test("server accepts a large frame of exactly maxMessageSize", () => {
    const { recorder } = receiveAll("server", cutEvery(masked, 4096), { maxMessageSize: SIZE });
    assert.equal(firstDifference(recorder.messages[0] as Uint8Array, payload), -1);
  });

  test("server discards the rest of a large frame after close() is called during it", () => {
    const chunks = cutEvery(masked, 10_000);
    const { connection, recorder } = receiveAll("server", chunks.slice(0, 3));
    connection.close(1001);
    for (const chunk of chunks.slice(3)) connection.receive(chunk);
    assert.deepEqual(recorder.messages, []);
    assert.equal(connection.state, "closing");
    connection.receive(clientFrame(0x88, [0x03, 0xe9], KEY));
    assert.deepEqual(recorder.events, [["close", 1001, "", true]]);
  });
});

describe("WebSocketConnection large text messages", () => {
  // 1-, 2-, 3- and 4-byte sequences, so chunk edges fall inside every kind.
  const unit = "a\u00e9\u20ac\u{1f600}";
  const text = unit.repeat(4001); // 40_010 bytes
  const bytes = new TextEncoder().encode(text);
  const header = HEADER;

  test("server assembles large UTF-8 text split inside multi-byte sequences", () => {
    const frame = clientFrame(0x81, bytes, KEY);
    for (const { name, chunks } of chunkingsOf(frame, header, bytes.length)) {
      const { recorder } = receiveAll("server", chunks);
      assert.equal(recorder.errors.length, 0, name);
      assert.equal(recorder.messages.length, 1, name);
      assert.equal(recorder.messages[0] === text, true, name);
    }
  });

  for (
    const [where, at] of [
      ["in the first half", 1003],
      ["in the second half", 30_001],
      ["as the last byte", bytes.length - 1],
    ] as const
  ) {
    test(`server fails large text with 1007 when an invalid byte is ${where}`, () => {
      const invalid = bytes.slice();
      invalid[at] = 0xff;
      const frame = clientFrame(0x81, invalid, KEY);
      for (const { name, chunks } of chunkingsOf(frame, header, invalid.length)) {
        const { connection, recorder } = receiveAll("server", chunks);
        assert.deepEqual(recorder.events, [
          ["error", "INVALID_UTF8", 1007],
          ["close", 1007, "", false],
        ], name);
        assert.equal(hex(concat(...connection.takeOutput())), closeFrameOf("server", 1007));
      }
    });
  }

  test("server fails large text as soon as the chunk with the invalid byte is in", () => {
    const invalid = bytes.slice();
    invalid[30_001] = 0xc0;
    const frame = clientFrame(0x81, invalid, KEY);
    const chunks = cutEvery(frame, 1000);
    const { connection, recorder } = open("server");
    let fed = 0;
    for (const chunk of chunks) {
      connection.receive(chunk);
      fed++;
      if (connection.state === "closed") break;
    }
    assert.equal(fed, Math.floor((header + 30_001) / 1000) + 1);
    assert.deepEqual(recorder.events[0], ["error", "INVALID_UTF8", 1007]);
  });

  test("server fails large text that ends inside a UTF-8 sequence with 1007", () => {
    const cut = bytes.slice(0, bytes.length - 1); // drops the last byte of an emoji
    const frame = clientFrame(0x81, cut, KEY);
    for (const size of [1, 999, 65_536]) {
      const { recorder } = receiveAll("server", cutEvery(frame, size));
      assert.deepEqual(recorder.events, [
        ["error", "INVALID_UTF8", 1007],
        ["close", 1007, "", false],
      ]);
    }
  });
});

describe("WebSocketConnection large fragmented messages", () => {
  test("server answers pings between large fragments in order and assembles the message", () => {
    const payload = randomBytes(3 * 30_000, 4);
    const bytes = concat(
      clientFrame(0x02, payload.subarray(0, 30_000), KEY),
      clientFrame(0x89, "one", KEY),
      clientFrame(0x00, payload.subarray(30_000, 60_000), KEY),
      clientFrame(0x89, "two", KEY),
      clientFrame(0x80, payload.subarray(60_000), KEY),
    );
    for (const size of [1, 4093, 65_536, bytes.length]) {
      const { connection, recorder } = receiveAll("server", cutEvery(bytes, size));
      assert.deepEqual(recorder.events.slice(0, 2), [
        ["ping", hex(new TextEncoder().encode("one"))],
        ["ping", hex(new TextEncoder().encode("two"))],
      ]);
      assert.equal(recorder.messages.length, 1);
      assert.equal(firstDifference(recorder.messages[0] as Uint8Array, payload), -1);
      assert.equal(
        hex(concat(...connection.takeOutput())),
        `${ownFrame("server", 0x8a, "one")} ${ownFrame("server", 0x8a, "two")}`,
      );
    }
  });

  test("server validates large fragmented text with a ping between the fragments", () => {
    const text = "\u20ac".repeat(12_000); // 36_000 bytes
    const encoded = new TextEncoder().encode(text);
    // The cut at 20_000 falls inside a euro sign.
    const bytes = concat(
      clientFrame(0x01, encoded.subarray(0, 20_000), KEY),
      clientFrame(0x89, [], KEY),
      clientFrame(0x80, encoded.subarray(20_000), KEY),
    );
    for (const size of [1, 7, 65_536]) {
      const { connection, recorder } = receiveAll("server", cutEvery(bytes, size));
      assert.deepEqual(recorder.events, [["ping", ""], ["text", text]]);
      assert.equal(hex(concat(...connection.takeOutput())), ownFrame("server", 0x8a));
    }
  });
});
