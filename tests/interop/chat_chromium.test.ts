// Headless Chromium (Debian's): two pages of the chat example, served by one
// server, join a room and talk to each other through the pages' own forms.

import { test } from "node:test";
import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
import { runtimesUnderTest, startExample } from "../support/example_server.ts";

const CHROMIUM = "/usr/bin/chromium";

async function join(page: Page, url: string, nick: string, room: string): Promise<void> {
  await page.goto(url);
  await page.locator("#status", { hasText: "connected" }).waitFor({ timeout: 5_000 });
  await page.fill("#nick", nick);
  await page.fill("#room", room);
  await page.click("#join");
  await page.locator("#log li", { hasText: `joined ${room}` }).waitFor({ timeout: 5_000 });
}

async function say(page: Page, text: string): Promise<void> {
  await page.fill("#text", text);
  await page.click("#send");
}

// One runtime is enough for the page; the contract tests cover the server on each.
const runtime = runtimesUnderTest()[0];

test(`two chat pages in headless Chromium talk through one server (${runtime})`, async () => {
  const server = await startExample({ runtime, file: "examples/chat.ts" });
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
    const url = `http://127.0.0.1:${server.port}/`;
    const [alice, bob] = [await browser.newPage(), await browser.newPage()];
    await join(alice, url, "alice", "lobby");
    await join(bob, url, "bob", "lobby");
    await say(alice, "hi bob");
    const atBob = bob.locator("#log li", { hasText: "hi bob" });
    await atBob.waitFor({ timeout: 5_000 });
    assert.equal(await atBob.textContent(), "[lobby] alice: hi bob");
    await say(bob, "hello alice");
    const atAlice = alice.locator("#log li", { hasText: "hello alice" });
    await atAlice.waitFor({ timeout: 5_000 });
    assert.equal(await atAlice.textContent(), "[lobby] bob: hello alice");
    // Each sees its own message too (the publisher is subscribed).
    await alice.locator("#log li", { hasText: "alice: hi bob" }).waitFor({ timeout: 5_000 });
    await bob.locator("#log li", { hasText: "bob: hello alice" }).waitFor({ timeout: 5_000 });
  } finally {
    await browser.close();
    await server.stop();
  }
});
