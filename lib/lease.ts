/**
 * The lease keeper: keeps alive what a process holds for a while (a granted lock, a running
 * tick) and tells when it is lost. One rule for every primitive that holds something:
 *
 * - it renews every third of the lease, counted from the last renewal that was answered; a
 *   renewal that fails (an outage) or is not answered within a third is tried again soon;
 * - the lease is lost when **two thirds** of a lease have passed since the last renewal that
 *   was answered was *sent* (the claim counts as the first), whether later renewals failed,
 *   were refused or never answered — or at once when a renewal finds another holder.
 *
 * A backend measures a lease from when it handles the claim or renewal, which is after it was
 * sent, so it hands the thing on a whole lease after that renewal at the earliest. The holder
 * gives up a third of a lease before: that last third is the holder's to stop its work (a
 * command gets SIGTERM, then SIGKILL after the grace), so two holders never run at once.
 *
 * @module
 */

import { within } from "./outage.ts";
import { sleep } from "./time.ts";

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
  /** When the claim (or the last answered renewal) was sent (`performance.now()`). */
  heldSince: number;
  /** Extends the lease in the backend; a throw (an outage) is tried again soon. */
  renew(): Promise<Renewal>;
  /** The reason the keeper's signal aborts with when the lease is lost. */
  lostReason(): Error;
}

/**
 * How long a holder that lost its lease may take to stop its work (SIGTERM to SIGKILL): half
 * the last third of the lease, the other half left for timers that fire late on a busy host.
 *
 * @example
 * ```ts
 * import { stopWithinMs } from "./lease.ts";
 * stopWithinMs(1_500); // 250
 * ```
 */
export function stopWithinMs(leaseMs: number): number {
  return leaseMs / 6;
}

/** The longest pause before a failed renewal is tried again (several fit in a third). */
const RETRY_MAX_MS = 250;

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
 *   await keeper.stop();
 * }
 * ```
 */
export class LeaseKeeper implements Disposable {
  readonly #options: LeaseKeeperOptions;
  readonly #lost = new AbortController();
  readonly #stop = new AbortController();
  readonly #inFlight = new Set<Promise<unknown>>();
  #expiry: ReturnType<typeof setTimeout> | undefined;
  #answeredSentAt: number;

  /** Starts renewing: the first renewal goes a third of a lease after `heldSince`. */
  constructor(options: LeaseKeeperOptions) {
    this.#options = options;
    this.#answeredSentAt = options.heldSince;
    this.#armExpiry();
    this.#keep();
  }

  /** Aborts, with the options' `lostReason` (or the reason given to {@link lose}), when lost. */
  get signal(): AbortSignal {
    return this.#lost.signal;
  }

  /** Whether the lease was lost. */
  get lost(): boolean {
    return this.#lost.signal.aborted;
  }

  /** When the holder gives the lease up unless renewed, local clock (`performance.now()`). */
  get deadline(): number {
    return this.#answeredSentAt + (this.#options.leaseMs * 2) / 3;
  }

  /**
   * Renews now (besides every third of the lease): a holder's heartbeat.
   *
   * @throws the loss reason when the lease is lost, or {@link BackendUnavailableError} on an
   * outage or when the backend does not answer within a third of the lease.
   */
  async renew(): Promise<void> {
    if (this.lost) throw this.#lost.signal.reason;
    if (this.#stop.signal.aborted) return;
    const sentAt = performance.now();
    const answer = within(this.#options.leaseMs / 3, this.#options.renew());
    this.#inFlight.add(answer);
    let renewal: Renewal;
    try {
      renewal = await answer;
    } finally {
      this.#inFlight.delete(answer);
    }
    if (renewal === "gone") return void this.stop();
    if (renewal === "lost") {
      this.lose();
      throw this.#lost.signal.reason;
    }
    this.#answeredSentAt = Math.max(this.#answeredSentAt, sentAt);
    this.#armExpiry();
  }

  /** Gives the lease up as lost: stops renewing and aborts the signal with `reason`. */
  lose(reason: Error = this.#options.lostReason()): void {
    if (this.lost) return;
    void this.stop();
    this.#lost.abort(reason);
  }

  /**
   * Stops renewing (the work is done); the lease then runs out in the backend, or the holder
   * releases it. Resolves once no renewal is under way, so a release sent after it is not
   * overtaken by a renewal.
   */
  async stop(): Promise<void> {
    this.#stop.abort();
    clearTimeout(this.#expiry);
    await Promise.allSettled(this.#inFlight);
    clearTimeout(this.#expiry); // a renewal answered meanwhile armed it again
  }

  /** Same as {@link stop}, without waiting for a renewal under way. */
  [Symbol.dispose](): void {
    void this.stop();
  }

  async #keep(): Promise<void> {
    const { leaseMs } = this.#options;
    let failed = false;
    while (!this.#stop.signal.aborted) {
      const dueAt = failed
        ? performance.now() + Math.min(leaseMs / 10, RETRY_MAX_MS)
        : this.#answeredSentAt + leaseMs / 3;
      try {
        await sleep(dueAt - performance.now(), this.#stop.signal);
        await this.renew();
        failed = false;
      } catch {
        if (this.#stop.signal.aborted) return;
        failed = true;
      }
    }
  }

  #armExpiry(): void {
    clearTimeout(this.#expiry);
    // A renewal answered after stop() arms nothing: its timer would keep the process alive.
    if (this.#stop.signal.aborted) return;
    this.#expiry = setTimeout(() => this.lose(), this.deadline - performance.now());
  }
}
