/**
 * The topics protocol: a ready-made {@linkcode Handler} that speaks JSON over
 * text messages on top of `peer.subscribe` / `peer.publish` (the chat
 * example's wire protocol, plus acknowledged and idempotent publishes and an
 * app-level ping). Runtime-neutral: every adapter with topics serves it,
 * Durable Objects included.
 *
 * @module
 */

import { type HeartbeatMember, joinHeartbeat, leaveHeartbeat } from "../heartbeat.ts";
import type { Handler, UpgradeDecision, UpgradeInfo } from "../handler.ts";
import type { Peer } from "../peer.ts";
import type { Publication } from "../topics/publication.ts";

const encoder = new TextEncoder();

/** What a peer asks to do with a topic, as given to `authorize`. */
export type TopicAction = "subscribe" | "publish";

/**
 * The answer of `authorize`: true allows; false refuses with an error reply
 * (the connection stays); `"close"` refuses and closes the connection with
 * 1008.
 */
export type TopicAuthorization = boolean | "close";

/** Options of {@linkcode topicsProtocol}. */
export interface TopicsProtocolOptions<Data = undefined> {
  /**
   * The upgrade hook of the handler (auth, per-connection data). Default:
   * accept every upgrade.
   */
  upgrade?(
    request: Request,
    info: UpgradeInfo,
  ): UpgradeDecision<Data> | Promise<UpgradeDecision<Data>>;
  /** Called once a connection is open (after the protocol set it up). */
  open?(peer: Peer<Data>): void | Promise<void>;
  /** Called once a connection is closed. */
  close?(peer: Peer<Data>, details: { code: number; reason: string }): void | Promise<void>;
  /**
   * Whether `peer` may subscribe to / publish on `topic`; may be async. A
   * throw counts as false. Default: everything is allowed.
   */
  authorize?(
    peer: Peer<Data>,
    topic: string,
    action: TopicAction,
  ): TopicAuthorization | Promise<TopicAuthorization>;
  /**
   * Checks published data (any JSON value) before it is published: return
   * nothing to accept, or a reason string to refuse with an error reply.
   * Called after the size check. Default: everything is accepted.
   */
  validate?(data: unknown, topic: string, peer: Peer<Data>): string | undefined | void;
  /** Largest `data` of a publish, as JSON text in UTF-8 bytes. Default 65 536. */
  maxDataBytes?: number;
  /** Topics one connection may be subscribed to at once. Default 100. */
  maxSubscriptions?: number;
  /**
   * Publishes one connection may make per second, on average (a token bucket
   * that holds `publishBurst`); past it, a publish is refused with an error
   * reply. Default 100.
   */
  publishRate?: number;
  /** Publishes one connection may make at once before `publishRate` applies. Default 200. */
  publishBurst?: number;
  /**
   * How long (ms) a publish `id` is remembered: a publish with an `id` seen in
   * that window is not published again, and is answered with the first one's
   * offset. Per process, and across the processes of a backplane with
   * `publishOnce` (Redis). Default 120 000.
   */
  idempotencyWindow?: number;
  /** Publish ids remembered at most (oldest forgotten first). Default 100 000. */
  maxRememberedIds?: number;
  /**
   * Milliseconds of silence after which the server sends a connection an
   * app-level `{"type":"ping"}` (the topic client answers `{"type":"pong"}`);
   * a connection still silent one more interval later is closed with 1001.
   * For runtimes whose server cannot send WebSocket pings, where the
   * `heartbeatInterval` option does nothing: Durable Objects (there the timer
   * keeps the object awake while it has connections). Default 0: off (Node,
   * Deno and Bun find dead connections with `heartbeatInterval`).
   */
  pingInterval?: number;
}

interface Connection {
  /** When something last arrived from the connection (with `pingInterval`). */
  heardAt: number;
  /** Whether a ping went out since. */
  pinged: boolean;
  queue: Promise<void> | null;
  pending: number;
  subscriptions: Set<string>;
  tokens: number;
  refilledAt: number;
}

interface Command {
  type?: unknown;
  topic?: unknown;
  since?: unknown;
  withOffset?: unknown;
  data?: unknown;
  id?: unknown;
}

// A remembered publish id: its offset once published, or the publish still in flight.
interface Remembered {
  expires: number;
  offset: Promise<string>;
}

