/**
 * Fair locks: users of a resource are served strictly in the order they asked (a ticket
 * dispenser and an indicator, as in turn), up to `limit` at once.
 *
 * A waiter wakes on the queue's announcements (pub/sub or change polling) and re-checks on its
 * own at the latest when the lease of a ticket ahead runs out, so a holder that died is passed
 * over within its lease without relying on the hint. A holder's lease is kept by the lease
 * keeper (lib/lease.ts): when no renewal is answered for 2/3 of a lease, its signal aborts
 * before the backend could hand the lock to the next user.
 *
 * @module
 */

import type { Backend } from "../backend/types.ts";
import { checkName } from "../backend/keys.ts";
import {
  BackendUnavailableError,
  isUnrecoverable,
  LeaseLostError,
  LockTimeoutError,
  UsageError,
} from "../errors.ts";
import { userInfo } from "node:os";
import { MAX_DURATION_MS } from "../duration.ts";
import { LeaseKeeper, MIN_LEASE_MS } from "../lease.ts";
import { GIVE_BACK_GUARD_MS, Outage, within } from "../outage.ts";
import type { TicketState } from "./steps.ts";
import { aheadAfter } from "./ahead.ts";

/** Default presence lease. */
export const DEFAULT_EXPIRE_MS = 10_000;
/** Default longest time between a waiter's own checks of the queue, whatever it hears. */
export const DEFAULT_PATIENCE_MS = 60_000;
/** Labels are shown in one line of `coord turn status` and stored with every ticket. */
export const MAX_LABEL_LENGTH = 200;
/** A dead holder's lease has run out this long before a waiter re-checks: clock slack. */
const EXPIRY_SLACK_MS = 20;

/** Options of {@link lock}. */
export interface LockOptions {
  /**
   * Shown by `coord turn status` and `follow`, at most 200 characters; default
   * `user@host pid N` ($USER, else the uid's account name).
   */
  label?: string;
  /** Presence lease, renewed every expireMs/3 while waiting and holding; default 10 000. */
  expireMs?: number;
  /**
   * A waiter re-checks the queue on its own at least this often, whatever it hears (or does
   * not hear) meanwhile; default 60 000.
   */
  patienceMs?: number;
  /**
   * Give up after this long waiting (0: try once; at most 24 days), in an outage too (a second
   * more at most to give the ticket back, or the connect timeout of a step a silent server
   * holds); a backend that answers slowly is waited for. Default: forever.
   */
  waitMs?: number;
  /**
   * When the wait began, a `performance.now()` instant `waitMs` counts from: a caller that first
   * waited for its backend to answer (a command started during a restart) gives its own start,
   * so the wait for the lock gets what is left. Default: the call.
   */
  startedAt?: number;
  /** Up to this many holders at once (a counting semaphore); default 1. */
  limit?: number;
  /** Aborting while waiting leaves the queue and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called with the number of tickets ahead when it is first known, and whenever it changes. */
  onProgress?: (progress: { ticket: number; ahead: number }) => void;
}

/** A granted lock. Release it (or `await using` it) when done. */
export interface LockHandle extends AsyncDisposable {
  /** The resource held. */
  resource: string;
  /**
   * The fencing token for what the lock guards: strictly increasing per resource, and never
   * below the backend's clock in µs when it was taken, so it does not repeat even after the
   * backend lost the lock's state (a restart without persistence, a failover to a replica
   * that missed writes) — as long as the backend's clock does not go back (after a failover,
   * another server's: keep their clocks in sync).
   */
  token: number;
  /** How long it took to get the lock, from `startedAt` when given. */
  waitedMs: number;
  /** Aborts (reason: {@link LeaseLostError}) when the lease is lost while holding. */
  signal: AbortSignal;
  /** Gives the lock to the next user; safe to call more than once. */
  release(): Promise<void>;
}

