import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Utf8Validator } from "../../../src/frame/utf8_validator.ts";
import { decodeUtf8 } from "../../../src/frame/decode_utf8.ts";
import { ProtocolError } from "../../../src/errors/protocol_error.ts";
import { seededRandom } from "./fixtures.ts";

function validWhole(bytes: number[]): boolean {
  const validator = new Utf8Validator();
  return validator.push(Uint8Array.from(bytes)) && validator.complete;
}

function validBytewise(bytes: number[]): boolean {
  const validator = new Utf8Validator();
  for (const byte of bytes) if (!validator.push(Uint8Array.of(byte))) return false;
  return validator.complete;
}

const VALID: [string, number[]][] = [
  ["ASCII", [0x48, 0x69]],
  ["2-byte é", [0xc3, 0xa9]],
  ["3-byte €", [0xe2, 0x82, 0xac]],
  ["lowest 3-byte after overlongs, U+0800", [0xe0, 0xa0, 0x80]],
  ["last before surrogates, U+D7FF", [0xed, 0x9f, 0xbf]],
  ["first after surrogates, U+E000", [0xee, 0x80, 0x80]],
  ["4-byte U+10000", [0xf0, 0x90, 0x80, 0x80]],
  ["highest code point U+10FFFF", [0xf4, 0x8f, 0xbf, 0xbf]],
  ["BOM", [0xef, 0xbb, 0xbf]],
  ["NUL", [0x00]],
];

const INVALID: [string, number[]][] = [
  ["lone continuation", [0x80]],
  ["overlong 2-byte C0 80", [0xc0, 0x80]],
  ["overlong 2-byte C1 BF", [0xc1, 0xbf]],
  ["overlong 3-byte E0 80 80", [0xe0, 0x80, 0x80]],
  ["overlong 3-byte E0 9F BF", [0xe0, 0x9f, 0xbf]],
  ["overlong 4-byte F0 80 80 80", [0xf0, 0x80, 0x80, 0x80]],
  ["overlong 4-byte F0 8F BF BF", [0xf0, 0x8f, 0xbf, 0xbf]],
  ["high surrogate U+D800", [0xed, 0xa0, 0x80]],
  ["low surrogate U+DFFF", [0xed, 0xbf, 0xbf]],
  ["above U+10FFFF: F4 90 80 80", [0xf4, 0x90, 0x80, 0x80]],
  ["F5 lead", [0xf5, 0x80, 0x80, 0x80]],
  ["FF byte", [0xff]],
  ["lead then ASCII", [0xc3, 0x41]],
  ["truncated 3-byte at end", [0xe2, 0x82]],
  ["truncated 4-byte at end", [0xf0, 0x90, 0x80]],
];

describe("Utf8Validator", () => {
  for (const [name, bytes] of VALID) {
    test(`Utf8Validator accepts ${name} whole and one byte at a time`, () => {
      assert.equal(validWhole(bytes), true);
      assert.equal(validBytewise(bytes), true);
    });
  }

  for (const [name, bytes] of INVALID) {
    test(`Utf8Validator refuses ${name} whole and one byte at a time`, () => {
      assert.equal(validWhole(bytes), false);
      assert.equal(validBytewise(bytes), false);
    });
  }

  test("Utf8Validator fails at the first byte that cannot continue, not at the end", () => {
    const validator = new Utf8Validator();
    assert.equal(validator.push(Uint8Array.of(0xed)), true);
    assert.equal(validator.push(Uint8Array.of(0xa0)), false);
    assert.equal(validator.failed, true);
    assert.equal(validator.push(Uint8Array.of(0x41)), false, "stays failed");
    validator.reset();
    assert.equal(validator.push(Uint8Array.of(0x41)), true);
  });

  test("Utf8Validator reports an unfinished code point as not complete", () => {
    const validator = new Utf8Validator();
    assert.equal(validator.push(Uint8Array.of(0xf0, 0x9f)), true);
    assert.equal(validator.complete, false);
    assert.equal(validator.push(Uint8Array.of(0x98, 0x80)), true);
    assert.equal(validator.complete, true);
  });

  test("Utf8Validator agrees with a fatal TextDecoder on seeded random bytes", () => {
    const random = seededRandom(1234);
    const decoder = new TextDecoder("utf-8", { fatal: true });
    const interesting = [0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4];
    for (let round = 0; round < 3000; round++) {
      const length = 1 + Math.floor(random() * 8);
      const bytes: number[] = [];
      for (let i = 0; i < length; i++) {
        bytes.push(
          random() < 0.5
            ? interesting[Math.floor(random() * interesting.length)]
            : Math.floor(random() * 256),
        );
      }
      let expected = true;
      try {
        decoder.decode(Uint8Array.from(bytes));
      } catch {
        expected = false;
      }
      assert.equal(validBytewise(bytes), expected, bytes.join(","));
      assert.equal(validWhole(bytes), expected, bytes.join(","));
    }
  });
});

describe("decodeUtf8", () => {
  test("decodeUtf8 decodes short ASCII, longer multi-byte text and keeps a BOM", () => {
    assert.equal(decodeUtf8(Uint8Array.of(0x48, 0x69)), "Hi");
    const long = "héllo wörld ".repeat(10);
    assert.equal(decodeUtf8(new TextEncoder().encode(long)), long);
    assert.equal(decodeUtf8(Uint8Array.of(0xef, 0xbb, 0xbf, 0x41)), "\ufeffA");
  });

  test("decodeUtf8 throws INVALID_UTF8 with close code 1007 on invalid bytes", () => {
    assert.throws(
      () => decodeUtf8(Uint8Array.of(0x41, 0xed, 0xa0, 0x80)),
      (error: unknown) =>
        error instanceof ProtocolError && error.code === "INVALID_UTF8" && error.closeCode === 1007,
    );
  });
});
