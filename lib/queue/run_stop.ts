/**
 * A running job's stop (its timeout, a cancel, a lost lease, the worker's stop by force): the
 * first reason wins, as an `AbortController`'s. A worker runs thousands of jobs a second and
 * most are never stopped nor look at their signal: the controller, its signal and the listeners
 * a race on it takes were a large part of a run's cost, so the signal is made only when asked
 * for, and a race listens by a callback.
 *
 * @module
 */

/**
 * One run's stop.
 *
 * @example
 * ```ts
 * import { RunStop } from "./run_stop.ts";
 * const stop = new RunStop();
 * const run = stop.race(new Promise((resolve) => setTimeout(resolve, 1_000, "done")));
 * stop.stop(new Error("timed out"));
 * await run.catch((e) => e.message); // "timed out"
 * ```
 */
export class RunStop {
  #stopped = false;
  #ended = false;
  #reason: unknown;
  #controller: AbortController | undefined;
  /** The race under way's rejection. */
  #onStop: ((reason: unknown) => void) | undefined;

  /** Whether the run was stopped. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Why it was stopped (undefined while it was not). */
  get reason(): unknown {
    return this.#reason;
  }

  /** Aborts with the reason when the run is stopped (made at the first ask). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#stopped) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /**
   * Stops the run with `reason`, unless it was stopped already or has ended.
   *
   * @returns whether the run had not ended (also when it was stopped before, and runs on).
   */
  stop(reason: unknown): boolean {
    if (this.#ended) return false;
    if (this.#stopped) return true;
    this.#stopped = true;
    this.#reason = reason;
    this.#onStop?.(reason);
    this.#controller?.abort(reason);
    return true;
  }

  /**
   * The run ended: a stop after it (a worker's stop by force while its end is recorded) leaves
   * the signal a handler kept as it was.
   */
  end(): void {
    this.#ended = true;
  }

  /**
   * Settles as `work` does, or rejects with the reason once the run is stopped (at once if it
   * was), whichever comes first. One race at a time.
   */
  race<T>(work: Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      if (this.#stopped) return reject(this.#reason);
      this.#onStop = reject;
      work.then(resolve, reject);
    });
  }
}
