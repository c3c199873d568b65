/**
 * How a long-running service (a scheduler, a queue worker) stops, the same way for each:
 *
 * 1. stop: it takes no new work (its caller's `signal` aborted);
 * 2. grace: running work gets the grace period to end on its own;
 * 3. force: when the grace period ends, or the caller's `force` signal aborts first, the
 *    {@link Shutdown.forced} signal aborts, and running work is told to stop;
 * 4. settle: work that was stopped by force gets a short while to end; work that ignores its
 *    signal is then left behind (counted as cut short), so the service still ends.
 *
 * @module
 */

import { abortion, sleep } from "./time.ts";

/** How long work stopped by force gets to end before it is left behind. */
export const SETTLE_MS = 2_000;

/**
 * One service's stop after the first step: the grace period, the forced stop and settling.
 *
 * @example
 * ```ts
 * import { Shutdown } from "./service.ts";
 * const running = new Set<Promise<void>>();
 * using shutdown = new Shutdown({ force: AbortSignal.timeout(60_000) });
 * // …start work watching shutdown.forced, until a stop is asked for…
 * if (await shutdown.drain(Promise.all(running), 30_000)) {
 *   // cut short: running work's signals abort now
 *   await shutdown.settle(Promise.all(running));
 * }
 * ```
 */
export class Shutdown implements Disposable {
  readonly #forced = new AbortController();
  readonly #force: AbortSignal | undefined;
  readonly #onForce = () => this.#forced.abort(this.#force?.reason);
  /** The grace period's timer: it runs on past the running work, to bound what follows. */
  #grace: ReturnType<typeof setTimeout> | undefined;

  /** Starts following `force`, the caller's "stop now" (a second signal). */
  constructor({ force }: { force?: AbortSignal } = {}) {
    this.#force = force;
    if (force?.aborted) this.#onForce();
    else force?.addEventListener("abort", this.#onForce, { once: true });
  }

  /**
   * Aborts when running work must stop now: the caller's `force` aborted (with its reason),
   * or the grace period of {@link drain} ended.
   */
  get forced(): AbortSignal {
    return this.#forced.signal;
  }

  /** Stops running work now, with `reason`: the service cannot go on (its backend closed). */
  force(reason: unknown): void {
    this.#forced.abort(reason);
  }

  /**
   * Waits for `work` (the service's running work, after it stopped taking more) for up to
   * `graceMs`, then aborts {@link forced}. The grace period covers what the service does after
   * its work too (a fixture's cleanup), until it is disposed of.
   *
   * @returns whether the stop was forced before `work` ended: running work is cut short.
   */
  async drain(work: Promise<unknown>, graceMs: number): Promise<boolean> {
    this.#grace ??= setTimeout(
      () => this.#forced.abort(new Error("the grace period is over")),
      graceMs,
    );
    await Promise.race([work, abortion(this.#forced.signal)]);
    return this.#forced.signal.aborted;
  }

  /**
   * Waits for `work`, but no longer than {@link SETTLE_MS} once the stop is forced, also when it
   * is forced while this waits (a second signal during a fixture's cleanup).
   *
   * @returns whether `work` ended; false when it was left behind.
   */
  async settle(work: Promise<unknown>): Promise<boolean> {
    const ended = Symbol("ended");
    const done = work.then(() => ended);
    if (!this.#forced.signal.aborted) {
      if (await Promise.race([done, abortion(this.#forced.signal)]) === ended) return true;
    }
    const timer = new AbortController();
    const first = await Promise.race([done, sleep(SETTLE_MS, timer.signal).catch(() => {})]);
    timer.abort();
    return first === ended;
  }

  /** Stops following the caller's `force`, and ends the grace period's timer. */
  [Symbol.dispose](): void {
    this.#force?.removeEventListener("abort", this.#onForce);
    clearTimeout(this.#grace);
  }
}
