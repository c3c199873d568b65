/**
 * Lock steps in portable SQL, for every SQL backend: each one transaction, with the same
 * outcomes and events as `../redis/lock.lua`. Events go to a table that `coord turn follow`
 * tails, and each one announces a change of the resource to its waiters. Writes go out with
 * `later`: a step reads what it needs first, so on Postgres its writes share the commit's round
 * trip, and a step holds the resource's lock for as few round trips as it reads.
 *
 * @module
 */

import type {
  EnqueueRequest,
  EnqueueResult,
  LockEvent,
  LockSteps,
  ResetResult,
  TicketLine,
  TicketState,
} from "../../lock/steps.ts";
import { settledLine, type StoredLine } from "../../lock/settled.ts";
import { ForeignDataError } from "../../errors.ts";
import { refuseForeignLockRows } from "./lock_rows.ts";
import { insertRows } from "./insert_rows.ts";
import type { SqlStore, SqlTransaction } from "./transaction.ts";

/**
 * The lock's tables; `event` keeps the latest events of each namespace for `follow`. Its ids
 * must increase with each event, which portable SQL has no spelling for: it is written as
 * SQLite's `INTEGER PRIMARY KEY AUTOINCREMENT`, which the Postgres backend turns into an
 * identity column as it does for every table.
 */
