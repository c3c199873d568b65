/**
 * Retention: what a queue keeps of its finished jobs, set per queue in the backend, and
 * removing them now (`purge`). Finished jobs past what their queue keeps are removed a few at a
 * time by the step that finishes a job and by every worker's claim, never by a scan; a job that
 * was removed is remembered, so `show` and `wait` say so instead of "no job". A queue no longer
 * wanted goes whole (`remove`).
 *
 * @module
 */

import type { Backend } from "../backend/types.ts";
import { unitDurationMs } from "../duration.ts";
import { ForeignDataError, UsageError } from "../errors.ts";
import { parseDuration } from "../schedule/timing.ts";
import {
  checkCount,
  checkDuration,
  checkKeep,
  checkKeepAge,
  MAX_DELAY_MS,
  MAX_GROUP_LIMIT,
  MAX_KEEP_COUNT,
} from "./limits.ts";
import { checkQueueName } from "./queue.ts";
import { unreadableJobs } from "./record.ts";
import type { FinishedState, Keep, QueueConfig, QueueRemoval, QueueSteps } from "./steps.ts";
import { FINISHED_STATES } from "./steps.ts";

export { DEFAULT_KEEP } from "./steps.ts";

export { MAX_KEEP_COUNT } from "./limits.ts";
/** Jobs one purge step removes; a purge runs as many steps as it takes. */
export const PURGE_BATCH = 500;

/**
 * Reads what to keep: a count (`1000`: the newest 1000), a duration (`24h`: those finished
 * within it), both (`1000,24h`), or `forever`.
 *
 * @throws {UsageError} naming `flag` when it is none of these.
 * @example
 * ```ts
 * import { parseKeep } from "./retention.ts";
 * parseKeep("keep-completed", "1000,24h"); // { count: 1000, ageMs: 86400000 }
 * ```
 */
export function parseKeep(flag: string, text: string): Keep {
  if (text.trim() === "forever") return {};
  const keep: Keep = {};
  for (const part of text.split(",").map((p) => p.trim())) {
    if (/^\d+$/.test(part) && keep.count === undefined) {
      keep.count = checkCount(flag, Number(part), 0, MAX_KEEP_COUNT);
    } else if (unitDurationMs(part) !== undefined && keep.ageMs === undefined) {
      keep.ageMs = checkKeepAge(flag, parseDuration(part, `--${flag}`));
    } else {
      throw new UsageError(
        `--${flag} ${JSON.stringify(text)} is not what to keep — give a count (1000), a ` +
          `duration (24h), both (1000,24h) or forever`,
      );
    }
  }
  return keep;
}

/**
 * Changes a queue's settings given (what it keeps, whether it is paused, how many jobs of one
 * group may run at once) and returns them all.
 *
 * @throws {UsageError} on a bad queue name or setting.
 * @example
 * ```ts
 * import { configureQueue, connect } from "../mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await configureQueue(backend, "reports", { keepCompleted: { count: 1000 } });
 * ```
 */
export async function configureQueue(
  backend: Backend,
  queue: string,
  patch: Partial<QueueConfig> = {},
): Promise<QueueConfig> {
  checkQueueName(queue);
  return await backend.queue.configure(queue, {
    ...(patch.keepCompleted !== undefined &&
      { keepCompleted: checkKeep("keepCompleted", patch.keepCompleted) }),
    ...(patch.keepFailed !== undefined &&
      { keepFailed: checkKeep("keepFailed", patch.keepFailed) }),
    ...(patch.paused !== undefined && { paused: patch.paused === true }),
    ...(patch.groupLimit !== undefined && {
      groupLimit: patch.groupLimit === null
        ? null
        : checkCount({ name: "groupLimit", unit: "ms" }, patch.groupLimit, 1, MAX_GROUP_LIMIT),
    }),
  });
}

/** The finished states `purge` takes. */
export const PURGE_STATES: readonly FinishedState[] = FINISHED_STATES;

