/**
 * permessage-deflate on the client side (RFC 7692 §7.1): the offer, and the
 * check of the server's answer against it.
 *
 * @module
 */

import type { ErrorCode } from "../errors/error_code.ts";
import { ProtocolError } from "../errors/protocol_error.ts";
import type { DeflateAgreement } from "../handshake/negotiate_permessage_deflate.ts";
import type { ExtensionOffer } from "../handshake/parse_extensions.ts";
import type { ClientDeflateOptions } from "./client_options.ts";

const NAME = "permessage-deflate";

/**
 * The offer for `options`; `dictionaries` false (a codec without preset
 * dictionaries) asks for no context takeover both ways.
 *
 * @example
 * ```ts ignore
 * const offer = deflateOffer({}, true); // permessage-deflate; client_max_window_bits
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function deflateOffer(options: ClientDeflateOptions, dictionaries: boolean): ExtensionOffer {
  const params = new Map<string, string | true>();
  if (options.serverNoContextTakeover || !dictionaries) {
    params.set("server_no_context_takeover", true);
  }
  if (options.clientNoContextTakeover || !dictionaries) {
    params.set("client_no_context_takeover", true);
  }
  if (options.serverMaxWindowBits !== undefined) {
    params.set("server_max_window_bits", String(options.serverMaxWindowBits));
  }
  params.set(
    "client_max_window_bits",
    options.clientMaxWindowBits === undefined ? true : String(options.clientMaxWindowBits),
  );
  return { name: NAME, params };
}

/**
 * Checks the server's answer to `offer` and returns the agreement. Throws a
 * {@linkcode ProtocolError} `INVALID_EXTENSION_RESPONSE` for an unknown or
 * repeated parameter, a bad value, a window larger than asked, a
 * `client_max_window_bits` we did not offer, or a missing
 * `server_no_context_takeover` we need; `UNOFFERED_EXTENSION` when the
 * extension appears twice.
 *
 * @example
 * ```ts ignore
 * const agreement = acceptDeflateResponse(offer, responses);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function acceptDeflateResponse(
  offer: ExtensionOffer,
  responses: readonly ExtensionOffer[],
): DeflateAgreement | null {
  const matching = responses.filter((response) => response.name === NAME);
  if (matching.length === 0) return null;
  if (matching.length > 1 || responses.length > 1) {
    throw invalid("UNOFFERED_EXTENSION", "the server accepted permessage-deflate twice");
  }
  const params = matching[0].params;
  const agreement: DeflateAgreement = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: 15,
    clientMaxWindowBits: 15,
  };
  const offered = offer.params;
  for (const [name, value] of params) {
    switch (name) {
      case "server_no_context_takeover":
      case "client_no_context_takeover":
        if (value !== true) throw invalid(undefined, `${name} has a value`);
        if (name === "server_no_context_takeover") agreement.serverNoContextTakeover = true;
        else agreement.clientNoContextTakeover = true;
        break;
      case "server_max_window_bits": {
        const bits = value === true ? 0 : windowBits(value);
        if (bits === 0) throw invalid(undefined, "server_max_window_bits is not 8 to 15");
        const asked = offered.get(name);
        if (typeof asked === "string" && bits > Number(asked)) {
          throw invalid(undefined, "server_max_window_bits is larger than asked");
        }
        agreement.serverMaxWindowBits = bits;
        break;
      }
      case "client_max_window_bits": {
        const asked = offered.get(name);
        if (asked === undefined) throw invalid(undefined, "client_max_window_bits was not offered");
        const bits = value === true ? 0 : windowBits(value);
        if (bits === 0) throw invalid(undefined, "client_max_window_bits is not 8 to 15");
        if (typeof asked === "string" && bits > Number(asked)) {
          throw invalid(undefined, "client_max_window_bits is larger than offered");
        }
        agreement.clientMaxWindowBits = bits;
        break;
      }
      default:
        throw invalid(undefined, `unknown parameter ${name}`);
    }
  }
  const asked = offered.get("client_max_window_bits");
  if (typeof asked === "string" && agreement.clientMaxWindowBits > Number(asked)) {
    agreement.clientMaxWindowBits = Number(asked);
  }
  // A server must echo server_no_context_takeover when offered (§7.1.1.1); we rely on it when
  // the codec cannot keep a window.
  if (offered.has("server_no_context_takeover") && !agreement.serverNoContextTakeover) {
    throw invalid(undefined, "server_no_context_takeover was offered and not answered");
  }
  if (offered.has("client_no_context_takeover")) agreement.clientNoContextTakeover = true;
  return agreement;
}

function windowBits(value: string): number {
  if (value.length === 1) return value === "8" || value === "9" ? Number(value) : 0;
  if (value.length !== 2 || value[0] !== "1") return 0;
  const unit = value.charCodeAt(1) - 0x30;
  return unit >= 0 && unit <= 5 ? 10 + unit : 0;
}

function invalid(code: ErrorCode | undefined, reason: string): ProtocolError {
  return new ProtocolError(
    code ?? "INVALID_EXTENSION_RESPONSE",
    `Cannot complete client handshake: ${reason}`,
  );
}
