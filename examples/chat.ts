/**
 * The chat server: rooms are topics, one JSON object per message; a page at
 * GET / to chat from a browser. Whichever runtime runs it serves it:
 *
 *   deno run -A examples/chat.ts --port 8080 [--host H] [--history K] [--redis URL]
 *   bun examples/chat.ts --port 8080
 *   node examples/chat.ts --port 8080        (Node >= 22.18)
 *
 * Binds 127.0.0.1 unless --host says otherwise and prints
 * `listening on http://HOST:PORT` when ready; SIGINT/SIGTERM close every peer
 * with 1001, then exit 0. WebSocket upgrades on path `/`. --history K keeps
 * the last K publications per room for `since` (default 1000). --redis URL
 * shares the rooms with every process started with the same URL, whatever
 * its runtime (the Redis backplane; see the README's cluster section);
 * --redis URL,URL,... names the seed nodes of one Redis Cluster.
 * --max-buffered-amount BYTES lowers the queue size past which a peer that
 * stops reading is closed with 1008 (default 64 MiB; for tests).
 * --metrics counts what the server does (ServerMetrics) and serves it:
 * GET /metrics (Prometheus text format) and GET /stats (a live page of the
 * last minutes, over its own WebSocket on path `/stats`; examples/stats.ts).
 *
 * Client -> server (text messages): {"type":"subscribe","topic":T,"since"?:O},
 * {"type":"unsubscribe","topic":T}, {"type":"publish","topic":T,"data":D}.
 * Server -> client: {"type":"subscribed","topic":T,"recovered":B},
 * {"type":"message","topic":T,"data":D,"offset":O}, {"type":"error","reason":R}.
 * This is the library's topics protocol (`topicsProtocol`), which also takes
 * a publish `id` (answered `{"type":"published","id":I,"offset":O}`) and
 * `{"type":"ping"}` (answered `{"type":"pong"}`). GET /topic-client.js serves
 * the topic client for browsers, which the page loads.
 * See examples/chat_handler.ts and the README's chat section.
 *
 * @module
 */

import { type Backplane, PROMETHEUS_CONTENT_TYPE, prometheusText, ServerMetrics } from "../mod.ts";
import { chatHandler, chatTopicOptions, MAX_MESSAGE_BYTES } from "./chat_handler.ts";
import { chatPageHtml } from "./chat_page.ts";
import { topicClientModule } from "./topic_client_bundle.ts";
import { commandLineArgs, exit, onShutdownSignal, serverAddressArgs } from "./support/runtime.ts";
import { serveOnThisRuntime } from "./support/serve_on_this_runtime.ts";
import { withStats } from "./stats.ts";

const args = commandLineArgs();
const flag = (name: string): string | undefined => {
  for (let i = 0; i < args.length; i++) {
    const [key, inline] = args[i].split("=", 2);
    if (key === name) return inline ?? args[i + 1];
  }
  return undefined;
};

const historyFlag = flag("--history");
const history = historyFlag === undefined ? 1000 : Number(historyFlag);
if (!Number.isInteger(history) || history < 0) {
  console.error("usage: chat [--host HOST] [--port PORT] [--history K] (K: an integer >= 0)");
  exit(2);
}

const bufferFlag = flag("--max-buffered-amount");
const maxBufferedAmount = bufferFlag === undefined ? 64 * 1024 * 1024 : Number(bufferFlag);
if (!Number.isInteger(maxBufferedAmount) || maxBufferedAmount < 1) {
  console.error("usage: chat [--max-buffered-amount BYTES] (an integer >= 1)");
  exit(2);
}

// With --metrics: the server's counters, GET /metrics and the live page at GET /stats.
const metrics = args.includes("--metrics") ? new ServerMetrics() : undefined;
const stats = metrics === undefined ? undefined : withStats(chatHandler, metrics);

// With --redis, every process started with the same URL serves one shared set of rooms. The Redis
// backplane (and the `redis` package) is loaded only then.
const redisUrl = flag("--redis");
const backplane = redisUrl === undefined ? undefined : await connectRedis(redisUrl, history);

const server = await serveOnThisRuntime(stats?.handler ?? chatHandler, {
  ...serverAddressArgs(args),
  maxBufferedAmount,
  backpressureLimit: Math.min(1024 * 1024, maxBufferedAmount),
  maxMessageSize: MAX_MESSAGE_BYTES,
  shutdownTimeout: 3_000,
  topics: { ...chatTopicOptions(history), backplane },
  metrics,
  fetch(request) {
    const path = new URL(request.url).pathname;
    if (metrics !== undefined && path === "/metrics") {
      const body = prometheusText(metrics.snapshot());
      return new Response(body, { headers: { "Content-Type": PROMETHEUS_CONTENT_TYPE } });
    }
    const statsPage = stats?.plainFetch(request);
    if (statsPage !== undefined) return statsPage;
    if (path === "/topic-client.js") {
      return new Response(topicClientModule, {
        headers: { "Content-Type": "text/javascript; charset=utf-8" },
      });
    }
    if (path !== "/") return new Response("Not Found\n", { status: 404 });
    return new Response(chatPageHtml, { headers: { "Content-Type": "text/html; charset=utf-8" } });
  },
});

console.log(`listening on ${server.url}`);

onShutdownSignal(async () => {
  stats?.stop();
  await server.close();
  await backplane?.close();
  exit(0);
});

async function connectRedis(url: string, history: number): Promise<Backplane> {
  const { RedisBackplane } = await import("../src/backplanes/redis_backplane.ts");
  try {
    return await RedisBackplane.connect({
      // One URL: one Redis; several (comma-separated): the seed nodes of one Redis Cluster.
      urls: url.split(","),
      history,
      metrics,
      onLoss: (topic, cause) => {
        console.error(`chat: publications of ${topic} may be lost here (${cause})`);
        // This process fell behind and missed publications that the others delivered: close its
        // subscribers of the topic; their clients resume with `since` and learn they did not
        // recover (the page says "messages may be missing") instead of silently missing them.
        if (cause !== "behind") return;
        for (const peer of [...server.peers.values()]) {
          if (peer.topics.has(topic)) peer.close(1012, "missed publications: resubscribe");
        }
      },
    });
  } catch (error) {
    console.error(`chat: ${error instanceof Error ? error.message : error}`);
    return exit(1);
  }
}
