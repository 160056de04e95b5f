import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FrameEncoder } from "../../../src/frame/frame_encoder.ts";
import type { MaskKeySource } from "../../../src/frame/mask_key_pool.ts";
import { MaskKeyPool } from "../../../src/frame/mask_key_pool.ts";
import { clientFrame, hex, joined, RFC_KEY, serverFrame } from "./fixtures.ts";

const rfcKeys: MaskKeySource = {
  next(target, offset) {
    target.set(RFC_KEY, offset);
  },
};

describe("FrameEncoder", () => {
  test("FrameEncoder writes the RFC 6455 §5.7 unmasked Hello as a server", () => {
    const encoder = new FrameEncoder({ role: "server" });
    encoder.writeText("Hello");
    assert.equal(hex(joined(encoder.take())), "81 05 48 65 6c 6c 6f");
  });

  test("FrameEncoder writes the RFC 6455 §5.7 masked Hello as a client", () => {
    const encoder = new FrameEncoder({ role: "client", maskKeys: rfcKeys });
    encoder.writeText("Hello");
    assert.equal(hex(joined(encoder.take())), "81 85 37 fa 21 3d 7f 9f 4d 51 58");
    encoder.writeFrame(1, new TextEncoder().encode("Hello"));
    assert.equal(hex(joined(encoder.take())), "81 85 37 fa 21 3d 7f 9f 4d 51 58");
  });

  test("FrameEncoder writes the fragmented Hel + lo and an unmasked ping Hello", () => {
    const encoder = new FrameEncoder({ role: "server" });
    encoder.writeFrame(1, new TextEncoder().encode("Hel"), false);
    encoder.writeFrame(0, new TextEncoder().encode("lo"), true);
    encoder.writeFrame(9, new TextEncoder().encode("Hello"));
    assert.equal(
      hex(joined(encoder.take())),
      "01 03 48 65 6c 80 02 6c 6f 89 05 48 65 6c 6c 6f",
    );
  });

  test("FrameEncoder uses the 16-bit length for 256 bytes and 64-bit for 64 KiB", () => {
    const encoder = new FrameEncoder({ role: "server" });
    const small = new Uint8Array(256).fill(1);
    const big = new Uint8Array(65536).fill(2);
    encoder.writeFrame(2, small);
    encoder.writeFrame(2, big);
    const bytes = joined(encoder.take());
    assert.equal(hex(bytes.subarray(0, 4)), "82 7e 01 00");
    assert.equal(hex(bytes.subarray(260, 270)), "82 7f 00 00 00 00 00 01 00 00");
    assert.equal(bytes.length, 4 + 256 + 10 + 65536);
    assert.deepEqual(bytes, joined([serverFrame(0x82, small), serverFrame(0x82, big)]));
  });

  test("FrameEncoder uses minimal lengths at the 125/126 and 65535/65536 edges", () => {
    const encoder = new FrameEncoder({ role: "server" });
    for (const length of [125, 126, 65535, 65536]) {
      encoder.writeFrame(2, new Uint8Array(length));
      const bytes = joined(encoder.take());
      assert.deepEqual(bytes, serverFrame(0x82, new Uint8Array(length)), String(length));
    }
  });

  test("FrameEncoder queues a large server binary payload without copying it", () => {
    const encoder = new FrameEncoder({ role: "server" });
    const payload = new Uint8Array(4096).fill(3);
    encoder.writeFrame(2, payload);
    const chunks = encoder.take();
    assert.equal(chunks.length, 2);
    assert.equal(hex(chunks[0]), "82 7e 10 00");
    assert.equal(chunks[1], payload);
  });

  test("FrameEncoder copies a small binary payload next to its header in one chunk", () => {
    const encoder = new FrameEncoder({ role: "server" });
    encoder.writeFrame(2, Uint8Array.of(1, 2, 3));
    const chunks = encoder.take();
    assert.equal(chunks.length, 1);
    assert.equal(hex(chunks[0]), "82 03 01 02 03");
  });

  test("FrameEncoder batches consecutive small frames into one chunk", () => {
    const encoder = new FrameEncoder({ role: "server" });
    for (let i = 0; i < 100; i++) encoder.writeText("hi");
    const chunks = encoder.take();
    assert.equal(chunks.length, 1);
    assert.equal(chunks[0].length, 400);
    assert.deepEqual(encoder.take(), []);
    assert.equal(encoder.hasOutput, false);
  });

  test("FrameEncoder never changes bytes it already handed out", () => {
    const encoder = new FrameEncoder({ role: "server" });
    encoder.writeText("first");
    const first = encoder.take();
    const before = hex(joined(first));
    for (let i = 0; i < 5000; i++) encoder.writeText("later frames that fill the slab");
    encoder.take();
    assert.equal(hex(joined(first)), before);
  });

  test("FrameEncoder as a client masks a copy and leaves the caller's bytes alone", () => {
    for (const length of [5, 2000]) {
      const encoder = new FrameEncoder({ role: "client", maskKeys: rfcKeys });
      const payload = new Uint8Array(length).map((_, i) => i);
      const original = payload.slice();
      encoder.writeFrame(2, payload);
      assert.deepEqual(payload, original);
      assert.deepEqual(joined(encoder.take()), clientFrame(0x82, original));
    }
  });

  test("FrameEncoder encodes multi-byte text of every size with a minimal header", () => {
    for (const text of ["é".repeat(50), "€".repeat(41), "a".repeat(200), "€".repeat(30000)]) {
      for (const role of ["server", "client"] as const) {
        const encoder = new FrameEncoder({ role, maskKeys: rfcKeys });
        encoder.writeText(text);
        const expected = role === "server" ? serverFrame(0x81, text) : clientFrame(0x81, text);
        assert.deepEqual(joined(encoder.take()), expected, `${role} ${text.length}`);
      }
    }
  });

  test("FrameEncoder sets RSV bits and FIN as asked", () => {
    const encoder = new FrameEncoder({ role: "server" });
    encoder.writeFrame(2, Uint8Array.of(1), false, 0x40);
    assert.equal(hex(joined(encoder.take())), "42 01 01");
  });

  test("MaskKeyPool hands out 4 fresh bytes per call", () => {
    const pool = new MaskKeyPool();
    const keys = new Set<string>();
    const target = new Uint8Array(6);
    for (let i = 0; i < 3000; i++) {
      pool.next(target, 2);
      keys.add(hex(target.subarray(2)));
    }
    assert.equal(hex(target.subarray(0, 2)), "00 00");
    assert.ok(keys.size > 2990, `${keys.size} distinct keys`);
  });
});