export const LOCK_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS coord_lock (
    namespace TEXT NOT NULL, name TEXT NOT NULL, tickets BIGINT NOT NULL,
    indicator BIGINT NOT NULL, lim BIGINT NOT NULL, PRIMARY KEY (namespace, name))`,
  `CREATE TABLE IF NOT EXISTS coord_lock_ticket (
    namespace TEXT NOT NULL, name TEXT NOT NULL, ticket BIGINT NOT NULL, label TEXT NOT NULL,
    since DOUBLE PRECISION NOT NULL, expires_at DOUBLE PRECISION NOT NULL,
    granted_at DOUBLE PRECISION, started BIGINT NOT NULL,
    PRIMARY KEY (namespace, name, ticket))`,
  // The last ticket handed out per resource; never deleted, not even by reset, so tickets —
  // the fencing tokens — never repeat.
  `CREATE TABLE IF NOT EXISTS coord_lock_counter (
    namespace TEXT NOT NULL, name TEXT NOT NULL, tickets BIGINT NOT NULL,
    PRIMARY KEY (namespace, name))`,
  // The last fencing token handed out per resource; never deleted either.
  `CREATE TABLE IF NOT EXISTS coord_lock_token (
    namespace TEXT NOT NULL, name TEXT NOT NULL, token BIGINT NOT NULL,
    PRIMARY KEY (namespace, name))`,
  // Who took each live ticket, so that a retried enqueue gets the ticket it already took.
  `CREATE TABLE IF NOT EXISTS coord_lock_request (
    namespace TEXT NOT NULL, name TEXT NOT NULL, ticket BIGINT NOT NULL,
    request TEXT NOT NULL, token BIGINT NOT NULL, PRIMARY KEY (namespace, name, ticket))`,
  `CREATE TABLE IF NOT EXISTS coord_lock_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT, namespace TEXT NOT NULL, name TEXT NOT NULL,
    event TEXT NOT NULL)`,
];

/** The tables holding one lock's state (events are only shown, and are checked by doctor). */
const LOCK_TABLES = [
  "coord_lock_counter",
  "coord_lock",
  "coord_lock_ticket",
  "coord_lock_token",
  "coord_lock_request",
];

/** Events kept per namespace: enough for any follower polling a few times a second. */
const EVENTS_KEPT = 1000;
/**
 * One in this many of a process's steps that emit events trims the event table (its first
 * one, then every 16th). The trim walks the index entries of every event deleted since the
 * table's last vacuum: on Postgres the costliest statement of a step, ≈ 0.1 ms on a busy lock,
 * and a handoff waits for three steps that emit (the enqueue, start and release around it).
 * Between trims a process adds a few dozen events at most.
 */
const TRIM_EVERY = 16;
/**
 * The counts of events one statement stores: rows are inserted in the order given, so their ids
 * follow the order the step emitted them in. Any count up to 8, so a step's few events are one
 * statement: 8 statements of a few small rows are few to prepare.
 */
const EVENT_ROW_SIZES = [8, 7, 6, 5, 4, 3, 2, 1];

interface Queue {
  tickets: number;
  indicator: number;
  lim: number;
  /**
   * What the tables hold of it as the step goes: whether its row exists, and the ticket
   * counter's value (undefined: no counter). A row that exists is updated, not upserted, and
   * the counter written only when it changes: each statement is a turn of the server while the
   * step holds the resource.
   */
  stored: { row: boolean; tickets?: number };
}

interface Ticket {
  ticket: number;
  /** Its fencing token (null: its request row is missing, as another program left it). */
  token: number | null;
  label: string;
  since: number;
  expires_at: number;
  granted_at: number | null;
  started: number;
}

/** A row of the step's first read: the counters, and one ticket (none: NULLs). */
type StateRow =
  & { tickets: number; queue_tickets: number | null; indicator: number | null; lim: number | null }
  & { last_token?: unknown; taken_ticket?: number | null; taken_token?: number | null }
  & ({ ticket: number } & Omit<Ticket, "ticket"> | { [K in keyof Ticket]: null });

/** What a step reads first ({@link SqlLockSteps.#state}). */
interface State {
  now: number;
  issued: number;
  /** Whether the resource has a ticket counter (it outlives a reset). */
  counted: boolean;
  queue: Queue | undefined;
  tickets: Ticket[];
  /** The last fencing token's row value (null: none); undefined: not read (no counter). */
  lastToken?: unknown;
  /** The ticket the enqueue's request took, whether or not it is still live. */
  taken?: { ticket: number; token: number };
}

/** Lock steps over one {@link SqlStore}. */
export class SqlLockSteps implements LockSteps {
  readonly #store: SqlStore;
  /** The events each step under way emitted so far. */
  readonly #emitted = new WeakMap<SqlTransaction, LockEvent[]>();
  /** Steps that emitted events, for {@link TRIM_EVERY}. */
  #emittingSteps = 0;

  /** Steps on `store`'s namespace. */
  constructor(store: SqlStore) {
    this.#store = store;
  }

  get #ns(): string {
    return this.#store.namespace;
  }

  /**
   * Runs a step that may write, serialized with every other step on `name`. A step that
   * emitted events announces the change once, however many it emitted (and now and then trims
   * the event table): a holder's renewal may wait for this step. The announcement carries the
   * events: a waiter that hears its grant, or that others are still ahead, has nothing to ask.
   */
  #write<T>(name: string, step: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return this.#store.write(async (tx) => {
      await tx.lock({ kind: "lock", name });
      this.#emitted.delete(tx); // an engine may reuse the object of a step that failed
      const result = await step(tx);
      const events = this.#emitted.get(tx);
      this.#emitted.delete(tx);
      if (events) {
        // One statement for every event of the step (in chunks): each costs the server a turn.
        await insertRows(
          tx,
          "coord_lock_event",
          ["namespace", "name", "event"],
          events.map((event) => [this.#ns, name, JSON.stringify(event)]),
          EVENT_ROW_SIZES,
        );
        if (this.#emittingSteps++ % TRIM_EVERY === 0) {
          await tx.later(
            `DELETE FROM coord_lock_event WHERE namespace = ? AND id <=
             (SELECT max(id) FROM coord_lock_event WHERE namespace = ?) - ?`,
            this.#ns,
            this.#ns,
            EVENTS_KEPT,
          );
        }
        // Every change comes with an event: waiters hear of it through the same call.
        await tx.notify({ kind: "lock", name }, events);
      }
      return result;
    });
  }

  /**
   * The backend's clock, the last ticket handed out, whether or not the queue exists (it
   * survives a reset), the queue when there is one, and its tickets in order; for an enqueue
   * (`request` given), also the last fencing token and the ticket `request` took, if any (live
   * or not), when the resource has a counter to read them with. One round trip on Postgres, with the step's BEGIN and lock, as every step starts
   * here (and a holder's renewal may wait for this step).
   */
  async #state(tx: SqlTransaction, name: string, request: string | null = null): Promise<State> {
    // Refuse rows of this lock that another program wrote before reading any.
    await tx.refuseForeignRows(`lock "${name}"`, LOCK_TABLES, { name });
    // Only an enqueue needs the token and its request's ticket: not read for the other steps.
    // Each is a subquery on the statement's parameters, not on the joined row: the engine reads
    // it once for the step, where one correlated with the row was read again for every live
    // ticket, the request's a walk of every request row each time (no index on it) — an
    // enqueue behind 5,000 waiters read 25 million rows.
    const enqueueing = request === null ? "" : `,
         (SELECT k.token FROM coord_lock_token k
           WHERE k.namespace = ? AND k.name = ?) AS last_token,
         (SELECT r.ticket FROM coord_lock_request r
           WHERE r.namespace = ? AND r.name = ? AND r.request = ?) AS taken_ticket,
         (SELECT r.token FROM coord_lock_request r
           WHERE r.namespace = ? AND r.name = ? AND r.request = ?) AS taken_token,
         (SELECT max(r.ticket) FROM coord_lock_request r
           WHERE r.namespace = ? AND r.name = ?) AS last_request`;
    const ns = this.#ns;
    const { now, rows } = await tx.nowAndAll<StateRow>(
      `SELECT c.tickets AS tickets, q.tickets AS queue_tickets, q.indicator AS indicator,
         q.lim AS lim, t.ticket AS ticket,
         t.label AS label, t.since AS since, t.expires_at AS expires_at,
         t.granted_at AS granted_at, t.started AS started, tr.token AS token${enqueueing}
       FROM coord_lock_counter c LEFT JOIN coord_lock q USING (namespace, name)
       LEFT JOIN coord_lock_ticket t ON t.namespace = c.namespace AND t.name = c.name
       LEFT JOIN coord_lock_request tr
         ON tr.namespace = t.namespace AND tr.name = t.name AND tr.ticket = t.ticket
       WHERE c.namespace = ? AND c.name = ? ORDER BY t.ticket`,
      ...(request === null ? [] : [ns, name, ns, name, request, ns, name, request, ns, name]),
      ns,
      name,
    );
    refuseForeignLockRows(name, rows);
    // No counter: the resource never had a ticket — unless rows of it are there, whose counter
    // another program deleted. Taken for a new lock, those rows were written over and a second
    // holder granted while the first still ran.
    if (rows.length === 0) {
      const [{ orphans }] = await tx.all<{ orphans: number }>(
        `SELECT (SELECT count(*) FROM coord_lock WHERE namespace = ? AND name = ?) +
           (SELECT count(*) FROM coord_lock_ticket WHERE namespace = ? AND name = ?) +
           (SELECT count(*) FROM coord_lock_request WHERE namespace = ? AND name = ?) AS orphans`,
        this.#ns,
        name,
        this.#ns,
        name,
        this.#ns,
        name,
      );
      if (Number(orphans) > 0) {
        throw new ForeignDataError(
          `lock "${name}": coord_lock_counter has no row for rows coord_lock, ` +
            `coord_lock_ticket or coord_lock_request hold — another program deleted it; delete the lock's rows or ` +
            `use another --namespace`,
        );
      }
      return { now, issued: 0, counted: false, queue: undefined, tickets: [] };
    }
    const [{ tickets, indicator, lim, last_token, taken_ticket, taken_token }] = rows;
    return {
      now,
      issued: tickets,
      counted: true,
      queue: indicator === null || lim === null
        ? undefined
        : { tickets, indicator, lim, stored: { row: true, tickets } },
      tickets: rows.flatMap(({ ticket, token, label, since, expires_at, granted_at, started }) =>
        ticket === null ? [] : [{ ticket, token, label, since, expires_at, granted_at, started }]
      ),
      lastToken: last_token,
      ...(taken_ticket == null || taken_token == null
        ? {}
        : { taken: { ticket: taken_ticket, token: taken_token } }),
    };
  }

  /** Records `event`, stored in its order with the step's others when the step ends. */
  #emit(tx: SqlTransaction, event: LockEvent): void {
    const emitted = this.#emitted.get(tx);
    if (emitted) emitted.push(event);
    else this.#emitted.set(tx, [event]);
  }

  async #remove(tx: SqlTransaction, name: string, ticket: number): Promise<void> {
    for (const table of ["coord_lock_ticket", "coord_lock_request"]) {
      await tx.later(
        `DELETE FROM ${table} WHERE namespace = ? AND name = ? AND ticket = ?`,
        this.#ns,
        name,
        ticket,
      );
    }
  }

  /**
   * The live ticket `request` took, with its token: from the step's first read when it had a
   * counter to read it with, else read now.
   */
  async #taken(
    tx: SqlTransaction,
    name: string,
    request: string,
    state: State,
    live: Ticket[],
  ): Promise<{ ticket: number; token: number } | undefined> {
    if (state.lastToken !== undefined) {
      const { taken } = state;
      return taken && live.some((t) => t.ticket === taken.ticket) ? taken : undefined;
    }
    const [row] = await tx.all<{ ticket: number; token: number }>(
      `SELECT r.ticket AS ticket, r.token AS token FROM coord_lock_request r
       JOIN coord_lock_ticket t USING (namespace, name, ticket)
       WHERE r.namespace = ? AND r.name = ? AND r.request = ?`,
      this.#ns,
      name,
      request,
    );
    return row;
  }

  /** Moves a live ticket's lease to `expiresAt`. */
  async #extendLease(
    tx: SqlTransaction,
    name: string,
    ticket: number,
    expiresAt: number,
  ): Promise<void> {
    await tx.later(
      `UPDATE coord_lock_ticket SET expires_at = ?
       WHERE namespace = ? AND name = ? AND ticket = ?`,
      expiresAt,
      this.#ns,
      name,
      ticket,
    );
  }

  /**
   * The next fencing token: never below the clock in µs, so that it does not repeat even when
   * the counters were lost or rolled back (a file restored from a backup, rows deleted).
   */
  async #nextToken(tx: SqlTransaction, name: string, state: State): Promise<number> {
    const { now } = state;
    const [row] = state.lastToken === undefined
      ? await tx.all<{ token: unknown }>(
        "SELECT token FROM coord_lock_token WHERE namespace = ? AND name = ?",
        this.#ns,
        name,
      )
      : state.lastToken === null
      ? []
      : [{ token: state.lastToken }];
    if (row) refuseForeignLockRows(name, [{ last_token: row.token }]);
    const token = Math.max(((row?.token as number) ?? 0) + 1, Math.floor(now * 1000));
    await tx.later(
      row
        ? "UPDATE coord_lock_token SET token = ? WHERE namespace = ? AND name = ?"
        : `INSERT INTO coord_lock_token (token, namespace, name) VALUES (?, ?, ?)
           ON CONFLICT (namespace, name) DO UPDATE SET token = excluded.token`,
      token,
      this.#ns,
      name,
    );
    return token;
  }

  async #save(tx: SqlTransaction, name: string, queue: Queue): Promise<void> {
    const ns = this.#ns;
    const { tickets, indicator, lim, stored } = queue;
    if (stored.row) {
      await tx.later(
        `UPDATE coord_lock SET tickets = ?, indicator = ?, lim = ?
         WHERE namespace = ? AND name = ?`,
        tickets,
        indicator,
        lim,
        ns,
        name,
      );
    } else {
      await tx.later(
        `INSERT INTO coord_lock (namespace, name, tickets, indicator, lim) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (namespace, name) DO UPDATE SET tickets = excluded.tickets,
           indicator = excluded.indicator, lim = excluded.lim`,
        ns,
        name,
        tickets,
        indicator,
        lim,
      );
    }
    if (stored.tickets === undefined) {
      await tx.later(
        `INSERT INTO coord_lock_counter (namespace, name, tickets) VALUES (?, ?, ?)
         ON CONFLICT (namespace, name) DO UPDATE SET tickets = excluded.tickets`,
        ns,
        name,
        tickets,
      );
    } else if (stored.tickets !== tickets) {
      await tx.later(
        "UPDATE coord_lock_counter SET tickets = ? WHERE namespace = ? AND name = ?",
        tickets,
        ns,
        name,
      );
    }
    queue.stored = { row: true, tickets };
  }

  /**
   * What every step does first: drop expired tickets, move the indicator forward, grant the
   * tickets now among the first `lim`. Takes the queue's tickets in order (as read, or as the
   * step changed them), returns the live ones.
   */
  async #settle(
    tx: SqlTransaction,
    name: string,
    queue: Queue,
    tickets: Ticket[],
    now: number,
  ): Promise<Ticket[]> {
    const before = [queue.tickets, queue.indicator, queue.lim].join();
    // What `status` shows is what this writes: one rule for both.
    const settled = settledLine(storedLine(queue, tickets), now);
    const kept = new Set(settled.users.map((u) => u.ticket));
    for (const t of tickets.filter((t) => !kept.has(t.ticket))) {
      this.#emit(tx, { event: "crashed", ticket: t.ticket, label: t.label });
      await this.#remove(tx, name, t.ticket);
    }
    const live = tickets.filter((t) => kept.has(t.ticket));
    if (settled.indicator > queue.indicator + 1) {
      this.#emit(tx, { event: "bumped", from: queue.indicator, to: settled.indicator });
    }
    queue.indicator = settled.indicator;
    const granted = new Set(
      settled.users.flatMap((u) => u.grantedAt === undefined ? [] : [u.ticket]),
    );
    for (const t of live.filter((t) => t.granted_at === null && granted.has(t.ticket))) {
      t.granted_at = now;
      await tx.later(
        "UPDATE coord_lock_ticket SET granted_at = ? WHERE namespace = ? AND name = ? AND ticket = ?",
        now,
        this.#ns,
        name,
        t.ticket,
      );
      // With its token: a waiter knows its grant by both (ticket numbers start again after the
      // lock's state was lost).
      this.#emit(tx, {
        event: "granted",
        ticket: t.ticket,
        ...(t.token === null ? {} : { token: String(t.token) }),
      });
    }
    // Unchanged state is not written: a commit would wake every waiter polling the file.
    if ([queue.tickets, queue.indicator, queue.lim].join() !== before) {
      await this.#save(tx, name, queue);
    }
    return live;
  }

  /** Where `ticket` stands; with `token`, a ticket of that number but another token is gone. */
  #standing(live: Ticket[], ticket: number, now: number, token?: number): TicketState {
    const index = live.findIndex((t) => isTicket(t, ticket, token));
    if (index < 0) return { state: "gone" };
    if (live[index].granted_at !== null) return { state: "granted" };
    const nextExpiry = Math.min(...live.slice(0, index).map((t) => t.expires_at));
    return {
      state: "waiting",
      ahead: index,
      nextExpiryInMs: nextExpiry - now,
      first: live[0].ticket,
    };
  }

  enqueue(name: string, r: EnqueueRequest): Promise<EnqueueResult> {
    return this.#write(name, async (tx): Promise<EnqueueResult> => {
      const state = await this.#state(tx, name, r.request);
      const { now, issued } = state;
      const queue = state.queue ?? {
        tickets: issued,
        indicator: issued + 1,
        lim: r.limit,
        stored: { row: false, tickets: state.counted ? issued : undefined },
      };
      const before = await this.#settle(tx, name, queue, state.tickets, now);
      const taken = await this.#taken(tx, name, r.request, state, before);
      if (taken) {
        await this.#extendLease(tx, name, taken.ticket, now + r.expireMs);
        return { outcome: "queued", ...taken, ...this.#standing(before, taken.ticket, now) };
      }
      if (before.length > 0 && queue.lim !== r.limit) {
        return { outcome: "mismatch", limit: queue.lim };
      }
      queue.lim = r.limit;
      const ticket = ++queue.tickets;
      const token = await this.#nextToken(tx, name, state);
      await this.#save(tx, name, queue);
      await tx.later(
        `INSERT INTO coord_lock_request (namespace, name, ticket, request, token)
         VALUES (?, ?, ?, ?, ?)`,
        this.#ns,
        name,
        ticket,
        r.request,
        token,
      );
      const taking: Ticket = {
        ticket,
        token,
        label: r.label,
        since: now,
        expires_at: now + r.expireMs,
        granted_at: null,
        started: 0,
      };
      await tx.later(
        `INSERT INTO coord_lock_ticket
         (namespace, name, ticket, label, since, expires_at, granted_at, started)
         VALUES (?, ?, ?, ?, ?, ?, NULL, 0)`,
        this.#ns,
        name,
        ticket,
        r.label,
        now,
        now + r.expireMs,
      );
      this.#emit(tx, { event: "assigned", ticket, label: r.label });
      const live = await this.#settle(tx, name, queue, [...before, taking], now);
      return { outcome: "queued", ticket, token, ...this.#standing(live, ticket, now) };
    });
  }

  check(
    name: string,
    r: { ticket: number; token?: number; expireMs: number; renew: boolean; starting: boolean },
  ): Promise<TicketState> {
    // A plain check by a waiter writes only when something expired, so waiters polling the
    // file do not wake each other; renewals and starts are writes.
    return this.#write(name, async (tx): Promise<TicketState> => {
      const { now, queue, tickets } = await this.#state(tx, name);
      if (!queue) return { state: "gone" };
      const live = await this.#settle(tx, name, queue, tickets, now);
      const mine = live.find((t) => isTicket(t, r.ticket, r.token));
      if (mine && r.renew) await this.#extendLease(tx, name, r.ticket, now + r.expireMs);
      const standing = this.#standing(live, r.ticket, now, r.token);
      if (standing.state === "granted" && r.starting && mine && !mine.started) {
        await tx.later(
          "UPDATE coord_lock_ticket SET started = 1 WHERE namespace = ? AND name = ? AND ticket = ?",
          this.#ns,
          name,
          r.ticket,
        );
        this.#emit(tx, { event: "started", ticket: r.ticket });
      }
      return standing;
    });
  }

  release(
    name: string,
    r: { ticket: number; token?: number; unlessGranted: boolean; starting?: boolean },
  ): Promise<"released" | "granted" | "gone"> {
    return this.#write(name, async (tx) => {
      const { now, queue, tickets } = await this.#state(tx, name);
      if (!queue) return "gone";
      const live = await this.#settle(tx, name, queue, tickets, now);
      const mine = live.find((t) => isTicket(t, r.ticket, r.token));
      if (!mine) return "gone";
      const held = mine.granted_at !== null;
      if (held && r.unlessGranted) return "granted";
      // Its row goes with it: only the event is left to record.
      if (held && r.starting && !mine.started) {
        this.#emit(tx, { event: "started", ticket: r.ticket });
      }
      this.#emit(tx, {
        event: held ? "completed" : "left",
        ticket: r.ticket,
        label: mine.label,
      });
      await this.#remove(tx, name, r.ticket);
      await this.#settle(tx, name, queue, live.filter((t) => t !== mine), now);
      return "released";
    });
  }

  status(name: string): Promise<TicketLine | undefined> {
    // A look: shows the line as the next step would settle it (a crash shows up, and moves the
    // indicator, when it is looked at), and writes nothing (as on Redis).
    return this.#store.read(async (tx) => {
      const { now, queue, tickets } = await this.#state(tx, name);
      return queue && settledLine(storedLine(queue, tickets), now);
    });
  }

  list(): Promise<string[]> {
    return this.#store.read(async (tx) =>
      // Sorted here, not by the engine, whose collation may differ (as on Redis).
      (await tx.all<{ name: string }>(
        "SELECT name FROM coord_lock WHERE namespace = ?",
        this.#ns,
      )).map((r) => r.name).sort()
    );
  }

  reset(name: string, r: { force: boolean; expectTickets?: number }): Promise<ResetResult> {
    return this.#write(name, async (tx): Promise<ResetResult> => {
      const { now, queue, tickets } = await this.#state(tx, name);
      if (!queue) return { outcome: "missing" };
      if (r.expectTickets !== undefined && r.expectTickets !== queue.tickets) {
        return { outcome: "activity" };
      }
      const users = (await this.#settle(tx, name, queue, tickets, now)).length;
      if (users > 0 && !r.force) return { outcome: "in-use", users };
      const ns = this.#ns;
      for (const table of ["coord_lock_ticket", "coord_lock_request"]) {
        await tx.later(`DELETE FROM ${table} WHERE namespace = ? AND name = ?`, ns, name);
      }
      await tx.later("DELETE FROM coord_lock WHERE namespace = ? AND name = ?", ns, name);
      this.#emit(tx, { event: "reset" });
      return { outcome: "removed" };
    });
  }
}

/** A queue and its tickets as read, as {@link settledLine} takes them. */
function storedLine(queue: Queue, tickets: Ticket[]): StoredLine {
  return {
    tickets: queue.tickets,
    indicator: queue.indicator,
    limit: queue.lim,
    users: tickets.map((t) => ({
      ticket: t.ticket,
      label: t.label,
      since: t.since,
      expiresAt: t.expires_at,
      ...(t.granted_at !== null ? { grantedAt: t.granted_at } : {}),
    })),
  };
}

/** Whether `t` is ticket `ticket`, and when `token` is given, the one with that token. */
function isTicket(t: Ticket, ticket: number, token?: number): boolean {
  return t.ticket === ticket && (token === undefined || t.token === token);
}
