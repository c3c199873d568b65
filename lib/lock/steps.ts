/**
 * The atomic steps a backend provides for fair locks (turn's ticket dispenser and indicator).
 * Each step is one Lua script on Redis and one transaction on SQLite, and reads time from the
 * backend's clock; waiting, timeouts and signals are in `lock.ts`, keeping a holder's lease in
 * `lib/lease.ts`.
 *
 * A resource has a ticket counter; each user takes the next ticket and keeps a presence lease
 * alive. The first `limit` live tickets hold the lock; the rest wait in ticket order. Every
 * step that may write first drops tickets whose presence expired (a crashed user), then grants
 * the tickets that moved into the first `limit` places; `status` only looks, and shows what
 * that would leave (`settled.ts`). The indicator (whose turn it is: the lowest live
 * ticket) only ever moves forward.
 *
 * Each ticket also carries a fencing token, kept apart from the ticket so that tickets stay
 * small, dense numbers for turn's console while tokens are floored by the backend's clock.
 *
 * @module
 */

/** Who holds or waits for a ticket, for `coord turn status` and `follow`. */
export interface TicketUser {
  /** The ticket: its place in the queue. */
  ticket: number;
  /** Who took it (`--label`). */
  label: string;
  /** When the ticket was taken, backend clock, epoch ms. */
  since: number;
  /** When it was granted, backend clock; undefined while waiting. */
  grantedAt?: number;
}

/** Arguments of {@link LockSteps.enqueue}. */
export interface EnqueueRequest {
  /** Who asks, for `status` and `follow`. */
  label: string;
  /** Holders allowed at once; every user must agree. */
  limit: number;
  /** The presence lease of the new ticket. */
  expireMs: number;
  /**
   * Names this request, so that sending it again (its reply was lost) returns the ticket it
   * already took instead of taking a second one.
   */
  request: string;
}

/** What {@link LockSteps.enqueue} did. */
export type EnqueueResult =
  /** The queue's users agreed on another limit; nothing was changed. */
  | { outcome: "mismatch"; limit: number }
  | {
    outcome: "queued";
    ticket: number;
    /**
     * The fencing token: strictly increasing per resource and never below the backend's clock
     * in µs, so it does not repeat even when the backend lost the lock's state.
     */
    token: number;
  } & TicketState;

/** Where a ticket stands. */
export type TicketState =
  | { state: "granted" }
  | {
    state: "waiting";
    /** Tickets ahead of this one. */
    ahead: number;
    /** When the first presence lease ahead runs out, in ms from now (backend clock). */
    nextExpiryInMs: number;
    /**
     * The first live ticket in line: a waiter that hears later of a ticket before it leaving
     * knows that it was gone already and is not among the `ahead`.
     */
    first: number;
  }
  /** The ticket is no longer in the queue: its lease lapsed, or the queue was reset. */
  | { state: "gone" };

/** A resource's ticket line (its queue, in `coord turn`'s words), as `turn status` shows it. */
export interface TicketLine {
  /** The last ticket handed out. */
  tickets: number;
  /** Whose turn it is: the lowest live ticket, or the next one to be handed out. */
  indicator: number;
  /** How many may hold it at once. */
  limit: number;
  /** Live users in ticket order: the first `limit` hold the lock. */
  users: TicketUser[];
}

/** What `reset` did. */
export type ResetResult =
  | { outcome: "removed" }
  | { outcome: "missing" }
  | { outcome: "in-use"; users: number }
  /** The queue changed since `expectTickets` was read. */
  | { outcome: "activity" };

/** Something that happened to a queue, as `coord turn follow` prints it. */
export type LockEvent =
  | { event: "assigned"; ticket: number; label: string }
  /** `token`: the ticket's fencing token, in digits (a waiter knows its own grant by both). */
  | { event: "granted"; ticket: number; token?: string }
  | { event: "started"; ticket: number }
  | { event: "completed"; ticket: number; label: string }
  | { event: "left"; ticket: number; label: string }
  | { event: "crashed"; ticket: number; label: string }
  | { event: "bumped"; from: number; to: number }
  | { event: "reset" };

/** Per-backend atomic steps of a lock. */
export interface LockSteps {
  /**
   * Drops expired tickets, then hands out the next ticket — or, when `request` already holds
   * a live ticket, renews and returns that one.
   */
  enqueue(resource: string, request: EnqueueRequest): Promise<EnqueueResult>;
  /**
   * Reports where a ticket stands, renewing its presence when `renew`. The first check that
   * finds it granted with `starting` records that its user started (the `started` event).
   * With `token`, a ticket of that number but another token is not this one: it is "gone"
   * (after the backend lost the lock's state, ticket numbers start again; tokens do not).
   */
  check(
    resource: string,
    request: {
      ticket: number;
      token?: number;
      expireMs: number;
      renew: boolean;
      starting: boolean;
    },
  ): Promise<TicketState>;
  /**
   * Gives the ticket back, waiting or holding, and grants the next ones. With `unlessGranted`
   * a ticket that was granted meanwhile is kept instead (a timed-out waiter that got its
   * turn at the last moment): the result says which happened, decided once in the backend.
   * With `starting` (a holder's own release), a held ticket whose start no check recorded
   * records it first: its `started` event comes before `completed`, in the same step. With
   * `token`, as {@link check}: another user's ticket of the same number is left alone.
   */
  release(
    resource: string,
    request: { ticket: number; token?: number; unlessGranted: boolean; starting?: boolean },
  ): Promise<"released" | "granted" | "gone">;
  /**
   * The resource's ticket line as the next step would settle it, or undefined when there is
   * none. Writes nothing: a lapsed ticket is left out, not dropped.
   */
  status(resource: string): Promise<TicketLine | undefined>;
  /** Names of every queue in the namespace. */
  list(): Promise<string[]>;
  /**
   * Removes a queue: only when nobody is in it unless `force`, and only when its ticket counter
   * still equals `expectTickets` when given.
   */
  reset(
    resource: string,
    request: { force: boolean; expectTickets?: number },
  ): Promise<ResetResult>;
}
