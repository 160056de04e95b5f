/**
 * The sans-I/O RFC 6455 connection: bytes in, events out; calls in, bytes out.
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";
import type { ErrorCode } from "../errors/error_code.ts";
import { decodeUtf8 } from "../frame/decode_utf8.ts";
import { FrameDecoder } from "../frame/frame_decoder.ts";
import { encodeUnmaskedFrame } from "../frame/encode_unmasked_frame.ts";
import { FrameEncoder } from "../frame/frame_encoder.ts";
import { isValidCloseCode } from "../frame/is_valid_close_code.ts";
import { Utf8Validator } from "../frame/utf8_validator.ts";
import type { ConnectionListener } from "./connection_listener.ts";
import {
  type ConnectionOptions,
  DEFAULT_FRAGMENT_OVERHEAD,
  DEFAULT_MAX_MESSAGE_SIZE,
} from "./connection_options.ts";
import type { Extension } from "./extension.ts";
import type { SharedOutgoingMessage } from "./shared_outgoing_message.ts";

export type { ConnectionListener } from "./connection_listener.ts";
export type { ConnectionOptions } from "./connection_options.ts";

const OPEN = 0;
const CLOSING = 1;
const CLOSED = 2;
const STATE_NAMES = ["open", "closing", "closed"] as const;

// #frameOpcode of a data frame read after our close frame left: skipped.
const DISCARDED = -1;

// Small parts of a fragmented message are copied into a growing tail buffer;
// larger ones are kept as views unless they would pin a much larger chunk.
const KEEP_VIEW_MIN = 16 * 1024;
const TAIL_MIN = 1024;

const textEncoder = new TextEncoder();
// Bytes already checked by the streaming validator need no second check.
const trustedDecoder = new TextDecoder("utf-8", { ignoreBOM: true });

// Events held back while an async extension decodes an earlier message.
const QUEUED_MESSAGE = 0;
const QUEUED_ENCODED = 1;
const QUEUED_PING = 2;
const QUEUED_PONG = 3;
const QUEUED_ERROR = 4;
const QUEUED_CLOSE = 5;

const NO_EXTENSIONS: readonly Extension[] = [];

// Shared by every connection with nothing held back (nearly all of them); never pushed to.
const NO_EVENTS: QueuedEvent[] = [];

function zeroedBytes(size: number): Uint8Array {
  return new Uint8Array(size);
}

interface QueuedEvent {
  kind: number;
  opcode: number;
  value: unknown;
  code: number;
  reason: string;
  wasClean: boolean;
}

function failure(code: ErrorCode, reason: string, closeCode: number): ProtocolError {
  return new ProtocolError(code, `Cannot read message: ${reason}`, { closeCode });
}

function toBytes(data: Uint8Array | string | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return typeof data === "string" ? textEncoder.encode(data) : data;
}

function isPromise(value: unknown): value is Promise<Uint8Array> {
  return typeof (value as Promise<Uint8Array> | null)?.then === "function";
}

/**
 * One WebSocket connection's protocol state machine (RFC 6455 §5–§7). It never
 * touches a socket, timer or runtime global: the I/O layer feeds it bytes with
 * {@linkcode WebSocketConnection.receive}, writes what
 * {@linkcode WebSocketConnection.takeOutput} returns, and closes the
 * transport when {@linkcode WebSocketConnection.shouldCloseTransport} says so.
 *
 * Timeouts are the I/O layer's job: after our close frame is out
 * (`closeSent`, state `"closing"`), it should give the peer a few seconds to
 * answer and then drop the transport. A client that completed the handshake
 * (state `"closed"`, `shouldCloseTransport` false) waits for the server to
 * close TCP and should close it itself after a timeout.
 *
 * Failures (protocol errors from the peer, limits exceeded) queue a close
 * frame with the matching code (1002, 1007, 1009, ...), report `onError` then
 * `onClose(code, "", false)`, and set `shouldCloseTransport`; events decoded
 * before the failure in the same chunk have been delivered, none after.
 *
 * An exception thrown by a listener escapes `receive()` after the connection
 * is failed with 1011.
 *
 * @example An echo server over any byte stream
 * ```ts
 * import { WebSocketConnection } from "@omnisocket/core/protocol";
 *
 * const connection = new WebSocketConnection({
 *   onMessage: (data) => connection.send(data),
 *   onClose: (code) => console.log("closed", code),
 * }, { role: "server" });
 * // A masked text frame "Hello" from the client (RFC 6455 §5.7):
 * connection.receive(
 *   new Uint8Array([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]),
 * );
 * connection.takeOutput(); // [Uint8Array [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]]
 * ```
 */
