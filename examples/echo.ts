/**
 * The echo server: every text or binary message comes back unchanged with
 * the same type; default options otherwise (16 MiB messages pass). A small
 * demo page at GET / sends messages and shows the echoes.
 *
 *   deno run -A examples/echo.ts --port 8080
 *   bun examples/echo.ts --port 8080
 *   node examples/echo.ts --port 8080       (Node >= 22.18)
 *
 * The handler (examples/echo_handler.ts) is the same file on every runtime,
 * Cloudflare Workers included (examples/echo_worker.ts); only the adapter
 * differs, picked here by the runtime that runs this file. SIGINT/SIGTERM
 * close every peer with 1001, then exit.
 *
 * `--cert FILE --key FILE` serves TLS (`https:`, `wss:`) with that PEM
 * certificate and key: on Node over HTTP/2 and HTTP/1.1 on one port
 * (WebSockets over both, RFC 8441), on Deno and Bun over HTTP/1.1.
 *
 * `--deflate` turns permessage-deflate on with the library's defaults (on
 * Deno it needs `--engine omnisocket`: Deno's own server cannot compress).
 *
 * @module
 */

import { demoPageHtml } from "./demo_page.ts";
import { echoHandler } from "./echo_handler.ts";
import { commandLineArgs, exit, onShutdownSignal, serverAddressArgs } from "./support/runtime.ts";
import { serveOnThisRuntime } from "./support/serve_on_this_runtime.ts";
import { tlsArgs, withoutTlsArgs } from "./support/tls_args.ts";

const args = commandLineArgs();
const deflate = args.includes("--deflate");

const server = await serveOnThisRuntime(echoHandler, {
  ...serverAddressArgs(withoutTlsArgs(args).filter((arg) => arg !== "--deflate")),
  ...tlsArgs(args),
  ...(deflate ? { perMessageDeflate: true } : {}),
  fetch(request) {
    if (new URL(request.url).pathname !== "/") return new Response("Not Found\n", { status: 404 });
    return new Response(demoPageHtml, { headers: { "Content-Type": "text/html; charset=utf-8" } });
  },
});

console.log(`listening on ${server.url}`);

onShutdownSignal(async () => {
  await server.close();
  exit(0);
});