/**
 * Waits for `resource`, strictly first come first served, and resolves once this caller holds
 * it.
 *
 * @throws {LockTimeoutError} after `waitMs` (the ticket is given back; in an outage, soon
 * after, and left to lapse within `expireMs`).
 * @throws {UsageError} on bad options, or when the queue's users agreed on another `limit`.
 * @throws {LeaseLostError} when its ticket left the queue while it waited (a reset, a lapse).
 * @throws {BackendUnavailableError} when the backend stays away longer than `expireMs`, or
 * does not answer within the connect timeout while the lock subscribes to its changes.
 * @example
 * ```ts
 * import { connect } from "../backend/connect.ts";
 * import { lock } from "./lock.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await using held = await lock(backend, "deploy");
 * console.log(held.token);
 * ```
 */
export async function lock(
  backend: Backend,
  resource: string,
  options: LockOptions = {},
): Promise<LockHandle> {
  const {
    label = defaultLabel(),
    expireMs = DEFAULT_EXPIRE_MS,
    patienceMs = DEFAULT_PATIENCE_MS,
    waitMs = Infinity,
    startedAt,
    limit = 1,
    signal,
    onProgress,
  } = options;
  checkName("resource name", resource);
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new UsageError(`lock "${resource}": the limit must be a whole number ≥ 1`);
  }
  if (!(expireMs >= MIN_LEASE_MS && expireMs <= MAX_DURATION_MS)) {
    throw new UsageError(
      `lock "${resource}": the lease must be ${MIN_LEASE_MS / 1000} s to 24 days, got ` +
        `${expireMs / 1000} s`,
    );
  }
  if (!(waitMs >= 0 && (waitMs <= MAX_DURATION_MS || waitMs === Infinity))) {
    throw new UsageError(
      `lock "${resource}": waitMs must be 0 to ${MAX_DURATION_MS} (24 days) or Infinity, got ` +
        `${waitMs}`,
    );
  }
  if (startedAt !== undefined && !Number.isFinite(startedAt)) {
    throw new UsageError(
      `lock "${resource}": startedAt must be a performance.now() instant, got ${startedAt}`,
    );
  }
  if (!(patienceMs > 0 && patienceMs <= MAX_DURATION_MS)) {
    throw new UsageError(
      `lock "${resource}": patienceMs must be more than 0, at most ${MAX_DURATION_MS} ` +
        `(24 days), got ${patienceMs}`,
    );
  }
  if (typeof label !== "string" || [...label].length > MAX_LABEL_LENGTH) {
    throw new UsageError(
      `lock "${resource}": the label must be a string of at most ${MAX_LABEL_LENGTH} characters`,
    );
  }
  signal?.throwIfAborted();
  const started = Math.min(startedAt ?? Infinity, performance.now());
  const steps = backend.lock;
  const outage = new Outage(expireMs, `lock "${resource}": gave up its place in line`);
  // In an outage, every step of the wait ends by then: its give-back included.
  const giveUpBy = started + waitMs + GIVE_BACK_GUARD_MS;
  /** `step`'s result, tried again through an outage; undefined if none came by `giveUpBy`. */
  const retried = <T>(step: () => Promise<T>) =>
    outage.retry(step, Math.min(expireMs / 3, 250), giveUpBy, signal);
  /** The wait ran out while the backend did not answer: what the waiter left behind. */
  const unanswered = (what: string) =>
    new LockTimeoutError(
      `lock "${resource}": not granted within ${waitMs / 1000} s${what}: the backend did not ` +
        `answer (${outage.cause?.message}) — it leaves the queue when its lease runs out, ` +
        `within ${expireMs / 1000} s`,
      { cause: outage.cause },
    );

  await using watcher = await backend.watch({ kind: "lock", name: resource });
  signal?.throwIfAborted();
  let enqueuedAt = performance.now();
  // One id for every attempt: a retry after a lost reply gets the ticket already taken.
  const request = crypto.randomUUID();
  const queued = await retried(() => {
    enqueuedAt = performance.now();
    return steps.enqueue(resource, { label, limit, expireMs, request });
  });
  if (queued === undefined) throw unanswered(", and a ticket it may have taken was not given back");
  if (queued.outcome === "mismatch") {
    throw new UsageError(
      `lock "${resource}" is shared by up to ${queued.limit} holders, but this one says ` +
        `${limit} — every user must give the same --limit`,
    );
  }
  const { ticket, token } = queued;
  let state: TicketState = queued;
  let checkedAt = enqueuedAt;
  let renewedAt = enqueuedAt;
  let ahead = state.state === "waiting" ? state.ahead : 0;
  let first = state.state === "waiting" ? state.first : ticket;
  let told: number | undefined;
  try {
    while (state.state === "waiting") {
      if (ahead !== told) onProgress?.({ ticket, ahead: told = ahead });
      const remainingMs = started + waitMs - performance.now();
      if (remainingMs <= 0) {
        const outcome = await retried(() =>
          steps.release(resource, { ticket, token, unlessGranted: true })
        );
        if (outcome === "granted") {
          state = { state: "granted" };
          break;
        }
        if (outcome === undefined) {
          throw unanswered(` (${ahead} ahead), and its ticket was not given back`);
        }
        throw new LockTimeoutError(
          `lock "${resource}": not granted within ${waitMs / 1000} s ` +
            `(${ahead} ahead) — gave the ticket back`,
        );
      }
      // The slow safety net, counted from the last check however many events came since: the
      // renewal, a lease ahead running out (nothing announces it), lost announcements.
      const checkDueAt = Math.min(
        checkedAt + patienceMs,
        renewedAt + expireMs / 3,
        checkedAt + Math.max(0, state.nextExpiryInMs) + EXPIRY_SLACK_MS,
      );
      // Only the first in line needs to see the next release at once; the rest keep out of
      // its way (on SQLite each look that sees a change is followed by a check, a write).
      const events = await watcher.next(
        Math.max(0, Math.min(checkDueAt - performance.now(), remainingMs)),
        signal,
        { expect: ahead > limit ? "later" : "soon" },
      );
      // The step that granted this ticket said so: no need to ask (a round trip per handoff).
      if (events.some((e) => isGrantOf(e, ticket, token))) {
        state = { state: "granted" };
        break;
      }
      // Out of time: the give-back says whether the turn came, in one step (not a check first).
      if (performance.now() - started >= waitMs) continue;
      // Events that cannot have made it this ticket's turn wake every waiter of the queue on
      // each handoff; only the first in line needs to ask. The rest count down what they hear.
      const stillAhead = aheadAfter(events, { ticket, ahead, first });
      if (stillAhead !== undefined && stillAhead >= limit && performance.now() < checkDueAt) {
        ahead = stillAhead;
        continue;
      }
      const renew = performance.now() - renewedAt >= expireMs / 3;
      const sentAt = performance.now();
      const checked = await outage.attempt(
        // A check that finds the ticket granted also records its start: one round trip less
        // between the previous holder's release and this holder's command.
        () => steps.check(resource, { ticket, token, expireMs, renew, starting: true }),
        giveUpBy,
      );
      if (checked === undefined) continue;
      state = checked;
      checkedAt = sentAt;
      if (state.state === "waiting") ({ ahead, first } = state);
      if (renew) renewedAt = sentAt;
    }
    // A signal that came while the last step was under way still wins over its grant.
    signal?.throwIfAborted();
  } catch (error) {
    // A wait that timed out has given its ticket back already, or could not.
    if (signal?.aborted) {
      await steps.release(resource, { ticket, token, unlessGranted: false }).catch(() => {});
    }
    throw error;
  }
  if (state.state === "gone") {
    throw new LeaseLostError(
      `lock "${resource}": ticket ${ticket} left the queue while waiting (its lease lapsed, ` +
        `the queue was reset, or the backend lost its data: a restart without persistence) — ` +
        `it was not granted; run again to queue anew`,
    );
  }
  return hold(
    backend,
    resource,
    { ticket, token },
    expireMs,
    performance.now() - started,
    renewedAt,
  );
}

