/**
 * The one path every adapter takes from an upgrade request to a decision:
 * our handshake validation first (so a malformed request gets the same 4xx
 * on every runtime, whatever the runtime itself would have accepted), then
 * the origin policy, then the user's `upgrade` hook, then the subprotocol.
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";
import { acceptUpgradeNow, type HandshakeAcceptance } from "../handshake/accept_upgrade.ts";
import { rejectionResponse } from "../handshake/build_responses.ts";
import { selectSubprotocol } from "../handshake/select_subprotocol.ts";
import type { ExtensionOffer } from "../handshake/parse_extensions.ts";
import { negotiatePerMessageDeflate } from "../handshake/negotiate_permessage_deflate.ts";
import type { UpgradeRequest } from "../handshake/validate_upgrade_request.ts";
import { upgradeRequestFromRequest } from "../handshake/upgrade_request_from_request.ts";
import { decideUpgrade } from "./decide_upgrade.ts";
import type { Handler } from "./handler.ts";
import type { ResolvedServerOptions } from "./server_options.ts";

/**
 * An upgrade the server accepts, with everything the adapter needs to perform it.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface AcceptedUpgrade<Data> {
  /** Always true: the upgrade goes ahead. */
  accepted: true;
  /** Key, accept value, subprotocol and the 101's own header fields. */
  acceptance: HandshakeAcceptance;
  /** Per-connection data from the hook. */
  data: Data;
  /** Extra headers the hook asked for on the 101; absent without an `upgrade` hook. */
  headers?: Headers;
}

/**
 * What {@linkcode negotiateUpgrade} decides: go ahead, or answer with a response.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export type UpgradeNegotiation<Data> = AcceptedUpgrade<Data> | RefusedUpgrade;

/**
 * An upgrade the server refuses, with the response to send.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface RefusedUpgrade {
  /** Always false: the response is sent instead of upgrading. */
  accepted: false;
  /** The HTTP answer: our rejection, or the hook's own `Response`. */
  response: Response;
  /** Set when the refusal is a handshake failure of ours (raw-socket adapters write it as bytes). */
  error?: ProtocolError;
}

/**
 * Where the request came from, for the `upgrade` hook.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface UpgradeSource {
  /** The request as the handshake core reads it (raw head or Web Request). */
  upgradeRequest: UpgradeRequest;
  /** The Web `Request` for the hook; a function so raw-socket adapters build it only when needed. */
  request: () => Request;
  /** The client's "ip:port", or "". */
  remoteAddress: string;
  /** The adapter's own `Sec-WebSocket-Accept` function, if faster than Web Crypto. */
  computeAccept?: (key: string) => string | Promise<string>;
}

