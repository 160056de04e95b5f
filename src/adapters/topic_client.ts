/**
 * The topic client: subscribe to and publish on the topics of a server that
 * speaks the topics protocol (`topicsProtocol` of `@omnisocket/core`), from
 * browsers, Node >= 20, Deno and Bun. It reconnects (exponential backoff, full
 * jitter, a list of URLs), resubscribes from the last offset of each topic and
 * says whether nothing was missed, leaves a frozen server within `timeout`,
 * and acknowledges publishes (retried under the same id).
 *
 * @example
 * ```ts ignore
 * import { TopicClient } from "@omnisocket/core/topic-client";
 *
 * const client = new TopicClient(["ws://127.0.0.1:8080/", "ws://127.0.0.1:8081/"]);
 * client.on("subscribed", ({ topic, recovered }) => {
 *   if (!recovered) console.log(`${topic}: some messages may be missing`);
 * });
 * for await (const { data, offset } of client.messages("lobby")) console.log(offset, data);
 * ```
 *
 * @module
 */

import { useClientConnectors } from "../client/client_connectors.ts";
import { hasRawSockets, loadClientConnector } from "../runtime/load_client_connector.ts";

// The topic client connects with our client: the runtime's sockets on Deno, Node and Bun, the
// platform's WebSocket elsewhere.
useClientConnectors({ hasRawSockets, load: loadClientConnector });

export {
  TopicClient,
  type TopicClientEvents,
  type TopicClientListener,
  type TopicClientOptions,
  type TopicClientSocket,
  type TopicClientSocketConstructor,
  type TopicMessage,
} from "../client/topics/topic_client.ts";
