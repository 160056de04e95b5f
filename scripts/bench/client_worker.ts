/**
 * One client process of the client benchmark (scripts/bench/client.ts):
 *
 *   RUNTIME scripts/bench/client_worker.ts IMPL WORKLOAD URL SECONDS
 *
 * IMPL: `ours` (@omnisocket/core/client), `ws` (ws's client, Node), `native`
 * (the runtime's own WebSocket: undici on Node, Deno's, Bun's). WORKLOAD:
 * `text64` (64 B text, 50 connections), `binary16k`, `binary1m` (one
 * connection), `idle` (1000 connections, RSS per connection). Prints one JSON line.
 *
 * @module
 */

import { WebSocket as OurWebSocket } from "../../src/adapters/client.ts";
import { commandLineArgs, exit } from "../../examples/support/runtime.ts";

const [impl, workload, url, secondsArg] = commandLineArgs();
const seconds = Number(secondsArg);

type Socket = {
  binaryType: string;
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string | Uint8Array): void;
  close(): void;
};
type SocketClass = new (url: string) => Socket;

async function socketClass(): Promise<SocketClass> {
  if (impl === "ours") return OurWebSocket as unknown as SocketClass;
  if (impl === "ws") {
    const ws = "ws";
    return (await import(ws)).WebSocket as SocketClass;
  }
  return (globalThis as unknown as { WebSocket: SocketClass }).WebSocket;
}

function rss(): number {
  const global = globalThis as {
    Deno?: { memoryUsage(): { rss: number } };
    process?: { memoryUsage(): { rss: number } };
  };
  return global.Deno ? global.Deno.memoryUsage().rss : global.process!.memoryUsage().rss;
}

function open(Socket: SocketClass): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = new Socket(url);
    socket.binaryType = "arraybuffer";
    socket.onopen = () => resolve(socket);
    socket.onerror = () => reject(new Error("Cannot connect"));
  });
}

const Socket = await socketClass();

if (workload === "idle") {
  const count = 1000;
  const sockets: Socket[] = [];
  sockets.push(await open(Socket));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = rss();
  for (let i = 1; i < count; i += 50) {
    sockets.push(...await Promise.all(Array.from({ length: 50 }, () => open(Socket))));
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const after = rss();
  console.log(JSON.stringify({ bytesPerConnection: (after - before) / (sockets.length - 1) }));
  exit(0);
}

const connections = workload === "text64" ? 50 : 1;
const size = workload === "text64" ? 64 : workload === "binary16k" ? 16 * 1024 : 1024 * 1024;
const payload: string | Uint8Array = workload === "text64"
  ? "x".repeat(size)
  : new Uint8Array(size).fill(7);
const sockets = await Promise.all(Array.from({ length: connections }, () => open(Socket)));
let roundTrips = 0;
let counting = false;
for (const socket of sockets) {
  socket.onmessage = () => {
    if (counting) roundTrips++;
    socket.send(payload);
  };
  socket.send(payload);
}
await new Promise((resolve) => setTimeout(resolve, 1_000)); // warm-up
counting = true;
const start = performance.now();
await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
counting = false;
const elapsed = (performance.now() - start) / 1_000;
console.log(JSON.stringify({
  roundTripsPerSecond: roundTrips / elapsed,
  mbPerSecond: (roundTrips * size * 2) / elapsed / 1e6,
}));
exit(0);
