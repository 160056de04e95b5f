/**
 * The server's answer to permessage-deflate offers (RFC 7692 §7.1).
 *
 * @module
 */

import type { ExtensionOffer } from "./parse_extensions.ts";

/**
 * What the server will agree to: its own preferences, applied to whatever
 * the client offers. Window sizes are in bits (8 to 15).
 *
 * @example
 * ```ts ignore
 * const policy: DeflatePolicy = {
 *   serverNoContextTakeover: false,
 *   clientNoContextTakeover: false,
 *   serverMaxWindowBits: 15,
 *   clientMaxWindowBits: 15,
 * };
 * ```
 */
export interface DeflatePolicy {
  /** Always answer `server_no_context_takeover`, even when not offered (§7.1.1.1 allows it). */
  serverNoContextTakeover: boolean;
  /** Always answer `client_no_context_takeover`, even when not offered (§7.1.1.2 allows it). */
  clientNoContextTakeover: boolean;
  /** Largest LZ77 window our compressor uses; announced when below 15 or when the client asked. */
  serverMaxWindowBits: number;
  /** Largest window asked of the client, when it offered `client_max_window_bits`. */
  clientMaxWindowBits: number;
}

/**
 * The parameters both ends agreed on: each side's window and whether it
 * keeps its context between messages.
 *
 * @example
 * ```ts ignore
 * const agreed: DeflateAgreement = {
 *   serverNoContextTakeover: false,
 *   clientNoContextTakeover: false,
 *   serverMaxWindowBits: 15,
 *   clientMaxWindowBits: 15,
 * };
 * ```
 */
export interface DeflateAgreement {
  /** The server starts every message with an empty window. */
  serverNoContextTakeover: boolean;
  /** The client starts every message with an empty window. */
  clientNoContextTakeover: boolean;
  /** The server's compressor reaches back at most 2^bits bytes. */
  serverMaxWindowBits: number;
  /** The client's compressor reaches back at most 2^bits bytes. */
  clientMaxWindowBits: number;
}

/**
 * The accepted offer, as answered in the 101, and what it means.
 *
 * @example
 * ```ts ignore
 * const accepted: DeflateNegotiation | null = negotiatePerMessageDeflate(offers, policy);
 * if (accepted) console.log(formatExtensions([accepted.response]));
 * ```
 */
export interface DeflateNegotiation {
  /** `permessage-deflate` with the response parameters. */
  response: ExtensionOffer;
  /** The parameters in force on the connection. */
  agreement: DeflateAgreement;
}

const NAME = "permessage-deflate";

/**
 * Picks the first permessage-deflate offer the server can honour and builds
 * the response to it; `null` when there is none.
 *
 * An offer is declined (the next one is tried) when it names a parameter
 * RFC 7692 does not define, names one twice, puts a value on a flag, or
 * gives a window outside 8–15 (digits only, no leading zero). Other
 * extensions are ignored. `server_max_window_bits=8` is answered with 8:
 * zlib compresses with a 9-bit window when asked for 8, but never reaches
 * back more than 250 bytes, so what it writes decodes with 256 bytes.
 *
 * @example Chromium's offer
 * ```ts ignore
 * const result = negotiatePerMessageDeflate(
 *   parseExtensions("permessage-deflate; client_max_window_bits"),
 *   { serverNoContextTakeover: false, clientNoContextTakeover: false,
 *     serverMaxWindowBits: 15, clientMaxWindowBits: 12 },
 * );
 * formatExtensions([result!.response]); // "permessage-deflate; client_max_window_bits=12"
 * ```
 */
export function negotiatePerMessageDeflate(
  offers: readonly ExtensionOffer[],
  policy: DeflatePolicy,
): DeflateNegotiation | null {
  for (const offer of offers) {
    if (offer.name !== NAME) continue;
    const accepted = acceptOffer(offer.params, policy);
    if (accepted !== null) return accepted;
  }
  return null;
}

function acceptOffer(
  params: Map<string, string | true>,
  policy: DeflatePolicy,
): DeflateNegotiation | null {
  let serverNoContextTakeover = policy.serverNoContextTakeover;
  let clientNoContextTakeover = policy.clientNoContextTakeover;
  let offeredServerBits = 0;
  let offeredClientBits = 0; // 0: not offered; the client then uses up to 15
  for (const [name, value] of params) {
    switch (name) {
      case "server_no_context_takeover":
        if (value !== true) return null;
        serverNoContextTakeover = true;
        break;
      case "client_no_context_takeover":
        if (value !== true) return null;
        clientNoContextTakeover = true;
        break;
      case "server_max_window_bits":
        if (value === true) return null;
        offeredServerBits = windowBits(value);
        if (offeredServerBits === 0) return null;
        break;
      case "client_max_window_bits":
        offeredClientBits = value === true ? 15 : windowBits(value);
        if (offeredClientBits === 0) return null;
        break;
      default:
        return null;
    }
  }
  const serverBits = Math.min(policy.serverMaxWindowBits, offeredServerBits || 15);
  const clientBits = offeredClientBits === 0
    ? 15
    : Math.min(policy.clientMaxWindowBits, offeredClientBits);
  const response = new Map<string, string | true>();
  if (serverNoContextTakeover) response.set("server_no_context_takeover", true);
  if (clientNoContextTakeover) response.set("client_no_context_takeover", true);
  if (offeredServerBits !== 0 || serverBits < 15) {
    response.set("server_max_window_bits", String(serverBits));
  }
  // §7.1.2.2: never answered unless offered.
  if (offeredClientBits !== 0 && clientBits < 15) {
    response.set("client_max_window_bits", String(clientBits));
  }
  return {
    response: { name: NAME, params: response },
    agreement: {
      serverNoContextTakeover,
      clientNoContextTakeover,
      serverMaxWindowBits: serverBits,
      clientMaxWindowBits: clientBits,
    },
  };
}

// 1*DIGIT without leading zero, 8 to 15; 0 when invalid.
function windowBits(value: string): number {
  if (value.length === 1) return value === "8" || value === "9" ? Number(value) : 0;
  if (value.length !== 2 || value[0] !== "1") return 0;
  const unit = value.charCodeAt(1) - 0x30;
  return unit >= 0 && unit <= 5 ? 10 + unit : 0;
}

/**
 * Reads the agreement back from a permessage-deflate response (what
 * {@linkcode negotiatePerMessageDeflate} answered, or a server's answer to
 * a client): absent windows are 15 bits.
 *
 * @example
 * ```ts ignore
 * deflateAgreementOf({ name: "permessage-deflate", params: new Map([["server_max_window_bits", "10"]]) })
 *   .serverMaxWindowBits; // 10
 * ```
 */
export function deflateAgreementOf(response: ExtensionOffer): DeflateAgreement {
  const params = response.params;
  const bits = (name: string) => {
    const value = params.get(name);
    return typeof value === "string" ? windowBits(value) || 15 : 15;
  };
  return {
    serverNoContextTakeover: params.has("server_no_context_takeover"),
    clientNoContextTakeover: params.has("client_no_context_takeover"),
    serverMaxWindowBits: bits("server_max_window_bits"),
    clientMaxWindowBits: bits("client_max_window_bits"),
  };
}
