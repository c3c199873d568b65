/**
 * A worker's calls to one queue. The runs that end while a call is in flight are recorded
 * together by the next call, which also takes jobs for the slots the worker has free: a busy
 * worker makes one backend step for many jobs (BullMQ's worker makes one per job), and an idle
 * one answers a single run's end at once (no timer gathers a batch).
 *
 * @module
 */

import { isUnrecoverable } from "../errors.ts";
import { sleep } from "../time.ts";
import type { Attempt, Finish, FinishedAndClaimed, QueueSteps } from "./steps.ts";

/** After a backend error a lane tries again this much later. */
export const ERROR_RETRY_MS = 1_000;

/** What a {@link QueueLane} works with. */
export interface LaneOptions {
  steps: QueueSteps;
  queue: string;
  worker: string;
  /** The lease of the jobs it takes; also how long it tries to record a run's end. */
  leaseMs: number;
  /** How many jobs the next call takes; `asked` when {@link QueueLane.take} asked for jobs. */
  claims(asked: boolean): number;
  /**
   * Starts what a call took, before the next call is sent (so a job coord cannot read is
   * failed once, not handed to each call). `sentAt` (`performance.now()`) is when the jobs'
   * leases began; `claims` is how many jobs the call asked for.
   */
  taken(result: FinishedAndClaimed, sentAt: number, claims: number): Promise<void>;
  /**
   * A call sent at `sentAt` (`performance.now()`) failed: the ends it carried are tried again
   * {@link ERROR_RETRY_MS} later, and the jobs it asked for are the asker's to ask again.
   */
  onError(error: unknown, sentAt: number): void;
  /** A call was answered (after a failure: the backend is back). */
  onAnswered(): void;
  /**
   * Whether the ends a failed call carried fail at once with `error`, not tried again: no retry
   * would record them (besides a closed or damaged backend, which answers none). Default: none.
   */
  final?(error: unknown): boolean;
  /** The ids of the jobs of this queue the worker runs (see `FinishAndClaim.holding`). */
  holding(): string[];
}

/** What {@link QueueLane.take} got, and how many jobs its call asked for. */
export type Took = FinishedAndClaimed & { claims: number };

interface Ending {
  end: Attempt & Finish;
  onRecorded?: (recorded: boolean) => void;
  /** When the backend has stayed away for a whole lease, its job is another worker's. */
  deadline: number;
  recorded: PromiseWithResolvers<boolean>;
}

/**
 * One queue's finishes and claims for a worker, sent one call at a time.
 *
 * @example
 * ```ts ignore
 * const lane = new QueueLane({ steps: backend.queue, queue: "q", worker: "w", leaseMs: 30_000,
 *   claims: () => freeSlots(), taken: async (r, sentAt) => r.jobs.forEach(start),
 *   onError: console.error, onAnswered: () => {}, holding: () => runningIds() });
 * const { jobs } = await lane.take();
 * const recorded = await lane.finish({ id, worker: "w", attempt: 1, outcome: "completed",
 *   result: 42 });
 * ```
 */
export class QueueLane {
  readonly #options: LaneOptions;
  #ends: Ending[] = [];
  #askers: { took: PromiseWithResolvers<Took>; limit: number }[] = [];
  /** Resolved when the call in flight has ended; undefined when none is. */
  #sending?: PromiseWithResolvers<void>;
  #claiming = 0;
  /**
   * A call that asked for jobs failed: the backend may have taken them for the worker and lost
   * its answer. The next call says which jobs the worker runs, and the others go back.
   */
  #unsure = false;

  constructor(options: LaneOptions) {
    this.#options = options;
  }

  /** Jobs the call in flight asked for: slots that are not free while it runs. */
  get claiming(): number {
    return this.#claiming;
  }

  /** The end of the call in flight (at once when none is): its claims are settled then. */
  idle(): Promise<void> {
    return this.#sending?.promise ?? Promise.resolve();
  }

