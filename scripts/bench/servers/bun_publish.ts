/**
 * Reference for the Bun fan-out rows: plain `Bun.serve`, every socket
 * subscribed to one topic on open, and each message published to it with
 * the native `server.publish` (the sender included). Settings as in
 * bun_native.ts.
 *
 *   bun scripts/bench/servers/bun_publish.ts --port 9000 [--deflate]
 *
 * `--deflate`: Bun's default permessage-deflate (`perMessageDeflate: true`,
 * its shared compressor) and `server.publish(topic, message, true)`.
 *
 * Prints `listening on http://127.0.0.1:PORT`; exits on SIGTERM or SIGINT.
 *
 * @module
 */

// deno-lint-ignore no-explicit-any
const bun = (globalThis as any).Bun;
// deno-lint-ignore no-explicit-any
const proc = (globalThis as any).process;

const args: string[] = proc.argv.slice(2);
function flag(name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}
const hostname = flag("--host", "127.0.0.1");
const port = Number(flag("--port", "8080"));
const deflate = args.includes("--deflate");

const server = bun.serve({
  hostname,
  port,
  // deno-lint-ignore no-explicit-any
  fetch(request: Request, server: any): Response | undefined {
    if (server.upgrade(request)) return undefined;
    return new Response("Not Found\n", { status: 404 });
  },
  websocket: {
    maxPayloadLength: 16 * 1024 * 1024,
    backpressureLimit: 64 * 1024 * 1024,
    closeOnBackpressureLimit: true,
    idleTimeout: 30,
    sendPings: true,
    perMessageDeflate: deflate,
    // deno-lint-ignore no-explicit-any
    open(socket: any): void {
      socket.subscribe("bench");
    },
    // deno-lint-ignore no-explicit-any
    message(_socket: any, message: string | Uint8Array): void {
      server.publish("bench", message, deflate);
    },
  },
});

console.log(`listening on http://${hostname}:${server.port}`);

const shutdown = (): void => {
  server.stop(true);
  proc.exit(0);
};
proc.on("SIGTERM", shutdown);
proc.on("SIGINT", shutdown);
