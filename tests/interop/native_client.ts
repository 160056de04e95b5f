/**
 * Interop client using the runtime's own global `WebSocket` (Node >= 22,
 * Deno, Bun). Usage: <runtime> tests/interop/native_client.ts ws://HOST:PORT/
 * Prints "ok" and exits 0 when text and binary echo and a 4000 close hold.
 *
 * @module
 */

// deno-lint-ignore no-explicit-any
const runtime = globalThis as any;
const url = runtime.Deno ? runtime.Deno.args[0] : runtime.process.argv[2];
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
  socket.send("héllo from a native client");
  socket.send(new Uint8Array([0, 1, 255]));
};
socket.onmessage = (event) => {
  received.push(event.data);
  if (received.length < 2) return;
  const [text, binary] = received;
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
