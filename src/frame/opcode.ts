/**
 * WebSocket frame opcodes (RFC 6455 §5.2).
 *
 * @module
 */

/**
 * The opcodes RFC 6455 defines; 3–7 and 11–15 are reserved and rejected.
 *
 * @example Writing a ping
 * ```ts
 * import { FrameEncoder, Opcode } from "@omnisocket/core/protocol";
 *
 * const encoder = new FrameEncoder({ role: "server" });
 * encoder.writeFrame(Opcode.Ping, new Uint8Array(0));
 * console.log(encoder.take()); // [Uint8Array [0x89, 0x00]]
 * ```
 */
export const Opcode: {
  readonly Continuation: 0;
  readonly Text: 1;
  readonly Binary: 2;
  readonly Close: 8;
  readonly Ping: 9;
  readonly Pong: 10;
} = {
  Continuation: 0,
  Text: 1,
  Binary: 2,
  Close: 8,
  Ping: 9,
  Pong: 10,
} as const;
