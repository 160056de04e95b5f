/**
 * `--cert FILE --key FILE` (also `--cert=FILE`): the PEM certificate and key
 * of an example that serves TLS itself.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import type { TlsOptions } from "../../src/api/tls_options.ts";
import { exit } from "./runtime.ts";

/** `{ tls }` when both flags are given, `{}` when neither; exits with a usage message otherwise. */
export function tlsArgs(args: string[]): { tls?: TlsOptions } {
  const files = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split("=", 2);
    if (flag === "--cert" || flag === "--key") files.set(flag, inline ?? args[++i] ?? "");
  }
  const certFile = files.get("--cert");
  const keyFile = files.get("--key");
  if (certFile === undefined && keyFile === undefined) return {};
  if (!certFile || !keyFile) {
    console.error("usage: <example> [--cert FILE --key FILE]");
    exit(2);
  }
  return { tls: { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") } };
}

/** `args` without `--cert FILE` and `--key FILE`, for parsers that know only their own flags. */
export function withoutTlsArgs(args: string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split("=", 2);
    if (flag === "--cert" || flag === "--key") {
      if (inline === undefined) i++;
      continue;
    }
    rest.push(args[i]);
  }
  return rest;
}
