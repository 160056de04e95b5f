import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { applyMask, applyMaskBytewise, maskInto } from "../../../src/frame/apply_mask.ts";
import { RFC_KEY, seededRandom } from "./fixtures.ts";

const key = Uint8Array.from(RFC_KEY);

describe("applyMask", () => {
  test("applyMask unmasks the RFC 6455 §5.7 masked Hello payload", () => {
    const data = new Uint8Array([0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    applyMask(data, key);
    assert.deepEqual([...data], [0x48, 0x65, 0x6c, 0x6c, 0x6f]);
  });

  test("applyMask matches the bytewise reference for every length, offset and phase", () => {
    const random = seededRandom(7);
    const buffer = new Uint8Array(300);
    for (let i = 0; i < buffer.length; i++) buffer[i] = Math.floor(random() * 256);
    for (let offset = 0; offset < 4; offset++) {
      for (let phase = 0; phase < 4; phase++) {
        for (const length of [0, 1, 2, 3, 4, 5, 6, 7, 31, 32, 33, 127, 128, 129, 130, 131, 255]) {
          const word = buffer.slice();
          const byte = buffer.slice();
          applyMask(word.subarray(offset, offset + length), key, phase);
          applyMaskBytewise(byte.subarray(offset, offset + length), key, phase);
          assert.deepEqual(word, byte, `offset ${offset} phase ${phase} length ${length}`);
        }
      }
    }
  });

  test("maskInto writes the masked source into the target and leaves the source as it was", () => {
    const random = seededRandom(11);
    const buffer = new Uint8Array(2100);
    for (let i = 0; i < buffer.length; i++) buffer[i] = Math.floor(random() * 256);
    for (let sourceOffset = 0; sourceOffset < 4; sourceOffset++) {
      for (let targetOffset = 0; targetOffset < 4; targetOffset++) {
        for (const length of [0, 1, 5, 127, 128, 129, 130, 131, 1027, 2048]) {
          const source = buffer.slice().subarray(sourceOffset, sourceOffset + length);
          const original = source.slice();
          const target = new Uint8Array(length + 8).subarray(targetOffset, targetOffset + length);
          maskInto(source, target, key);
          const expected = original.slice();
          applyMaskBytewise(expected, key);
          const at = `source +${sourceOffset} target +${targetOffset} length ${length}`;
          assert.deepEqual(target, expected, at);
          assert.deepEqual(source, original, at);
        }
      }
    }
  });

  test("applyMask resumes the key phase across chunks of one payload", () => {
    const plain = new TextEncoder().encode("a payload longer than thirty-two bytes, split oddly");
    const whole = plain.slice();
    applyMaskBytewise(whole, key);
    const pieces = whole.slice();
    const cuts = [0, 3, 10, 45, pieces.length];
    for (let i = 0; i + 1 < cuts.length; i++) {
      applyMask(pieces.subarray(cuts[i], cuts[i + 1]), key, cuts[i] & 3);
    }
    assert.deepEqual(pieces, plain);
  });

  test("applyMask only touches the view it is given", () => {
    const buffer = new Uint8Array(80).fill(0xaa);
    applyMask(buffer.subarray(5, 70), key, 2);
    assert.deepEqual([...buffer.subarray(0, 5)], [0xaa, 0xaa, 0xaa, 0xaa, 0xaa]);
    assert.deepEqual([...buffer.subarray(70)], new Array(10).fill(0xaa));
  });
});
