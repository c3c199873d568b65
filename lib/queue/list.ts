/**
 * Listing a queue's jobs by state, a page at a time, with a cursor that stays valid while jobs
 * come and go (BullMQ's getJobs pages by offset, which repeats or skips jobs when the list moves
 * under it).
 *
 * @module
 */

import type { Backend } from "../backend/types.ts";
import { UsageError } from "../errors.ts";
import { checkCount } from "./limits.ts";
import { checkQueueName } from "./queue.ts";
import type { JobRecord, ListCursor, ListState } from "./steps.ts";

/** Every state `list` takes, in the order it lists them when given none. */
export const LIST_STATES: readonly ListState[] = [
  "active",
  "pending",
  "scheduled",
  "waiting",
  "failed",
  "cancelled",
  "completed",
];

/**
 * Whether `job` is stalled at `now` (backend clock): active, but its lease ran out, so no worker
 * holds it (its worker died) until a worker takes it again. Its state stays `active`.
 *
 * @example
 * ```ts
 * import { isStalled } from "./list.ts";
 * isStalled({ state: "active", leaseUntil: 1_000 }, 2_000); // true
 * ```
 */
export function isStalled(job: Pick<JobRecord, "state" | "leaseUntil">, now: number): boolean {
  return job.state === "active" && job.leaseUntil !== undefined && job.leaseUntil < now;
}

/** Jobs a page holds when not told. */
export const DEFAULT_LIST_LIMIT = 100;
/** The most jobs one page may hold. */
export const MAX_LIST_LIMIT = 10_000;

/** Options of {@link listJobs}. */
export interface ListOptions {
  /** States to list, one after another; default {@link LIST_STATES}. */
  states?: readonly ListState[];
  /** Jobs in this page; default {@link DEFAULT_LIST_LIMIT}. */
  limit?: number;
  /** Where to go on from: the `next` of the page before. */
  after?: string;
}

/** One page of {@link listJobs}. */
export interface JobPage {
  /** The jobs, each with the state it was listed under ("scheduled": pending, not yet due). */
  jobs: { job: JobRecord; listedAs: ListState }[];
  /** The cursor of the next page; absent on the last. */
  next?: string;
}

/**
 * A page of a queue's jobs: finished ones (a flow counts as its top group) newest first,
 * others by when they may start (a worker takes a higher priority first). A page costs
 * O(log N + limit), however many jobs there are.
 *
 * @throws {UsageError} on an unknown state, a bad limit or a cursor `list` did not hand out.
 * @example
 * ```ts
 * import { connect, listJobs, putJob } from "../mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await putJob(backend, "q", { handler: "h" });
 * (await listJobs(backend, "q", { states: ["pending"] })).jobs.length; // 1
 * ```
 */
export async function listJobs(
  backend: Backend,
  queue: string,
  { states: given = LIST_STATES, limit = DEFAULT_LIST_LIMIT, after }: ListOptions = {},
): Promise<JobPage> {
  checkQueueName(queue);
  // A state named twice (`--state failed,failed`) is listed once: listed again, each of its
  // jobs came twice, and a cursor of it, which names the state and not its place, led from the
  // second back to the first, so following `next` never ended.
  const states = [...new Set(given)];
  for (const state of states) {
    if (!LIST_STATES.includes(state)) {
      throw new UsageError(
        `no job state ${JSON.stringify(state)} — give ${LIST_STATES.join(", ")}`,
      );
    }
  }
  checkCount({ name: "limit", unit: "ms" }, limit, 1, MAX_LIST_LIMIT);
  let at = after === undefined ? { index: 0 } : readCursor(after, states);
  const jobs: JobPage["jobs"] = [];
  while (at.index < states.length) {
    const state = states[at.index];
    const page = await backend.queue.listJobs(queue, {
      state,
      ...(at.cursor !== undefined && { after: at.cursor }),
      limit: limit - jobs.length,
    });
    jobs.push(...page.map(({ job }) => ({ job, listedAs: state })));
    if (jobs.length === limit) {
      const last = page.at(-1)!.cursor;
      return { jobs, next: writeCursor(state, last) };
    }
    at = { index: at.index + 1 };
  }
  return { jobs };
}

function writeCursor(state: ListState, { score, id }: ListCursor): string {
  const bytes = new TextEncoder().encode(JSON.stringify([state, score, id]));
  return btoa(String.fromCharCode(...bytes)).replaceAll("=", "");
}

function readCursor(
  text: string,
  states: readonly ListState[],
): { index: number; cursor?: ListCursor } {
  let parsed: unknown;
  try {
    const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    // reported below
  }
  if (Array.isArray(parsed) && parsed.length === 3) {
    const [state, score, id] = parsed;
    const index = states.indexOf(state);
    // A score is a time in ms (a lease's on Redis may hold a fraction), an id has no NUL: a
    // crafted cursor otherwise reached the backend, which failed on it.
    if (
      index >= 0 && Number.isFinite(score) && Math.abs(score) <= Number.MAX_SAFE_INTEGER &&
      typeof id === "string" && !id.includes("\0")
    ) {
      return { index, cursor: { score, id } };
    }
  }
  throw new UsageError(
    `--after ${JSON.stringify(text)} is not a cursor of this list — give the "next" a page ` +
      `of the same --state printed`,
  );
}
