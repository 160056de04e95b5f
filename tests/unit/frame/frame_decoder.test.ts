import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FrameDecoder } from "../../../src/frame/frame_decoder.ts";
import { ProtocolError } from "../../../src/errors/protocol_error.ts";
import { chunkings, clientFrame, concat, hex, serverFrame } from "./fixtures.ts";

interface DecodedFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  length: number;
  payload: string;
}

function decodeAll(
  role: "server" | "client",
  chunks: Uint8Array[],
  allowedRsv = 0,
): DecodedFrame[] {
  const decoder = new FrameDecoder({ role, allowedRsv });
  const frames: DecodedFrame[] = [];
  let parts: Uint8Array[] = [];
  for (const chunk of chunks) {
    decoder.feed(chunk);
    for (;;) {
      const event = decoder.next();
      if (event === FrameDecoder.NEED_MORE) break;
      if (event === FrameDecoder.FRAME_START) {
        parts = [];
        frames.push({
          fin: decoder.fin,
          rsv: decoder.rsv,
          opcode: decoder.opcode,
          length: decoder.length,
          payload: "",
        });
      } else {
        parts.push(decoder.payload.slice());
        if (decoder.frameEnd) frames[frames.length - 1].payload = hex(concat(...parts));
      }
    }
  }
  return frames;
}

function expectError(
  role: "server" | "client",
  bytes: number[],
  code: string,
  allowedRsv = 0,
): void {
  for (const { name, chunks } of chunkings(Uint8Array.from(bytes))) {
    assert.throws(
      () => decodeAll(role, chunks, allowedRsv),
      (error: unknown) =>
        error instanceof ProtocolError && error.code === code && error.closeCode === 1002,
      name,
    );
  }
}

const HELLO = "48 65 6c 6c 6f";

