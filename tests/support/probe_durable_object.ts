/**
 * A Durable Object for tests/adapters/durable_object.test.ts: what survives
 * hibernation, and routing by name. Upgrades go to the instance named by the
 * URL path. Messages are commands, each answered with one JSON message:
 *   "whoami"      -> {id, data, topics, url, header, constructed, peers}
 *   "sub T"       -> subscribes to T (no since), {subscribed, offset}
 *   "since T O"   -> subscribes to T since O, {subscribed, recovered}
 *   "pub T D"     -> publishes D to T (not to self), {published, delivered, offset}
 *   "rename N"    -> peer.data.user = N, {renamed}
 * Publications arrive as their data, as published.
 *
 * @module
 */

import {
  createDurableObject,
  createDurableObjectFetch,
} from "../../src/adapters/cloudflare_durable_object.ts";

// Module state outlives an instance's hibernation (the isolate stays):
// each construction is a wake (or the first start) of an instance.
let constructed = 0;

/** The Durable Object class, bound as PROBE. */
export const ProbeObject = createDurableObject<{ user: string }>(({ peers }) => {
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
      }
    },
  };
}, { topics: { history: 10 } });

export default {
  fetch: createDurableObjectFetch({
    binding: "PROBE",
    objectName: (request) => new URL(request.url).pathname,
  }),
};
