// Headless Chromium (Debian's), two chat pages on two processes of one cluster (a Node and a Bun
// process on a private redis-server). The process under the first page is killed with SIGKILL
// while the other page keeps posting: the first page shows "reconnecting…", reconnects to the
// other process, shows "recovered", and its log has every message once, in order.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import { type RunningExample, startExample } from "../support/example_server.ts";
import { type RedisServer, startRedisServer } from "../support/redis_server.ts";

const CHROMIUM = "/usr/bin/chromium";

async function openChat(browser: Browser, node: RunningExample, other: RunningExample) {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${node.port}/?server=${encodeURIComponent(other.url)}`);
  await page.locator("#status", { hasText: "connected" }).waitFor({ timeout: 10_000 });
  // Every status the page shows, in order (some last only a moment).
  // (A string: it runs in the page, whose DOM types this file does not load.)
  await page.evaluate(`{
    const status = document.getElementById("status");
    globalThis.statuses = [status.textContent];
    new MutationObserver(() => globalThis.statuses.push(status.textContent))
      .observe(status, { childList: true, characterData: true, subtree: true });
  }`);
  await page.fill("#room", "lobby");
  await page.click("#join");
  await page.locator("#log li", { hasText: "joined lobby" }).waitFor({ timeout: 10_000 });
  return page;
}

async function post(page: Page, text: string): Promise<void> {
  await page.fill("#text", text);
  await page.click("#send");
}

/** The texts of the page's chat messages, oldest first (the log shows the newest on top). */
function texts(page: Page): Promise<string[]> {
  return page.$$eval(
    "#log li span.text",
    (spans) => spans.map((s) => s.textContent ?? "").reverse(),
  );
}

async function waitForText(page: Page, text: string): Promise<void> {
  await page.locator("#log li span.text", { hasText: text }).first().waitFor({ timeout: 15_000 });
}

describe("chat page on a two-process cluster in headless Chromium", () => {
  let redis: RedisServer;
  let nodeA: RunningExample;
  let nodeB: RunningExample;
  let browser: Browser;

  before(async () => {
    redis = await startRedisServer();
    [nodeA, nodeB] = await Promise.all(["node", "bun"].map((runtime) =>
      startExample({
        runtime: runtime as "node" | "bun",
        file: "examples/chat.ts",
        args: ["--redis", redis.url],
      })
    ));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
  });

  after(async () => {
    await browser?.close();
    await Promise.all([nodeA, nodeB].map((node) => node?.stop("SIGKILL")));
    await redis?.stop(true);
  });

  test("a page whose process is killed reconnects to the other one and shows no gap", async () => {
    const first = await openChat(browser, nodeA, nodeB);
    const second = await openChat(browser, nodeB, nodeA);
    for (const text of ["before 1", "before 2"]) await post(second, text);
    await waitForText(first, "before 2");

    await nodeA.stop("SIGKILL");
    await first.locator("#status", { hasText: "reconnecting…" }).or(
      first.locator("#status", { hasText: "recovered" }),
    ).waitFor({ timeout: 10_000 });
    // Posted while the first page has no connection: it must get them on resuming.
    for (const text of ["during 1", "during 2", "during 3"]) await post(second, text);
    await first.locator("#status", { hasText: "recovered" }).waitFor({ timeout: 15_000 });
    await post(second, "after 1");
    await waitForText(first, "after 1");

    const expected = ["before 1", "before 2", "during 1", "during 2", "during 3", "after 1"];
    assert.deepEqual(await texts(first), expected);
    assert.deepEqual(await texts(second), expected);
    const statuses = await first.evaluate<string[]>("globalThis.statuses");
    assert.ok(statuses.includes("reconnecting…"), statuses.join(" / "));
    assert.equal(statuses.at(-1), "recovered");
  });
});
