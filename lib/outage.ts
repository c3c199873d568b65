/**
 * Riding out a short backend outage while a primitive waits: a Redis restart or failover
 * should cost a waiter latency, not its place.
 *
 * @module
 */

import { BackendUnavailableError, isUnrecoverable } from "./errors.ts";

/**
 * Runs backend steps for a waiter, swallowing {@link BackendUnavailableError} until the
 * backend has been unavailable for longer than `limitMs` in a row. A backend that answers
 * with a refusal (`BackendRefusedError`, e.g. an ACL denial) is no outage: asking again gets
 * the same answer, so that error is rethrown at once like any other; nor is a SQLite file
 * replaced under the process (`BackendReplacedError`): no retry reaches the new one.
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

  /**
   * `gaveUp` says what the waiter loses when the outage lasts too long (`lock "r": gave up its
   * place in line`): the error then names it before the outage's cause.
   */
  constructor(limitMs: number, gaveUp?: string) {
    this.limitMs = limitMs;
    this.#gaveUp = gaveUp;
  }

  /**
   * The step's result, or `undefined` when the backend is unavailable but not for too long.
   *
   * @throws the step's error when it is not an outage, or when the outage lasts too long.
   */
  async attempt<T>(step: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await step();
      this.#since = undefined;
      return result;
    } catch (error) {
      // A replaced file is no outage to wait out: nothing will answer again.
      if (isUnrecoverable(error) || !(error instanceof BackendUnavailableError)) throw error;
      this.#since ??= performance.now();
      if (performance.now() - this.#since <= this.limitMs) return undefined;
      if (this.#gaveUp === undefined) throw error;
      throw new BackendUnavailableError(
        `${this.#gaveUp} after ${this.limitMs / 1000} s without the backend (${error.message})`,
        { cause: error },
      );
    }
  }
}

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
      () => reject(new BackendUnavailableError(`no answer within ${Math.round(ms)} ms`)),
      ms,
    );
  });
  return Promise.race([step, timeout]).finally(() => clearTimeout(timer));
}
