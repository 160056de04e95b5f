/**
 * The chat example's handler (the library's topics protocol, examples/chat_handler.ts) in a
 * Durable Object on the WebSocket Hibernation API, for
 * tests/adapters/topics_protocol_durable_object.test.ts on workerd. Every upgrade goes to one
 * instance of the class bound as CHAT; upgrades to /pinging go to PINGING, the protocol with the
 * server's app-level pings every 300 ms (workerd cannot send WebSocket pings).
 *
 * @module
 */

import {
  createDurableObject,
  createDurableObjectFetch,
} from "../../src/adapters/cloudflare_durable_object.ts";
import { topicsProtocol } from "../../src/api/topics_protocol/topics_protocol.ts";
import { chatHandler, chatTopicOptions } from "../../examples/chat_handler.ts";

/** The chat room object: history in memory. */
export const ChatObject = createDurableObject(() => chatHandler, { topics: chatTopicOptions(100) });

/** The protocol with server pings: a connection that answers nothing is closed. */
export const PingingObject = createDurableObject(() => topicsProtocol({ pingInterval: 300 }), {
  topics: chatTopicOptions(100),
});

const chat = createDurableObjectFetch({ binding: "CHAT" });
const pinging = createDurableObjectFetch({ binding: "PINGING" });

export default {
  fetch: (request: Request, env: unknown, ctx: unknown): Promise<Response> =>
    new URL(request.url).pathname === "/pinging"
      ? pinging(request, env, ctx)
      : chat(request, env, ctx),
};
