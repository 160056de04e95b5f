// Headless Chromium (Debian's) loads the echo server's demo page, sends a
// message through the page's own form and sees the echo, on every runtime.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { runtimesUnderTest, startExample } from "../support/example_server.ts";

const CHROMIUM = "/usr/bin/chromium";

const CASES: [string, string[]][] = [["", []], [" with --deflate", [
  "--engine",
  "omnisocket",
  "--deflate",
]]];

for (const runtime of runtimesUnderTest()) {
  for (const [variant, args] of CASES) describeDemoPage(runtime, variant, args);
}

function describeDemoPage(runtime: "node" | "deno" | "bun", variant: string, args: string[]) {
  describe(`demo page served on ${runtime}${variant}`, () => {
    test("echoes a message typed into the page in headless Chromium", async () => {
      const server = await startExample({ runtime, file: "examples/echo.ts", args });
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      });
      try {
        const page = await browser.newPage();
        await page.goto(`http://127.0.0.1:${server.port}/`);
        await page.locator("#status", { hasText: "connected to" }).waitFor({ timeout: 5_000 });
        // Chromium offers permessage-deflate; client_max_window_bits: the page shows the answer.
        const extensions = await page.locator("#extensions").textContent();
        if (args.includes("--deflate")) {
          assert.match(extensions ?? "", /^extensions: permessage-deflate/);
          console.log(`chromium on ${runtime}: ${extensions}`);
        } else {
          assert.equal(extensions, "extensions: none");
        }
        // Long enough to be compressed (the threshold is 1 KiB).
        const message = `hello from chromium via ${runtime}${variant} `.repeat(
          args.length ? 40 : 1,
        );
        await page.fill("#text", message);
        await page.click("#send");
        const echo = page.locator("li.echo").first();
        await echo.waitFor({ timeout: 5_000 });
        assert.equal(await echo.textContent(), `echo (text): ${message}`);
      } finally {
        await browser.close();
        await server.stop();
      }
    });
  });
}
