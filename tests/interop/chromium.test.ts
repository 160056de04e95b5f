// Headless Chromium (Debian's) loads the echo server's demo page, sends a
// message through the page's own form and sees the echo, on every runtime.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { runtimesUnderTest, startExample } from "../support/example_server.ts";

const CHROMIUM = "/usr/bin/chromium";

for (const runtime of runtimesUnderTest()) {
  describe(`demo page served on ${runtime}`, () => {
    test("echoes a message typed into the page in headless Chromium", async () => {
      const server = await startExample({ runtime, file: "examples/echo.ts" });
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
        await page.fill("#text", `hello from chromium via ${runtime}`);
        await page.click("#send");
        const echo = page.locator("li.echo").first();
        await echo.waitFor({ timeout: 5_000 });
        assert.equal(await echo.textContent(), `echo (text): hello from chromium via ${runtime}`);
      } finally {
        await browser.close();
        await server.stop();
      }
    });
  });
}
