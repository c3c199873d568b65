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
  readonly #inFlight = new Set<Promise<unknown>>();
  /**
   * The keeper's one timer, for whichever is due first: its next renewal or the loss. One per
   * keeper, and no abort signal of its own to stop it: a queue worker makes a keeper per job,
   * thousands a second, and timers and abort reasons (a DOMException each) were most of its
   * cost per job.
   */
  #timer: ReturnType<typeof setTimeout> | undefined;
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
    this.#arm();
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
    if (this.#stopped) return;
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
    this.#retryAt = undefined;
    this.#arm();
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
    this.#stopped = true;
    clearTimeout(this.#timer);
    await Promise.allSettled(this.#inFlight);
  }

  /** Same as {@link stop}, without waiting for a renewal under way. */
  [Symbol.dispose](): void {
    void this.stop();
  }

  /** Times the next renewal, or the loss when it comes first or a renewal is under way. */
  #arm(): void {
    clearTimeout(this.#timer);
    // Once stopped nothing is timed: a timer would keep the process alive.
    if (this.#stopped) return;
    const renewAt = this.#renewing
      ? Infinity
      : this.#retryAt ?? this.#answeredSentAt + this.#options.leaseMs / 3;
    const loss = this.deadline <= renewAt;
    this.#timer = setTimeout(
      () => loss ? this.lose() : void this.#renewOnTime(),
      // Not below 0: Deno's timers warn on stderr of a negative delay (a deadline already past).
      Math.max(0, Math.min(renewAt, this.deadline) - performance.now()),
    );
  }

  async #renewOnTime(): Promise<void> {
    this.#renewing = true;
    this.#arm();
    try {
      await this.renew();
    } catch {
      // An outage, or no answer within a third: tried again soon; the deadline stands.
      this.#retryAt = performance.now() +
        Math.min(this.#options.leaseMs / 10, RETRY_MAX_MS);
    } finally {
      this.#renewing = false;
    }
    this.#arm();
  }
}
