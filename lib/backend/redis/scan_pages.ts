/**
 * The members of a hash or sorted set, read a page at a time by HSCAN or ZSCAN.
 *
 * @module
 */

import type { Send } from "./conn.ts";

/**
 * The fields of hash `key` (`HSCAN`) or the members of sorted set `key` (`ZSCAN`), a page of
 * about `count` at a time, without their values or scores: every one there throughout is met,
 * some perhaps twice (the SCAN guarantee).
 *
 * @example
 * ```ts ignore
 * for await (const ids of scanPages(send, "HSCAN", "coord:{queue:q}:jobs", 100)) console.log(ids);
 * ```
 */
export async function* scanPages(
  send: Send,
  command: "HSCAN" | "ZSCAN",
  key: string,
  count: number,
): AsyncIterable<string[]> {
  let cursor = "0";
  do {
    const [next, flat] = await send([command, key, cursor, "COUNT", String(count)]) as [
      string,
      string[],
    ];
    cursor = next;
    yield flat.filter((_, i) => i % 2 === 0);
  } while (cursor !== "0");
}
