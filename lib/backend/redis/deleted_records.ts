/**
 * `coord doctor`'s look on Redis for job ids left in a queue's orders whose record (a field of
 * its `jobs` hash) another program deleted: coord's own steps never leave one, `list` refuses a
 * page holding one (65), and the search for refused jobs, which reads the records, cannot see
 * a record that is not there.
 *
 * @module
 */

import type { ListState } from "../../queue/steps.ts";
import type { ForeignEntry } from "../types.ts";
import { type JobBudget, shownAt } from "../refused_jobs.ts";
import type { Send } from "./conn.ts";
import { scanPages } from "./scan_pages.ts";
import type { RedisBackend } from "./backend.ts";
import { deletedJobWords } from "./queue.ts";

/** A queue's orders, by key part, as the state `list` names a job in it by. */
const ORDER_STATES: Record<string, ListState> = {
  pending: "pending",
  active: "active",
  waiting: "waiting",
  done_completed: "completed",
  done_failed: "failed",
  done_cancelled: "cancelled",
};

/** Ids of an order read at a time (one ZSCAN page, then one HMGET). */
const PAGE = 100;

/**
 * Whether key part `part` of a queue is one of its orders, which {@link deletedRecords} reads.
 *
 * @example
 * ```ts
 * import { isOrder } from "./deleted_records.ts";
 * isOrder("done_failed"); // true
 * isOrder("jobs"); // false
 * ```
 */
export function isOrder(part: string): boolean {
  return Object.hasOwn(ORDER_STATES, part);
}

/**
 * The ids of `queue`'s order `part` (a zset, its key's type checked) whose record another
 * program deleted, as entries at the order's key in `list`'s words ({@link deletedJobWords}):
 * 5, then how many more; ids read within `budget`.
 *
 * @example
 * ```ts ignore
 * await deletedRecords(backend, "q", "done_failed", send, new JobBudget());
 * // [{ where: "coord:{queue:q}:done_failed", problem: "q/1 (failed): its record was deleted…" }]
 * ```
 */
export async function deletedRecords(
  backend: RedisBackend,
  queue: string,
  part: string,
  send: Send,
  budget: JobBudget,
): Promise<ForeignEntry[]> {
  const order = backend.key("queue", queue, part);
  const jobs = backend.key("queue", queue, "jobs");
  let now: number | undefined;
  const deleted = await budget.read(scanPages(send, "ZSCAN", order, PAGE), async (ids) => {
    if (ids.length === 0) return [];
    let records: (string | null)[];
    // HMGET, though it sends the records back: one call a page, and doctor's HSCAN of `jobs`
    // sends each of them once more anyway.
    try {
      records = await send(["HMGET", jobs, ...ids]) as (string | null)[];
    } catch (e) {
      // A `jobs` key of another type is a finding of its own (doctor checks every key's type).
      if (e instanceof Error && e.message.startsWith("WRONGTYPE")) return [];
      throw e;
    }
    const missing = ids.filter((_, i) => records[i] === null);
    if (missing.length === 0) return [];
    // Still in the order after its record was found missing: a job a purge or a trim removed
    // meanwhile, its record with it, is no deletion.
    const scores = await send(["ZMSCORE", order, ...missing]) as (string | null)[];
    const found = [];
    for (const [i, id] of missing.entries()) {
      const score = scores[i];
      if (score === null) continue;
      let state = ORDER_STATES[part];
      // `list` splits the pending order at the server's now, by when each job may start.
      if (state === "pending") {
        now ??= await backend.now({ kind: "queue", name: queue });
        if (Number(score) > Math.floor(now)) state = "scheduled";
      }
      found.push(deletedJobWords(queue, state, id));
    }
    return found;
  });
  // A member ZSCAN met twice (the order rehashed between pages) is named once.
  return shownAt(order, [...new Set(deleted)], "jobs whose record was deleted by another program");
}
