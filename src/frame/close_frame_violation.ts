/**
 * The check workerd leaves to us on a client's close frame (shared by the
 * Worker and Durable Object adapters).
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";
import { isValidCloseCode } from "./is_valid_close_code.ts";
import { utf8ByteLengthExceeds } from "./utf8_byte_length_exceeds.ts";

// A close frame's payload is at most 125 bytes: the 2-byte code and the reason.
const MAX_CLOSE_REASON_BYTES = 123;

/**
 * What RFC 6455 forbids in the client's close frame that workerd lets through
 * and still shows us: a code never sent on the wire (1006 included: workerd
 * reports a dropped connection as unclean), or a reason too long for a
 * control frame. A 1-byte payload and a wire 1005 both arrive as 1005.
 */
export function closeFrameViolation(code: number, reason: string): ProtocolError | undefined {
  if (code !== 1005 && !isValidCloseCode(code)) {
    return new ProtocolError(
      "INVALID_CLOSE_CODE",
      `Cannot read message: close code ${code} may not be sent`,
      { closeCode: 1002 },
    );
  }
  // workerd turns each invalid byte into U+FFFD (3 bytes), so an overlong
  // count may also be an invalid reason: a failure either way.
  if (utf8ByteLengthExceeds(reason, MAX_CLOSE_REASON_BYTES)) {
    return new ProtocolError(
      "CONTROL_FRAME_TOO_LONG",
      "Cannot read frame: control frame payloads are at most 125 bytes",
      { closeCode: 1002 },
    );
  }
  return undefined;
}
