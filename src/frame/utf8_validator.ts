/**
 * Streaming UTF-8 validation, so a text message is failed (1007) as soon as
 * an invalid byte arrives rather than once the whole message is buffered.
 *
 * @module
 */

// What the next byte must be. Each "expect" state names the range the next
// continuation byte must fall in, which is how overlongs (E0 80..9F,
// F0 80..8F), surrogates (ED A0..BF) and code points above U+10FFFF (F4 90..,
// F5..FF) are refused at the first byte that makes them so.
const ACCEPT = 0;
const TAIL_1 = 1; // one more 80..BF
const TAIL_2 = 2; // two more 80..BF
const TAIL_3 = 3; // three more 80..BF
const AFTER_E0 = 4; // A0..BF, then one more
const AFTER_ED = 5; // 80..9F, then one more
const AFTER_F0 = 6; // 90..BF, then two more
const AFTER_F4 = 7; // 80..8F, then two more
const REJECT = 8;

/**
 * An incremental UTF-8 validator. Feed it bytes in any chunking with
 * {@linkcode Utf8Validator.push}; a code point may be split across chunks.
 * Once it has rejected, it stays rejected until {@linkcode Utf8Validator.reset}.
 *
 * @example
 * ```ts
 * import { Utf8Validator } from "./utf8_validator.ts";
 *
 * const validator = new Utf8Validator();
 * validator.push(new Uint8Array([0xe2, 0x82])); // true: "€" so far
 * validator.complete; // false: the code point is unfinished
 * validator.push(new Uint8Array([0xac])); // true
 * validator.complete; // true
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export class Utf8Validator {
  #state: number = ACCEPT;

  /** True when the bytes so far are valid and end on a code point boundary. */
  get complete(): boolean {
    return this.#state === ACCEPT;
  }

  /** True once an invalid byte has been seen. */
  get failed(): boolean {
    return this.#state === REJECT;
  }

  /** Forgets everything seen, ready for a new message. */
  reset(): void {
    this.#state = ACCEPT;
  }

  /**
   * Checks `bytes` as the continuation of what came before; returns false as
   * soon as they cannot be part of valid UTF-8.
   */
  push(bytes: Uint8Array): boolean {
    let state = this.#state;
    if (state === REJECT) return false;
    const length = bytes.length;
    let i = 0;
    while (i < length) {
      if (state === ACCEPT) {
        // ASCII dominates real traffic: skip it without entering the switch.
        while (i < length && bytes[i] < 0x80) i++;
        if (i === length) break;
        const byte = bytes[i++];
        if (byte < 0xc2) state = REJECT;
        else if (byte < 0xe0) state = TAIL_1;
        else if (byte === 0xe0) state = AFTER_E0;
        else if (byte === 0xed) state = AFTER_ED;
        else if (byte < 0xf0) state = TAIL_2;
        else if (byte === 0xf0) state = AFTER_F0;
        else if (byte < 0xf4) state = TAIL_3;
        else if (byte === 0xf4) state = AFTER_F4;
        else state = REJECT;
        if (state === REJECT) break;
        continue;
      }
      const byte = bytes[i++];
      switch (state) {
        case TAIL_1:
          state = (byte & 0xc0) === 0x80 ? ACCEPT : REJECT;
          break;
        case TAIL_2:
          state = (byte & 0xc0) === 0x80 ? TAIL_1 : REJECT;
          break;
        case TAIL_3:
          state = (byte & 0xc0) === 0x80 ? TAIL_2 : REJECT;
          break;
        case AFTER_E0:
          state = byte >= 0xa0 && byte <= 0xbf ? TAIL_1 : REJECT;
          break;
        case AFTER_ED:
          state = byte >= 0x80 && byte <= 0x9f ? TAIL_1 : REJECT;
          break;
        case AFTER_F0:
          state = byte >= 0x90 && byte <= 0xbf ? TAIL_2 : REJECT;
          break;
        default: // AFTER_F4
          state = byte >= 0x80 && byte <= 0x8f ? TAIL_2 : REJECT;
      }
      if (state === REJECT) break;
    }
    this.#state = state;
    return state !== REJECT;
  }
}
