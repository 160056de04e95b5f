// Headless Chromium (Debian's): the live stats page of `examples/chat.ts
// --metrics` plots while a load runs: its sample count grows, its numbers show
// the messages and deliveries per second, its canvases change, and a close
// code used by a client shows up in the closes plot.

import { test } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { runtimesUnderTest, startExample } from "../support/example_server.ts";
import { Inbox } from "../support/inbox.ts";
import { closed, open } from "../support/ws_client.ts";

const CHROMIUM = "/usr/bin/chromium";

// One runtime is enough for the page; the metrics suite covers every adapter.
const runtime = runtimesUnderTest()[0];

test(`the /stats page of chat --metrics plots a running load in headless Chromium (${runtime})`, async () => {
  const server = await startExample({ runtime, file: "examples/chat.ts", args: ["--metrics"] });
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
  const clients: Inbox[] = [];
  let load: ReturnType<typeof setInterval> | undefined;
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.port}/stats`);
    await page.locator("#status", { hasText: "live" }).waitFor({ timeout: 5_000 });
    const samplesNow = async () => Number(await page.getAttribute("body", "data-samples"));
    // Page expressions as strings: they run in the page, not in this file's (DOM-less) types.
    const picture = () =>
      page.evaluate<string>('document.getElementById("c-messages").toDataURL()');
    const before = await picture();
    const samplesBefore = await samplesNow();

    for (let i = 0; i < 3; i++) {
      const client = new Inbox(await open(server.url));
      client.send({ type: "subscribe", topic: "load" });
      assert.equal((await client.json()).type, "subscribed");
      clients.push(client);
    }
    let n = 0;
    load = setInterval(() => {
      clients[n % clients.length].send({ type: "publish", topic: "load", data: n });
      n++;
    }, 10);

    // Live numbers: messages in and deliveries per second climb above zero.
    await page.waitForFunction(
      `(() => {
        const last = JSON.parse(document.getElementById("last").textContent || "null");
        return last !== null && last.inPerSecond > 10 && last.deliveriesPerSecond > 10;
      })()`,
      undefined,
      { timeout: 10_000 },
    );
    const [during, samplesDuring] = [await picture(), await samplesNow()];
    assert.notEqual(during, before, "the messages plot changed");
    assert.ok(
      samplesDuring >= samplesBefore + 1,
      `samples grew: ${samplesBefore} -> ${samplesDuring}`,
    );
    await page.waitForFunction(
      `Number(document.body.dataset.samples) > ${samplesDuring}`,
      undefined,
      {
        timeout: 5_000,
      },
    );
    assert.notEqual(await picture(), during, "the plot keeps updating while the load runs");

    // A client leaves with 4000: the closes plot names the code.
    const last = clients.pop()!;
    const done = closed(last.socket);
    last.socket.close(4000);
    await done;
    await page.locator("#v-closes", { hasText: "4000" }).waitFor({ timeout: 5_000 });
  } finally {
    clearInterval(load);
    for (const client of clients) client.close();
    await browser.close();
    await server.stop();
  }
});
