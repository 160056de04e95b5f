/**
 * Our client against one echo server: `interop_driver.ts TARGETS_JSON`, each
 * target `{ name, url, deflate?, ca?, proxy? }`. Sends text, a 100 KB
 * compressible text, 1 KB of random binary and an empty message, checks the
 * echoes (same type, same bytes), pings, closes with 1000 "done", and prints
 * one JSON line per target.
 *
 * @module
 */

import { WebSocket } from "../../src/adapters/client.ts";
import { commandLineArgs, exit } from "../../examples/support/runtime.ts";

interface Target {
  name: string;
  url: string;
  deflate?: boolean;
  ca?: string;
  proxy?: string;
}

const targets = JSON.parse(commandLineArgs()[0]) as Target[];
const random = crypto.getRandomValues(new Uint8Array(1024));
const messages: (string | Uint8Array)[] = [
  "héllo",
  JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ id: i, name: "item" }))),
  random,
  "",
];

function same(a: unknown, b: string | Uint8Array): boolean {
  if (typeof b === "string") return a === b;
  if (!(a instanceof ArrayBuffer) || a.byteLength !== b.length) return false;
  const view = new Uint8Array(a);
  return view.every((byte, i) => byte === b[i]);
}

for (const target of targets) {
  const result = await new Promise<Record<string, unknown>>((resolve) => {
    const seen: Record<string, unknown> = { name: target.name, echoes: 0, pong: false };
    const socket = new WebSocket(target.url, [], {
      perMessageDeflate: target.deflate ?? false,
      tls: target.ca ? { ca: target.ca } : undefined,
      proxy: target.proxy ?? false,
      handshakeTimeout: 5_000,
    });
    socket.binaryType = "arraybuffer";
    let next = 0;
    socket.onopen = () => {
      seen.extensions = socket.extensions;
      socket.send(messages[0]);
    };
    socket.onmessage = (event) => {
      if (!same(event.data, messages[next])) {
        seen.mismatch = next;
        socket.close(3000, "mismatch");
        return;
      }
      seen.echoes = ++next;
      if (next < messages.length) socket.send(messages[next]);
      else socket.ping("p");
    };
    socket.addEventListener("pong", () => {
      seen.pong = true;
      socket.close(1000, "done");
    });
    socket.onerror = (event) => {
      seen.error = (event as Event & { message?: string }).message;
    };
    socket.onclose = (event) => {
      Object.assign(seen, { code: event.code, wasClean: event.wasClean });
      resolve(seen);
    };
  });
  console.log(JSON.stringify(result));
}
exit(0);