/**
 * Validates, applies the origin policy, runs the `upgrade` hook and picks
 * the subprotocol. Never throws or rejects: every failure becomes a refusal
 * with the right status (an exception in the hook is logged and answered 500).
 *
 * The decision comes back as a plain value when nothing asynchronous is
 * involved (no `upgrade` hook and a synchronous `computeAccept`, the common
 * case), and as a promise otherwise: most handshakes then cost no promise
 * and no microtask turn.
 *
 * @example In an adapter
 * ```ts ignore
 * const outcome = await negotiateUpgrade(handler, options, {
 *   upgradeRequest: upgradeRequestFromRequest(request),
 *   request: () => request,
 *   remoteAddress: "",
 * });
 * if (!outcome.accepted) return outcome.response;
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function negotiateUpgrade<Data>(
  handler: Handler<Data>,
  options: ResolvedServerOptions,
  source: UpgradeSource,
): UpgradeNegotiation<Data> | Promise<UpgradeNegotiation<Data>> {
  const metrics = options.metrics;
  if (metrics === undefined) return negotiate(handler, options, source);
  // Counted here, the one path every adapter takes: by status, with the time to decide.
  const start = performance.now();
  const count = (outcome: UpgradeNegotiation<Data>): UpgradeNegotiation<Data> => {
    metrics.handshake(
      outcome.accepted ? 101 : outcome.response.status,
      (performance.now() - start) / 1000,
    );
    return outcome;
  };
  const outcome = negotiate(handler, options, source);
  return outcome instanceof Promise ? outcome.then(count) : count(outcome);
}

function negotiate<Data>(
  handler: Handler<Data>,
  options: ResolvedServerOptions,
  source: UpgradeSource,
): UpgradeNegotiation<Data> | Promise<UpgradeNegotiation<Data>> {
  let offeredProtocols: string[] = [];
  let acceptance: HandshakeAcceptance | Promise<HandshakeAcceptance>;
  try {
    acceptance = acceptUpgradeNow(source.upgradeRequest, {
      allowedOrigins: options.allowedOrigins,
      computeAccept: source.computeAccept,
      protocols: (offered) => {
        offeredProtocols = offered;
        return selectSubprotocol(offered, options.protocols);
      },
      negotiateExtensions: extensionNegotiator(options),
    });
  } catch (error) {
    return refusal(error);
  }
  if (acceptance instanceof Promise) {
    return acceptance.then(
      (accepted) => decide(handler, source, accepted, offeredProtocols),
      refusal,
    );
  }
  return decide(handler, source, acceptance, offeredProtocols);
}

// Only where our engine frames the messages (the adapter handed it a codec):
// native runtimes negotiate for themselves.
const negotiators = new WeakMap<
  ResolvedServerOptions,
  ((offers: ExtensionOffer[]) => ExtensionOffer[]) | undefined
>();

function extensionNegotiator(
  options: ResolvedServerOptions,
): ((offers: ExtensionOffer[]) => ExtensionOffer[]) | undefined {
  if (negotiators.has(options)) return negotiators.get(options);
  const settings = options.perMessageDeflate;
  const codec = options.deflateCodec;
  let negotiate: ((offers: ExtensionOffer[]) => ExtensionOffer[]) | undefined;
  if (settings !== false && codec !== undefined) {
    // Without preset dictionaries (Deno's zlib) neither side may take context over.
    const policy = codec.supportsDictionary ? settings : {
      ...settings,
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
    };
    negotiate = (offers) => {
      const accepted = negotiatePerMessageDeflate(offers, policy);
      return accepted === null ? [] : [accepted.response];
    };
  }
  negotiators.set(options, negotiate);
  return negotiate;
}

function decide<Data>(
  handler: Handler<Data>,
  source: UpgradeSource,
  acceptance: HandshakeAcceptance,
  offeredProtocols: string[],
): UpgradeNegotiation<Data> | Promise<UpgradeNegotiation<Data>> {
  if (handler.upgrade === undefined) {
    return { accepted: true, acceptance, data: undefined as Data };
  }
  return runUpgradeHook(handler, source, acceptance, offeredProtocols);
}

async function runUpgradeHook<Data>(
  handler: Handler<Data>,
  source: UpgradeSource,
  acceptance: HandshakeAcceptance,
  offeredProtocols: string[],
): Promise<UpgradeNegotiation<Data>> {
  try {
    const outcome = await decideUpgrade(handler, source.request(), {
      offeredProtocols,
      remoteAddress: source.remoteAddress,
    });
    if (!outcome.accepted) return outcome;
    if (outcome.protocol !== undefined) setProtocol(acceptance, outcome.protocol);
    return { accepted: true, acceptance, data: outcome.data, headers: outcome.headers };
  } catch (error) {
    return refusal(error);
  }
}

function refusal(error: unknown): RefusedUpgrade {
  if (error instanceof ProtocolError) {
    return { accepted: false, response: rejectionResponse(error), error };
  }
  console.error(error);
  const internal = new ProtocolError(
    "UPGRADE_HOOK_FAILED",
    "Cannot accept upgrade: the upgrade hook threw",
    { status: 500, cause: error },
  );
  return { accepted: false, response: rejectionResponse(internal), error: internal };
}

/**
 * {@linkcode negotiateUpgrade} for adapters whose runtime performs the
 * upgrade itself from a Web `Request` (Deno, Bun, workerd). The runtime
 * writes `Sec-WebSocket-Accept`, so it is not computed here (a SHA-1 per
 * handshake for nothing): `acceptance.accept` is empty, and without an
 * `upgrade` hook the decision is a plain value, not a promise.
 *
 * @example
 * ```ts ignore
 * const outcome = await negotiateRequestUpgrade(handler, options, request, "");
 * if (!outcome.accepted) return outcome.response;
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function negotiateRequestUpgrade<Data>(
  handler: Handler<Data>,
  options: ResolvedServerOptions,
  request: Request,
  remoteAddress: string,
): UpgradeNegotiation<Data> | Promise<UpgradeNegotiation<Data>> {
  return negotiateUpgrade(handler, options, {
    upgradeRequest: upgradeRequestFromRequest(request),
    request: () => request,
    remoteAddress,
    computeAccept: () => "",
  });
}

// The hook's choice wins over the configured preference list.
function setProtocol(acceptance: HandshakeAcceptance, protocol: string): void {
  acceptance.protocol = protocol;
  const field = acceptance.headers.find(([name]) => name === "Sec-WebSocket-Protocol");
  if (field) field[1] = protocol;
  else acceptance.headers.splice(3, 0, ["Sec-WebSocket-Protocol", protocol]);
}