describe("FrameDecoder", () => {
  test("FrameDecoder reads the RFC 6455 §5.7 unmasked Hello in every chunking", () => {
    const bytes = Uint8Array.of(0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f);
    for (const { name, chunks } of chunkings(bytes)) {
      assert.deepEqual(
        decodeAll("client", chunks),
        [{ fin: true, rsv: 0, opcode: 1, length: 5, payload: HELLO }],
        name,
      );
    }
  });

  test("FrameDecoder unmasks the RFC 6455 §5.7 masked Hello in every chunking", () => {
    const bytes = Uint8Array.of(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
    for (const { name, chunks } of chunkings(bytes)) {
      assert.deepEqual(
        decodeAll("server", chunks),
        [{ fin: true, rsv: 0, opcode: 1, length: 5, payload: HELLO }],
        name,
      );
    }
  });

  test("FrameDecoder reads the fragmented Hel + lo and a ping in one chunk", () => {
    const bytes = Uint8Array.of(
      ...[0x01, 0x03, 0x48, 0x65, 0x6c],
      ...[0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f],
      ...[0x80, 0x02, 0x6c, 0x6f],
    );
    for (const { name, chunks } of chunkings(bytes)) {
      assert.deepEqual(decodeAll("client", chunks), [
        { fin: false, rsv: 0, opcode: 1, length: 3, payload: "48 65 6c" },
        { fin: true, rsv: 0, opcode: 9, length: 5, payload: HELLO },
        { fin: true, rsv: 0, opcode: 0, length: 2, payload: "6c 6f" },
      ], name);
    }
  });

  test("FrameDecoder reads the 256-byte 16-bit and 64 KiB 64-bit length headers", () => {
    const small = new Uint8Array(256).map((_, i) => i);
    const big = new Uint8Array(65536).map((_, i) => i * 7);
    const bytes = concat(
      [0x82, 0x7e, 0x01, 0x00],
      small,
      [0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00],
      big,
    );
    for (const { name, chunks } of chunkings(bytes, 99, 2)) {
      const frames = decodeAll("client", name === "one byte at a time" ? chunks : chunks);
      assert.equal(frames.length, 2, name);
      assert.equal(frames[0].length, 256);
      assert.equal(frames[0].payload, hex(small));
      assert.equal(frames[1].length, 65536);
      assert.equal(frames[1].payload, hex(big));
    }
  });

  test("FrameDecoder accepts non-minimal length encodings", () => {
    const sixteen = serverFrame(0x82, [1, 2, 3], 16);
    const sixtyFour = serverFrame(0x82, [4, 5], 64);
    assert.equal(hex(sixteen.subarray(0, 4)), "82 7e 00 03");
    assert.deepEqual(decodeAll("client", [concat(sixteen, sixtyFour)]), [
      { fin: true, rsv: 0, opcode: 2, length: 3, payload: "01 02 03" },
      { fin: true, rsv: 0, opcode: 2, length: 2, payload: "04 05" },
    ]);
  });

  test("FrameDecoder yields one empty payload event for a zero-length frame", () => {
    assert.deepEqual(decodeAll("client", [Uint8Array.of(0x82, 0x00, 0x8a, 0x00)]), [
      { fin: true, rsv: 0, opcode: 2, length: 0, payload: "" },
      { fin: true, rsv: 0, opcode: 10, length: 0, payload: "" },
    ]);
  });

  test("FrameDecoder hands out payloads as views into the fed chunk", () => {
    const chunk = clientFrame(0x82, [9, 8, 7]);
    const decoder = new FrameDecoder({ role: "server" });
    decoder.feed(chunk);
    assert.equal(decoder.next(), FrameDecoder.FRAME_START);
    assert.equal(decoder.next(), FrameDecoder.PAYLOAD);
    assert.equal(decoder.payload.buffer, chunk.buffer);
    assert.deepEqual([...chunk.subarray(6)], [9, 8, 7], "unmasked in place");
  });

  test("FrameDecoder fails a 64-bit length with the top bit set", () => {
    expectError("client", [0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 1], "INVALID_FRAME_LENGTH");
  });

  test("FrameDecoder fails reserved opcodes 3-7 and 11-15", () => {
    for (const opcode of [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]) {
      expectError("client", [0x80 | opcode, 0x00], "RESERVED_OPCODE");
    }
  });

  test("FrameDecoder fails RSV bits no extension owns and accepts owned ones", () => {
    for (const rsv of [0x40, 0x20, 0x10]) {
      expectError("client", [0x81 | rsv, 0x00], "RESERVED_BITS");
    }
    expectError("client", [0xc1 | 0x20, 0x00], "RESERVED_BITS", 0x40);
    assert.deepEqual(decodeAll("client", [Uint8Array.of(0xc1, 0x00)], 0x40), [
      { fin: true, rsv: 0x40, opcode: 1, length: 0, payload: "" },
    ]);
  });

  test("FrameDecoder fails RSV bits on control frames even when an extension owns them", () => {
    expectError("client", [0xc9, 0x00], "RESERVED_BITS", 0x40);
  });

  test("FrameDecoder fails fragmented and over-long control frames", () => {
    expectError("client", [0x09, 0x00], "FRAGMENTED_CONTROL_FRAME");
    expectError("client", [0x08, 0x00], "FRAGMENTED_CONTROL_FRAME");
    expectError("client", [0x89, 0x7e, 0x00, 0x7e], "CONTROL_FRAME_TOO_LONG");
    expectError("client", [0x8a, 0x7e, 0x00, 0x05], "CONTROL_FRAME_TOO_LONG");
  });

  test("FrameDecoder as a server fails unmasked frames; as a client fails masked ones", () => {
    expectError("server", [0x81, 0x00], "UNMASKED_FRAME");
    expectError("client", [0x81, 0x80, 1, 2, 3, 4], "MASKED_FRAME");
  });

  test("FrameDecoder fails as soon as the second header byte arrives", () => {
    const decoder = new FrameDecoder({ role: "server" });
    decoder.feed(Uint8Array.of(0x81));
    assert.equal(decoder.next(), FrameDecoder.NEED_MORE);
    decoder.feed(Uint8Array.of(0x7f));
    assert.throws(() => decoder.next(), { code: "UNMASKED_FRAME" });
  });

  test("FrameDecoder reports a declared 1 GiB length without waiting for or allocating it", () => {
    const decoder = new FrameDecoder({ role: "client" });
    decoder.feed(Uint8Array.of(0x82, 0x7f, 0, 0, 0, 0, 0x40, 0, 0, 0, 0xaa));
    assert.equal(decoder.next(), FrameDecoder.FRAME_START);
    assert.equal(decoder.length, 1024 * 1024 * 1024);
    assert.equal(decoder.next(), FrameDecoder.PAYLOAD);
    assert.deepEqual([...decoder.payload], [0xaa]);
    assert.equal(decoder.frameEnd, false);
    assert.equal(decoder.next(), FrameDecoder.NEED_MORE);
  });
});
