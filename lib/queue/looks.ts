/**
 * What a worker knows of its queues between its calls: which one a call found with nothing
 * more to take, and when each one's next scheduled job starts. A queue found so needs no call
 * until it changes (a put, a retry, a group's room), its next job's start comes, or the worker's
 * periodic look at every queue: an idle worker then makes one call a job, not two (the claim,
 * then a look that finds the nothing the claim already found), and a run's end recorded by a
 * call that also took for the free slots is not followed by a look of its own.
 *
 * @module
 */

import type { FinishedAndClaimed } from "./steps.ts";

/**
 * One worker's knowledge of its queues, on `performance.now()`.
 *
 * @example
 * ```ts
 * import { QueueLooks } from "./looks.ts";
 * const looks = new QueueLooks();
 * const sentAt = performance.now();
 * looks.answered("q", { recorded: [], jobs: [], now: 0 }, 5, sentAt);
 * looks.needed("q"); // false: it had nothing ready, and has not changed since
 * looks.changed("q");
 * looks.needed("q"); // true
 * ```
 */
export class QueueLooks {
  /** When the last call that found a queue with nothing more ready was sent. */
  readonly #foundEmptyAt = new Map<string, number>();
  /** When a change of a queue was last seen. */
  readonly #changedAt = new Map<string, number>();
  /** Each queue's next scheduled start, as the last call that took for it said. */
  readonly #nextReadyAt = new Map<string, number>();

  /**
   * A call sent at `sentAt` that asked for `claims` jobs got `result`. Fewer jobs than asked,
   * none that could not be read and no start already come mean the queue had nothing more
   * ready when the call ran.
   */
  answered(queue: string, result: FinishedAndClaimed, claims: number, sentAt: number): void {
    if (claims === 0) return;
    this.#nextReadyAt.delete(queue);
    const { jobs, undecodable, nextReadyAt: next, now } = result;
    if (jobs.length >= claims || undecodable) {
      this.#foundEmptyAt.delete(queue);
      return;
    }
    // On this process's clock, from the answer: late by its way back at most, never early (a
    // look before the start finds nothing, and costs a call).
    if (next !== undefined) this.#nextReadyAt.set(queue, performance.now() + (next - now));
    // A start already come (due jobs the step left for the next one) wants a call at once.
    if (next !== undefined && next <= now) this.#foundEmptyAt.delete(queue);
    else this.#foundEmptyAt.set(queue, sentAt);
  }

  /** A change of `queue` was seen (a call failed: changes may have been missed). */
  changed(queue: string): void {
    this.#changedAt.set(queue, performance.now());
  }

  /**
   * Whether a call to `queue` may find jobs: no call found it empty since its last change
   * (one sent before the change was seen may have run before it), or its next start came.
   */
  needed(queue: string): boolean {
    const emptyAt = this.#foundEmptyAt.get(queue);
    if (emptyAt === undefined || (this.#changedAt.get(queue) ?? -Infinity) >= emptyAt) return true;
    return (this.#nextReadyAt.get(queue) ?? Infinity) <= performance.now();
  }

  /** Milliseconds until the first of the queues' next scheduled starts (Infinity: none). */
  untilReady(): number {
    return Math.min(...this.#nextReadyAt.values()) - performance.now();
  }
}
