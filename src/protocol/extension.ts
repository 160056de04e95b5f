/**
 * The seam through which negotiated extensions (permessage-deflate, RFC 7692)
 * plug into the protocol engine.
 *
 * @module
 */

/**
 * A negotiated WebSocket extension, as the engine sees it: the RSV bits it
 * owns and message-level transforms.
 *
 * Incoming, {@linkcode Extension.decodeMessage} is called once per complete
 * message whose first frame carries one of the extension's RSV bits, in
 * reverse negotiation order. It may return a Promise (e.g. built on
 * `DecompressionStream`): the engine then holds every later event of the
 * connection (messages, pings, pongs, close) until it settles, so the
 * listener sees them in wire order. A rejection fails the connection with the
 * error's close code if it is a `ProtocolError` with one (e.g. 1009 for a
 * decompression bomb), 1011 otherwise. Text is validated after decoding.
 *
 * Outgoing, {@linkcode Extension.encodeMessage} runs in negotiation order and
 * must be synchronous for now (`send()` queues bytes before returning).
 *
 * @example An extension that owns RSV1 and leaves payloads as they are
 * ```ts
 * import type { Extension } from "@omnisocket/core/protocol";
 *
 * const identity: Extension = {
 *   name: "x-identity",
 *   rsvBits: 0x40,
 *   decodeMessage: (payload) => payload,
 *   encodeMessage: () => null,
 * };
 * ```
 */
export interface Extension {
  /** Extension token as negotiated, e.g. `"permessage-deflate"`. */
  readonly name: string;
  /**
   * RSV bits the extension owns, as in the first header byte: 0x40 (RSV1),
   * 0x20 (RSV2), 0x10 (RSV3). Frames using other RSV bits fail with 1002.
   */
  readonly rsvBits: number;
  /**
   * Turns the payload of a received message back into the application's
   * bytes. `rsv` holds the RSV bits of the message's first frame.
   */
  decodeMessage?(
    payload: Uint8Array,
    rsv: number,
    isText: boolean,
  ): Uint8Array | Promise<Uint8Array>;
  /**
   * Transforms an outgoing message; returns the bytes to send (the engine
   * then sets {@linkcode Extension.rsvBits} on the first frame) or `null` to
   * send the message untouched. `compress` is the sender's per-message wish
   * (`send(data, compress)`), `undefined` when it expressed none.
   */
  encodeMessage?(payload: Uint8Array, isText: boolean, compress?: boolean): Uint8Array | null;
  /**
   * For a message many connections send alike (a topic publication): a key
   * naming how {@linkcode Extension.encodeMessage} would encode a payload of
   * `payloadLength` bytes, when that depends only on the payload and the key,
   * not on this connection's state, so that connections with equal keys can
   * share one encoded frame; `""` when it would send the payload untouched;
   * `null` when this connection's own state takes part (permessage-deflate
   * with context takeover). Without this method the message is encoded per
   * connection.
   */
  sharedEncoding?(payloadLength: number, compress?: boolean): string | null;
}