/**
 * Removes a queue's finished jobs of `state` now (those finished more than `olderThanMs` ago,
 * when given), in steps of {@link PURGE_BATCH}. A flow goes with its parts; a flow with a part
 * still running stays.
 *
 * @returns how many it removed.
 * @throws {UsageError} on a bad queue name, state or age.
 * @throws {ForeignDataError} when a job of a step's batch is one another program wrote over:
 * that batch removes none (the batches before it stay removed).
 * @example
 * ```ts
 * import { connect, purgeJobs } from "../mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await purgeJobs(backend, "reports", { state: "failed", olderThanMs: 3_600_000 }); // 0
 * ```
 */
export async function purgeJobs(
  backend: Backend,
  queue: string,
  { state, olderThanMs }: { state: FinishedState; olderThanMs?: number },
): Promise<number> {
  checkQueueName(queue);
  if (!PURGE_STATES.includes(state)) {
    throw new UsageError(
      `cannot purge state ${JSON.stringify(state)} — give ${PURGE_STATES.join(", ")}`,
    );
  }
  if (olderThanMs !== undefined) {
    checkDuration({ name: "olderThanMs", unit: "ms" }, olderThanMs, { maxMs: MAX_DELAY_MS });
  }
  let total = 0;
  for (;;) {
    const n = await backend.queue.purge(queue, {
      state,
      ...(olderThanMs !== undefined && { olderThanMs }),
      limit: PURGE_BATCH,
    });
    total += n;
    if (n < PURGE_BATCH) return total;
  }
}

/**
 * Removes a queue whole, in one backend step, as BullMQ's `obliterate` and pg-boss'
 * `deleteQueue` do: its jobs, results and settings (its ids go on where they were: no later
 * job takes a removed one's). A queue with a job running is left as it is — pause it and let
 * its runs end, or cancel them; so is one with jobs waiting to run unless `force`, and waiters
 * of those hear there is no such job. A queue that does not exist is "removed" with no job. A
 * queue holding a job coord cannot read (another program wrote its record) is refused and left
 * as it is, `force` or not: its jobs are read for it first, a page a step, so a queue of
 * millions does not hold the backend up for seconds. A job another program writes over while
 * they are read, once its page was, may go with the queue.
 *
 * @throws {UsageError} on a bad queue name.
 * @throws {ForeignDataError} naming the jobs coord cannot read, or data another program wrote
 *   where the queue keeps its settings.
 * @example
 * ```ts
 * import { connect, putJob, removeQueue } from "../mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await putJob(backend, "typo", { handler: "h" });
 * await removeQueue(backend, "typo"); // { removed: false, jobs: 1, unfinished: 1, running: 0 }
 * await removeQueue(backend, "typo", { force: true }); // { removed: true, … }
 * ```
 */
export async function removeQueue(
  backend: Backend,
  queue: string,
  { force = false }: { force?: boolean } = {},
): Promise<QueueRemoval> {
  checkQueueName(queue);
  // The cheap refusals (a job running, jobs waiting) first: they say what to do before any
  // job is read. The removing step then refuses them again, as of its own instant.
  const looked = await backend.queue.remove(queue, { force, dryRun: true });
  if (!looked.removed) return looked;
  await refuseUnreadable(backend.queue, queue);
  return await backend.queue.remove(queue, { force });
}

/**
 * Refuses, naming them, the jobs of `queue` that `get` refuses (another program wrote over
 * them): removing one would be writing over another program's data.
 */
async function refuseUnreadable(steps: QueueSteps, queue: string): Promise<void> {
  // Named: the least id, as what order a backend's pages come in (a Redis HSCAN's, any) is not
  // to choose it. Only it and a count are kept: a queue of millions of foreign jobs takes no
  // more memory than one.
  let count = 0;
  let first: { id: string; reason: string } | undefined;
  let after: string | undefined;
  do {
    const page = await steps.unreadable(queue, after);
    for (const job of page.refused) {
      count++;
      if (first === undefined || job.id < first.id) first = job;
    }
    after = page.next;
  } while (after !== undefined);
  if (first) throw new ForeignDataError(unreadableJobs(queue, count, first.id, first.reason));
}
