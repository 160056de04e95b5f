/**
 * Interop client from the `ws` package with `perMessageDeflate` (its own
 * inflate and deflate streams): usage `node tests/interop/ws_deflate_client.ts
 * ws://HOST:PORT/`. Prints `extensions: <negotiated>`, then "ok" and exits 0
 * when compressible JSON (in a row, so context takeover is exercised), a
 * message below the threshold, a message sent uncompressed and 1 MiB of
 * binary all echo.
 *
 * @module
 */

import process from "node:process";
import WebSocket from "ws";

const socket = new WebSocket(process.argv[2], {
  perMessageDeflate: { clientMaxWindowBits: 15, threshold: 0 },
});
const fail = (why: string) => {
  console.error(`fail: ${why}`);
  process.exit(1);
};
setTimeout(() => fail("timed out"), 20_000);

const messages: (string | Uint8Array)[] = [
  ...Array.from(
    { length: 30 },
    (_, id) =>
      JSON.stringify({
        id,
        user: `user-${id % 3}`,
        items: Array.from({ length: 40 }, (_, k) => ({ k })),
      }),
  ),
  "tiny",
  Uint8Array.from({ length: 1 << 20 }, (_, i) => i % 251),
];
const uncompressed = "sent without compression ".repeat(100);

socket.on("open", () => {
  const extensions = socket.extensions;
  console.log(`extensions: ${extensions}`);
  if (!extensions.startsWith("permessage-deflate")) fail("permessage-deflate was not negotiated");
  for (const message of messages) socket.send(message);
  socket.send(uncompressed, { compress: false });
});
const received: (string | Uint8Array)[] = [];
socket.on("message", (data: Uint8Array, isBinary: boolean) => {
  received.push(isBinary ? new Uint8Array(data) : new TextDecoder().decode(data));
  if (received.length < messages.length + 1) return;
  const expected = [...messages, uncompressed];
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i];
    const got = received[i];
    const same = typeof want === "string"
      ? got === want
      : got instanceof Uint8Array && Buffer.compare(Buffer.from(got), Buffer.from(want)) === 0;
    if (!same) fail(`echo ${i} differs`);
  }
  socket.close(1000);
});
socket.on("close", (code: number) => {
  if (code !== 1000) fail(`close code ${code}`);
  console.log("ok");
  process.exit(0);
});
socket.on("error", (error: Error) => fail(error.message));
