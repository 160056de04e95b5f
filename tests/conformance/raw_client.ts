/**
 * A raw WebSocket client over node:net for black-box conformance checks: it sends exactly the
 * bytes a case asks for, in the chunking the case's delivery asks for, and reads server frames
 * strictly. Every wait is bounded by one per-case deadline that names what was awaited.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { connect, type Socket } from "node:net";
import { setImmediate } from "node:timers";
import { createHash, randomBytes } from "node:crypto";
import { closePayload, encodeFrame, FrameParser, OP, type ServerFrame } from "./frame_codec.ts";

/** How a case's bytes reach the socket. */
export type Delivery = "whole" | "frame" | "byte";

const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Why the server's TCP stream ended, once it has. */
type TcpEnd = "fin" | "reset";

/** A frame, or the end of the server's TCP stream. */
type Arrival = ServerFrame | TcpEnd;

/** Short human description of a server frame for failure messages. */
export function describeFrame(frame: ServerFrame): string {
  const names: Record<number, string> = { 0: "continuation", 1: "text", 2: "binary", 8: "close" };
  Object.assign(names, { 9: "ping", 10: "pong" });
  let text = `${names[frame.opcode] ?? frame.opcode} frame (fin=${frame.fin}, ` +
    `${frame.payload.length} bytes`;
  if (frame.opcode === OP.close && frame.payload.length >= 2) {
    text += `, code ${(frame.payload[0] << 8) | frame.payload[1]}`;
  }
  return text + ")";
}

/** First index where two byte arrays differ, or -1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : length;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A connected, handshaken client with a deadline for everything it waits on. */
export class RawClient {
  #socket: Socket;
  #parser = new FrameParser();
  #arrivals: Arrival[] = [];
  #wake: (() => void) | undefined;
  #deadline: number;
  #awaiting = "nothing yet";
  #tcpEnd: TcpEnd | undefined;
  #protocolViolation: Error | undefined;
  /** The server's `Sec-WebSocket-Extensions` answer ("" when none). */
  readonly extensions: string;

