/**
 * Reference server for the Bun row of the benchmark: plain `Bun.serve` with
 * its built-in WebSocket echo. Settings mirror what omnisocket's Bun adapter
 * passes: no compression, 16 MiB messages, the same backpressure limit and
 * idle timeout with pings.
 *
 *   bun scripts/bench/servers/bun_native.ts --port 9000 [--deflate]
 *
 * --deflate: Bun's default permessage-deflate (`perMessageDeflate: true`: its
 * shared compressor and decompressor, no context takeover either way),
 * messages from 1 KiB up compressed, as omnisocket's Bun adapter configures
 * it for `perMessageDeflate: true`.
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
    message(socket: any, message: string | Uint8Array): void {
      if (deflate) socket.send(message, message.length >= 1024);
      else socket.send(message);
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