describe("FrameEncoder shared slab", () => {
  const bytesOf = (chunks: Uint8Array[]) => chunks.flatMap((chunk) => [...chunk]);

  test("encoders writing in turn keep their own frames, in order", () => {
    const a = new FrameEncoder({ role: "server" });
    const b = new FrameEncoder({ role: "server" });
    a.writeText("a1");
    b.writeText("b1");
    a.writeFrame(2, new Uint8Array([1, 2]));
    b.writeText("b2");
    assert.deepEqual(bytesOf(a.take()), [0x81, 2, 0x61, 0x31, 0x82, 2, 1, 2]);
    assert.deepEqual(bytesOf(b.take()), [0x81, 2, 0x62, 0x31, 0x81, 2, 0x62, 0x32]);
  });

  test("taken chunks never change when more frames are written", () => {
    const a = new FrameEncoder({ role: "server" });
    const b = new FrameEncoder({ role: "server" });
    a.writeText("first");
    const taken = a.take();
    const snapshot = bytesOf(taken);
    // Enough traffic to fill and replace the 16 KiB slab several times.
    for (let i = 0; i < 2_000; i++) {
      a.writeText("x".repeat(40));
      b.writeFrame(2, new Uint8Array(30).fill(i & 0xff));
    }
    assert.deepEqual(bytesOf(taken), snapshot);
    assert.equal(bytesOf(a.take()).length, 2_000 * 42);
    assert.equal(bytesOf(b.take()).length, 2_000 * 32);
  });
});
