/**
 * WebSockets over HTTP/2 (RFC 8441) against WebSockets over HTTP/1.1, both
 * over TLS, on the Node adapter: 1,000 sockets over 10 HTTP/2 connections
 * against 1,000 sockets of their own. The server (examples/echo.ts --cert
 * --key, a fresh process per mode) runs on core 0; this process is the
 * client, pinned to core 1 (as scripts/bench/run.ts pins its generator).
 *
 *   node_modules/.bin/node scripts/bench/http2.ts
 *   options: --sockets N (1000)  --connections N (10)  --seconds N (4)  --size N (32)
 *
 * Reports per mode: handshakes/s (all sockets opened, from the first
 * connection to the last open, TLS included), echo msgs/s (every socket
 * keeps one message in flight for the window) and the server's RSS per
 * open socket (RSS with all sockets open, minus RSS before the first).
 * The client is JavaScript: at high rates it may be the limit for both modes.
 *
 * @module
 */

import { cpus } from "node:os";
import { type ClientHttp2Session, type ClientHttp2Stream, connect as connectH2 } from "node:http2";
import { connect as connectTls, type TLSSocket } from "node:tls";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { canPin, pinProcess } from "./lib/pinned_loadgen.ts";
import { rssKiB } from "./lib/proc_stats.ts";
import { startServer } from "./lib/server_process.ts";
import { makeTestCertificate } from "../../tests/support/test_certificate.ts";

const { values } = parseArgs({
  options: {
    sockets: { type: "string", default: "1000" },
    connections: { type: "string", default: "10" },
    seconds: { type: "string", default: "4" },
    size: { type: "string", default: "32" },
  },
});
const SOCKETS = Number(values.sockets);
const CONNECTIONS = Number(values.connections);
const SECONDS = Number(values.seconds);
const SIZE = Number(values.size);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NODE = process.execPath;

/** One open WebSocket as the benchmark drives it. */
interface BenchSocket {
  write(bytes: Uint8Array): void;
  /** Called with each chunk read after the handshake. */
  onData: (chunk: Uint8Array) => void;
  close(): void;
}

// A masked (zero key) text frame of SIZE bytes; the server's echo is SIZE + 2 (or + 4) bytes.
const payload = new Uint8Array(SIZE).fill(0x61);
const frame = SIZE < 126
  ? new Uint8Array([0x81, 0x80 | SIZE, 0, 0, 0, 0, ...payload])
  : new Uint8Array([0x81, 0x80 | 126, SIZE >> 8, SIZE & 0xff, 0, 0, 0, 0, ...payload]);
const echoLength = SIZE + (SIZE < 126 ? 2 : 4);

async function openHttp2(
  port: number,
  count: number,
  connections: number,
): Promise<{ sockets: BenchSocket[]; close(): void }> {
  const sessions: ClientHttp2Session[] = await Promise.all(
    Array.from({ length: connections }, () =>
      new Promise<ClientHttp2Session>((resolve, reject) => {
        const session = connectH2(`https://127.0.0.1:${port}`, {
          rejectUnauthorized: false,
          peerMaxConcurrentStreams: count,
        });
        session.once("remoteSettings", () => resolve(session));
        session.once("error", reject);
      })),
  );
  const sockets = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      new Promise<BenchSocket>((resolve, reject) => {
        const stream: ClientHttp2Stream = sessions[index % connections].request({
          ":method": "CONNECT",
          ":protocol": "websocket",
          ":path": "/",
          "sec-websocket-version": "13",
        });
        stream.once("error", reject);
        stream.once("response", (headers) => {
          if (headers[":status"] !== 200) reject(new Error(`status ${headers[":status"]}`));
          const socket: BenchSocket = {
            write: (bytes) => void stream.write(bytes),
            onData: () => {},
            close: () => stream.close(),
          };
          stream.on("data", (chunk: Uint8Array) => socket.onData(chunk));
          resolve(socket);
        });
      })),
  );
  return {
    sockets,
    close: () => {
      for (const session of sessions) session.destroy();
    },
  };
}

function openHttp11(port: number): Promise<BenchSocket> {
  return new Promise((resolve, reject) => {
    const tls: TLSSocket = connectTls({
      host: "127.0.0.1",
      port,
      rejectUnauthorized: false,
      ALPNProtocols: ["http/1.1"],
    }, () => {
      tls.setNoDelay(true);
      tls.write(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      );
    });
    let head = "";
    const socket: BenchSocket = {
      write: (bytes) => void tls.write(bytes),
      onData: () => {},
      close: () => tls.destroy(),
    };
    const onHead = (chunk: Uint8Array) => {
      head += Buffer.from(chunk).toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      tls.off("data", onHead);
      if (!head.startsWith("HTTP/1.1 101")) reject(new Error(head.split("\r\n")[0]));
      tls.on("data", (data: Uint8Array) => socket.onData(data));
      resolve(socket);
    };
    tls.on("data", onHead);
    tls.once("error", reject);
  });
}

