/**
 * A complete server frame in one buffer, for bytes written to many
 * connections alike.
 *
 * @module
 */

/**
 * Encodes one complete, unmasked, unfragmented frame (FIN set): `firstByte`
 * is the frame's first header byte without FIN (opcode, and RSV bits such as
 * 0x40 for a compressed message), `payload` its payload.
 *
 * @example A text frame "hi"
 * ```ts ignore
 * encodeUnmaskedFrame(0x01, new Uint8Array([0x68, 0x69])); // 81 02 68 69
 * ```
 *
 * @internal
 */
export function encodeUnmaskedFrame(firstByte: number, payload: Uint8Array): Uint8Array {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = new Uint8Array(header + length);
  frame[0] = 0x80 | firstByte;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 0x10000) {
    frame[1] = 126;
    frame[2] = length >>> 8;
    frame[3] = length & 0xff;
  } else {
    frame[1] = 127;
    const view = new DataView(frame.buffer);
    view.setUint32(2, Math.floor(length / 0x1_0000_0000));
    view.setUint32(6, length >>> 0);
  }
  frame.set(payload, header);
  return frame;
}