/**
 * Whether `event` grants this user's ticket: its number and its token (a number alone repeats
 * after the backend lost the lock's state; a grant without a token, from an older coord, is left
 * to a check).
 */
function isGrantOf(event: unknown, ticket: number, token: number): boolean {
  const e = (event ?? {}) as Partial<{ event: string; ticket: number; token: string }>;
  return e.event === "granted" && e.ticket === ticket && e.token === String(token);
}

/**
 * Keeps a granted ticket alive until released, by the lease keeper's rule: its signal aborts
 * two thirds of a lease after the last answered renewal was sent, a third before the backend
 * could hand the lock on, so the holder stops first and there are never two.
 *
 * The holder's start is recorded by its first renewal, or by its release when that comes
 * first, never by a step of its own: on a contended lock the next release would wait for
 * that step (each step on a resource waits for the one before), one step more per handoff.
 */
function hold(
  backend: Backend,
  resource: string,
  { ticket, token }: { ticket: number; token: number },
  expireMs: number,
  waitedMs: number,
  leaseFrom: number,
): LockHandle {
  const steps = backend.lock;
  let why = "no renewal answered for 2/3 of --expire";
  const keeper = new LeaseKeeper({
    leaseMs: expireMs,
    heldSince: leaseFrom,
    renew: async () => {
      let state: TicketState;
      try {
        state = await steps.check(resource, {
          ticket,
          token,
          expireMs,
          renew: true,
          starting: true,
        });
      } catch (error) {
        // An outage is tried again until the lease runs out. A refusal, garbage in the queue or
        // a file removed under it does not get better by asking again: lost now, and said so.
        if (error instanceof BackendUnavailableError && !isUnrecoverable(error)) throw error;
        why = error instanceof Error ? error.message : String(error);
        return "lost";
      }
      if (state.state === "gone") {
        why = "the queue no longer has its ticket";
        return "lost";
      }
      return "held";
    },
    lostReason: () =>
      new LeaseLostError(
        `lock "${resource}": lost the lease of ticket ${ticket} (${why}) — stopped so that ` +
          `no two users hold it`,
      ),
  });
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await keeper.stop();
    // An unreachable backend is no reason to fail or hang here: the lease runs out anyway.
    await within(
      expireMs / 3,
      steps.release(resource, { ticket, token, unlessGranted: false, starting: true }),
    ).catch(() => {});
  };
  return {
    resource,
    token,
    waitedMs,
    signal: keeper.signal,
    release,
    [Symbol.asyncDispose]: release,
  };
}

