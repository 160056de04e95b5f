/**
 * The echo server as a Cloudflare Worker: the same handler as
 * examples/echo.ts (examples/echo_handler.ts), served by the cloudflare
 * adapter. WebSocket upgrades echo every message; GET / serves the demo page.
 *
 * Locally, on the real workerd runtime (bundled with esbuild first):
 *
 *   node scripts/run_worker.ts examples/echo_worker.ts --port 8787
 *
 * @module
 */

import { createWorkerFetch } from "../src/adapters/cloudflare.ts";
import { demoPageHtml } from "./demo_page.ts";
import { echoHandler } from "./echo_handler.ts";

/** The worker: workerd calls `fetch` for every request. */
export default {
  fetch: createWorkerFetch(echoHandler, {
    fetch(request) {
      const { pathname } = new URL(request.url);
      if (pathname !== "/") return new Response("Not Found\n", { status: 404 });
      if (request.method !== "GET" && request.method !== "HEAD") {
        return new Response("Method Not Allowed\n", {
          status: 405,
          headers: { Allow: "GET, HEAD" },
        });
      }
      return new Response(demoPageHtml, {
        headers: { "Content-Type": "text/html; charset=utf-8" },
      });
    },
  }),
};
