/**
 * The lease keeper: keeps alive what a process holds for a while (a granted lock, a running
 * tick) and tells when it is lost. One rule for every primitive that holds something:
 *
 * - it renews every third of the lease, counted from the last renewal that was answered; a
 *   renewal that fails (an outage) or is not answered within a third is tried again soon;
 * - the lease is lost when **two thirds** of a lease have passed since the last renewal that
 *   was answered was *sent* (the claim counts as the first), whether later renewals failed,
 *   were refused or never answered — or at once when a renewal finds another holder, or fails
 *   with an error no retry gets past (`isUnrecoverable`: a closed backend, a script of coord's
 *   that does not compile), which is then the loss's reason.
 *
 * A backend measures a lease from when it handles the claim or renewal, which is after it was
 * sent, so it hands the thing on a whole lease after that renewal at the earliest. The holder
 * gives up a third of a lease before: that last third is the holder's to stop its work (a
 * command gets SIGTERM, then SIGKILL after the grace), so two holders never run at once.
 *
 * @module
 */

import { within } from "./outage.ts";
import { isUnrecoverable } from "./errors.ts";
import { LeaseTimer } from "./lease_timer.ts";

/**
 * The shortest lease a holder keeps renewed (a lock's `--expire`, a task's `lease`, a queue
 * worker's `--lease`): renewed every third of it, a shorter one would renew in a busy loop, and
 * a renewal's round trip could take most of a third.
 */
export const MIN_LEASE_MS = 300;

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
  /**
   * Extends the lease in the backend; a throw (an outage) is tried again soon, one no retry
   * gets past (`isUnrecoverable`) loses the lease with it as the reason.
   */
  renew(): Promise<Renewal>;
  /** The reason the keeper's signal aborts with when the lease is lost. */
  lostReason(): Error;
  /**
   * Called with the reason when the lease is lost, before {@link LeaseKeeper.signal} aborts: a
   * holder that stops its work this way needs no signal (a keeper makes one only when asked).
   */
  onLost?(reason: Error): void;
  /**
   * The timer to time renewals and the loss on, shared by many keepers (a queue worker's, one
   * for all its jobs); default one of the keeper's own.
   */
  timer?: LeaseTimer;
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
  /** Why the lease was lost; undefined while it is not. */
  #lostReason: Error | undefined;
  /**
   * Made only when {@link signal} is asked for: a queue worker makes a keeper per job,
   * thousands a second, and hears of a loss by `onLost`.
   */
  #lost: AbortController | undefined;
  /** Renewals under way, made at the first. */
  #inFlight: Set<Promise<unknown>> | undefined;
  /**
   * The keeper's place on its timer, for whichever is due first: its next renewal or the loss.
   * No abort signal of its own stops it: abort reasons (a DOMException each) were a large part
   * of a queue worker's cost per job.
   */
  readonly #timer: LeaseTimer;
  readonly #onTime = () => this.#lossNext ? this.lose() : void this.#renewOnTime();
  /** Whether the keeper's place on its timer is the loss (else the next renewal). */
  #lossNext = false;
  #stopped = false;
  /** Whether the keeper's own renewal is under way (then only the loss is timed). */
  #renewing = false;
  /** After a failed renewal: when it is tried again, sooner than a third of a lease. */
  #retryAt: number | undefined;
  #answeredSentAt: number;

  /** Starts renewing: the first renewal goes a third of a lease after `heldSince`. */
  constructor(options: LeaseKeeperOptions) {
    this.#options = options;
    this.#answeredSentAt = options.heldSince;
    this.#timer = options.timer ?? new LeaseTimer();
    this.#arm();
  }

  /** Aborts, with the options' `lostReason` (or the reason given to {@link lose}), when lost. */
  get signal(): AbortSignal {
    if (this.#lost === undefined) {
      this.#lost = new AbortController();
      if (this.#lostReason !== undefined) this.#lost.abort(this.#lostReason);
    }
    return this.#lost.signal;
  }

  /** Whether the lease was lost. */
  get lost(): boolean {
    return this.#lostReason !== undefined;
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
    if (this.#lostReason !== undefined) throw this.#lostReason;
    if (this.#stopped) return;
    const sentAt = performance.now();
    const answer = within(this.#options.leaseMs / 3, this.#options.renew());
    (this.#inFlight ??= new Set()).add(answer);
    let renewal: Renewal;
    try {
      renewal = await answer;
    } finally {
      this.#inFlight.delete(answer);
    }
    if (renewal === "gone") return void this.stop();
    if (renewal === "lost") {
      this.lose();
      throw this.#lostReason;
    }
    this.#answeredSentAt = Math.max(this.#answeredSentAt, sentAt);
    this.#retryAt = undefined;
    this.#arm();
  }

  /** Gives the lease up as lost: stops renewing and aborts the signal with `reason`. */
  lose(reason: Error = this.#options.lostReason()): void {
    if (this.#lostReason !== undefined) return;
    void this.stop();
    this.#lostReason = reason;
    try {
      this.#options.onLost?.(reason);
    } finally {
      // The signal aborts whatever the holder's own callback did.
      this.#lost?.abort(reason);
    }
  }

  /**
   * Stops renewing (the work is done); the lease then runs out in the backend, or the holder
   * releases it. Resolves once no renewal is under way, so a release sent after it is not
   * overtaken by a renewal.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer.clear(this.#onTime);
    if (this.#inFlight?.size) await Promise.allSettled(this.#inFlight);
  }

  /** Same as {@link stop}, without waiting for a renewal under way. */
  [Symbol.dispose](): void {
    void this.stop();
  }

  /** Times the next renewal, or the loss when it comes first or a renewal is under way. */
  #arm(): void {
    // Once stopped nothing is timed: a timer would keep the process alive.
    if (this.#stopped) return this.#timer.clear(this.#onTime);
    const renewAt = this.#renewing
      ? Infinity
      : this.#retryAt ?? this.#answeredSentAt + this.#options.leaseMs / 3;
    this.#lossNext = this.deadline <= renewAt;
    this.#timer.set(this.#onTime, Math.min(renewAt, this.deadline));
  }

  async #renewOnTime(): Promise<void> {
    this.#renewing = true;
    this.#arm();
    try {
      await this.renew();
    } catch (e) {
      // Retried until the deadline, it would be lost then for a reason that hides the cause, and
      // a holder that ends for it (a queue worker) would keep taking leases it cannot keep.
      if (isUnrecoverable(e)) this.lose(e);
      // An outage, or no answer within a third: tried again soon; the deadline stands.
      else this.#retryAt = performance.now() + Math.min(this.#options.leaseMs / 10, RETRY_MAX_MS);
    } finally {
      this.#renewing = false;
    }
    this.#arm();
  }
}
