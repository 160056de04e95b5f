// Headless Chromium (Debian's): two chat pages (examples/chat_page.ts, on the topic client's
// browser build) on two processes of a three-process cluster on a private redis-server. The
// process under the first page is killed (SIGKILL): it moves on and recovers. Then the process
// both pages are on is frozen (SIGSTOP): both leave it within 30 s (the client's default
// detection), recover on the third, and every message is shown once, in order, on both pages.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import { type RunningExample, startExample } from "../support/example_server.ts";
import { type RedisServer, startRedisServer } from "../support/redis_server.ts";

const CHROMIUM = "/usr/bin/chromium";

async function openChat(browser: Browser, node: RunningExample, others: RunningExample[]) {
  const page = await browser.newPage();
  const servers = others.map((other) => `server=${encodeURIComponent(other.url)}`).join("&");
  await page.goto(`http://127.0.0.1:${node.port}/?${servers}`);
  await page.locator("#status", { hasText: "connected" }).waitFor({ timeout: 10_000 });
  // Every status the page shows, in order. (A string: it runs in the page.)
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
  await page.locator("#send:not([disabled])").waitFor({ timeout: 10_000 });
  await page.fill("#text", text);
  await page.click("#send");
}

function texts(page: Page): Promise<string[]> {
  return page.$$eval(
    "#log li span.text",
    (spans) => spans.map((s) => s.textContent ?? "").reverse(),
  );
}

async function waitForText(page: Page, text: string, timeout = 15_000): Promise<void> {
  await page.locator("#log li span.text", { hasText: text }).first().waitFor({ timeout });
}

async function statuses(page: Page): Promise<string[]> {
  return await page.evaluate<string[]>("globalThis.statuses");
}

describe("chat pages on the topic client in headless Chromium: a node killed, one frozen", () => {
  let redis: RedisServer;
  let nodes: RunningExample[] = [];
  let browser: Browser;

  before(async () => {
    redis = await startRedisServer();
    nodes = await Promise.all(
      (["bun", "node", "node"] as const).map((runtime) =>
        startExample({ runtime, file: "examples/chat.ts", args: ["--redis", redis.url] })
      ),
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
  });

  after(async () => {
    await browser?.close();
    if (nodes[1]?.pid !== undefined) process.kill(nodes[1].pid, "SIGCONT");
    await Promise.all(nodes.map((node) => node.stop("SIGKILL")));
    await redis?.stop(true);
  });

  test("pages follow a killed node and leave a frozen one, showing every message once", async () => {
    const [a, b, c] = nodes;
    const first = await openChat(browser, a, [b, c]);
    const second = await openChat(browser, b, [c, a]);
    await post(second, "before 1");
    await waitForText(first, "before 1");

    await a.stop("SIGKILL");
    await first.locator("#status", { hasText: "recovered" }).waitFor({ timeout: 15_000 });
    await post(second, "after the kill");
    await waitForText(first, "after the kill");

    // Both pages are on b now: freeze it.
    await first.evaluate("globalThis.statuses = []");
    await second.evaluate("globalThis.statuses = []");
    process.kill(b.pid!, "SIGSTOP");
    const frozenAt = Date.now();
    for (const page of [first, second]) {
      await page.locator("#status", { hasText: "recovered" }).waitFor({ timeout: 35_000 });
    }
    const leftAfter = Date.now() - frozenAt;
    assert.ok(leftAfter < 30_000, `left the frozen node after ${leftAfter} ms`);
    console.log(`# both pages left the frozen node and recovered after ${leftAfter} ms`);
    await post(second, "after the freeze");
    await waitForText(first, "after the freeze");

    const expected = ["before 1", "after the kill", "after the freeze"];
    assert.deepEqual(await texts(first), expected);
    assert.deepEqual(await texts(second), expected);
    for (const page of [first, second]) {
      const seen = await statuses(page);
      assert.ok(seen.includes("reconnecting…"), seen.join(" / "));
      assert.equal(seen.at(-1), "recovered");
    }
  });
});
