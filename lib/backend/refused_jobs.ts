/**
 * `coord doctor`'s and `coord queue status`'s look at the queue's jobs: those `coord queue show`
 * refuses as foreign (exit 65), found by the very step show runs (`get`), so doctor, status and
 * show never disagree on what is coord's. A job's stored text is coord's only by that step's checks (a Redis script's, a SQL
 * row's types, then `jobRecord`): a copy of them here would drift.
 *
 * @module
 */

import type { ForeignDataError } from "../errors.ts";
import type { QueueSteps } from "../queue/steps.ts";
import { type ForeignEntry, SEARCH_STOPPED } from "./types.ts";

/** Jobs read at most in one doctor or status run, so it stays quick on a big queue. */
export const JOBS_READ = 10_000;
/** Jobs whose gets run together. */
const PAGE = 100;
/** A queue's refused jobs listed, before a line saying how many more. */
const REFUSED_SHOWN = 5;

/** How many of {@link JOBS_READ} are left to one doctor or status run, shared by its queues. */
export class JobBudget {
  /** Jobs that may still be read. */
  left: number;
  /** Whether some job went unread. */
  stopped = false;
  readonly #jobs: number;
  readonly #what: string;

  /** A budget of `jobs` reads in all, of `what` (as its note names them). */
  constructor(jobs = JOBS_READ, what = "jobs") {
    this.#jobs = jobs;
    this.#what = what;
    this.left = jobs;
  }

  /**
   * What `read` finds among `pages` of ids, a page a call, within this budget: the page where
   * it ends is read in part, and none after it.
   *
   * @example
   * ```ts
   * import { JobBudget } from "./refused_jobs.ts";
   * const budget = new JobBudget(3);
   * await budget.read([["1", "2"], ["3", "4"]], (ids) => Promise.resolve(ids)); // ["1", "2", "3"]
   * budget.stopped; // true
   * ```
   */
  async read<T>(
    pages: AsyncIterable<string[]> | Iterable<string[]>,
    read: (ids: string[]) => Promise<T[]>,
  ): Promise<T[]> {
    const found: T[] = [];
    for await (const page of pages) {
      const ids = page.slice(0, this.left);
      this.left -= ids.length;
      if (ids.length < page.length) this.stopped = true;
      found.push(...await read(ids));
      if (this.stopped) break;
    }
    return found;
  }

  /** The note that the search stopped short, when it did. */
  notes(): ForeignEntry[] {
    return this.stopped
      ? [{ where: SEARCH_STOPPED, problem: `stopped reading ${this.#what} after ${this.#jobs}` }]
      : [];
  }
}

/**
 * `problems` found at `where` (a key or table) as doctor lists them: the first
 * {@link REFUSED_SHOWN}, then one entry saying how many more `what` there are.
 *
 * @example
 * ```ts
 * import { shownAt } from "./refused_jobs.ts";
 * shownAt("t", ["a", "b", "c", "d", "e", "f", "g"], "jobs refused").at(-1);
 * // { where: "t", problem: "2 more jobs refused" }
 * ```
 */
export function shownAt(where: string, problems: string[], what: string): ForeignEntry[] {
  const entries = problems.slice(0, REFUSED_SHOWN).map((problem) => ({ where, problem }));
  const more = problems.length - entries.length;
  if (more > 0) entries.push({ where, problem: `${more} more ${what}` });
  return entries;
}

/**
 * The jobs of `queue` (ids a page at a time) that `get` refuses, as entries at `where` (the
 * key or table that holds them): {@link REFUSED_SHOWN}, then how many more.
 */
export async function refusedJobs(
  steps: QueueSteps,
  queue: string,
  where: string,
  pages: AsyncIterable<string[]> | Iterable<string[]>,
  budget: JobBudget,
): Promise<ForeignEntry[]> {
  const refused = (await refusals(steps, queue, pages, budget)).map(({ id, error }) =>
    // Its way out ("— remove it…") is the warning's, once for all.
    `job ${JSON.stringify(id)} is refused: ${error.message.split(" — ")[0]}`
  );
  return shownAt(where, refused, "jobs refused");
}

/**
 * The jobs of `queue` among `pages` of ids that `get` refuses (what `coord queue show` exits 65
 * on), each with its refusal, read within `budget`: a page a step (`refused`), get's own checks.
 *
 * @example
 * ```ts
 * import { connect } from "../mod.ts";
 * import { JobBudget, refusals } from "./refused_jobs.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await refusals(backend.queue, "q", [["1", "2"]], new JobBudget()); // []
 * ```
 */
export function refusals(
  steps: QueueSteps,
  queue: string,
  pages: AsyncIterable<string[]> | Iterable<string[]>,
  budget: JobBudget,
): Promise<{ id: string; error: ForeignDataError }[]> {
  return budget.read(pages, (ids) => steps.refused(queue, ids));
}

/**
 * The ids of every job of `queue`, a page at a time, as its backend's `jobIds` step pages them.
 *
 * @example
 * ```ts
 * import { connect } from "../mod.ts";
 * import { jobIdPages } from "./refused_jobs.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * for await (const ids of jobIdPages(backend.queue, "q")) console.log(ids); // []
 * ```
 */
export async function* jobIdPages(steps: QueueSteps, queue: string): AsyncIterable<string[]> {
  let after: string | undefined;
  do {
    const page = await steps.jobIds(queue, { after, limit: PAGE });
    yield page.ids;
    after = page.after;
  } while (after !== undefined);
}

/**
 * {@link refusedJobs} of each queue among `rows` (a SQL backend's jobs of the namespace, in
 * queue order, at most one more than {@link JOBS_READ}), at `where` (its table).
 */
export async function refusedJobsAmong(
  steps: QueueSteps,
  where: string,
  rows: { queue: string; id: string }[],
  budget: JobBudget,
): Promise<ForeignEntry[]> {
  const byQueue = Map.groupBy(rows, (row) => row.queue);
  const found: ForeignEntry[] = [];
  for (const [queue, jobs] of byQueue) {
    const ids = jobs.map((job) => job.id);
    const pages = Array.from(
      { length: Math.ceil(ids.length / PAGE) },
      (_, i) => ids.slice(i * PAGE, (i + 1) * PAGE),
    );
    found.push(...await refusedJobs(steps, queue, where, pages, budget));
  }
  return found;
}