async function openAllHttp11(
  port: number,
  count: number,
): Promise<{ sockets: BenchSocket[]; close(): void }> {
  const sockets: BenchSocket[] = [];
  // 100 handshakes in flight at a time, as many as the HTTP/2 mode has streams per connection.
  const inFlight = Math.max(1, Math.floor(SOCKETS / CONNECTIONS));
  while (sockets.length < count) {
    const batch = Math.min(inFlight, count - sockets.length);
    sockets.push(...await Promise.all(Array.from({ length: batch }, () => openHttp11(port))));
  }
  return {
    sockets,
    close: () => {
      for (const socket of sockets) socket.close();
    },
  };
}

/** Every socket keeps one message in flight for SECONDS; returns echoes per second. */
async function echoWindow(sockets: BenchSocket[]): Promise<number> {
  let echoes = 0;
  let running = true;
  for (const socket of sockets) {
    let pending = 0;
    socket.onData = (chunk) => {
      pending += chunk.length;
      while (pending >= echoLength) {
        pending -= echoLength;
        echoes++;
        if (running) socket.write(frame);
      }
    };
  }
  const started = performance.now();
  for (const socket of sockets) socket.write(frame);
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  running = false;
  const elapsed = (performance.now() - started) / 1000;
  return echoes / elapsed;
}

interface ModeResult {
  mode: string;
  handshakesPerSecond: number;
  echoesPerSecond: number;
  rssPerSocketKiB: number;
}

async function measure(mode: "h2" | "http/1.1", cert: string, key: string): Promise<ModeResult> {
  const server = await startServer(
    { argv: [NODE, "examples/echo.ts", "--cert", cert, "--key", key] },
    ROOT,
    pinned ? 0 : undefined,
  );
  try {
    // Warm the server (JIT, TLS) with a few sockets of the same kind, then measure afresh.
    const warm = mode === "h2"
      ? await openHttp2(server.port, 50, 1)
      : await openAllHttp11(server.port, 50);
    warm.close();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = rssKiB(server.pid);
    const started = performance.now();
    const opened = mode === "h2"
      ? await openHttp2(server.port, SOCKETS, CONNECTIONS)
      : await openAllHttp11(server.port, SOCKETS);
    const handshakesPerSecond = SOCKETS / ((performance.now() - started) / 1000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rssPerSocketKiB = (rssKiB(server.pid) - before) / SOCKETS;
    const echoesPerSecond = await echoWindow(opened.sockets);
    opened.close();
    return { mode, handshakesPerSecond, echoesPerSecond, rssPerSocketKiB };
  } finally {
    await server.stop();
  }
}

const pinned = canPin(2, cpus().length);
const restore = pinned ? pinProcess(process.pid, "1") : () => {};
const certificate = makeTestCertificate();
try {
  const results: ModeResult[] = [];
  results.push(await measure("h2", certificate.certFile, certificate.keyFile));
  results.push(await measure("http/1.1", certificate.certFile, certificate.keyFile));
  const [h2, h1] = results;
  console.log(
    `\n${SOCKETS} WebSockets, TLS, Node adapter, ${SIZE}-byte echoes` +
      `${pinned ? " (server core 0, client core 1)" : " (not pinned)"}\n`,
  );
  console.log("| transport | handshakes/s | echo msgs/s | server RSS per socket |");
  console.log("|---|---:|---:|---:|");
  for (const result of results) {
    const transport = result.mode === "h2"
      ? `HTTP/2, ${CONNECTIONS} connections`
      : `HTTP/1.1, ${SOCKETS} connections`;
    console.log(
      `| ${transport} | ${Math.round(result.handshakesPerSecond)} | ` +
        `${Math.round(result.echoesPerSecond)} | ${result.rssPerSocketKiB.toFixed(1)} KiB |`,
    );
  }
  console.log(
    `| HTTP/2 ÷ HTTP/1.1 | ${(h2.handshakesPerSecond / h1.handshakesPerSecond).toFixed(2)}x | ` +
      `${(h2.echoesPerSecond / h1.echoesPerSecond).toFixed(2)}x | ` +
      `${(h2.rssPerSocketKiB / h1.rssPerSocketKiB).toFixed(2)}x |`,
  );
} finally {
  certificate.remove();
  restore();
}
