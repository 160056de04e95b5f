/**
 * The RFC 6455 framing layer: incremental frame decoding, frame encoding,
 * masking, streaming UTF-8 validation and close-code rules.
 *
 * @example Decoding a frame
 * ```ts
 * import { FrameDecoder } from "@omnisocket/core";
 *
 * const decoder = new FrameDecoder({ role: "client" });
 * decoder.feed(new Uint8Array([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]));
 * while (decoder.next() !== FrameDecoder.NEED_MORE) {
 *   // FRAME_START, then PAYLOAD with decoder.payload = "Hello" bytes
 * }
 * ```
 *
 * @module
 */

export * from "./apply_mask.ts";
export * from "./decode_utf8.ts";
export * from "./frame_decoder.ts";
export * from "./frame_encoder.ts";
export * from "./is_valid_close_code.ts";
export * from "./mask_key_pool.ts";
export * from "./opcode.ts";
export * from "./utf8_validator.ts";
