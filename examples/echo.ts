/**
 * An echo server: every text or binary message comes back unchanged, with the
 * same type. Default options otherwise (16 MiB messages pass).
 *
 *   deno run -A examples/echo.ts --port 8080
 *   bun examples/echo.ts --port 8080
 *   node examples/echo.ts --port 8080       (Node >= 22.18)
 *
 * omnisocket's own protocol engine does the work over a raw TCP socket on
 * every runtime here; SIGINT/SIGTERM close every peer with 1001.
 *
 * @module
 */

import { RawSocketSession } from "../mod.ts";
import { listenRawTcp } from "./support/listen_raw_tcp.ts";
import { exit, onShutdownSignal, serverAddressArgs } from "./support/runtime.ts";

const sessions = new Set<RawSocketSession>();

const server = await listenRawTcp(serverAddressArgs(), (stream) => {
  const session = new RawSocketSession(stream, {
    open: (session) => sessions.add(session),
    message: (session, data) => session.send(data),
    close: (session) => sessions.delete(session),
  });
  return {
    data: (chunk) => session.receive(chunk),
    closed: () => session.streamClosed(),
  };
});

console.log(`listening on http://${server.hostname}:${server.port}`);

onShutdownSignal(async () => {
  await server.close();
  for (const session of sessions) session.close(1001, "server shutting down");
  // Peers get a moment to answer the close; the close timeout bounds the rest.
  const deadline = Date.now() + 2_000;
  while (sessions.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  exit(0);
});
