/**
 * Jobs that finished lately, read from a queue's finished lists (newest first, with a cursor):
 * the overview's throughput and the job histograms of `/metrics` need no work in the steps a
 * job goes through, only a walk down these lists that stops at the first job older than asked.
 *
 * @module
 */

import type { Backend } from "../../lib/backend/types.ts";
import { listJobs } from "../../lib/queue/list.ts";
import type { JobRecord } from "../../lib/queue/steps.ts";

/** The finished states that count as throughput: a job done, for good or ill. */
export const THROUGHPUT_STATES = ["completed", "failed"] as const;

/** Jobs one {@link finishedSince} reads at most, so a burst costs a bounded walk. */
export const MAX_FINISHED_READ = 1_000;

/** The window of the overview's throughput, in ms. */
export const THROUGHPUT_WINDOW_MS = 60_000;

/** Jobs read a page: small first, since most walks stop within a few jobs. */
const PAGE_SIZES = [10, 100];

/** What {@link finishedSince} found. */
export interface Finished {
  /** Jobs that finished at or after the instant asked, newest first. */
  jobs: JobRecord[];
  /** Set when {@link MAX_FINISHED_READ} were read and more may have finished since. */
  capped: boolean;
}

/**
 * The jobs of `queue` that ended in `state` at or after `sinceMs` (backend clock), newest
 * first, up to `max`. Flows count as their top group (the finished lists hold no parts), and
 * retention may have removed some already.
 *
 * @example
 * ```ts ignore
 * const { jobs } = await finishedSince(backend, "q", "completed", (await backend.now()) - 60_000);
 * ```
 */
export async function finishedSince(
  backend: Backend,
  queue: string,
  state: (typeof THROUGHPUT_STATES)[number],
  sinceMs: number,
  max = MAX_FINISHED_READ,
): Promise<Finished> {
  const jobs: JobRecord[] = [];
  let after: string | undefined;
  for (let page = 0;; page++) {
    const limit = Math.min(PAGE_SIZES[Math.min(page, PAGE_SIZES.length - 1)], max - jobs.length);
    const { jobs: listed, next } = await listJobs(backend, queue, {
      states: [state],
      limit,
      after,
    });
    for (const { job } of listed) {
      if ((job.finishedAt ?? -Infinity) < sinceMs) return { jobs, capped: false };
      jobs.push(job);
    }
    if (next === undefined) return { jobs, capped: false };
    if (jobs.length >= max) return { jobs, capped: true };
    after = next;
  }
}

/** Completed and failed jobs of a queue in the last minute, for the overview. */
export interface Throughput {
  /** Jobs completed in the window. */
  completed: number;
  /** Jobs failed for good in the window. */
  failed: number;
  /** At least this many: a list held more than could be read. */
  capped: boolean;
}

/** How many jobs of `queue` completed or failed in the {@link THROUGHPUT_WINDOW_MS} up to `nowMs`. */
export async function throughput(
  backend: Backend,
  queue: string,
  nowMs: number,
): Promise<Throughput> {
  const since = nowMs - THROUGHPUT_WINDOW_MS;
  const [completed, failed] = await Promise.all(
    THROUGHPUT_STATES.map((state) => finishedSince(backend, queue, state, since)),
  );
  return {
    completed: completed.jobs.length,
    failed: failed.jobs.length,
    capped: completed.capped || failed.capped,
  };
}
