/**
 * What paused subscribers cost: N subscribers of one topic stop reading (a
 * TCP client that never reads again after the handshake), one publisher
 * sends `--megabytes` (100) of `--size` (65536) byte binary messages to the topic, and the
 * server's RSS is sampled throughout. Each paused subscriber may hold up to
 * `maxBufferedAmount` of queue before it is closed with 1008; with shared
 * frames, N paused subscribers should pin little more than one.
 *
 *   node_modules/.bin/node scripts/bench/slow_subscribers.ts [--paused 0,1,10,100]
 *        [--megabytes 100] [--max-buffered-amount BYTES] [--runtime node|bun|deno]
 *        [--engine native|omnisocket] [--size BYTES]
 *
 * Prints one line per N: RSS before, peak growth, growth once the paused
 * peers were closed (1008) and the publisher finished, and how many were
 * closed. The server runs on core 0, this script on core 1 (as run.ts).
 *
 * @module
 */

import { connect, type Socket } from "node:net";
import { createHash, randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { rssKiB } from "./lib/proc_stats.ts";
import { startServer } from "./lib/server_process.ts";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const { values: flags } = parseArgs({
  options: {
    paused: { type: "string", default: "0,1,10,100" },
    megabytes: { type: "string", default: "100" },
    "max-buffered-amount": { type: "string" },
    runtime: { type: "string", default: "node" },
    engine: { type: "string", default: "native" },
    size: { type: "string", default: "65536" },
  },
});

const MESSAGE = Number(flags.size);
const total = Number(flags.megabytes) * 1e6;
const pinned = cpus().length >= 2;
if (pinned) execFileSync("taskset", ["-p", "-c", "1", String(process.pid)], { stdio: "ignore" });

function serverArgv(): string[] {
  const file = "scripts/bench/servers/slow_subscriber_server.ts";
  const extra = flags["max-buffered-amount"] === undefined
    ? []
    : ["--max-buffered-amount", flags["max-buffered-amount"]];
  const engine = ["--engine", flags.engine!];
  if (flags.runtime === "bun") {
    return [join(ROOT, "node_modules/.bin/bun"), file, ...engine, ...extra];
  }
  if (flags.runtime === "deno") {
    return [join(ROOT, "node_modules/.bin/deno"), "run", "-A", file, ...engine, ...extra];
  }
  return [process.execPath, file, ...extra];
}

/** Connects and upgrades; resolves the socket once the 101 arrived (any bytes after it dropped). */
function upgrade(port: number): Promise<Socket> {
  return new Promise((resolvePromise, reject) => {
    const key = randomBytes(16).toString("base64");
    const socket = connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    let head = "";
    const onData = (chunk: Buffer) => {
      head += chunk.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      const accept = createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
        .digest("base64");
      if (!head.startsWith("HTTP/1.1 101") || !head.includes(accept)) {
        reject(new Error(`Cannot upgrade: ${head.split("\r\n")[0]}`));
        return;
      }
      resolvePromise(socket);
    };
    socket.on("data", onData);
    socket.on("error", reject);
    socket.write(
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

/** One masked client frame (mask key 0: the payload goes as it is). */
function clientFrame(opcode: number, payload: Uint8Array): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.alloc(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = 0x80 | length;
  else if (length < 0x10000) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.set(payload, header + 4);
  return frame;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(paused: number): Promise<string> {
  const server = await startServer({ argv: serverArgv() }, ROOT, pinned ? 0 : undefined);
  try {
    const sockets: Socket[] = [];
    for (let i = 0; i < paused; i++) {
      const socket = await upgrade(server.port);
      socket.pause(); // never read again: the server's queue for it grows
      socket.on("error", () => {});
      sockets.push(socket);
    }
    const publisher = await upgrade(server.port);
    publisher.on("data", () => {});
    publisher.write(clientFrame(1, Buffer.from("publisher")));
    await sleep(500);
    const before = rssKiB(server.pid);
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssKiB(server.pid));
    }, 20);
    // Frames batched into writes of about 64 KiB.
    const one = clientFrame(2, randomBytes(MESSAGE));
    const perWrite = Math.max(1, Math.floor(65536 / one.length));
    const batch = Buffer.concat(Array(perWrite).fill(one));
    for (let sent = 0; sent < total; sent += MESSAGE * perWrite) {
      if (!publisher.write(batch)) await new Promise((r) => publisher.once("drain", r));
    }
    // The publisher's frames are all handed over; let the server take them in.
    while (publisher.writableLength > 0) await sleep(20);
    await sleep(1000);
    const settled = rssKiB(server.pid);
    await sleep(6000);
    const later = rssKiB(server.pid);
    clearInterval(sampler);
    peak = Math.max(peak, settled);
    const closedBy1008 = server.output.filter((line) => line.startsWith("overflowed "))
      .reduce((sum, line) => sum + Number(line.slice(11)), 0);
    for (const socket of sockets) socket.destroy();
    publisher.destroy();
    const mib = (kib: number) => (kib / 1024).toFixed(1);
    return `${String(paused).padStart(3)} paused: RSS before ${mib(before)} MiB, ` +
      `peak +${mib(peak - before)} MiB, +${mib(settled - before)} MiB 1 s after the last ` +
      `publication, +${mib(later - before)} MiB 7 s after; ${closedBy1008} of ${paused} ` +
      `overflowed (closed with 1008)`;
  } finally {
    await server.stop();
  }
}

const limit = flags["max-buffered-amount"] ?? "the default";
console.log(
  `${flags.runtime}${flags.runtime === "node" ? "" : ` (${flags.engine})`}: ` +
    `${flags.megabytes} MB of ${MESSAGE}-byte messages through one topic, maxBufferedAmount ${limit}`,
);
for (const paused of flags.paused!.split(",").map(Number)) console.log(await measure(paused));
