/**
 * Decoding of complete UTF-8 payloads (text messages, close reasons) that
 * doubles as validation.
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";

// ignoreBOM: a text message that starts with U+FEFF keeps it; it is content.
// A native fatal decoder validates and decodes in one pass; on V8 and JSC it
// beats any JavaScript ASCII fast path from 16 bytes up.
const fatalDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decodes a complete UTF-8 payload, throwing a {@linkcode ProtocolError}
 * `INVALID_UTF8` with close code 1007 when the bytes are not valid UTF-8.
 *
 * @example
 * ```ts
 * import { decodeUtf8 } from "./decode_utf8.ts";
 *
 * decodeUtf8(new Uint8Array([0x48, 0x69])); // "Hi"
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return fatalDecoder.decode(bytes);
  } catch (cause) {
    throw new ProtocolError("INVALID_UTF8", "Cannot decode text: payload is not valid UTF-8", {
      closeCode: 1007,
      cause,
    });
  }
}
