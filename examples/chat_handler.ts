/**
 * The chat server's handler: rooms are topics. The chat contract
 * (examples/chat.ts) is the library's topics protocol (`topicsProtocol`),
 * served on path `/`; runtime-neutral, so any adapter with topics serves it.
 *
 * @module
 */

import { formatTopicMessage, type Handler, type TopicOptions, topicsProtocol } from "../mod.ts";

/** Largest `data` accepted in a publish, as JSON text in UTF-8 bytes (64 KiB). */
export const MAX_DATA_BYTES = 64 * 1024;
/**
 * Largest WebSocket message read: room for data past MAX_DATA_BYTES, so that
 * such a publish is answered with an error reply rather than a close.
 */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** Builds the `{"type":"message",...}` text once per publication (the protocol's format). */
export const formatChatMessage = formatTopicMessage;

/** The chat's topic options: `history` publications kept per room (default 1000). */
export function chatTopicOptions(history = 1000): TopicOptions {
  return {
    history,
    maxHistoryTopics: 1000,
    maxTopicsPerPeer: 100,
    maxTopicLength: 256,
    format: formatTopicMessage,
  };
}

/** The chat handler: the topics protocol on path `/`, at most 100 rooms per connection. */
export const chatHandler: Handler = topicsProtocol({
  upgrade(request) {
    if (new URL(request.url).pathname !== "/") return 404;
  },
  maxDataBytes: MAX_DATA_BYTES,
  maxSubscriptions: 100,
  // A chat room is not a firehose, but tests and the CLI pipe lines in as fast as they come.
  publishRate: 1000,
  publishBurst: 10_000,
});