  /** Use {@linkcode RawClient.connect}; this wraps an already upgraded socket. */
  constructor(socket: Socket, deadline: number, leftover: Uint8Array, extensions = "") {
    this.#socket = socket;
    this.#deadline = deadline;
    this.extensions = extensions;
    // permessage-deflate marks compressed messages with RSV1 (RFC 7692 §6).
    if (extensions.startsWith("permessage-deflate")) this.#parser.allowRsv1 = true;
    socket.on("data", (chunk: Uint8Array) => this.#onData(chunk));
    socket.on("end", () => this.#onEnd("fin"));
    socket.on("close", () => this.#onEnd("reset"));
    socket.on("error", () => this.#onEnd("reset"));
    if (leftover.length > 0) this.#onData(leftover);
  }

  /**
   * Connects to `ws://host:port/path`, performs the opening handshake, checks the accept.
   * `offer` is sent as `Sec-WebSocket-Extensions`; the server must then accept permessage-deflate.
   */
  static connect(url: string, timeoutMs: number, offer?: string): Promise<RawClient> {
    const target = new URL(url);
    const deadline = Date.now() + timeoutMs;
    const key = randomBytes(16).toString("base64");
    const expectedAccept = createHash("sha1").update(key + WS_GUID).digest("base64");
    const host = target.hostname.replace(/^\[|\]$/g, "");
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port: Number(target.port || 80) });
      socket.setNoDelay(true);
      let head = Buffer.alloc(0);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`timed out after ${timeoutMs} ms awaiting the 101 handshake answer`));
      }, timeoutMs);
      const fail = (why: string) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new Error(`handshake with ${url} failed: ${why}`));
      };
      socket.once("error", (error) => fail(error.message));
      socket.once("connect", () => {
        socket.write(
          `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
            `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
            `Sec-WebSocket-Version: 13\r\n` +
            (offer === undefined ? "" : `Sec-WebSocket-Extensions: ${offer}\r\n`) + "\r\n",
        );
      });
      const onHead = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        socket.removeListener("data", onHead);
        socket.removeAllListeners("error");
        clearTimeout(timer);
        const lines = head.subarray(0, end).toString("latin1").split("\r\n");
        const headers = new Map<string, string>();
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(":");
          headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
        }
        if (!/^HTTP\/1\.1 101\b/.test(lines[0])) return fail(`status line "${lines[0]}"`);
        if (headers.get("upgrade")?.toLowerCase() !== "websocket") {
          return fail(`Upgrade header "${headers.get("upgrade")}"`);
        }
        if (!/\bupgrade\b/i.test(headers.get("connection") ?? "")) {
          return fail(`Connection header "${headers.get("connection")}"`);
        }
        if (headers.get("sec-websocket-accept") !== expectedAccept) {
          return fail(`Sec-WebSocket-Accept "${headers.get("sec-websocket-accept")}"`);
        }
        const extensions = headers.get("sec-websocket-extensions") ?? "";
        if (offer === undefined && extensions !== "") {
          return fail("server answered with an extension the client never offered");
        }
        if (offer !== undefined && !extensions.startsWith("permessage-deflate")) {
          return fail(`server declined the offer "${offer}" (answered "${extensions}")`);
        }
        const leftover = new Uint8Array(head.subarray(end + 4));
        resolve(new RawClient(socket, deadline, leftover, extensions));
      };
      socket.on("data", onHead);
    });
  }

  /** Moves the deadline that bounds every later wait. */
  setDeadline(deadline: number): void {
    this.#deadline = deadline;
  }

  /** True once the server's TCP stream has ended (FIN or reset). */
  get serverClosed(): boolean {
    return this.#tcpEnd !== undefined;
  }

  /**
   * Writes chunks (normally one per frame) as the delivery says: all at once, one write per
   * chunk, or one byte per write. Stops quietly if the server has closed the connection.
   */
  async send(chunks: Uint8Array[], delivery: Delivery): Promise<void> {
    this.#awaiting = `sending ${chunks.length} chunk(s) [${delivery}]`;
    if (delivery === "whole") return await this.#write(concat(chunks));
    for (const chunk of chunks) {
      if (delivery === "frame") await this.#write(chunk);
      else {
        for (let i = 0; i < chunk.length && !this.#writeClosed(); i++) {
          await this.#write(chunk.subarray(i, i + 1));
          // A turn of the event loop between bytes lets more of them reach the server apart.
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      if (this.#writeClosed()) return;
    }
  }

  /** Sends one frame as a single write. */
  sendFrame(...specs: Parameters<typeof encodeFrame>): Promise<void> {
    return this.#write(encodeFrame(...specs));
  }

  /** Next frame or TCP end, waiting no later than the case deadline. */
  async next(awaiting: string): Promise<Arrival> {
    this.#awaiting = awaiting;
    while (this.#arrivals.length === 0) {
      if (this.#protocolViolation) throw this.#protocolViolation;
      const left = this.#deadline - Date.now();
      if (left <= 0) throw this.timeoutError();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    return this.#arrivals.shift()!;
  }

  /** The error a case fails with when its deadline passes. */
  timeoutError(): Error {
    return new Error(`timed out awaiting ${this.#awaiting}`);
  }

  /** Expects one complete message (any fragmentation) of `opcode` with exactly `payload`. */
  async expectMessage(opcode: number, payload: Uint8Array, label = ""): Promise<void> {
    const kind = opcode === OP.text ? "text" : "binary";
    const what = `echo of ${kind} message${label} (${payload.length} bytes)`;
    const parts: Uint8Array[] = [];
    let first = true;
    for (;;) {
      const arrival = await this.next(what);
      if (typeof arrival === "string") {
        throw new Error(`TCP closed (${arrival}) instead of ${what}`);
      }
      const expectedOpcode = first ? opcode : OP.cont;
      if (arrival.opcode !== expectedOpcode) {
        throw new Error(`got ${describeFrame(arrival)} instead of ${what}`);
      }
      parts.push(arrival.payload);
      first = false;
      if (arrival.fin) break;
    }
    const got = parts.length === 1 ? parts[0] : concat(parts);
    const at = firstDifference(got, payload);
    if (at >= 0) {
      throw new Error(
        `${what} differs at byte ${at}: got ${got.length} bytes ` +
          `[${Array.from(got.subarray(at, at + 8)).join(",")}...], expected ` +
          `[${Array.from(payload.subarray(at, at + 8)).join(",")}...]`,
      );
    }
  }

  /** Expects a pong carrying exactly `payload` as the next frame. */
  async expectPong(payload: Uint8Array): Promise<void> {
    const what = `pong with ${payload.length}-byte payload`;
    const arrival = await this.next(what);
    if (typeof arrival === "string") throw new Error(`TCP closed (${arrival}) instead of ${what}`);
    if (arrival.opcode !== OP.pong) {
      throw new Error(`got ${describeFrame(arrival)} instead of ${what}`);
    }
    if (firstDifference(arrival.payload, payload) >= 0) {
      throw new Error(`${what}: payload differs (got ${arrival.payload.length} bytes)`);
    }
  }

  /**
   * Expects a close frame as the next frame, with one of `codes` (undefined = empty payload);
   * checks its own validity (length, reason UTF-8) and returns the code.
   */
  async expectClose(codes: (number | undefined)[], why: string): Promise<number | undefined> {
    const wanted = codes.map((code) => code ?? "empty").join(" or ");
    const what = `close frame with code ${wanted} (${why})`;
    const arrival = await this.next(what);
    if (arrival === "fin" || arrival === "reset") {
      throw new Error(`server closed TCP (${arrival}) without sending a ${what}`);
    }
    if (arrival.opcode !== OP.close) {
      throw new Error(`got ${describeFrame(arrival)} instead of ${what}`);
    }
    const payload = arrival.payload;
    if (payload.length === 1) throw new Error("server's close frame has a 1-byte payload");
    const code = payload.length >= 2 ? (payload[0] << 8) | payload[1] : undefined;
    try {
      fatalUtf8.decode(payload.subarray(2));
    } catch {
      throw new Error("server's close reason is not valid UTF-8");
    }
    if (!codes.includes(code)) {
      throw new Error(`got close code ${code ?? "empty"} instead of ${what}`);
    }
    return code;
  }

  /** Expects the server to close TCP with nothing more sent. */
  async expectTcpClose(why: string): Promise<void> {
    const what = `server closing TCP (${why})`;
    const arrival = await this.next(what);
    if (typeof arrival !== "string") {
      throw new Error(`got ${describeFrame(arrival)} after the close frame, awaiting ${what}`);
    }
  }

  /**
   * Expects the server to fail the connection (RFC 6455 §7.1.7): a close frame with `code` and
   * no data frame before it, then TCP closed. A silent drop fails. With `reply`, answers the
   * close as a well-behaved client does; without, the client is mid-frame and cannot.
   */
  async expectFailure(code: number, why: string, reply = true): Promise<void> {
    await this.expectClose([code], why);
    if (reply && !this.#writeClosed()) {
      await this.#write(encodeFrame({ opcode: OP.close, payload: closePayload(code) }));
    }
    await this.expectTcpClose(`after failing with ${code}`);
  }

  /** Runs a client-initiated close handshake with 1000 and expects nothing else to arrive. */
  async closeHandshake(): Promise<void> {
    if (!this.#writeClosed()) {
      await this.#write(encodeFrame({ opcode: OP.close, payload: closePayload(1000) }));
    }
    await this.expectClose([1000], "echo of the client's close 1000");
    await this.expectTcpClose("after the close handshake");
  }

  /** Drops the connection; safe to call more than once. */
  destroy(): void {
    this.#socket.destroy();
  }

  #writeClosed(): boolean {
    return this.#socket.destroyed || this.#socket.writableEnded || this.#tcpEnd === "reset";
  }

  #write(bytes: Uint8Array): Promise<void> {
    if (this.#writeClosed()) return Promise.resolve();
    // Write errors after the server closed are expected in failure cases; reads tell the story.
    return new Promise((resolve) => {
      const done = () => {
        this.#socket.removeListener("close", done);
        resolve();
      };
      this.#socket.once("close", done);
      this.#socket.write(bytes, done);
    });
  }

  #onData(chunk: Uint8Array): void {
    if (this.#protocolViolation) return;
    this.#parser.push(chunk);
    try {
      for (let frame = this.#parser.next(); frame; frame = this.#parser.next()) {
        this.#arrivals.push(frame);
      }
    } catch (error) {
      this.#protocolViolation = error as Error;
    }
    this.#wake?.();
  }

  #onEnd(how: TcpEnd): void {
    if (this.#tcpEnd !== undefined) return;
    this.#tcpEnd = how;
    if (this.#parser.buffered > 0 && !this.#protocolViolation) {
      this.#protocolViolation = new Error(
        `server closed TCP in the middle of a frame (${this.#parser.buffered} bytes left over)`,
      );
    }
    this.#arrivals.push(how);
    this.#wake?.();
  }
}
