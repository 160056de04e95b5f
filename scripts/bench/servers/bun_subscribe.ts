/**
 * Reference for the subscriptions benchmark (scripts/bench/subscriptions.ts): plain `Bun.serve`
 * whose sockets subscribe with the native `ws.subscribe(topic)` on the chat's
 * `{"type":"subscribe","topic":T}` and answer `{"type":"subscribed","topic":T}`.
 *
 *   bun scripts/bench/servers/bun_subscribe.ts --port 9000
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
const at = args.indexOf("--port");
const port = at >= 0 ? Number(args[at + 1]) : 8080;

const server = bun.serve({
  hostname: "127.0.0.1",
  port,
  // deno-lint-ignore no-explicit-any
  fetch(request: Request, server: any): Response | undefined {
    if (server.upgrade(request)) return undefined;
    return new Response("Not Found\n", { status: 404 });
  },
  websocket: {
    idleTimeout: 0,
    // deno-lint-ignore no-explicit-any
    message(ws: any, message: string) {
      const { type, topic } = JSON.parse(message);
      if (type !== "subscribe") return;
      ws.subscribe(topic);
      ws.send(JSON.stringify({ type: "subscribed", topic }));
    },
  },
});
console.log(`listening on http://127.0.0.1:${server.port}`);
for (const signal of ["SIGTERM", "SIGINT"]) proc.on(signal, () => proc.exit(0));
