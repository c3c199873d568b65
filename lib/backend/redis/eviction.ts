/**
 * Whether a Redis deployment may evict coord's keys: a server with a `maxmemory` and any
 * `maxmemory-policy` but `noeviction` drops keys under memory pressure, and a dropped key is a
 * job, a lock's line or a schedule's last tick gone without a word. BullMQ warns of the same;
 * `coord doctor` and the long-running commands say it.
 *
 * @module
 */

import { infoField as field } from "./info_field.ts";

/**
 * How the masters whose `INFO memory` replies are given may evict keys, in words, or undefined
 * when none may (no `maxmemory`, or `noeviction`; a reply without the fields, e.g. an ACL that
 * denies INFO, tells nothing and counts as none).
 *
 * @example
 * ```ts
 * import { evictionOf } from "./eviction.ts";
 * const info = "maxmemory:1048576\r\nmaxmemory_human:1.00M\r\nmaxmemory_policy:allkeys-lru\r\n";
 * evictionOf([info]); // "maxmemory 1.00M, maxmemory-policy allkeys-lru"
 * evictionOf([info, "maxmemory:0\r\nmaxmemory_policy:allkeys-lru\r\n"]);
 * // "maxmemory 1.00M, maxmemory-policy allkeys-lru on 1 of 2 masters"
 * ```
 */
export function evictionOf(infoMemory: readonly string[]): string | undefined {
  const evicting = infoMemory.flatMap((info) => {
    const policy = field(info, "maxmemory_policy");
    const max = field(info, "maxmemory");
    if (policy === undefined || policy === "noeviction" || max === undefined || max === "0") {
      return [];
    }
    return [`maxmemory ${field(info, "maxmemory_human") ?? max}, maxmemory-policy ${policy}`];
  });
  if (evicting.length === 0) return undefined;
  const said = [...new Set(evicting)].join("; ");
  return infoMemory.length === 1
    ? said
    : `${said} on ${evicting.length} of ${infoMemory.length} masters`;
}