/**
 * Builds the `{"type":"message",...}` text of a publication published by the
 * topics protocol (its data is JSON text); give it as `topics.format` so the
 * text is built once per publication, not once per subscriber.
 *
 * @example
 * ```ts ignore
 * import { formatTopicMessage, topicsProtocol } from "@omnisocket/core";
 * import { serve } from "@omnisocket/core/node";
 *
 * serve(topicsProtocol(), { port: 8080, topics: { history: 1000, format: formatTopicMessage } });
 * ```
 */
export function formatTopicMessage(publication: Publication): string {
  return `{"type":"message","topic":${JSON.stringify(publication.topic)},"data":${publication
    .data as string},"offset":${JSON.stringify(publication.offset)}}`;
}

function validTopic(topic: unknown): topic is string {
  return typeof topic === "string" && topic.length > 0 && topic.length <= 256 &&
    (topic.length * 3 <= 256 || encoder.encode(topic).length <= 256);
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(`Cannot create topicsProtocol: ${name} must be a finite number >= 0`);
  }
  return value;
}

/**
 * Creates the topics protocol handler. One JSON object per text message.
 *
 * Client -> server: `{"type":"subscribe","topic":T,"since"?:O,"withOffset"?:true}`,
 * `{"type":"unsubscribe","topic":T}`, `{"type":"publish","topic":T,"data":D,"id"?:I}`,
 * `{"type":"ping","id"?:I}`.
 * Server -> client: `{"type":"subscribed","topic":T,"recovered":B,"offset"?:O}` (`offset`, the
 * position messages follow from, when the subscribe asked `withOffset`),
 * `{"type":"message","topic":T,"data":D,"offset":O}`,
 * `{"type":"published","id":I,"offset":O}` (a publish with an `id`),
 * `{"type":"pong","id"?:I}`, `{"type":"error","reason":R,"topic"?:T,"id"?:I}`.
 *
 * Serve it with `topics.format` set to {@linkcode formatTopicMessage}.
 *
 * @example Rooms that only signed-in users may post to
 * ```ts ignore
 * import { formatTopicMessage, topicsProtocol } from "@omnisocket/core";
 * import { serve } from "@omnisocket/core/node";
 *
 * const handler = topicsProtocol<{ user: string | null }>({
 *   upgrade: (request) => ({ data: { user: new URL(request.url).searchParams.get("user") } }),
 *   authorize: (peer, _topic, action) => action === "subscribe" || peer.data.user !== null,
 *   validate: (data) => typeof data === "object" ? undefined : "data must be an object",
 *   publishRate: 10,
 * });
 * serve(handler, { port: 8080, topics: { history: 1000, format: formatTopicMessage } });
 * ```
 */
