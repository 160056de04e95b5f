/**
 * The chat server's handler: rooms are topics. The JSON protocol of the chat
 * contract (examples/chat.ts) on top of `peer.subscribe` / `peer.publish`;
 * runtime-neutral, so any adapter with topics serves it.
 *
 * @module
 */

import type { Handler, Peer, Publication, TopicOptions } from "../mod.ts";

/** Largest `data` accepted in a publish, as JSON text in UTF-8 bytes (64 KiB). */
export const MAX_DATA_BYTES = 64 * 1024;
/**
 * Largest WebSocket message read: room for data past MAX_DATA_BYTES, so that
 * such a publish is answered with an error reply rather than a close.
 */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

const encoder = new TextEncoder();

// Per connection: messages are handled one after another, in arrival order,
// even when handling one waits (a subscribe with `since`, a publish).
interface ChatConnection {
  queue: Promise<void> | null;
  pending: number;
}

interface ChatCommand {
  type?: unknown;
  topic?: unknown;
  since?: unknown;
  data?: unknown;
}

/**
 * Builds the `{"type":"message",...}` text once per publication: the data
 * was published as its JSON text and goes in as it is.
 */
export function formatChatMessage(publication: Publication): string {
  return `{"type":"message","topic":${JSON.stringify(publication.topic)},"data":${publication
    .data as string},"offset":${JSON.stringify(publication.offset)}}`;
}

/** The chat's topic options: `history` publications kept per room (default 1000). */
export function chatTopicOptions(history = 1000): TopicOptions {
  return {
    history,
    maxHistoryTopics: 1000,
    maxTopicsPerPeer: 100,
    maxTopicLength: 256,
    format: formatChatMessage,
  };
}

function fail(peer: Peer<ChatConnection>, reason: string): void {
  peer.send(JSON.stringify({ type: "error", reason }));
}

function reasonOf(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  switch (code) {
    case "INVALID_TOPIC":
      return "invalid topic: a non-empty string of at most 256 UTF-8 bytes is required";
    case "TOO_MANY_TOPICS":
      return "too many topics: at most 100 per connection";
    case "PUBLISH_FAILED":
      return "publish failed: perhaps not published";
    default:
      return message ?? String(error);
  }
}

function validTopic(topic: unknown): topic is string {
  return typeof topic === "string" && topic.length > 0 && topic.length <= 256 &&
    (topic.length * 3 <= 256 || encoder.encode(topic).length <= 256);
}

// Handles one message; returns a promise only when it has to wait.
function handle(peer: Peer<ChatConnection>, text: string): Promise<void> | void {
  let command: ChatCommand;
  try {
    command = JSON.parse(text);
  } catch {
    return fail(peer, "bad input: not JSON");
  }
  if (typeof command !== "object" || command === null || Array.isArray(command)) {
    return fail(peer, "bad input: not a JSON object");
  }
  const { type, topic } = command;
  if (type !== "subscribe" && type !== "unsubscribe" && type !== "publish") {
    return fail(peer, "bad input: unknown type");
  }
  if (!validTopic(topic)) {
    return fail(peer, "bad input: invalid topic: a non-empty string of at most 256 UTF-8 bytes");
  }
  if (type === "unsubscribe") {
    peer.unsubscribe(topic);
    return;
  }
  if (type === "subscribe") {
    const since = command.since;
    if (since !== undefined && typeof since !== "string") {
      return fail(peer, "bad input: since must be an offset string");
    }
    return peer.subscribe(topic, {
      since,
      onReady: ({ recovered }) =>
        peer.send(JSON.stringify({ type: "subscribed", topic, recovered })),
    }).then(() => {}, (error) => fail(peer, reasonOf(error)));
  }
  if (!("data" in command) || command.data === undefined) {
    return fail(peer, "bad input: publish needs data");
  }
  const data = JSON.stringify(command.data);
  const tooLarge = data.length > MAX_DATA_BYTES ||
    (data.length * 3 > MAX_DATA_BYTES && encoder.encode(data).length > MAX_DATA_BYTES);
  if (tooLarge) {
    return fail(peer, `data too large: at most ${MAX_DATA_BYTES} bytes of JSON`);
  }
  return peer.publish(topic, data, { self: true }).then(
    () => {},
    (error) => fail(peer, reasonOf(error)),
  );
}

/** The chat handler: one JSON command per text message, answered per the chat contract. */
export const chatHandler: Handler<ChatConnection> = {
  upgrade(request) {
    if (new URL(request.url).pathname !== "/") return 404;
    return { data: { queue: null, pending: 0 } };
  },
  message(peer, message) {
    if (message.isBinary) return fail(peer, "bad input: binary message");
    const text = message.text();
    const connection = peer.data;
    if (connection.queue !== null) {
      // Something is still being handled: wait for it, in order.
      connection.pending++;
      connection.queue = connection.queue.then(() => handle(peer, text)).finally(() => {
        if (--connection.pending === 0) connection.queue = null;
      });
      return;
    }
    const waiting = handle(peer, text);
    if (waiting !== undefined) {
      connection.pending++;
      connection.queue = waiting.finally(() => {
        if (--connection.pending === 0) connection.queue = null;
      });
    }
  },
};
