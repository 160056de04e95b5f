/**
 * omnisocket in a Cloudflare Durable Object, on the WebSocket Hibernation
 * API: {@linkcode createDurableObject} makes the Durable Object class that
 * serves a {@linkcode Handler}, {@linkcode createDurableObjectFetch} the
 * Worker `fetch` that routes upgrades to one of its instances.
 *
 * Sockets are accepted with `ctx.acceptWebSocket`, so the object may be
 * evicted from memory (hibernate) while its clients stay connected; workerd
 * then calls `webSocketMessage`, `webSocketClose` and `webSocketError` on a
 * fresh instance. What a peer needs to come back is kept in the socket's
 * attachment (`serializeAttachment`): its id, `peer.data`, subprotocol,
 * address and the upgrade request's URL and headers. On wake the constructor
 * rebuilds every peer from `ctx.getWebSockets()` and those attachments,
 * without running `open` again. `peer.data` is saved after the `upgrade`,
 * `open` and `message` hooks (once their promises settle), so it must be
 * structured-cloneable and fit the attachment limit (16 KiB serialized in
 * workerd 1.20261117; the request headers are dropped from it first when it
 * does not fit).
 * Anything else in memory (module or instance state) is gone after
 * hibernation: keep what must last in `ctx.storage`.
 *
 * Topics work as on every other adapter, within one instance (one room per
 * instance is the usual shape): each instance has its own topic registry,
 * and peers' subscriptions come back from their attachments on wake. Topic
 * history is in memory by default (lost on hibernation: `since` with an
 * older offset then answers `recovered: false`), or in `ctx.storage` with
 * `topicHistory: "storage"` (it survives hibernation and eviction).
 *
 * Everything the Worker adapter says about workerd applies here too (no
 * server ping, `bufferedAmount` polled for `drain`, `terminate()` sends 1001);
 * in addition workerd answers the client's close frame itself, so a
 * forbidden close code cannot be answered with 1002 (the `error` hook still
 * reports it).
 *
 * @module
 */

import type { Handler } from "../api/handler.ts";
import { durableObjectClass } from "../runtime/workerd/durable_object_server.ts";
import type {
  DurableObjectContext,
  DurableObjectOptions,
  WebSocketDurableObjectClass,
} from "../runtime/workerd/durable_object_types.ts";

export {
  type DurableObjectStorage,
  DurableObjectStorageBackplane,
} from "../backplanes/durable_object_storage_backplane.ts";
export {
  createDurableObjectFetch,
  type DurableObjectFetchOptions,
  type DurableObjectNamespace,
} from "../runtime/workerd/durable_object_fetch.ts";
export type {
  DurableObjectContext,
  DurableObjectOptions,
  DurableObjectState,
  HibernatableWebSocket,
  WebSocketDurableObject,
  WebSocketDurableObjectClass,
} from "../runtime/workerd/durable_object_types.ts";

/**
 * Makes the Durable Object class that serves `handler` on hibernatable
 * WebSockets. `handler` may be a function of the object's
 * {@linkcode DurableObjectContext} (for its storage, bindings and peers);
 * it is called once per instance, again after each wake from hibernation.
 *
 * @example A chat room per URL path (wrangler.toml binds ROOMS to class Room)
 * ```ts ignore
 * import { createDurableObject, createDurableObjectFetch } from "@omnisocket/core/cloudflare-do";
 *
 * export const Room = createDurableObject(({ peers }) => ({
 *   message(peer, message) {
 *     for (const other of peers.values()) other.send(message.data);
 *   },
 * }));
 *
 * export default {
 *   fetch: createDurableObjectFetch({
 *     binding: "ROOMS",
 *     objectName: (request) => new URL(request.url).pathname,
 *   }),
 * };
 * ```
 */
export function createDurableObject<Data = undefined>(
  handler: Handler<Data> | ((context: DurableObjectContext) => Handler<Data>),
  options: DurableObjectOptions = {},
): WebSocketDurableObjectClass {
  return durableObjectClass(
    handler as Handler<unknown> | ((context: DurableObjectContext) => Handler<unknown>),
    options,
  );
}
