/**
 * Reference for the Deno fan-out rows: `Deno.serve` +
 * `Deno.upgradeWebSocket`, and a broadcast loop over the open sockets (the
 * sender included) for each message.
 *
 *   deno run -A scripts/bench/servers/deno_broadcast.ts --port 9000
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
const sockets = new Set<WebSocket>();

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
  socket.onopen = () => sockets.add(socket);
  socket.onclose = () => sockets.delete(socket);
  socket.onmessage = (event) => {
    for (const s of sockets) s.send(event.data);
  };
  return response;
});

const shutdown = async (): Promise<void> => {
  await server.shutdown();
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", shutdown);
Deno.addSignalListener("SIGINT", shutdown);
