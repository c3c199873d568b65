/**
 * Riding out a short backend outage while a primitive waits: a Redis restart or failover
 * should cost a waiter latency, not its place.
 *
 * @module
 */

import { BackendUnavailableError, isUnrecoverable } from "./errors.ts";
import { formatDuration } from "./duration.ts";
import { sleep } from "./time.ts";

/**
 * How long past its own deadline a waiter in an outage gives the backend to answer the step that
 * takes it out of line (a lock's ticket given back, a barrier's arrival withdrawn): one that does
 * not answer by then leaves it to lapse with its lease, rather than keep the waiter.
 */
export const GIVE_BACK_GUARD_MS = 1_000;

/**
 * Runs backend steps for a waiter, swallowing {@link BackendUnavailableError} until the
 * backend has been unavailable for longer than `limitMs` in a row. A backend that answers
 * with a refusal (`BackendRefusedError`, e.g. an ACL denial) is no outage: asking again gets
 * the same answer, so that error is rethrown at once like any other; nor is a SQLite file
 * replaced under the process (`BackendReplacedError`): no retry reaches the new one.
 *
 * The outage is counted from when its first failed step was sent: a server that stopped
 * answering fails a step only at the connect timeout, and what the waiter holds (a lease) was
 * last renewed before that.
 *
 * @example
 * ```ts
 * import { Outage } from "./outage.ts";
 * const outage = new Outage(5_000);
 * const state = await outage.attempt(() => Promise.resolve("waiting")); // "waiting"
 * ```
 */
export class Outage {
  readonly limitMs: number;
  readonly #gaveUp: string | undefined;
  #since: number | undefined;
  #cause: BackendUnavailableError | undefined;

  /**
   * `gaveUp` says what the waiter loses when the outage lasts too long (`lock "r": gave up its
   * place in line`): the error then names it before the outage's cause.
   */
  constructor(limitMs: number, gaveUp?: string) {
    this.limitMs = limitMs;
    this.#gaveUp = gaveUp;
  }

  /** Why the last step failed, while an outage is under way; else undefined. */
  get cause(): BackendUnavailableError | undefined {
    return this.#cause;
  }

  /**
   * The step's result, or `undefined` when the backend is unavailable but not for too long. Once
   * an outage is under way, a step that has not answered by `by` (a `performance.now()` instant:
   * the caller's own deadline) counts as unavailable: a server that stopped answering would hold
   * it for a whole connect timeout. A step of a backend that answers is never cut, however slow
   * (a busy server, a file or row another process holds): cut, it would still be carried out
   * (a ticket taken), and left behind.
   *
   * @throws the step's error when it is not an outage, or when the outage lasts too long.
   */
  async attempt<T>(step: () => Promise<T>, by = Infinity): Promise<T | undefined> {
    const sentAt = performance.now();
    const cutAt = this.#cause === undefined ? Infinity : by;
    try {
      const result =
        await (cutAt === Infinity ? step() : within(Math.max(0, cutAt - sentAt), step()));
      this.#since = this.#cause = undefined;
      return result;
    } catch (error) {
      // A replaced file is no outage to wait out: nothing will answer again.
      if (isUnrecoverable(error) || !(error instanceof BackendUnavailableError)) throw error;
      this.#since ??= sentAt;
      // A step cut short by the deadline says less than the failure before it (which server).
      if (!(error instanceof Unanswered && this.#cause !== undefined)) this.#cause = error;
      if (performance.now() - this.#since <= this.limitMs) return undefined;
      this.#giveUp(this.#cause);
    }
  }

  /**
   * `step`'s result, tried again `pauseMs` apart through an outage (see {@link attempt}), or
   * undefined when none came by `by` (a `performance.now()` instant).
   *
   * @throws as {@link attempt}; and when `signal` aborts a pause.
   */
  async retry<T>(
    step: () => Promise<T>,
    pauseMs: number,
    by = Infinity,
    signal?: AbortSignal,
  ): Promise<T | undefined> {
    for (;;) {
      const result = await this.attempt(step, by);
      if (result !== undefined) return result;
      const leftMs = by - performance.now();
      if (leftMs <= 0) return undefined;
      await sleep(Math.min(pauseMs, leftMs), signal);
    }
  }

  #giveUp(cause: BackendUnavailableError): never {
    if (this.#gaveUp === undefined) throw cause;
    // The time measured, not the limit: the last step may have failed a while after it.
    const outMs = performance.now() - this.#since!;
    throw new BackendUnavailableError(
      `${this.#gaveUp} after ${formatDuration(outMs)} without the backend (${cause.message})`,
      { cause },
    );
  }
}

/** A step that did not answer in time (see {@link within}). */
class Unanswered extends BackendUnavailableError {}

/**
 * Rejects with {@link BackendUnavailableError} when `step` does not answer within `ms`: a
 * blackholed connection is an outage, not a wait without end.
 *
 * @example
 * ```ts
 * import { within } from "./outage.ts";
 * const answer = await within(1_000, Promise.resolve("held")); // "held"
 * ```
 */
export function within<T>(ms: number, step: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Unanswered(`no answer within ${Math.round(ms)} ms`)),
      ms,
    );
  });
  return Promise.race([step, timeout]).finally(() => clearTimeout(timer));
}
