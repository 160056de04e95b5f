/**
 * HTTP CONNECT through a proxy (RFC 9110 §9.3.6): which proxy to use for a
 * URL, the request head, and the check of the proxy's answer.
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";
import { encodeBase64 } from "../handshake/base64.ts";
import { HttpHeadParser, type ResponseHead } from "../handshake/http_head_parser.ts";
import { encodeLatin1 } from "../handshake/latin1.ts";
import type { ClientConnectRequest } from "./client_transport.ts";

/**
 * The proxy for `target` given the option and the environment: the option
 * when set (false: none), else `HTTPS_PROXY` for `wss:` or `HTTP_PROXY` for
 * `ws:` (either case), unless `NO_PROXY` matches the host. Returns null for
 * a direct connection.
 *
 * @example
 * ```ts ignore
 * selectProxy(new URL("wss://example.com/"), undefined, (name) => env[name]);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function selectProxy(
  target: URL,
  option: string | false | undefined,
  env: (name: string) => string | undefined,
): URL | null {
  if (option === false) return null;
  let value = option;
  if (value === undefined) {
    const name = target.protocol === "wss:" ? "HTTPS_PROXY" : "HTTP_PROXY";
    value = env(name) || env(name.toLowerCase());
    if (!value || bypassed(target, env("NO_PROXY") ?? env("no_proxy") ?? "")) return null;
  }
  let proxy: URL;
  try {
    proxy = new URL(value.includes("://") ? value : `http://${value}`);
  } catch (cause) {
    throw new ProtocolError("INVALID_PROXY", "Cannot connect: the proxy URL is invalid", {
      cause,
    });
  }
  if (proxy.protocol !== "http:") {
    throw new ProtocolError("INVALID_PROXY", "Cannot connect: the proxy URL must be http:");
  }
  return proxy;
}

// NO_PROXY as curl reads it: comma-separated host names, each matching itself and its
// subdomains (a leading "." or "*." changes nothing), an optional ":port", or "*" for all.
function bypassed(target: URL, noProxy: string): boolean {
  const host = bare(target.hostname).toLowerCase();
  const port = target.port || (target.protocol === "wss:" ? "443" : "80");
  for (let entry of noProxy.split(",")) {
    entry = entry.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    let entryPort = "";
    const colon = entry.lastIndexOf(":");
    if (colon > 0 && !entry.endsWith("]") && entry.indexOf(":") === colon) {
      entryPort = entry.slice(colon + 1);
      entry = entry.slice(0, colon);
    }
    if (entryPort !== "" && entryPort !== port) continue;
    entry = bare(entry);
    if (entry.startsWith("*.")) entry = entry.slice(2);
    else if (entry.startsWith(".")) entry = entry.slice(1);
    if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

function bare(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/**
 * The tunnel part of a connect request: `CONNECT host:port`, with
 * `Proxy-Authorization: Basic` when the proxy URL has credentials, and a
 * reader that accepts a 2xx answer and throws `PROXY_REFUSED` otherwise.
 *
 * @example
 * ```ts ignore
 * const tunnel = proxyTunnel(new URL("http://127.0.0.1:3128"), "example.com", 443);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function proxyTunnel(
  proxy: URL,
  hostname: string,
  port: number,
): NonNullable<ClientConnectRequest["tunnel"]> {
  const authority = `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
  let head = `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n`;
  if (proxy.username !== "" || proxy.password !== "") {
    const credentials = `${decodeURIComponent(proxy.username)}:${
      decodeURIComponent(proxy.password)
    }`;
    head += `Proxy-Authorization: Basic ${encodeBase64(new TextEncoder().encode(credentials))}\r\n`;
  }
  const parser = new HttpHeadParser({ kind: "response" });
  return {
    hostname: bare(proxy.hostname),
    port: Number(proxy.port || 80),
    request: encodeLatin1(`${head}\r\n`),
    readAnswer(chunk: Uint8Array): Uint8Array | null {
      const answer = parser.push(chunk) as ResponseHead | null;
      if (answer === null) return null;
      if (answer.status < 200 || answer.status > 299) {
        throw new ProtocolError(
          "PROXY_REFUSED",
          `Cannot connect through proxy: it answered ${answer.status}`,
        );
      }
      return answer.rest;
    },
  };
}
