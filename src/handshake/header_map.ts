/**
 * Header fields exactly as they arrived on the wire, with case-insensitive lookup.
 *
 * @module
 */

/**
 * The read side shared by Web `Headers` and {@linkcode HeaderMap}: what the
 * handshake validators need, so they work on either.
 *
 * @example Passing Web Headers where a lookup is expected
 * ```ts
 * import type { HeaderLookup } from "@omnisocket/core/protocol";
 *
 * const lookup: HeaderLookup = new Headers({ Host: "example.com" });
 * console.log(lookup.get("host")); // "example.com"
 * ```
 */
export type HeaderLookup = { get(name: string): string | null };

/**
 * Ordered field lines of an HTTP head. Unlike Web `Headers`, it keeps the
 * original order and tells how many field lines carried a name, which is how a
 * duplicated `Sec-WebSocket-Key` or `Host` is caught.
 *
 * @example Looking up duplicated fields
 * ```ts
 * import { HeaderMap } from "@omnisocket/core/protocol";
 *
 * const headers = new HeaderMap([["Accept", "a"], ["accept", "b"], ["Host", "x"]]);
 * console.log(headers.get("ACCEPT")); // "a, b"
 * console.log(headers.count("accept")); // 2
 * console.log([...headers.entries()][0]); // ["accept", "a"]
 * ```
 */
export class HeaderMap {
  #fields: [string, string][] = [];
  // A name's one value as itself (the usual case), several in an array.
  #valuesByName: Map<string, string | string[]> = new Map();

  /** Creates a map from field lines in wire order; names are matched case-insensitively. */
  constructor(fieldLines: Iterable<readonly [string, string]> = []) {
    for (const [name, value] of fieldLines) {
      const lowerName = name.toLowerCase();
      this.#fields.push([lowerName, value]);
      const values = this.#valuesByName.get(lowerName);
      if (values === undefined) this.#valuesByName.set(lowerName, value);
      else if (typeof values === "string") this.#valuesByName.set(lowerName, [values, value]);
      else values.push(value);
    }
  }

  /** The values of all field lines named `name`, joined with ", " as Web `Headers` does; null if none. */
  get(name: string): string | null {
    const values = this.#valuesByName.get(name.toLowerCase());
    if (values === undefined) return null;
    return typeof values === "string" ? values : values.join(", ");
  }

  /** Whether at least one field line is named `name`. */
  has(name: string): boolean {
    return this.#valuesByName.has(name.toLowerCase());
  }

  /** How many field lines are named `name`. */
  count(name: string): number {
    const values = this.#valuesByName.get(name.toLowerCase());
    if (values === undefined) return 0;
    return typeof values === "string" ? 1 : values.length;
  }

  /** Total number of field lines. */
  get size(): number {
    return this.#fields.length;
  }

  /** Field lines as `[lower-cased name, value]` in the order they arrived. */
  entries(): IterableIterator<[string, string]> {
    return this.#fields.map(([name, value]): [string, string] => [name, value]).values();
  }

  /** Copies the fields into Web `Headers`, e.g. to build a `Request`. */
  toHeaders(): Headers {
    const headers = new Headers();
    for (const [name, value] of this.#fields) headers.append(name, value);
    return headers;
  }
}
