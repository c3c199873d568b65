/**
 * One timer for many lease keepers. A queue worker keeps a lease for every job it runs,
 * thousands a second, and most jobs end long before their first renewal: a timer made and
 * cleared for each was the largest part of a keeper's cost per job.
 *
 * @module
 */

/**
 * Calls each callback set on it at its own instant (`performance.now()` clock), all on one
 * timer armed for the earliest. Setting and clearing cost no timer unless the callback is due
 * before every other; a timer that comes up for a callback cleared since finds nothing due and
 * is armed again for the earliest left. With none left no timer is, so it keeps no process
 * alive.
 *
 * @example
 * ```ts
 * import { LeaseTimer } from "./lease_timer.ts";
 * const timer = new LeaseTimer();
 * const renew = () => console.log("renew now");
 * timer.set(renew, performance.now() + 10_000);
 * timer.clear(renew); // no timer is left behind
 * ```
 */
export class LeaseTimer {
  /** Each callback's instant. */
  readonly #due = new Map<() => void, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The instant the timer is armed for (Infinity when it is not). */
  #armedAt = Infinity;

  /** Calls `fire` once at `at`, unless it is set again (then at the new instant) or cleared. */
  set(fire: () => void, at: number): void {
    this.#due.set(fire, at);
    if (at < this.#armedAt) this.#arm(at);
  }

  /** Takes `fire` off; the timer stops once nothing is left on it. */
  clear(fire: () => void): void {
    if (!this.#due.delete(fire) || this.#due.size > 0) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedAt = Infinity;
  }

  #arm(at: number): void {
    clearTimeout(this.#timer);
    this.#armedAt = at;
    // Not below 0: Deno's timers warn on stderr of a negative delay (an instant already past).
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, at - performance.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    const now = performance.now();
    const due: (() => void)[] = [];
    let next = Infinity;
    for (const [fire, at] of this.#due) {
      if (at <= now) due.push(fire);
      else next = Math.min(next, at);
    }
    for (const fire of due) this.#due.delete(fire);
    if (next < Infinity) this.#arm(next);
    // Called last: a callback may set itself (or another) again.
    for (const fire of due) fire();
  }
}
