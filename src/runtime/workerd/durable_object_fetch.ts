/**
 * The Worker side of the Durable Object adapter: routes WebSocket upgrades
 * to one instance of a Durable Object class made by `createDurableObject`.
 *
 * @module
 */

import { ProtocolError } from "../../errors/protocol_error.ts";
import { rejectionResponse } from "../../handshake/build_responses.ts";
import { upgradeRequestFromRequest } from "../../handshake/upgrade_request_from_request.ts";
import { validateUpgradeRequest } from "../../handshake/validate_upgrade_request.ts";
import type { WorkerFetch } from "../../adapters/cloudflare.ts";

/** The parts of a Durable Object namespace binding this adapter uses, typed locally. */
export interface DurableObjectNamespace {
  /** The id of the instance with this name (the same name always gives the same instance). */
  idFromName(name: string): unknown;
  /** A stub to talk to the instance. */
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}

/** Where upgrades go, and what answers the other requests. */
export interface DurableObjectFetchOptions {
  /** The name of the Durable Object namespace binding in `env` (wrangler's `durable_objects.bindings`). */
  binding: string;
  /**
   * Picks the instance for an upgrade request by name: a room from the path,
   * a tenant from a header. Default: one instance, "default", for everyone.
   */
  objectName?: (request: Request, env: unknown) => string | Promise<string>;
  /** Answers requests that are not WebSocket upgrades (no `Upgrade` header). Default: 426. */
  fetch?: (request: Request, env: unknown, ctx: unknown) => Response | Promise<Response>;
}

/**
 * Makes a Worker `fetch` handler that forwards every upgrade request, as it
 * is, to the Durable Object instance `objectName` picks. The handshake is
 * validated here first (workerd refuses to forward some malformed upgrades,
 * such as a POST, with its own 400, and a bad one need not wake an object);
 * the object validates it again and runs the `upgrade` hook.
 *
 * @example
 * ```ts ignore
 * import { createDurableObject, createDurableObjectFetch } from "@omnisocket/core/cloudflare-do";
 *
 * export const Room = createDurableObject({ message: (peer, message) => peer.send(message.data) });
 * export default { fetch: createDurableObjectFetch({ binding: "ROOMS" }) };
 * ```
 */
export function createDurableObjectFetch(options: DurableObjectFetchOptions): WorkerFetch {
  const { binding, objectName, fetch } = options;
  return async (request, env, ctx) => {
    if (!request.headers.has("upgrade")) {
      if (fetch) return await fetch(request, env, ctx);
      return new Response("Cannot serve: this endpoint only accepts WebSocket upgrades\n", {
        status: 426,
        headers: { "Content-Type": "text/plain; charset=utf-8", Upgrade: "websocket" },
      });
    }
    try {
      validateUpgradeRequest(upgradeRequestFromRequest(request));
    } catch (error) {
      if (error instanceof ProtocolError) return rejectionResponse(error);
      throw error;
    }
    const namespace = (env as Record<string, DurableObjectNamespace | undefined> | undefined)
      ?.[binding];
    if (!namespace || typeof namespace.idFromName !== "function") {
      throw new TypeError(
        `Cannot route upgrade: env.${binding} is not a Durable Object namespace binding`,
      );
    }
    const name = objectName ? await objectName(request, env) : "default";
    return await namespace.get(namespace.idFromName(name)).fetch(request);
  };
}
