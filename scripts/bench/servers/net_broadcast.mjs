/**
 * The limit for the Node fan-out rows: a bare `node:net` server that does
 * just enough WebSocket to take part (a canned handshake, unmasking of
 * client frames) and, for each message received, builds ONE server frame and
 * writes it to every socket. No validation, no limits, no API: what
 * broadcasting costs on Node when nothing else does.
 *
 *   node scripts/bench/servers/net_broadcast.mjs --port 9000
 *
 * Prints `listening on http://127.0.0.1:PORT`; exits on SIGTERM or SIGINT.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { createServer } from "node:net";

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const hostname = flag("--host", "127.0.0.1");
const port = Number(flag("--port", "8080"));
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

const sockets = new Set();

function frameOf(opcode, payload) {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = length;
  else if (length < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, header);
  return frame;
}

function broadcast(opcode, payload) {
  const frame = frameOf(opcode, payload);
  for (const socket of sockets) socket.write(frame);
}

const server = createServer((socket) => {
  socket.setNoDelay(true);
  let buffer = Buffer.alloc(0);
  let open = false;
  socket.on("data", (chunk) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    if (!open) {
      const end = buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString("latin1");
      const key = /sec-websocket-key: *([^\r\n]+)/i.exec(head)?.[1] ?? "";
      const accept = createHash("sha1").update(key + GUID).digest("base64");
      socket.write(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      open = true;
      sockets.add(socket);
      buffer = buffer.subarray(end + 4);
    }
    // Whole masked frames (FIN set, as the load generator sends them).
    while (buffer.length >= 6) {
      const opcode = buffer[0] & 0x0f;
      let length = buffer[1] & 0x7f;
      let at = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        at = 10;
      }
      if (buffer.length < at + 4 + length) return;
      const mask = buffer.subarray(at, at + 4);
      const payload = buffer.subarray(at + 4, at + 4 + length);
      for (let i = 0; i < length; i++) payload[i] ^= mask[i & 3];
      buffer = buffer.subarray(at + 4 + length);
      if (opcode === 0x8) {
        socket.end();
        return;
      }
      if (opcode === 0x1 || opcode === 0x2) broadcast(opcode, payload);
    }
  });
  socket.on("close", () => sockets.delete(socket));
  socket.on("error", () => {});
});

server.listen(port, hostname, () => {
  console.log(`listening on http://${hostname}:${server.address().port}`);
});

const shutdown = () => {
  for (const socket of sockets) socket.destroy();
  server.close(() => process.exit(0));
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
