/**
 * The handler behind the black-box topic suite (tests/adapters/topics_suite.ts).
 * Server-agnostic: any adapter with topics serves it (Node, Deno, Bun, a
 * Durable Object); server-level operations go through {@linkcode useTopicServer}.
 * One JSON command per text message; every answer is one JSON text message.
 *
 *   {"cmd":"sub","topic":T,"since"?:O}  -> {"ready":T,"recovered":B,"offset":O} (from onReady)
 *                                          or {"error":CODE,"topic":T}
 *   {"cmd":"unsub","topic":T}           -> {"unsubscribed":T}
 *   {"cmd":"pub","topic":T,"data":D,"self"?:B,"binary"?:B}
 *                                       -> {"published":T,"offset","delivered","overflowed"}
 *                                          or {"error":CODE,"topic":T}
 *   {"cmd":"burst","topic":T,"count":N,"tag":S}
 *                                       -> N publications "S:i" in one go, then {"burst":S}
 *   {"cmd":"sandwich","topic":T}        -> peer.send("before"), publish "middle" (self) and
 *                                          wait for it, peer.send("after")
 *   {"cmd":"topics"}                    -> {"topics":[...]}
 *   {"cmd":"count","topic":T}           -> {"count":N} (server.subscriberCount)
 *   {"cmd":"serverpub","topic":T,"data":D,"count"?:N,"size"?:S,"gap"?:MS}
 *                                       -> N server publications (of D, or of S bytes binary;
 *                                          MS apart, default 1),
 *                                          then {"serverpub":[results...]} (offset/delivered/overflowed)
 *   {"cmd":"closepub","topic":T}        -> closes the peer, then records the publish's
 *                                          rejection code for {"cmd":"log"}
 *   {"cmd":"log"}                       -> {"log":[...]}
 *
 * Publications of text data reach subscribers as JSON
 * {"topic":T,"offset":O,"data":D} (TOPICS_SUITE_OPTIONS.format); binary
 * data as the bytes themselves.
 *
 * @module
 */

import type { Handler, Peer, PublishResult, TopicOptions } from "../../mod.ts";

/** What the suite needs of the server: its publish and subscriber count. */
export interface TopicServer {
  publish(topic: string, data: string | Uint8Array): Promise<PublishResult>;
  subscriberCount(topic: string): number;
}

let topicServer: TopicServer | undefined;
const log: string[] = [];

/** Tells the handler which server it runs in (call once it is started). */
export function useTopicServer(server: TopicServer): void {
  topicServer = server;
}

/** The topic options the suite expects: history 5, 3 topics per peer, names up to 16 bytes. */
export const TOPICS_SUITE_OPTIONS: TopicOptions = {
  history: 5,
  maxTopicsPerPeer: 3,
  maxTopicLength: 16,
  format: (publication) =>
    typeof publication.data === "string"
      ? JSON.stringify({
        topic: publication.topic,
        offset: publication.offset,
        data: publication.data,
      })
      : publication.data,
};

interface Command {
  cmd: string;
  topic: string;
  since?: string;
  data?: string;
  self?: boolean;
  binary?: boolean;
  count?: number;
  size?: number;
  tag?: string;
  gap?: number;
}

function reply(peer: Peer, value: unknown): void {
  peer.send(JSON.stringify(value));
}

function codeOf(error: unknown): string {
  return (error as { code?: string }).code ?? String(error);
}

/** The suite's handler. */
export const topicsHandler: Handler = {
  async message(peer, message) {
    const command = message.json<Command>();
    const { topic } = command;
    switch (command.cmd) {
      case "sub":
        try {
          await peer.subscribe(topic, {
            since: command.since,
            onReady: ({ recovered, offset }) => reply(peer, { ready: topic, recovered, offset }),
          });
        } catch (error) {
          reply(peer, { error: codeOf(error), topic });
        }
        return;
      case "unsub":
        peer.unsubscribe(topic);
        reply(peer, { unsubscribed: topic });
        return;
      case "pub":
        try {
          const data = command.binary
            ? new TextEncoder().encode(command.data ?? "")
            : command.data ?? "";
          const result = await peer.publish(topic, data, { self: command.self });
          reply(peer, { published: topic, ...result });
        } catch (error) {
          reply(peer, { error: codeOf(error), topic });
        }
        return;
      case "burst": {
        const sent: Promise<PublishResult>[] = [];
        for (let i = 0; i < (command.count ?? 0); i++) {
          sent.push(peer.publish(topic, `${command.tag}:${i}`));
        }
        await Promise.all(sent);
        reply(peer, { burst: command.tag });
        return;
      }
      case "sandwich":
        // Awaited: a publication is written to subscribers when the backplane
        // hands it back (at once in process, after the round trip through
        // Redis), and publish() resolves once that is done on this process.
        peer.send("before");
        await peer.publish(topic, "middle", { self: true });
        peer.send("after");
        return;
      case "topics":
        reply(peer, { topics: [...peer.topics] });
        return;
      case "count":
        reply(peer, { count: topicServer!.subscriberCount(topic) });
        return;
      case "serverpub": {
        const results: PublishResult[] = [];
        const payload = command.size === undefined
          ? command.data ?? ""
          : new Uint8Array(command.size);
        for (let i = 0; i < (command.count ?? 1); i++) {
          results.push(await topicServer!.publish(topic, payload));
          // A turn of the event loop between publications: subscribers that
          // read keep up, as they would with a real publisher.
          await new Promise((resolve) => setTimeout(resolve, command.gap ?? 1));
        }
        reply(peer, { serverpub: results });
        return;
      }
      case "closepub":
        peer.close(1000, "bye");
        peer.publish(topic, "late").then(
          () => log.push("closepub: published"),
          (error) => log.push(`closepub: ${codeOf(error)}`),
        );
        return;
      case "log":
        reply(peer, { log });
        return;
      default:
        reply(peer, { error: "UNKNOWN_COMMAND" });
    }
  },
};
