// Headless Chromium (Debian's) over HTTP/2: the page, loaded over h2 from a
// node:http2 secure server with attach, opens a WebSocket to its own origin;
// the server tells the page over which protocol (ALPN) that socket's
// connection runs, and the page shows it. Chromium sends WebSockets over an
// HTTP/2 connection that announced extended CONNECT (RFC 8441).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createSecureServer } from "node:http2";
import type { TLSSocket } from "node:tls";
import { chromium } from "playwright-core";
import { attach } from "../../src/adapters/node.ts";
import { makeTestCertificate } from "../support/test_certificate.ts";

const CHROMIUM = "/usr/bin/chromium";

const PAGE = `<!doctype html><title>h2</title><p id="status">connecting</p><script>
const socket = new WebSocket("wss://" + location.host + "/ws");
socket.onopen = () => socket.send("over which protocol?");
socket.onmessage = (event) => { document.getElementById("status").textContent = "socket over " + event.data; };
socket.onerror = () => { document.getElementById("status").textContent = "error"; };
</script>`;

describe("Chromium over HTTP/2", () => {
  test("a page's WebSocket goes over the page's h2 connection and echoes", async () => {
    const certificate = makeTestCertificate();
    const alpnByPort = new Map<number, string>();
    const server = createSecureServer(
      { cert: certificate.cert, key: certificate.key, allowHTTP1: true },
      (_request, response) => {
        response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        response.end(PAGE);
      },
    );
    server.on("secureConnection", (socket: TLSSocket) => {
      alpnByPort.set(socket.remotePort!, String(socket.alpnProtocol));
    });
    const websocket = attach(server, {
      message(peer) {
        const port = Number(peer.remoteAddress.slice(peer.remoteAddress.lastIndexOf(":") + 1));
        peer.send(alpnByPort.get(port) ?? "unknown");
      },
    }, { path: "/ws" });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--ignore-certificate-errors",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = await browser.newPage({ ignoreHTTPSErrors: true });
      await page.goto(`https://127.0.0.1:${port}/`);
      const status = page.locator("#status", { hasText: "socket over" });
      await status.waitFor({ timeout: 10_000 });
      assert.equal(await status.textContent(), "socket over h2");
      // The page itself came over h2 too, on the connection the socket shares.
      const pageProtocol = await page.evaluate(() =>
        (performance.getEntriesByType("navigation")[0] as unknown as { nextHopProtocol: string })
          .nextHopProtocol
      );
      assert.equal(pageProtocol, "h2");
      assert.equal(websocket.peers.size, 1);
      console.log(`chromium: page over ${pageProtocol}, WebSocket over h2 (RFC 8441)`);
    } finally {
      await browser.close();
      await websocket.close();
      server.close();
      certificate.remove();
    }
  });
});
