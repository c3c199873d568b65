/**
 * The lease keeper: keeps alive what a process holds for a while (a running tick, a job) and
 * tells when it is lost. One rule for every primitive:
 *
 * - it renews every third of the lease;
 * - the lease is lost when a whole lease has passed since the last renewal that was answered
 *   was *sent* (the claim counts as the first), whether later renewals failed, were refused or
 *   never answered — or at once when a renewal finds another holder.
 *
 * A backend measures a lease from when it handles the claim or renewal, which is after it was
 * sent, so the holder gives up no later than the backend hands the thing on.
 *
 * @module
 */

/** What one renewal found. */
export type Renewal =
  /** The lease was extended. */
  | "held"
  /** Another holder has it now: the lease is lost. */
  | "lost"
  /** Nothing is left to hold (removed meanwhile): keeping ends, and the holder runs on. */
  | "gone";

/** How a {@link LeaseKeeper} renews and what it says when the lease is lost. */
export interface LeaseKeeperOptions {
  /** The lease's length, as the backend was told. */
  leaseMs: number;
  /** When the claim was sent (`performance.now()`): the lease counts from there. */
  heldSince: number;
  /** Extends the lease in the backend; a throw (an outage) is retried at the next third. */
  renew(): Promise<Renewal>;
  /** The reason the keeper's signal aborts with when the lease is lost. */
  lostReason(): Error;
}

/**
 * Keeps a lease alive until stopped, and aborts {@link LeaseKeeper.signal} when it is lost.
 *
 * @example
 * ```ts
 * import { LeaseKeeper } from "./lease.ts";
 * const keeper = new LeaseKeeper({
 *   leaseMs: 30_000,
 *   heldSince: performance.now(),
 *   renew: () => Promise.resolve("held"),
 *   lostReason: () => new Error("lost the lease"),
 * });
 * try {
 *   // …work, watching keeper.signal…
 * } finally {
 *   keeper.stop();
 * }
 * ```
 */
export class LeaseKeeper implements Disposable {
  readonly #options: LeaseKeeperOptions;
  readonly #lost = new AbortController();
  readonly #renewals: ReturnType<typeof setInterval>;
  #expiry: ReturnType<typeof setTimeout> | undefined;
  #deadline: number;
  #stopped = false;

  /** Starts renewing: the first renewal goes a third of a lease after `heldSince`. */
  constructor(options: LeaseKeeperOptions) {
    this.#options = options;
    this.#deadline = options.heldSince + options.leaseMs;
    this.#armExpiry();
    this.#renewals = setInterval(() => this.renew().catch(() => {}), options.leaseMs / 3);
  }

  /** Aborts, with the options' `lostReason` (or the reason given to {@link lose}), when lost. */
  get signal(): AbortSignal {
    return this.#lost.signal;
  }

  /** Whether the lease was lost. */
  get lost(): boolean {
    return this.#lost.signal.aborted;
  }

  /** When the lease runs out unless renewed, local clock (`performance.now()`). */
  get deadline(): number {
    return this.#deadline;
  }

  /**
   * Renews now (besides every third of the lease): a holder's heartbeat.
   *
   * @throws the loss reason when the lease is lost, or the backend's error on an outage.
   */
  async renew(): Promise<void> {
    if (this.lost) throw this.#lost.signal.reason;
    if (this.#stopped) return;
    const sentAt = performance.now();
    const renewal = await this.#options.renew();
    if (renewal === "gone") return this.stop();
    if (renewal === "lost") {
      this.lose();
      throw this.#lost.signal.reason;
    }
    this.#deadline = Math.max(this.#deadline, sentAt + this.#options.leaseMs);
    this.#armExpiry();
  }

  /** Gives the lease up as lost: stops renewing and aborts the signal with `reason`. */
  lose(reason: Error = this.#options.lostReason()): void {
    if (this.lost) return;
    this.stop();
    this.#lost.abort(reason);
  }

  /** Stops renewing (the work is done); the lease then runs out in the backend. */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#renewals);
    clearTimeout(this.#expiry);
  }

  /** Same as {@link stop}. */
  [Symbol.dispose](): void {
    this.stop();
  }

  #armExpiry(): void {
    clearTimeout(this.#expiry);
    // A renewal answered after stop() arms nothing: its timer would keep the process alive.
    if (this.#stopped) return;
    this.#expiry = setTimeout(() => this.lose(), this.#deadline - performance.now());
  }
}
