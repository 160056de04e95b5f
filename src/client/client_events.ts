/**
 * The events the client's `WebSocket` dispatches: `message` (and `ping`,
 * `pong`), `close`, `error`.
 *
 * @module
 */

/**
 * A `MessageEvent` (`instanceof MessageEvent` holds where the runtime has one;
 * `data`, `origin`, `lastEventId`, `source`, `ports` as the standard has
 * them) built without the runtime's `MessageEvent` constructor: on Node that
 * constructor's WebIDL checks cost about 0.5 µs a message, this one 0.07 µs.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export class ClientMessageEvent<T = unknown> extends Event {
  // Own fields (defined, not assigned) shadow the accessors of MessageEvent.prototype.
  readonly data: T;
  readonly origin: string;
  readonly lastEventId: string = "";
  readonly source: null = null;
  readonly ports: readonly unknown[] = [];

  constructor(type: string, data: T, origin = "") {
    super(type);
    this.data = data;
    this.origin = origin;
  }
}

const RuntimeMessageEvent = (globalThis as { MessageEvent?: { prototype: object } }).MessageEvent;
if (RuntimeMessageEvent !== undefined) {
  Object.setPrototypeOf(ClientMessageEvent.prototype, RuntimeMessageEvent.prototype);
}

/**
 * The `close` event where the runtime has no `CloseEvent`: `code`, `reason`, `wasClean`.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
class FallbackCloseEvent extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  constructor(type: string, init: { code: number; reason: string; wasClean: boolean }) {
    super(type);
    this.code = init.code;
    this.reason = init.reason;
    this.wasClean = init.wasClean;
  }
}

/**
 * The runtime's own `CloseEvent` where it has one, else {@linkcode FallbackCloseEvent}.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export const CloseEventClass: typeof FallbackCloseEvent =
  (globalThis as unknown as { CloseEvent?: typeof FallbackCloseEvent }).CloseEvent ??
    FallbackCloseEvent;

/**
 * The `error` event, with the cause as `error` and its `message`.
 *
 * @example
 * ```ts ignore
 * socket.dispatchEvent(errorEvent(new Error("Cannot connect")));
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function errorEvent(error: Error): Event {
  const event = new Event("error") as Event & { error: Error; message: string };
  Object.defineProperty(event, "error", { value: error, enumerable: true });
  Object.defineProperty(event, "message", { value: error.message, enumerable: true });
  return event;
}
