// One process holding many subscriptions: PEERS WebSocket peers x TOPICS topics each (default
// 10,000 x 100 = 1,000,000 subscriptions), the chat (examples/chat.ts on Bun, in-process topics)
// against Bun's native pub/sub (scripts/bench/servers/bun_subscribe.ts: ws.subscribe). RSS per
// subscription (the server's VmRSS once all are subscribed minus once all are connected, over
// the subscriptions) and subscribe rate (subscriptions answered per second, all peers sending at
// once).
//
//   node_modules/.bin/node scripts/bench/subscriptions.ts [--peers 10000] [--topics 100]

import { readFileSync } from "node:fs";
import process from "node:process";
import WebSocket from "ws";
import { type RunningExample, startExample } from "../../tests/support/example_server.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : Number(args[i + 1]);
};
const PEERS = flag("--peers", 10_000);
const TOPICS = flag("--topics", 100);

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(name: string, file: string, extra: string[]) {
  const server: RunningExample = await startExample({ runtime: "bun", file, args: extra });
  try {
    let answered = 0;
    const sockets: WebSocket[] = [];
    for (let i = 0; i < PEERS; i += 200) {
      const batch: Promise<WebSocket>[] = [];
      for (let j = i; j < Math.min(PEERS, i + 200); j++) {
        batch.push(
          new Promise((resolve, reject) => {
            const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, {
              perMessageDeflate: false,
            });
            ws.on("message", (data: Buffer) => {
              if (data.toString().startsWith('{"type":"subscribed"')) answered++;
            });
            ws.once("open", () => resolve(ws));
            ws.once("error", reject);
          }),
        );
      }
      sockets.push(...await Promise.all(batch));
    }
    await sleep(1_000);
    const connected = rssBytes(server.pid!);
    const started = performance.now();
    sockets.forEach((ws, i) => {
      for (let t = 0; t < TOPICS; t++) {
        // Topics shared by many peers, as rooms are: peer i takes TOPICS of 1,000 rooms.
        ws.send(JSON.stringify({ type: "subscribe", topic: `room${(i + t * 7) % 1000}` }));
      }
    });
    const total = PEERS * TOPICS;
    while (answered < total) await sleep(20);
    const seconds = (performance.now() - started) / 1000;
    await sleep(1_000);
    const subscribed = rssBytes(server.pid!);
    console.log(
      `  ${name}: ${total} subscriptions in ${seconds.toFixed(1)} s = ` +
        `${Math.round(total / seconds)}/s; RSS ${
          (connected / 2 ** 20).toFixed(0)
        } MiB connected, ` +
        `${(subscribed / 2 ** 20).toFixed(0)} MiB subscribed: ` +
        `${((subscribed - connected) / total).toFixed(0)} B per subscription`,
    );
    for (const ws of sockets) ws.terminate();
    return { rate: total / seconds, perSubscription: (subscribed - connected) / total };
  } finally {
    await server.stop("SIGKILL");
  }
}

console.log(`${PEERS} peers x ${TOPICS} topics, Bun`);
const ours = await measure("omnisocket chat.ts (Bun)", "examples/chat.ts", []);
const bun = await measure("Bun native ws.subscribe", "scripts/bench/servers/bun_subscribe.ts", []);
console.log(
  `memory per subscription ours / Bun: ${
    (ours.perSubscription / bun.perSubscription).toFixed(2)
  }x; ` +
    `subscribe rate ours / Bun: ${(ours.rate / bun.rate).toFixed(2)}x`,
);
