/**
 * The queue as an object: `queue(backend, name)` puts jobs and flows, works on them, and
 * hands out job handles whose `result()` waits — the shape zc.async and BullMQ users expect.
 *
 * @module
 */

import type { Backend } from "../backend/types.ts";
import { CoordError } from "../errors.ts";
import { type Flow, putFlow } from "./flow.ts";
import {
  checkQueueName,
  getJob,
  parseJobRef,
  putJob,
  type PutOptions,
  waitForJob,
  type WaitOptions,
} from "./queue.ts";
import type { JobRecord, QueueCounts } from "./steps.ts";
import { work, type WorkOptions, type WorkResult } from "./worker.ts";

/** A job ended failed or cancelled; `job` says why. */
export class JobFailedError extends CoordError {
  /** The job as it ended. */
  readonly job: JobRecord;

  /** Names the job and its error; exits 1, as `coord queue wait` does for it. */
  constructor(ref: string, job: JobRecord) {
    super(`job ${ref} ${job.state}: ${job.error ?? ""}`, 1);
    this.job = job;
  }
}

/** One job (or flow) of a queue. */
export interface JobHandle {
  /** `QUEUE/ID`. */
  readonly ref: string;
  /** Whether `put` created it (false: a job with its id was there). */
  readonly created: boolean;
  /** The job as stored now. */
  status(): Promise<JobRecord>;
  /**
   * Waits for the job to finish and returns its result.
   *
   * @throws {JobFailedError} when it failed or was cancelled.
   * @throws {WaitTimeoutError} after `timeoutMs`.
   */
  result(options?: WaitOptions): Promise<unknown>;
}

/** A queue bound to a backend. */
export interface Queue {
  /** The queue's name. */
  readonly name: string;
  /** Puts a job. */
  put(options: PutOptions): Promise<JobHandle>;
  /** Puts a flow of parallel and serial groups; its parts have `priority` (default 0). */
  flow(flow: Flow, options?: { id?: string; priority?: number }): Promise<JobHandle>;
  /**
   * A handle on a job of this queue by its id, or by its reference `NAME/ID` with this queue's
   * name. Job ids may hold "/" (as with `coord queue put --id`), so `job("other/1")` is the job
   * `other/1` of this queue (reference `NAME/other/1`), not job `1` of queue `other`: for a job
   * of another queue, use that queue's handle or `getJob(backend, "other/1")`.
   */
  job(id: string): JobHandle;
  /** Works on this queue; see {@link work}. */
  work(options?: WorkOptions): Promise<WorkResult>;
  /**
   * Runs every job in the queue to the end in this process, with `handlers` (a test helper:
   * put jobs, run, then read their results).
   */
  runUntilEmpty(
    handlers: WorkOptions["handlers"],
    options?: Omit<WorkOptions, "handlers" | "drain">,
  ): Promise<WorkResult>;
  /** Its counts per state and live workers. */
  counts(): Promise<QueueCounts>;
}

/**
 * A queue by name.
 *
 * @example
 * ```ts
 * import { connect, queue } from "../mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * const reports = queue(backend, "reports");
 * const job = await reports.put({ handler: "double", args: 21 });
 * await reports.runUntilEmpty({ double: (n) => (n as number) * 2 });
 * await job.result(); // 42
 * ```
 */
export function queue(backend: Backend, name: string): Queue {
  checkQueueName(name);
  const handle = (ref: string, created = false): JobHandle => ({
    ref,
    created,
    status: () => getJob(backend, ref),
    result: async (options) => {
      const job = await waitForJob(backend, ref, options);
      if (job.state !== "completed") throw new JobFailedError(ref, job);
      return job.result;
    },
  });
  return {
    name,
    put: async (options) => {
      const { ref, created } = await putJob(backend, name, options);
      return handle(ref, created);
    },
    flow: async (flow, options) => {
      const { ref, created } = await putFlow(backend, name, flow, options);
      return handle(ref, created);
    },
    job: (id) => handle(id.includes("/") && parseJobRef(id).queue === name ? id : `${name}/${id}`),
    work: (options) => work(backend, [name], options),
    runUntilEmpty: (handlers, options) =>
      work(backend, [name], { ...options, handlers, drain: true }),
    counts: () => backend.queue.counts(name),
  };
}
