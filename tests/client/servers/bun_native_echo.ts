// Bun's own WebSocket server (Bun.serve), echoing, for the client interop tests.
//
//   bun tests/client/servers/bun_native_echo.ts [--deflate]
declare const Bun: {
  serve(options: unknown): { port: number };
};
const deflate = process.argv.includes("--deflate");
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request: Request, server: { upgrade(request: Request): boolean }) {
    if (server.upgrade(request)) return undefined;
    return new Response("upgrade required", { status: 426 });
  },
  websocket: {
    perMessageDeflate: deflate,
    maxPayloadLength: 16 * 1024 * 1024,
    message(socket: { send(data: unknown): void }, message: unknown) {
      socket.send(message);
    },
  },
});
console.log(`listening on http://127.0.0.1:${server.port}`);