  /**
   * Records a run's end, with others that end meanwhile; retries a failing backend up to a
   * lease. `onRecorded` is called as the answer comes, before the jobs the same call took are
   * started (the promise settles only after): what is said of a run's end then comes before
   * what is said of the start of the job that took its slot.
   *
   * @returns whether the attempt was still the worker's (its outcome is stored).
   * @throws the backend's error once it stayed away for a whole lease.
   */
  finish(end: Attempt & Finish, onRecorded?: (recorded: boolean) => void): Promise<boolean> {
    const recorded = Promise.withResolvers<boolean>();
    const deadline = performance.now() + this.#options.leaseMs;
    this.#ends.push({ end, onRecorded, deadline, recorded });
    this.#send();
    return recorded.promise;
  }

  /**
   * Takes jobs for the free slots, at most `limit` (in the next call, with any ends waiting).
   *
   * @throws the backend's error: the caller decides when to ask again.
   */
  take(limit = Infinity): Promise<Took> {
    const took = Promise.withResolvers<Took>();
    this.#askers.push({ took, limit });
    this.#send();
    return took.promise;
  }

  /**
   * Before the worker stops: if a call that took jobs lost its answer and none has been answered
   * since, one last call hands back what it took (no later call would, and the jobs would wait
   * out their leases and count a stall). Best effort: the backend may still be away.
   */
  async settle(): Promise<void> {
    await this.idle();
    if (!this.#unsure) return;
    const { steps, queue, worker, leaseMs } = this.#options;
    try {
      await steps.finishAndClaim(queue, {
        finishes: [],
        worker,
        leaseMs,
        claims: 0,
        holding: this.#options.holding(),
      });
      this.#unsure = false;
    } catch {
      // Away still: the leases run out, as before.
    }
  }

  async #send(): Promise<void> {
    if (this.#sending) return;
    this.#sending = Promise.withResolvers();
    const { steps, queue, worker, leaseMs } = this.#options;
    try {
      while (this.#ends.length > 0 || this.#askers.length > 0) {
        const ends = this.#ends.splice(0);
        const askers = this.#askers.splice(0);
        // A call that only records ends takes what `claims` allows.
        const limit = askers.length === 0 ? Infinity : Math.max(...askers.map((a) => a.limit));
        const claims = Math.min(this.#options.claims(askers.length > 0), limit);
        this.#claiming = claims;
        const sentAt = performance.now();
        const unsure = this.#unsure;
        let result: FinishedAndClaimed;
        try {
          result = await steps.finishAndClaim(queue, {
            finishes: ends.map((e) => e.end),
            worker,
            leaseMs,
            claims,
            ...(unsure && { holding: this.#options.holding() }),
          });
        } catch (error) {
          if (claims > 0) this.#unsure = true;
          this.#claiming = 0;
          this.#options.onError(error, sentAt);
          for (const asker of askers) asker.took.reject(error);
          // A closed or damaged backend answers no retry: every end waiting fails now.
          const final = isUnrecoverable(error) || this.#options.final?.(error);
          const now = final ? Infinity : performance.now();
          const late = ends.filter((e) => now > e.deadline);
          for (const e of late) e.recorded.reject(error);
          const again = ends.filter((e) => now <= e.deadline);
          if (again.length > 0) {
            this.#ends.unshift(...again);
            await sleep(ERROR_RETRY_MS);
          }
          continue;
        }
        if (unsure) this.#unsure = false;
        this.#options.onAnswered();
        ends.forEach((e, i) => {
          // A callback that throws must not stop the call's bookkeeping: the jobs it took
          // would wait out their leases unstarted, and its other ends never settle.
          try {
            e.onRecorded?.(result.recorded[i]);
          } catch {
            // The caller's own problem; the end is recorded all the same.
          }
          e.recorded.resolve(result.recorded[i]);
        });
        // The jobs taken hold their slots from here: `taken` starts them before it awaits.
        this.#claiming = 0;
        await this.#options.taken(result, sentAt, claims);
        for (const asker of askers) asker.took.resolve({ ...result, claims });
      }
    } finally {
      this.#sending.resolve();
      this.#sending = undefined;
    }
  }
}
