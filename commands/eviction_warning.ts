/**
 * The warning a Redis that may evict coord's keys gets, from `coord doctor` and from the
 * commands that run for long (`queue work`, `schedule run`), once as they start: a key evicted
 * is a job, a lock's line or a schedule's last tick lost without a word.
 *
 * @module
 */

import type { Backend } from "../lib/backend/types.ts";
import { CoordError } from "../lib/errors.ts";
import { writeLine } from "./output.ts";

/**
 * The warning's line for a backend whose engine `evicts` as {@link EngineInfo.evicts} says.
 *
 * @example
 * ```ts
 * import { evictionWarning } from "./eviction_warning.ts";
 * evictionWarning("redis://127.0.0.1:6379", "maxmemory 1.00M, maxmemory-policy allkeys-lru");
 * ```
 */
export function evictionWarning(displayUrl: string, evicts: string): string {
  // A volatile-* policy evicts only keys with a time to live: of coord's, a barrier's.
  const lost = evicts.includes("allkeys-")
    ? "a job, a lock's line or a schedule's tick"
    : "a barrier's arrivals (the keys coord gives a time to live)";
  return `coord: warning: ${displayUrl} evicts keys under memory pressure (${evicts}): ` +
    `${lost} would vanish without a word — set maxmemory-policy noeviction`;
}

/**
 * Says on stderr when the backend's engine may evict coord's keys. Asks only a Redis backend
 * (an `INFO` a master more, at the start of a command that runs for long); says nothing when it
 * cannot tell (an outage, an ACL that denies `INFO`).
 *
 * @example
 * ```ts
 * import { connect } from "../lib/mod.ts";
 * import { warnIfEvicting } from "./eviction_warning.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await warnIfEvicting(backend);
 * ```
 */
export async function warnIfEvicting(backend: Backend): Promise<void> {
  if (!backend.kind.startsWith("redis")) return;
  let evicts: string | undefined;
  try {
    ({ evicts } = await backend.info());
  } catch (e) {
    // A warning never stops a start: an outage, a refusal is the command's own to meet later.
    if (e instanceof CoordError) return;
    throw e;
  }
  if (evicts !== undefined) writeLine(evictionWarning(backend.displayUrl, evicts), Deno.stderr);
}
