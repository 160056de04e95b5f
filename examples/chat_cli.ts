/**
 * A command-line chat client on the topic client (`@omnisocket/core/topic-client`):
 *
 *   deno run -A examples/chat_cli.ts --url URL[,URL...] --room ROOM [--nick NAME]
 *   bun examples/chat_cli.ts …        node examples/chat_cli.ts …
 *
 * Connects to the first URL (the next one after a failure), subscribes to ROOM
 * and writes one JSON object per line on stdout, nothing else:
 *
 *   {"event":"open","url":U}                          each time a connection opens
 *   {"event":"subscribed","room":R,"recovered":B}     after every (re)subscription
 *   {"event":"message","room":R,"offset":O,"data":D}  every message of the room
 *   {"event":"closed","code":C}                       each time a connection ends
 *
 * Each line read on stdin is published to ROOM as the chat page publishes it:
 * `{"nick":NICK,"text":LINE}` (NICK from --nick, default `cli`).
 *
 * @module
 */

import { TopicClient } from "../src/adapters/topic_client.ts";
import { commandLineArgs, exit, onShutdownSignal } from "./support/runtime.ts";

const args = commandLineArgs();
const flag = (name: string): string | undefined => {
  for (let i = 0; i < args.length; i++) {
    const [key, inline] = args[i].split("=", 2);
    if (key === name) return inline ?? args[i + 1];
  }
  return undefined;
};

const urls = (flag("--url") ?? "").split(",").filter((url) => url !== "");
const room = flag("--room");
const nick = flag("--nick") ?? "cli";
if (urls.length === 0 || room === undefined || room === "") {
  console.error("usage: chat_cli --url URL[,URL...] --room ROOM [--nick NAME]");
  exit(2);
}

const print = (line: Record<string, unknown>): void => console.log(JSON.stringify(line));

// Lines read while disconnected wait for the next connection (up to 10,000 of them).
const client = new TopicClient(urls, { offline: { queue: 10_000 } });
client.on("open", ({ url }) => print({ event: "open", url }));
client.on("close", ({ code, opened }) => opened && print({ event: "closed", code }));
client.on("subscribed", ({ recovered }) => print({ event: "subscribed", room, recovered }));
client.on("message", ({ offset, data }) => print({ event: "message", room, offset, data }));
client.subscribe(room);

onShutdownSignal(() => {
  client.close();
  exit(0);
});

// Publishes each line of stdin (kept running after stdin ends: the room may still speak).
const publishLine = (text: string): void => {
  client.publish(room, { nick, text }).catch((error) =>
    console.error(`chat_cli: ${error instanceof Error ? error.message : error}`)
  );
};
const runtime = globalThis as unknown as {
  Deno?: { stdin: { readable: ReadableStream<Uint8Array> } };
  process?: { stdin: AsyncIterable<Uint8Array | string> };
};
const decoder = new TextDecoder();
let buffered = "";
const chunks: AsyncIterable<Uint8Array | string> = runtime.Deno !== undefined
  ? runtime.Deno.stdin.readable
  : runtime.process!.stdin;
for await (const chunk of chunks) {
  buffered += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
  let newline: number;
  while ((newline = buffered.indexOf("\n")) >= 0) {
    const line = buffered.slice(0, newline).replace(/\r$/, "");
    buffered = buffered.slice(newline + 1);
    if (line !== "") publishLine(line);
  }
}
if (buffered !== "") publishLine(buffered);