/**
 * Runs `fn` while holding `resource`, and releases it however `fn` ends. When the lease was
 * lost while `fn` ran (`held.signal` aborted), `fn`'s result is not returned: the call rejects
 * with the {@link LeaseLostError}, as `fn` may have run on without the lock.
 *
 * @throws {LeaseLostError} when the lease was lost while `fn` ran, whatever `fn` returned.
 * @example
 * ```ts
 * import { connect } from "../backend/connect.ts";
 * import { withLock } from "./lock.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * const token = await withLock(backend, "deploy", (held) => Promise.resolve(held.token));
 * ```
 */
export async function withLock<T>(
  backend: Backend,
  resource: string,
  fn: (held: LockHandle) => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  await using held = await lock(backend, resource, options);
  const result = await fn(held);
  held.signal.throwIfAborted();
  return result;
}

function defaultLabel(): string {
  const user = Deno.env.get("USER") || Deno.env.get("LOGNAME") || accountName() || "user";
  const pid = ` pid ${Deno.pid}`;
  const who = [...`${user}@${Deno.hostname()}`];
  // Not given, so not refused: a long $USER or host name is cut, the pid kept.
  const room = MAX_LABEL_LENGTH - pid.length;
  return (who.length <= room ? who.join("") : `${who.slice(0, room - 1).join("")}…`) + pid;
}

/** The name of the uid this process runs as (containers and cron jobs often set no $USER). */
function accountName(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return undefined; // a uid without a passwd entry
  }
}