export class WebSocketConnection {
  #listener: ConnectionListener;
  #server: boolean;
  #decoder: FrameDecoder;
  #encoder: FrameEncoder;
  #maxMessageSize: number;
  #maxFrameSize: number;
  #maxFragmentBudget: number;
  #fragmentOverhead: number;
  #autoPong: boolean;
  #extensions: readonly Extension[];
  #extensionRsv: number;
  #encodesOutgoing: boolean;
  #outgoingFragmentSize: number;

  #state = OPEN;
  #closeSent = false;
  #closeReceived = false;
  #shouldCloseTransport = false;

  #frameOpcode = 0;
  #frameFin = false;
  #firstPayload = false;

  #messageOpcode = 0;
  #messageRsv = 0;
  #messageFrames = 0;
  #messageSize = 0;
  #budgetUsed = 0;
  #validating = false;
  // Per-connection buffers are made on first use: an idle connection holds none.
  #validator: Utf8Validator | null = null;
  #parts: Uint8Array[] | null = null;
  #tail: Uint8Array | null = null;
  #tailLength = 0;

  #control: Uint8Array | null = null;
  #controlLength = 0;

  #queue: QueuedEvent[] = NO_EVENTS;
  #allocate: (size: number) => Uint8Array = zeroedBytes;

  /** Creates a connection in state `"open"` (the opening handshake is done). */
  constructor(listener: ConnectionListener, options: ConnectionOptions) {
    this.#listener = listener;
    this.#server = options.role === "server";
    const extensions = options.extensions ?? NO_EXTENSIONS;
    let extensionRsv = 0;
    for (const extension of extensions) extensionRsv |= extension.rsvBits & 0x70;
    this.#extensions = extensions;
    this.#extensionRsv = extensionRsv;
    this.#encodesOutgoing = extensions.some((extension) => extension.encodeMessage !== undefined);
    this.#decoder = new FrameDecoder({ role: options.role, allowedRsv: extensionRsv });
    this.#encoder = new FrameEncoder({
      role: options.role,
      maskKeys: options.maskKeys,
      allocate: options.allocate,
    });
    const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.#maxMessageSize = maxMessageSize;
    this.#maxFrameSize = options.maxFrameSize ?? maxMessageSize;
    this.#maxFragmentBudget = options.maxFragmentBudget ??
      maxMessageSize + Math.max(64 * 1024, Math.floor(maxMessageSize / 16));
    this.#fragmentOverhead = options.fragmentOverhead ?? DEFAULT_FRAGMENT_OVERHEAD;
    this.#autoPong = options.autoPong ?? true;
    this.#outgoingFragmentSize = options.outgoingFragmentSize ?? 0;
    if (options.allocate) this.#allocate = options.allocate;
  }

  /** `"open"`, `"closing"` (our close frame sent, waiting for the peer's) or `"closed"`. */
  get state(): "open" | "closing" | "closed" {
    return STATE_NAMES[this.#state];
  }

  /** True once a close frame has been queued; nothing is sent after it. */
  get closeSent(): boolean {
    return this.#closeSent;
  }

  /** True once the peer's close frame has arrived. */
  get closeReceived(): boolean {
    return this.#closeReceived;
  }

  /**
   * True when the I/O layer must close the transport after writing the
   * pending output: a server after the close handshake, either side after
   * failing the connection.
   */
  get shouldCloseTransport(): boolean {
    return this.#shouldCloseTransport;
  }

  /** True when bytes are waiting for {@linkcode WebSocketConnection.takeOutput}. */
  get hasOutput(): boolean {
    return this.#encoder.hasOutput;
  }

  /**
   * Returns every byte queued since the last call, as chunks to write in
   * order (a header and its payload may be separate chunks). Empty when
   * nothing is queued.
   */
  takeOutput(): Uint8Array[] {
    return this.#encoder.take();
  }

  /**
   * Feeds bytes read from the transport, in any chunking. The connection takes
   * ownership of `chunk`: payloads are unmasked in place and handed to the
   * listener as views into it. Ignored once the connection is closed.
   */
  receive(chunk: Uint8Array): void {
    if (this.#state === CLOSED) return;
    const decoder = this.#decoder;
    decoder.feed(chunk);
    try {
      for (;;) {
        const event = decoder.next();
        if (event === FrameDecoder.PAYLOAD) this.#onPayload(decoder.payload, decoder.frameEnd);
        else if (event === FrameDecoder.FRAME_START) this.#onFrameStart(decoder);
        else break;
        if (this.#state === CLOSED) break;
      }
    } catch (error) {
      this.#onThrown(error);
    }
  }

  /**
   * Queues a message: a string as a text frame, bytes as a binary frame.
   * A server queues large binary payloads without copying them: do not change
   * them until written. Returns false (and queues nothing) once a close frame
   * has been sent. `compress` is handed to the extensions: with
   * permessage-deflate, false sends the message uncompressed and true
   * compresses it even below the threshold.
   */
  send(data: string | Uint8Array, compress?: boolean): boolean {
    if (this.#closeSent) return false;
    if (this.#encodesOutgoing || this.#outgoingFragmentSize > 0) {
      this.#sendTransformed(data, compress);
    } else if (typeof data === "string") {
      this.#encoder.writeText(data);
    } else {
      this.#encoder.writeFrame(2, data);
    }
    return true;
  }

  /**
   * Queues a message many connections send alike (a topic publication) as
   * shared frame bytes: its uncompressed frame without transforming
   * extensions, or the frame its extension encoded once for every connection
   * with the same {@linkcode Extension.sharedEncoding} (permessage-deflate
   * without server context takeover); otherwise (context takeover,
   * fragmentation, several transforming extensions) `message.data` goes
   * through {@linkcode WebSocketConnection.send}. A server only (client
   * frames are masked); returns false once a close frame is sent. With
   * `byReference` (the connection has a backlog) even small shared frames
   * are queued as they are, not copied: slow connections then share them.
   */
  sendShared(message: SharedOutgoingMessage, byReference: boolean = false): boolean {
    if (this.#closeSent) return false;
    if (this.#outgoingFragmentSize > 0) return this.send(message.data, message.compress);
    if (!this.#encodesOutgoing) {
      this.#encoder.writeEncoded(message.frame, byReference);
      return true;
    }
    const extensions = this.#extensions;
    const extension = extensions.length === 1 ? extensions[0] : undefined;
    const key = extension?.sharedEncoding?.(message.payload.length, message.compress) ?? null;
    if (key === null) return this.send(message.data, message.compress);
    if (key === "") {
      this.#encoder.writeEncoded(message.frame, byReference);
      return true;
    }
    const frame = message.encodedFrame(key, () => {
      const isText = typeof message.data === "string";
      const encoded = extension!.encodeMessage!(message.payload, isText, message.compress);
      if (encoded === null) return message.frame;
      return encodeUnmaskedFrame((isText ? 1 : 2) | (extension!.rsvBits & 0x70), encoded);
    });
    this.#encoder.writeEncoded(frame, byReference);
    return true;
  }

  /**
   * Queues a ping (at most 125 bytes; a string is sent as UTF-8). Returns false
   * once a close frame has been sent.
   */
  ping(payload?: Uint8Array | string): boolean {
    return this.#sendControl(9, payload);
  }

  /** Queues an unsolicited pong (at most 125 bytes). Returns false once closing. */
  pong(payload?: Uint8Array | string): boolean {
    return this.#sendControl(10, payload);
  }

  /**
   * Starts the close handshake with `code` (default 1000) and `reason`.
   * Throws `INVALID_CLOSE_CODE` for codes that may not be sent (0–999, 1004,
   * 1005, 1006, 1015, 1016–2999, 5000+) and `CLOSE_REASON_TOO_LONG` beyond
   * 123 bytes of UTF-8. Does nothing if a close frame was already sent.
   */
  close(code: number = 1000, reason: string = ""): void {
    const reasonBytes = checkedClose("close", code, reason);
    if (this.#closeSent) return;
    this.#writeClose(code, reasonBytes);
    this.#state = CLOSING;
    this.#dropMessage();
  }

  /**
   * Fails the connection: queues a close frame with `closeCode` (e.g. 1008
   * policy violation, 1011 internal error) unless one was sent, ends it
   * (`shouldCloseTransport`) and reports `onClose(closeCode, reason, false)`.
   * Same code and reason rules as {@linkcode WebSocketConnection.close}.
   */
  fail(closeCode: number, reason: string = ""): void {
    const reasonBytes = checkedClose("fail", closeCode, reason);
    this.#terminate(closeCode, reason, reasonBytes);
  }

  #onFrameStart(decoder: FrameDecoder): void {
    const opcode = decoder.opcode;
    this.#firstPayload = true;
    if (opcode >= 8) {
      this.#frameOpcode = opcode;
      this.#controlLength = 0;
      return;
    }
    if (this.#closeSent) {
      this.#frameOpcode = DISCARDED;
      return;
    }
    this.#frameOpcode = opcode;
    if (opcode === 0) {
      if (this.#messageOpcode === 0) {
        throw failure("UNEXPECTED_CONTINUATION", "continuation frame with no message open", 1002);
      }
      // An extension's RSV bit describes the whole message, on its first frame only (RFC 7692 §6.1).
      if (decoder.rsv !== 0) {
        throw failure("RESERVED_BITS", "RSV bits set on a continuation frame", 1002);
      }
    } else {
      if (this.#messageOpcode !== 0) {
        throw failure("MESSAGE_INTERRUPTED", "new message before the last one ended", 1002);
      }
      this.#messageOpcode = opcode;
      this.#messageRsv = decoder.rsv;
      this.#messageFrames = 0;
      this.#messageSize = 0;
      this.#budgetUsed = 0;
      this.#validating = opcode === 1 && (decoder.rsv & this.#extensionRsv) === 0;
      if (this.#validating) (this.#validator ??= new Utf8Validator()).reset();
    }
    this.#frameFin = decoder.fin;
    const length = decoder.length;
    if (length > this.#maxFrameSize) {
      throw failure("FRAME_TOO_LARGE", `frame of ${length} bytes exceeds the limit`, 1009);
    }
    if (this.#messageSize + length > this.#maxMessageSize) {
      throw failure("MESSAGE_TOO_LARGE", "message exceeds the size limit", 1009);
    }
    const budget = this.#budgetUsed + this.#fragmentOverhead;
    if (budget + length > this.#maxFragmentBudget) {
      throw failure("FRAGMENT_BUDGET_EXCEEDED", "too many fragments buffered", 1009);
    }
    this.#budgetUsed = budget;
  }

  #onPayload(payload: Uint8Array, frameEnd: boolean): void {
    const opcode = this.#frameOpcode;
    if (opcode >= 8) {
      if (this.#firstPayload && frameEnd) {
        this.#onControlFrame(opcode, payload);
        return;
      }
      this.#firstPayload = false;
      const control = this.#control ??= new Uint8Array(125);
      control.set(payload, this.#controlLength);
      this.#controlLength += payload.length;
      if (frameEnd) this.#onControlFrame(opcode, control.slice(0, this.#controlLength));
      return;
    }
    if (opcode === DISCARDED) return;
    if (this.#firstPayload && frameEnd && this.#frameFin && this.#messageFrames === 0) {
      // The whole message is this one view: no buffering, no copy.
      const messageOpcode = this.#messageOpcode;
      this.#messageOpcode = 0;
      this.#deliver(messageOpcode, this.#messageRsv, payload, false);
      return;
    }
    this.#firstPayload = false;
    if (this.#validating && !this.#validator!.push(payload)) {
      throw failure("INVALID_UTF8", "text is not valid UTF-8", 1007);
    }
    const length = payload.length;
    if (length > 0) {
      this.#append(payload);
      this.#messageSize += length;
      this.#budgetUsed += length;
    }
    if (!frameEnd) return;
    this.#messageFrames++;
    if (!this.#frameFin) return;
    if (this.#validating && !this.#validator!.complete) {
      throw failure("INVALID_UTF8", "text ends inside a UTF-8 sequence", 1007);
    }
    const data = this.#takeMessageBytes();
    const messageOpcode = this.#messageOpcode;
    this.#messageOpcode = 0;
    this.#deliver(messageOpcode, this.#messageRsv, data, this.#validating);
  }

  #append(payload: Uint8Array): void {
    const length = payload.length;
    if (length >= KEEP_VIEW_MIN) {
      this.#sealTail();
      (this.#parts ??= []).push(
        payload.byteLength * 2 >= payload.buffer.byteLength ? payload : payload.slice(),
      );
      return;
    }
    let tail = this.#tail;
    const needed = this.#tailLength + length;
    if (tail === null || needed > tail.length) {
      // Doubling keeps copies linear; capacity never exceeds twice the bytes received.
      const grown = new Uint8Array(Math.max(TAIL_MIN, needed, this.#tailLength * 2));
      if (tail !== null) grown.set(tail.subarray(0, this.#tailLength));
      tail = grown;
      this.#tail = grown;
    }
    tail.set(payload, this.#tailLength);
    this.#tailLength = needed;
  }

  #sealTail(): void {
    if (this.#tail !== null && this.#tailLength > 0) {
      (this.#parts ??= []).push(this.#tail.subarray(0, this.#tailLength));
    }
    this.#tail = null;
    this.#tailLength = 0;
  }

  #takeMessageBytes(): Uint8Array {
    let data: Uint8Array;
    if (this.#parts === null) {
      data = this.#tail === null ? new Uint8Array(0) : this.#tail.subarray(0, this.#tailLength);
    } else {
      this.#sealTail();
      const parts = this.#parts;
      if (parts.length === 1) {
        data = parts[0];
      } else {
        data = this.#allocate(this.#messageSize);
        let at = 0;
        for (const part of parts) {
          data.set(part, at);
          at += part.length;
        }
        // An uninitialised buffer must be covered in full before anyone reads it.
        if (at !== data.length) throw new RangeError("Cannot join message: parts do not fill it");
      }
    }
    this.#tail = null;
    this.#tailLength = 0;
    this.#parts = null;
    return data;
  }

  #dropMessage(): void {
    this.#messageOpcode = 0;
    this.#parts = null;
    this.#tail = null;
    this.#tailLength = 0;
    // The rest of a data frame in progress belongs to the dropped message:
    // without this it would be buffered and delivered (as opcode 0) later.
    if (this.#frameOpcode >= 0 && this.#frameOpcode < 8) this.#frameOpcode = DISCARDED;
  }

  #deliver(opcode: number, rsv: number, data: Uint8Array, validated: boolean): void {
    if ((rsv & this.#extensionRsv) !== 0) {
      this.#deliverEncoded(opcode, rsv, data);
      return;
    }
    const message = opcode === 2
      ? data
      : validated
      ? trustedDecoder.decode(data)
      : decodeUtf8(data);
    if (this.#queue.length === 0) this.#listener.onMessage(message);
    else this.#enqueue(QUEUED_MESSAGE, opcode, message);
  }

  #deliverEncoded(opcode: number, rsv: number, data: Uint8Array): void {
    const isText = opcode === 1;
    let result: Uint8Array | Promise<Uint8Array> = data;
    const extensions = this.#extensions;
    for (let i = extensions.length - 1; i >= 0; i--) {
      const extension = extensions[i];
      if ((rsv & extension.rsvBits) === 0 || extension.decodeMessage === undefined) continue;
      result = isPromise(result)
        ? result.then((bytes) => extension.decodeMessage!(bytes, rsv, isText))
        : extension.decodeMessage(result, rsv, isText);
    }
    if (!isPromise(result) && this.#queue.length === 0) {
      this.#finishDecoded(opcode, result);
      return;
    }
    this.#enqueue(QUEUED_ENCODED, opcode, result);
  }

  // Throws on a failure; the callers turn it into failing the connection.
  #finishDecoded(opcode: number, bytes: Uint8Array): void {
    if (bytes.length > this.#maxMessageSize) {
      throw failure("MESSAGE_TOO_LARGE", "decoded message exceeds the size limit", 1009);
    }
    this.#listener.onMessage(opcode === 1 ? decodeUtf8(bytes) : bytes);
  }

  #onControlFrame(opcode: number, payload: Uint8Array): void {
    if (opcode === 8) {
      this.#onCloseFrame(payload);
      return;
    }
    if (this.#closeSent) return;
    if (opcode === 9) {
      if (this.#autoPong) this.#encoder.writeFrame(10, payload);
      if (this.#listener.onPing === undefined) return;
      if (this.#queue.length === 0) this.#listener.onPing(payload);
      else this.#enqueue(QUEUED_PING, opcode, payload);
    } else {
      if (this.#listener.onPong === undefined) return;
      if (this.#queue.length === 0) this.#listener.onPong(payload);
      else this.#enqueue(QUEUED_PONG, opcode, payload);
    }
  }

  #onCloseFrame(payload: Uint8Array): void {
    let code = 1005;
    let reason = "";
    if (payload.length === 1) {
      throw failure("INVALID_CLOSE_PAYLOAD", "close payload of 1 byte", 1002);
    }
    if (payload.length >= 2) {
      code = (payload[0] << 8) | payload[1];
      if (!isValidCloseCode(code)) {
        throw failure("INVALID_CLOSE_CODE", `close code ${code} may not be sent`, 1002);
      }
      try {
        reason = decodeUtf8(payload.subarray(2));
      } catch {
        throw failure("INVALID_CLOSE_REASON", "close reason is not valid UTF-8", 1007);
      }
    }
    this.#closeReceived = true;
    if (!this.#closeSent) {
      // Echo the code (RFC 6455 §5.5.1) and the reason, as Deno's, Bun's and
      // workerd's servers do, so peers see the same answer on every runtime.
      // An empty close is answered with an empty one.
      if (code === 1005) this.#writeClose(0, null);
      else this.#writeClose(code, payload.subarray(2));
    }
    this.#dropMessage();
    this.#state = CLOSED;
    // A client leaves closing TCP to the server (RFC 6455 §7.1.1).
    if (this.#server) this.#shouldCloseTransport = true;
    this.#emitClose(code, reason, true);
  }

  #onThrown(error: unknown): void {
    if (error instanceof ProtocolError && error.closeCode !== undefined) {
      this.#failWith(error);
      return;
    }
    this.#failWith(
      new ProtocolError("INTERNAL_ERROR", "Cannot handle message: a listener threw", {
        closeCode: 1011,
        cause: error,
      }),
    );
    throw error;
  }

  #failWith(error: ProtocolError): void {
    if (this.#state === CLOSED) return;
    if (this.#listener.onError !== undefined) {
      if (this.#queue.length === 0) this.#listener.onError(error);
      else this.#enqueue(QUEUED_ERROR, 0, error);
    }
    const code = error.closeCode ?? 1011;
    this.#terminate(code, "", null);
  }

  #terminate(code: number, reason: string, reasonBytes: Uint8Array | null): void {
    if (this.#state === CLOSED) return;
    if (!this.#closeSent) this.#writeClose(code, reasonBytes);
    this.#dropMessage();
    this.#state = CLOSED;
    this.#shouldCloseTransport = true;
    this.#emitClose(code, reason, false);
  }

  #emitClose(code: number, reason: string, wasClean: boolean): void {
    if (this.#queue.length === 0) {
      this.#listener.onClose(code, reason, wasClean);
      return;
    }
    const event = this.#enqueue(QUEUED_CLOSE, 0, null);
    event.code = code;
    event.reason = reason;
    event.wasClean = wasClean;
  }

  // code 0 writes an empty close payload.
  #writeClose(code: number, reasonBytes: Uint8Array | null): void {
    const reasonLength = reasonBytes === null ? 0 : reasonBytes.length;
    const payload = new Uint8Array(code === 0 ? 0 : 2 + reasonLength);
    if (code !== 0) {
      payload[0] = code >>> 8;
      payload[1] = code & 0xff;
      if (reasonBytes !== null) payload.set(reasonBytes, 2);
    }
    this.#encoder.writeFrame(8, payload);
    this.#closeSent = true;
  }

  #sendControl(opcode: number, data: Uint8Array | string | undefined): boolean {
    const payload = toBytes(data);
    if (payload.length > 125) {
      throw new ProtocolError(
        "CONTROL_FRAME_TOO_LONG",
        `Cannot send ${opcode === 9 ? "ping" : "pong"}: payload is longer than 125 bytes`,
      );
    }
    if (this.#closeSent) return false;
    this.#encoder.writeFrame(opcode, payload);
    return true;
  }

  #sendTransformed(data: string | Uint8Array, compress: boolean | undefined): void {
    const isText = typeof data === "string";
    let bytes = toBytes(data);
    let rsv = 0;
    for (const extension of this.#extensions) {
      if (extension.encodeMessage === undefined) continue;
      const encoded = extension.encodeMessage(bytes, isText, compress);
      if (encoded === null) continue;
      if (isPromise(encoded)) {
        throw new ProtocolError(
          "ASYNC_ENCODE_UNSUPPORTED",
          `Cannot send message: extension ${extension.name} encodes asynchronously`,
        );
      }
      bytes = encoded;
      rsv |= extension.rsvBits & 0x70;
    }
    const opcode = isText ? 1 : 2;
    const size = this.#outgoingFragmentSize;
    const encoder = this.#encoder;
    if (size <= 0 || bytes.length <= size) {
      encoder.writeFrame(opcode, bytes, true, rsv);
      return;
    }
    for (let at = 0; at < bytes.length; at += size) {
      const first = at === 0;
      const end = Math.min(at + size, bytes.length);
      encoder.writeFrame(
        first ? opcode : 0,
        bytes.subarray(at, end),
        end === bytes.length,
        first ? rsv : 0,
      );
    }
  }

  #enqueue(kind: number, opcode: number, value: unknown): QueuedEvent {
    const event: QueuedEvent = { kind, opcode, value, code: 0, reason: "", wasClean: false };
    if (this.#queue === NO_EVENTS) this.#queue = [];
    const queue = this.#queue;
    queue.push(event);
    if (queue.length === 1) this.#drain();
    return event;
  }

  // Emits held-back events in order, pausing at a message an extension is still decoding.
  #drain(): void {
    const queue = this.#queue;
    while (queue.length > 0) {
      const event = queue[0];
      if (event.kind === QUEUED_ENCODED && isPromise(event.value)) {
        event.value.then(
          (bytes) => {
            event.value = bytes;
            this.#resume();
          },
          (error) => this.#onDecodeFailure(error),
        );
        return;
      }
      queue.shift();
      this.#emitQueued(event);
    }
  }

  #resume(): void {
    try {
      this.#drain();
    } catch (error) {
      this.#queue.length = 0;
      this.#onThrown(error);
    }
  }

  #emitQueued(event: QueuedEvent): void {
    const listener = this.#listener;
    switch (event.kind) {
      case QUEUED_MESSAGE:
        listener.onMessage(event.value as string | Uint8Array);
        break;
      case QUEUED_ENCODED:
        this.#finishDecoded(event.opcode, event.value as Uint8Array);
        break;
      case QUEUED_PING:
        listener.onPing?.(event.value as Uint8Array);
        break;
      case QUEUED_PONG:
        listener.onPong?.(event.value as Uint8Array);
        break;
      case QUEUED_ERROR:
        listener.onError?.(event.value as ProtocolError);
        break;
      default:
        listener.onClose(event.code, event.reason, event.wasClean);
    }
  }

  #onDecodeFailure(error: unknown): void {
    // Nothing after the failed message is delivered, except the one onClose.
    const dropped = this.#queue.splice(0);
    if (this.#state !== CLOSED) {
      const protocolError = error instanceof ProtocolError && error.closeCode !== undefined
        ? error
        : new ProtocolError("EXTENSION_FAILED", "Cannot read message: extension failed", {
          closeCode: 1011,
          cause: error,
        });
      this.#failWith(protocolError);
      return;
    }
    for (const event of dropped) if (event.kind === QUEUED_CLOSE) this.#emitQueued(event);
  }
}

function checkedClose(action: string, code: number, reason: string): Uint8Array {
  if (!isValidCloseCode(code)) {
    throw new ProtocolError(
      "INVALID_CLOSE_CODE",
      `Cannot ${action}: ${code} is not a close code an endpoint may send`,
    );
  }
  const bytes = textEncoder.encode(reason);
  if (bytes.length > 123) {
    throw new ProtocolError(
      "CLOSE_REASON_TOO_LONG",
      `Cannot ${action}: the reason is longer than 123 bytes of UTF-8`,
    );
  }
  return bytes;
}
