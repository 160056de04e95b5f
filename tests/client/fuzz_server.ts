/**
 * The client conformance suite's fuzzing server: the mirror of
 * tests/conformance (which fuzzes servers). Each connection asks for one case
 * by its path (`/case/<id>`); the server answers the handshake as the case
 * says, sends the case's frames, and records what the client sent back
 * (its close frame's code, its messages), for the test to compare.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { inflateRawSync } from "node:zlib";
import { type ClientCase, findCase } from "./client_cases.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** What the client did in one case, seen from the wire. */
export interface WireRecord {
  /** Code of the client's close frame (1005: empty close frame), or null: none came. */
  closeCode: number | null;
  /** Messages the client sent (its echoes), text as strings, binary as byte arrays. */
  messages: (string | number[])[];
  /** Payloads of the client's pongs. */
  pongs: number[][];
  /** The client sent an unmasked frame (a violation). */
  unmasked: boolean;
}

/** A running fuzzing server. */
export interface FuzzServer {
  port: number;
  /** The record of the latest connection to a case, once its socket closed. */
  record(id: string): Promise<WireRecord>;
  close(): Promise<void>;
}

/** Computes Sec-WebSocket-Accept. */
export function acceptKey(key: string): string {
  return createHash("sha1").update(key + GUID).digest("base64");
}

/** Starts the server on 127.0.0.1 and a free port. */
export async function startFuzzServer(): Promise<FuzzServer> {
  const waiting = new Map<string, (record: WireRecord) => void>();
  const done = new Map<string, WireRecord>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    serve(socket, (id, record) => {
      const wake = waiting.get(id);
      if (wake) {
        waiting.delete(id);
        wake(record);
      } else done.set(id, record);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    record(id) {
      const record = done.get(id);
      if (record) {
        done.delete(id);
        return Promise.resolve(record);
      }
      return new Promise((resolve) => waiting.set(id, resolve));
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function serve(socket: Socket, finished: (id: string, record: WireRecord) => void): void {
  let head = Buffer.alloc(0);
  let kase: ClientCase | undefined;
  let id = "";
  const record: WireRecord = { closeCode: null, messages: [], pongs: [], unmasked: false };
  let frames = Buffer.alloc(0);
  let fragments: Buffer[] = [];
  let fragmentOpcode = 0;
  let fragmentRsv = 0;
  socket.on("close", () => {
    if (id !== "") finished(id, record);
  });
  socket.on("data", (chunk: Buffer) => {
    if (kase === undefined) {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      const lines = head.subarray(0, end).toString("latin1").split("\r\n");
      const target = lines[0].split(" ")[1] ?? "";
      id = decodeURIComponent(target.replace(/^\/case\//, ""));
      kase = findCase(id);
      const headers = new Map<string, string>();
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(":");
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      if (kase === undefined) {
        socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      const key = headers.get("sec-websocket-key") ?? "";
      const answer = kase.answer === undefined
        ? standardAnswer(acceptKey(key), kase.extensions)
        : kase.answer(acceptKey(key), headers);
      if (answer === null) return; // never answers
      socket.write(Buffer.from(answer, "latin1"));
      if (kase.afterOpen === "drop") {
        setTimeout(() => socket.destroy(), 50);
        return;
      }
      for (const frame of kase.frames?.() ?? []) socket.write(frame);
      // A client must not wait forever: end it if it neither closes nor fails.
      setTimeout(() => socket.destroy(), kase.holdMs ?? 3_000).unref();
      return;
    }
    frames = Buffer.concat([frames, chunk]);
    for (;;) {
      if (frames.length < 2) return;
      const first = frames[0];
      const second = frames[1];
      if ((second & 0x80) === 0) record.unmasked = true;
      let length = second & 0x7f;
      let at = 2;
      if (length === 126) {
        if (frames.length < 4) return;
        length = frames.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (frames.length < 10) return;
        length = Number(frames.readBigUInt64BE(2));
        at = 10;
      }
      const masked = (second & 0x80) !== 0;
      if (frames.length < at + (masked ? 4 : 0) + length) return;
      const mask = masked ? frames.subarray(at, at + 4) : null;
      if (masked) at += 4;
      const payload = Buffer.from(frames.subarray(at, at + length));
      if (mask) { for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3]; }
      frames = frames.subarray(at + length);
      const opcode = first & 0x0f;
      const fin = (first & 0x80) !== 0;
      const rsv = (first >> 4) & 7;
      if (opcode === 8) {
        record.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        if (kase.answersClose !== false) {
          socket.end(Buffer.from([0x88, payload.length >= 2 ? 2 : 0, ...payload.subarray(0, 2)]));
        } else socket.end();
        return;
      }
      if (opcode === 10) {
        record.pongs.push([...payload]);
        continue;
      }
      if (opcode === 9) continue;
      if (opcode !== 0) {
        fragmentOpcode = opcode;
        fragmentRsv = rsv;
      }
      fragments.push(payload);
      if (!fin) continue;
      let message = Buffer.concat(fragments);
      fragments = [];
      if (fragmentRsv & 4) {
        message = inflateRawSync(Buffer.concat([message, Buffer.from([0, 0, 0xff, 0xff])]), {
          finishFlush: 2,
        });
      }
      record.messages.push(fragmentOpcode === 1 ? message.toString("utf8") : [...message]);
      if (kase.closeAfterEchoes !== undefined && record.messages.length === kase.closeAfterEchoes) {
        socket.write(Buffer.from([0x88, 0x02, 0x03, 0xe8]));
      }
    }
  });
}

function standardAnswer(accept: string, extensions: string | undefined): string {
  return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    `Sec-WebSocket-Accept: ${accept}\r\n` +
    (extensions ? `Sec-WebSocket-Extensions: ${extensions}\r\n` : "") + "\r\n";
}
