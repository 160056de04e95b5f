/**
 * Reference server for the Deno row of the benchmark: plain `Deno.serve` and
 * `Deno.upgradeWebSocket` echoing every message. Settings mirror what
 * omnisocket's Deno adapter passes (idle timeout 30 s, binary as
 * ArrayBuffer, no compression: Deno offers none). Deno has no option for a
 * message size limit; its own cap applies.
 *
 *   deno run -A scripts/bench/servers/deno_native.ts --port 9000
 *
 * Prints `listening on http://127.0.0.1:PORT`; exits on SIGTERM or SIGINT.
 *
 * @module
 */

function flag(name: string, fallback: string): string {
  const i = Deno.args.indexOf(name);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}
const hostname = flag("--host", "127.0.0.1");
const port = Number(flag("--port", "8080"));

const server = Deno.serve({
  hostname,
  port,
  onListen: (address) => console.log(`listening on http://${hostname}:${address.port}`),
}, (request) => {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return new Response("Not Found\n", { status: 404 });
  }
  const { socket, response } = Deno.upgradeWebSocket(request, { idleTimeout: 30 });
  socket.binaryType = "arraybuffer";
  socket.onmessage = (event) => socket.send(event.data);
  return response;
});

const shutdown = async (): Promise<void> => {
  await server.shutdown();
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", shutdown);
Deno.addSignalListener("SIGINT", shutdown);
