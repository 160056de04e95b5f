/**
 * WebSocketStream backpressure, on Node, Deno and Bun: a server floods 16 KiB
 * binary messages as fast as TCP takes them; the client reads one every 2 ms
 * (far slower: the server could push hundreds of MB meanwhile). The client must
 * stop reading the socket, so what the server managed to send beyond what the
 * application consumed is bounded by socket buffers plus the stream's
 * high-water mark (256 KiB) plus one message, and the client's memory (heap and
 * buffers, after a collection, from a baseline taken once the read path is warm) grows by
 * at most that mark plus one message plus 2 MiB of margin for the runtime's own buffers and
 * the collector's timing (measured: 0 B on Deno, about 40 KB on Bun, 0 to 0.94 MB on Node,
 * where a collection does not always find what the paused socket let go).
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, type Socket } from "node:net";
import { test } from "node:test";
import { acceptKey } from "./fuzz_server.ts";
import { runtimeCommand, selectedRuntimes } from "./runtimes.ts";

const MESSAGE = 16 * 1024;
const HIGH_WATER_MARK = 256 * 1024;
// Kernel send and receive buffers on loopback can hold a few MB between the two ends.
const SOCKET_BUFFERS = 16 * 1024 * 1024;

function floodServer(): Promise<{ port: number; sent: () => number; close(): void }> {
  let sent = 0;
  const sockets = new Set<Socket>();
  const frame = Buffer.alloc(4 + MESSAGE, 0x61);
  frame[0] = 0x82;
  frame[1] = 126;
  frame.writeUInt16BE(MESSAGE, 2);
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("data", (head: Buffer) => {
      const key = /sec-websocket-key: *(\S+)/i.exec(head.toString("latin1"))![1];
      socket.write(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          `Sec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`,
      );
      const pump = () => {
        while (!socket.destroyed && sent < 512 * 1024 * 1024) {
          sent += MESSAGE;
          if (!socket.write(frame)) return;
        }
      };
      socket.on("drain", pump);
      pump();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.address() as { port: number }).port,
        sent: () => sent,
        close() {
          for (const socket of sockets) socket.destroy();
          server.close();
        },
      }));
  });
}

for (const runtime of selectedRuntimes()) {
  test(`WebSocketStream on ${runtime} stops reading the socket when the application reads slowly`, async () => {
    const server = await floodServer();
    try {
      const [command, ...args] = runtimeCommand(
        runtime,
        "tests/client/backpressure_driver.ts",
        true,
      );
      const child = spawn(command, [...args, `ws://127.0.0.1:${server.port}/`, "2"], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let output = "";
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (text: string) => output += text);
      await new Promise((resolve) => child.on("close", resolve));
      const result = JSON.parse(output.trim().split("\n").at(-1)!) as {
        consumed: number;
        peakGrowth: number;
      };
      const inFlight = server.sent() - result.consumed;
      console.log(
        `${runtime}: server sent ${server.sent()} B, application consumed ${result.consumed} B, ` +
          `in flight ${inFlight} B, client heap+buffers growth ${result.peakGrowth} B`,
      );
      assert.ok(result.consumed > 0);
      assert.ok(
        inFlight <= SOCKET_BUFFERS + HIGH_WATER_MARK + MESSAGE,
        `in flight ${inFlight} B`,
      );
      assert.ok(
        result.peakGrowth <= HIGH_WATER_MARK + MESSAGE + 2 * 1024 * 1024,
        `memory grew ${result.peakGrowth} B`,
      );
    } finally {
      server.close();
    }
  });
}