export function topicsProtocol<Data = undefined>(
  options: TopicsProtocolOptions<Data> = {},
): Handler<Data> {
  const maxDataBytes = positive("maxDataBytes", options.maxDataBytes, 64 * 1024);
  const maxSubscriptions = positive("maxSubscriptions", options.maxSubscriptions, 100);
  const publishRate = positive("publishRate", options.publishRate, 100);
  const publishBurst = Math.max(1, positive("publishBurst", options.publishBurst, 200));
  const window = positive("idempotencyWindow", options.idempotencyWindow, 120_000);
  const maxRemembered = positive("maxRememberedIds", options.maxRememberedIds, 100_000);
  const pingInterval = positive("pingInterval", options.pingInterval, 0);
  const { authorize, validate } = options;
  const connections = new WeakMap<Peer<Data>, Connection>();
  // Publish ids (per topic) in insertion order, so expiry and the cap drop the oldest first.
  const remembered = new Map<string, Remembered>();

  const connectionOf = (peer: Peer<Data>): Connection => {
    let connection = connections.get(peer);
    if (connection === undefined) {
      connection = {
        heardAt: Date.now(),
        pinged: false,
        queue: null,
        pending: 0,
        subscriptions: new Set(),
        tokens: publishBurst,
        refilledAt: Date.now(),
      };
      connections.set(peer, connection);
      if (pingInterval > 0) watch(peer);
    }
    return connection;
  };

  // With pingInterval: the open connections, checked on one shared timer.
  const watched = new Set<Peer<Data>>();
  const liveness: HeartbeatMember = {
    beat() {
      const now = Date.now();
      for (const peer of watched) {
        const connection = connections.get(peer);
        if (connection === undefined) continue;
        const silent = now - connection.heardAt;
        if (connection.pinged && silent >= 2 * pingInterval) {
          peer.close(1001, "no answer to ping");
        } else if (!connection.pinged && silent >= pingInterval) {
          connection.pinged = true;
          send(peer, { type: "ping" });
        }
      }
    },
  };
  // Checked four times an interval: a dead connection is closed within 2.25 intervals.
  const watch = (peer: Peer<Data>): void => {
    if (watched.size === 0) joinHeartbeat(pingInterval / 4, liveness);
    watched.add(peer);
  };
  const unwatch = (peer: Peer<Data>): void => {
    if (watched.delete(peer) && watched.size === 0) leaveHeartbeat(pingInterval / 4, liveness);
  };

  const send = (peer: Peer<Data>, message: Record<string, unknown>): void => {
    if (peer.readyState === 1) peer.send(JSON.stringify(message));
  };
  const fail = (peer: Peer<Data>, reason: string, extra: Record<string, unknown> = {}): void =>
    send(peer, { type: "error", reason, ...extra });

  const forget = (now: number): void => {
    for (const [key, entry] of remembered) {
      if (entry.expires > now && remembered.size <= maxRemembered) break;
      remembered.delete(key);
    }
  };

  // Runs authorize: true to go on; false once refused (replied to, or closed).
  const allowed = async (
    peer: Peer<Data>,
    topic: string,
    action: TopicAction,
    extra: Record<string, unknown>,
  ): Promise<boolean> => {
    if (authorize === undefined) return true;
    let answer: TopicAuthorization;
    try {
      answer = await authorize(peer, topic, action);
    } catch {
      answer = false;
    }
    if (answer === true) return true;
    if (answer === "close") peer.close(1008, `not allowed to ${action}`);
    else fail(peer, `not allowed: ${action} ${topic}`, { topic, ...extra });
    return false;
  };

  const reasonOf = (error: unknown): string => {
    const { code, message } = error as { code?: string; message?: string };
    switch (code) {
      case "INVALID_TOPIC":
        return "invalid topic: a non-empty string of at most 256 UTF-8 bytes is required";
      case "TOO_MANY_TOPICS":
        return `too many topics: at most ${maxSubscriptions} per connection`;
      case "PUBLISH_FAILED":
        return "publish failed: perhaps not published";
      default:
        return message ?? String(error);
    }
  };

  const subscribe = async (
    peer: Peer<Data>,
    connection: Connection,
    topic: string,
    since: string | undefined,
    withOffset: boolean,
  ): Promise<void> => {
    if (!await allowed(peer, topic, "subscribe", {})) return;
    if (!connection.subscriptions.has(topic) && connection.subscriptions.size >= maxSubscriptions) {
      return fail(peer, `too many topics: at most ${maxSubscriptions} per connection`, { topic });
    }
    connection.subscriptions.add(topic);
    try {
      await peer.subscribe(topic, {
        since,
        onReady: ({ recovered, offset }) =>
          send(
            peer,
            withOffset
              ? { type: "subscribed", topic, recovered, offset }
              : { type: "subscribed", topic, recovered },
          ),
      });
    } catch (error) {
      if (!peer.topics.has(topic)) connection.subscriptions.delete(topic);
      fail(peer, reasonOf(error), { topic });
    }
  };

  const publish = async (
    peer: Peer<Data>,
    connection: Connection,
    topic: string,
    data: unknown,
    id: string | undefined,
  ): Promise<void> => {
    const extra: Record<string, unknown> = id === undefined ? {} : { id };
    const now = Date.now();
    connection.tokens = Math.min(
      publishBurst,
      connection.tokens + (now - connection.refilledAt) * publishRate / 1000,
    );
    connection.refilledAt = now;
    if (connection.tokens < 1) {
      return fail(peer, `rate limited: at most ${publishRate} publishes per second`, extra);
    }
    connection.tokens--;
    const text = JSON.stringify(data);
    const tooLarge = text.length > maxDataBytes ||
      (text.length * 3 > maxDataBytes && encoder.encode(text).length > maxDataBytes);
    if (tooLarge) return fail(peer, `data too large: at most ${maxDataBytes} bytes of JSON`, extra);
    if (validate !== undefined) {
      let refused: string | undefined | void;
      try {
        refused = validate(data, topic, peer);
      } catch (error) {
        refused = error instanceof Error ? error.message : String(error);
      }
      if (typeof refused === "string") return fail(peer, `invalid data: ${refused}`, extra);
    }
    if (authorize !== undefined && !await allowed(peer, topic, "publish", extra)) return;
    const key = id === undefined ? "" : `${topic}\n${id}`;
    if (id !== undefined) {
      forget(now);
      const seen = remembered.get(key);
      if (seen !== undefined) {
        // A retry of a publish already made (or in flight) here: answer with its offset.
        return seen.offset.then(
          (offset) => send(peer, { type: "published", id, offset }),
          (error) => fail(peer, reasonOf(error), extra),
        );
      }
    }
    const made = peer.publish(
      topic,
      text,
      id === undefined ? { self: true } : {
        self: true,
        idempotencyKey: id,
        idempotencyWindow: window,
      },
    ).then(({ offset }) => offset);
    if (id !== undefined) {
      remembered.set(key, { expires: now + window, offset: made });
      // A publish that failed may be retried: forget it.
      made.catch(() => remembered.delete(key));
    }
    // Not awaited by the caller: publications are ordered when they are made, so the next
    // message need not wait for this one's round trip through the backplane.
    void made.then(
      (offset) => id !== undefined && send(peer, { type: "published", id, offset }),
      (error) => fail(peer, reasonOf(error), extra),
    );
  };

  // Handles one message; returns a promise only when the next one must wait for it.
  const handle = (peer: Peer<Data>, connection: Connection, text: string): Promise<void> | void => {
    let command: Command;
    try {
      command = JSON.parse(text);
    } catch {
      return fail(peer, "bad input: not JSON");
    }
    if (typeof command !== "object" || command === null || Array.isArray(command)) {
      return fail(peer, "bad input: not a JSON object");
    }
    const { type, topic, id } = command;
    if (type === "ping") {
      return send(peer, typeof id === "string" ? { type: "pong", id } : { type: "pong" });
    }
    if (type === "pong") return; // the answer to our ping: hearing it was the point
    if (type !== "subscribe" && type !== "unsubscribe" && type !== "publish") {
      return fail(peer, "bad input: unknown type");
    }
    if (id !== undefined && (typeof id !== "string" || id.length === 0 || id.length > 128)) {
      return fail(peer, "bad input: id must be a string of 1 to 128 characters");
    }
    const extra: Record<string, unknown> = id === undefined ? {} : { id };
    if (!validTopic(topic)) {
      return fail(
        peer,
        "bad input: invalid topic: a non-empty string of at most 256 UTF-8 bytes",
        extra,
      );
    }
    if (type === "unsubscribe") {
      connection.subscriptions.delete(topic);
      peer.unsubscribe(topic);
      return;
    }
    if (type === "subscribe") {
      const since = command.since;
      if (since !== undefined && typeof since !== "string") {
        return fail(peer, "bad input: since must be an offset string", { topic });
      }
      return subscribe(peer, connection, topic, since, command.withOffset === true);
    }
    if (!("data" in command) || command.data === undefined) {
      return fail(peer, "bad input: publish needs data", extra);
    }
    const publishing = publish(peer, connection, topic, command.data, id);
    // Only an authorize hook makes the next message wait (its answer decides the order).
    return authorize === undefined ? undefined : publishing;
  };

  return {
    upgrade: options.upgrade,
    open(peer) {
      connectionOf(peer);
      return options.open?.(peer);
    },
    message(peer, message) {
      if (message.isBinary) return fail(peer, "bad input: binary message");
      const connection = connectionOf(peer);
      connection.heardAt = Date.now();
      connection.pinged = false;
      const text = message.text();
      if (connection.queue !== null) {
        // Something is still being handled: wait for it, in order.
        connection.pending++;
        connection.queue = connection.queue.then(() => handle(peer, connection, text)).finally(
          () => {
            if (--connection.pending === 0) connection.queue = null;
          },
        );
        return;
      }
      const waiting = handle(peer, connection, text);
      if (waiting !== undefined) {
        connection.pending++;
        connection.queue = waiting.finally(() => {
          if (--connection.pending === 0) connection.queue = null;
        });
      }
    },
    close(peer, details) {
      connections.delete(peer);
      unwatch(peer);
      return options.close?.(peer, details);
    },
  };
}
