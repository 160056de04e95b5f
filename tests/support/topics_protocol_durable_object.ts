/**
 * The chat example's handler (the library's topics protocol, examples/chat_handler.ts) in a
 * Durable Object on the WebSocket Hibernation API, for
 * tests/adapters/topics_protocol_durable_object.test.ts on workerd. Every upgrade goes to one
 * instance of the class bound as CHAT.
 *
 * @module
 */

import {
  createDurableObject,
  createDurableObjectFetch,
} from "../../src/adapters/cloudflare_durable_object.ts";
import { chatHandler, chatTopicOptions } from "../../examples/chat_handler.ts";

/** The chat room object: history in memory. */
export const ChatObject = createDurableObject(() => chatHandler, { topics: chatTopicOptions(100) });

export default {
  fetch: createDurableObjectFetch({ binding: "CHAT" }),
};
