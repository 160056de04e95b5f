/**
 * Durable Objects for tests/adapters/durable_object.test.ts: what survives
 * hibernation, and routing by name. Upgrades go to the instance named by the
 * URL path: of StoredProbeObject (topic history in storage) for paths under
 * /stored/, of ProbeObject (history in memory) otherwise. Messages are commands, each answered with one JSON message:
 *   "whoami"      -> {id, data, topics, url, header, constructed, peers}
 *   "sub T"       -> subscribes to T (no since), {subscribed, offset}
 *   "since T O"   -> subscribes to T since O, {subscribed, recovered}
 *   "pub T D"     -> publishes D to T (not to self), {published, delivered, offset}
 *   "rename N"    -> peer.data.user = N, {renamed}
 *   "grow N"      -> peer.data.user = N times "x", {grown}
 *   "promise"     -> a Promise in peer.data (not structured-cloneable), {promised}
 * The error hook answers {error: CODE}.
 * Publications arrive as their data, as published.
 *
 * @module
 */

import {
  createDurableObject,
  createDurableObjectFetch,
  type DurableObjectContext,
} from "../../src/adapters/cloudflare_durable_object.ts";
import type { Handler } from "../../src/api/handler.ts";

// Module state outlives an instance's hibernation (the isolate stays):
// each construction is a wake (or the first start) of an instance.
let constructed = 0;

function probeHandler({ peers }: DurableObjectContext): Handler<{ user: string }> {
  constructed++;
  return {
    upgrade(request) {
      return { data: { user: new URL(request.url).searchParams.get("user") ?? "" } };
    },
    async message(peer, message) {
      const [command, topic, argument] = message.text().split(" ");
      const reply = (value: object) => peer.send(JSON.stringify(value));
      if (command === "whoami") {
        reply({
          id: peer.id,
          data: peer.data,
          topics: [...peer.topics],
          url: peer.request.url,
          header: peer.request.headers.get("x-probe"),
          constructed,
          peers: peers.size,
        });
      } else if (command === "sub") {
        const { offset } = await peer.subscribe(topic);
        reply({ subscribed: topic, offset });
      } else if (command === "since") {
        const { recovered } = await peer.subscribe(topic, { since: argument });
        reply({ subscribed: topic, recovered });
      } else if (command === "pub") {
        const { delivered, offset } = await peer.publish(topic, argument);
        reply({ published: topic, delivered, offset });
      } else if (command === "rename") {
        peer.data.user = topic;
        reply({ renamed: topic });
      } else if (command === "promise") {
        (peer.data as unknown as { later: Promise<void> }).later = Promise.resolve();
        reply({ promised: true });
      } else if (command === "grow") {
        peer.data.user = "x".repeat(Number(topic));
        reply({ grown: Number(topic) });
      }
    },
    error(peer, error) {
      peer.send(JSON.stringify({ error: (error as { code?: string }).code ?? String(error) }));
    },
  };
}

/** History in memory, bound as PROBE. */
export const ProbeObject = createDurableObject(probeHandler, { topics: { history: 10 } });

/** History in storage, bound as STORED. */
export const StoredProbeObject = createDurableObject(probeHandler, {
  topics: { history: 10 },
  topicHistory: "storage",
});

const objectName = (request: Request) => new URL(request.url).pathname;
const memory = createDurableObjectFetch({ binding: "PROBE", objectName });
const stored = createDurableObjectFetch({ binding: "STORED", objectName });

export default {
  fetch(request: Request, env: unknown, ctx: unknown): Promise<Response> {
    const route = new URL(request.url).pathname.startsWith("/stored/") ? stored : memory;
    return route(request, env, ctx);
  },
};
