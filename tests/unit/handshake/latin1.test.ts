import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decodeLatin1, encodeLatin1 } from "../../../src/handshake/latin1.ts";

// Every byte value, 0x80-0x9F included (where windows-1252 differs from Latin-1).
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, index) => index);

function codesOf(text: string): number[] {
  return Array.from(text, (char) => char.charCodeAt(0));
}

describe("decodeLatin1", () => {
  test("decodeLatin1 maps every byte to the char code of the same value, long and short", () => {
    assert.deepEqual(codesOf(decodeLatin1(ALL_BYTES)), [...ALL_BYTES]);
    for (let start = 0; start < 256; start += 16) {
      const short = ALL_BYTES.slice(start, start + 16);
      assert.deepEqual(codesOf(decodeLatin1(short)), [...short]);
    }
  });

  test("decodeLatin1 decodes a range of a larger array", () => {
    const text = decodeLatin1(ALL_BYTES, 0x70, 0xc0);
    assert.deepEqual(codesOf(text), [...ALL_BYTES.subarray(0x70, 0xc0)]);
    assert.equal(decodeLatin1(ALL_BYTES, 0x41, 0x44), "ABC");
    // 0xA0-0xFF only: the same in windows-1252, so the native decoder's answer stands.
    assert.deepEqual(codesOf(decodeLatin1(ALL_BYTES, 0xa0)), [...ALL_BYTES.subarray(0xa0)]);
  });

  test("decodeLatin1 keeps ASCII heads byte for byte", () => {
    const head = "GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\r\n".repeat(3);
    assert.equal(decodeLatin1(new TextEncoder().encode(head)), head);
  });

  test("encodeLatin1 reverses decodeLatin1 for every byte value", () => {
    assert.deepEqual(encodeLatin1(decodeLatin1(ALL_BYTES)), ALL_BYTES);
    assert.deepEqual(encodeLatin1("Upgrade"), new TextEncoder().encode("Upgrade"));
  });
});
