/**
 * Interop client using the runtime's own global `WebSocket` (Node >= 22,
 * Deno, Bun). Usage: <runtime> tests/interop/native_client.ts ws://HOST:PORT/ [--deflate]
 * Prints "ok" and exits 0 when text and binary echo and a 4000 close hold.
 * With --deflate it first prints `extensions: <negotiated>` and sends
 * compressible JSON messages (Node's and Bun's clients offer permessage-deflate).
 *
 * @module
 */

// deno-lint-ignore no-explicit-any
const runtime = globalThis as any;
const args: string[] = runtime.Deno ? runtime.Deno.args : runtime.process.argv.slice(2);
const url = args[0];
const deflate = args.includes("--deflate");
const json = Array.from(
  { length: 10 },
  (_, id) =>
    JSON.stringify({ id, items: Array.from({ length: 60 }, (_, k) => ({ k, v: k * id })) }),
);
const exit = (code: number) => runtime.Deno ? runtime.Deno.exit(code) : runtime.process.exit(code);

const socket = new WebSocket(url);
socket.binaryType = "arraybuffer";
const received: (string | ArrayBuffer)[] = [];
const fail = (why: string) => {
  console.error(`fail: ${why}`);
  exit(1);
};
setTimeout(() => fail("timed out"), 10_000);

socket.onopen = () => {
  if (deflate) {
    console.log(`extensions: ${socket.extensions}`);
    for (const message of json) socket.send(message);
  }
  socket.send("héllo from a native client");
  socket.send(new Uint8Array([0, 1, 255]));
};
socket.onmessage = (event) => {
  received.push(event.data);
  const extra = deflate ? json.length : 0;
  if (received.length < extra + 2) return;
  for (let i = 0; i < extra; i++) if (received[i] !== json[i]) fail(`JSON echo ${i}`);
  const [text, binary] = received.slice(extra);
  if (text !== "héllo from a native client") fail(`text echo: ${String(text)}`);
  if (!(binary instanceof ArrayBuffer) || new Uint8Array(binary).join() !== "0,1,255") {
    fail("binary echo");
  }
  socket.close(4000, "native bye");
};
socket.onclose = (event) => {
  if (event.code !== 4000) fail(`close code ${event.code}`);
  console.log("ok");
  exit(0);
};
