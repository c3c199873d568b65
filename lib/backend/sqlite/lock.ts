/**
 * Lock steps on SQLite: each one transaction, with the same outcomes and events as
 * `../redis/lock.lua`. Events go to a table that `coord turn follow` tails.
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
import { ForeignDataError } from "../../errors.ts";
import { settle, type SqliteBackend } from "./backend.ts";

/** The lock's tables; `event` keeps the latest events of each namespace for `follow`. */
export const LOCK_DDL = [
  `CREATE TABLE IF NOT EXISTS coord_lock (
    namespace TEXT NOT NULL, name TEXT NOT NULL, tickets INTEGER NOT NULL,
    indicator INTEGER NOT NULL, lim INTEGER NOT NULL, PRIMARY KEY (namespace, name))`,
  `CREATE TABLE IF NOT EXISTS coord_lock_ticket (
    namespace TEXT NOT NULL, name TEXT NOT NULL, ticket INTEGER NOT NULL, label TEXT NOT NULL,
    since REAL NOT NULL, expires_at REAL NOT NULL, granted_at REAL, started INTEGER NOT NULL,
    PRIMARY KEY (namespace, name, ticket))`,
  // The last ticket handed out per resource; never deleted, not even by reset, so tickets —
  // the fencing tokens — never repeat.
  `CREATE TABLE IF NOT EXISTS coord_lock_counter (
    namespace TEXT NOT NULL, name TEXT NOT NULL, tickets INTEGER NOT NULL,
    PRIMARY KEY (namespace, name))`,
  // The last fencing token handed out per resource; never deleted either.
  `CREATE TABLE IF NOT EXISTS coord_lock_token (
    namespace TEXT NOT NULL, name TEXT NOT NULL, token INTEGER NOT NULL,
    PRIMARY KEY (namespace, name))`,
  // Who took each live ticket, so that a retried enqueue gets the ticket it already took.
  `CREATE TABLE IF NOT EXISTS coord_lock_request (
    namespace TEXT NOT NULL, name TEXT NOT NULL, ticket INTEGER NOT NULL,
    request TEXT NOT NULL, token INTEGER NOT NULL, PRIMARY KEY (namespace, name, ticket))`,
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

interface Queue {
  tickets: number;
  indicator: number;
  lim: number;
}

interface Ticket {
  ticket: number;
  label: string;
  since: number;
  expires_at: number;
  granted_at: number | null;
  started: number;
}

/** Lock steps over one {@link SqliteBackend}. */
export class SqliteLockSteps implements LockSteps {
  readonly #backend: SqliteBackend;

  constructor(backend: SqliteBackend) {
    this.#backend = backend;
  }

  /** The last ticket handed out, whether or not the queue exists (it survives a reset). */
  #issued(name: string): number {
    // Every step starts here: refuse rows of this lock that another program wrote.
    this.#backend.refuseForeignRows(`lock "${name}"`, LOCK_TABLES, { name });
    const [row] = this.#backend.all<{ tickets: number }>(
      "SELECT tickets FROM coord_lock_counter WHERE namespace = ? AND name = ?",
      this.#backend.namespace,
      name,
    );
    return row?.tickets ?? 0;
  }

  #queue(name: string): Queue | undefined {
    this.#issued(name); // refuses rows another program wrote
    const [row] = this.#backend.all<Queue>(
      `SELECT c.tickets AS tickets, q.indicator AS indicator, q.lim AS lim
       FROM coord_lock q JOIN coord_lock_counter c USING (namespace, name)
       WHERE q.namespace = ? AND q.name = ?`,
      this.#backend.namespace,
      name,
    );
    return row;
  }

  #tickets(name: string): Ticket[] {
    return this.#backend.all<Ticket>(
      `SELECT ticket, label, since, expires_at, granted_at, started FROM coord_lock_ticket
       WHERE namespace = ? AND name = ? ORDER BY ticket`,
      this.#backend.namespace,
      name,
    );
  }

  #emit(name: string, event: LockEvent): void {
    const ns = this.#backend.namespace;
    this.#backend.run(
      "INSERT INTO coord_lock_event (namespace, name, event) VALUES (?, ?, ?)",
      ns,
      name,
      JSON.stringify(event),
    );
    this.#backend.run(
      `DELETE FROM coord_lock_event WHERE namespace = ? AND id <=
       (SELECT max(id) FROM coord_lock_event WHERE namespace = ?) - ?`,
      ns,
      ns,
      EVENTS_KEPT,
    );
  }

  #remove(name: string, ticket: number): void {
    for (const table of ["coord_lock_ticket", "coord_lock_request"]) {
      this.#backend.run(
        `DELETE FROM ${table} WHERE namespace = ? AND name = ? AND ticket = ?`,
        this.#backend.namespace,
        name,
        ticket,
      );
    }
  }

  /** The live ticket `request` took, with its token. */
  #taken(name: string, request: string): { ticket: number; token: number } | undefined {
    const [row] = this.#backend.all<{ ticket: number; token: number }>(
      `SELECT r.ticket AS ticket, r.token AS token FROM coord_lock_request r
       JOIN coord_lock_ticket t USING (namespace, name, ticket)
       WHERE r.namespace = ? AND r.name = ? AND r.request = ?`,
      this.#backend.namespace,
      name,
      request,
    );
    return row;
  }

  /** Moves a live ticket's lease to `expiresAt`. */
  #extendLease(name: string, ticket: number, expiresAt: number): void {
    this.#backend.run(
      `UPDATE coord_lock_ticket SET expires_at = ?
       WHERE namespace = ? AND name = ? AND ticket = ?`,
      expiresAt,
      this.#backend.namespace,
      name,
      ticket,
    );
  }

  /**
   * The next fencing token: never below the clock in µs, so that it does not repeat even when
   * the counters were lost or rolled back (a file restored from a backup, rows deleted).
   */
  #nextToken(name: string, now: number): number {
    const [row] = this.#backend.all<{ token: number }>(
      "SELECT token FROM coord_lock_token WHERE namespace = ? AND name = ?",
      this.#backend.namespace,
      name,
    );
    if (row && !Number.isSafeInteger(row.token)) {
      throw new ForeignDataError(
        `lock "${name}": coord_lock_token holds ${JSON.stringify(row.token)} — another ` +
          `program wrote there; delete the row or use another --namespace`,
      );
    }
    const token = Math.max((row?.token ?? 0) + 1, Math.floor(now * 1000));
    this.#backend.run(
      "INSERT OR REPLACE INTO coord_lock_token VALUES (?, ?, ?)",
      this.#backend.namespace,
      name,
      token,
    );
    return token;
  }

  #save(name: string, queue: Queue): void {
    const ns = this.#backend.namespace;
    this.#backend.run(
      "INSERT OR REPLACE INTO coord_lock VALUES (?, ?, ?, ?, ?)",
      ns,
      name,
      queue.tickets,
      queue.indicator,
      queue.lim,
    );
    this.#backend.run(
      "INSERT OR REPLACE INTO coord_lock_counter VALUES (?, ?, ?)",
      ns,
      name,
      queue.tickets,
    );
  }

  /**
   * What every step does first: drop expired tickets, move the indicator forward, grant the
   * tickets now among the first `lim`. Returns the live tickets in order.
   */
  #settle(name: string, queue: Queue, now: number): Ticket[] {
    let live = this.#tickets(name);
    const before = JSON.stringify(queue);
    const expired = live.filter((t) => t.expires_at < now);
    for (const t of expired) {
      this.#emit(name, { event: "crashed", ticket: t.ticket, label: t.label });
      this.#remove(name, t.ticket);
    }
    live = live.filter((t) => t.expires_at >= now);
    const target = live[0]?.ticket ?? queue.tickets + 1;
    if (target > queue.indicator) {
      if (target > queue.indicator + 1) {
        this.#emit(name, { event: "bumped", from: queue.indicator, to: target });
      }
      queue.indicator = target;
    }
    for (const t of live.slice(0, queue.lim)) {
      if (t.granted_at !== null) continue;
      t.granted_at = now;
      this.#backend.run(
        "UPDATE coord_lock_ticket SET granted_at = ? WHERE namespace = ? AND name = ? AND ticket = ?",
        now,
        this.#backend.namespace,
        name,
        t.ticket,
      );
      this.#emit(name, { event: "granted", ticket: t.ticket });
    }
    // Unchanged state is not written: a commit would wake every waiter polling the file.
    if (JSON.stringify(queue) !== before) this.#save(name, queue);
    return live;
  }

  #standing(live: Ticket[], ticket: number, now: number): TicketState {
    const index = live.findIndex((t) => t.ticket === ticket);
    if (index < 0) return { state: "gone" };
    if (live[index].granted_at !== null) return { state: "granted" };
    const nextExpiry = Math.min(...live.slice(0, index).map((t) => t.expires_at));
    return { state: "waiting", ahead: index, nextExpiryInMs: nextExpiry - now };
  }

  enqueue(name: string, r: EnqueueRequest): Promise<EnqueueResult> {
    return settle(() =>
      this.#backend.write((): EnqueueResult => {
        const now = this.#backend.clock.now();
        const issued = this.#issued(name);
        const queue = this.#queue(name) ?? { tickets: issued, indicator: issued + 1, lim: r.limit };
        const before = this.#settle(name, queue, now);
        const taken = this.#taken(name, r.request);
        if (taken) {
          this.#extendLease(name, taken.ticket, now + r.expireMs);
          return { outcome: "queued", ...taken, ...this.#standing(before, taken.ticket, now) };
        }
        if (before.length > 0 && queue.lim !== r.limit) {
          return { outcome: "mismatch", limit: queue.lim };
        }
        queue.lim = r.limit;
        const ticket = ++queue.tickets;
        const token = this.#nextToken(name, now);
        this.#save(name, queue);
        this.#backend.run(
          "INSERT INTO coord_lock_request VALUES (?, ?, ?, ?, ?)",
          this.#backend.namespace,
          name,
          ticket,
          r.request,
          token,
        );
        this.#backend.run(
          "INSERT INTO coord_lock_ticket VALUES (?, ?, ?, ?, ?, ?, NULL, 0)",
          this.#backend.namespace,
          name,
          ticket,
          r.label,
          now,
          now + r.expireMs,
        );
        this.#emit(name, { event: "assigned", ticket, label: r.label });
        const live = this.#settle(name, queue, now);
        return { outcome: "queued", ticket, token, ...this.#standing(live, ticket, now) };
      })
    );
  }

  check(
    name: string,
    r: { ticket: number; expireMs: number; renew: boolean; starting: boolean },
  ): Promise<TicketState> {
    // A plain check by a waiter writes only when something expired, so waiters polling the
    // file do not wake each other; renewals and starts are writes.
    const step = () => {
      const now = this.#backend.clock.now();
      const queue = this.#queue(name);
      if (!queue) return { state: "gone" } as const;
      const live = this.#settle(name, queue, now);
      const mine = live.find((t) => t.ticket === r.ticket);
      if (mine && r.renew) this.#extendLease(name, r.ticket, now + r.expireMs);
      const standing = this.#standing(live, r.ticket, now);
      if (standing.state === "granted" && r.starting && mine && !mine.started) {
        this.#backend.run(
          "UPDATE coord_lock_ticket SET started = 1 WHERE namespace = ? AND name = ? AND ticket = ?",
          this.#backend.namespace,
          name,
          r.ticket,
        );
        this.#emit(name, { event: "started", ticket: r.ticket });
      }
      return standing;
    };
    return settle(() => this.#backend.write(step));
  }

  release(
    name: string,
    r: { ticket: number; unlessGranted: boolean },
  ): Promise<"released" | "granted" | "gone"> {
    return settle(() =>
      this.#backend.write(() => {
        const now = this.#backend.clock.now();
        const queue = this.#queue(name);
        if (!queue) return "gone";
        const mine = this.#settle(name, queue, now).find((t) => t.ticket === r.ticket);
        if (!mine) return "gone";
        const held = mine.granted_at !== null;
        if (held && r.unlessGranted) return "granted";
        this.#emit(name, {
          event: held ? "completed" : "left",
          ticket: r.ticket,
          label: mine.label,
        });
        this.#remove(name, r.ticket);
        this.#settle(name, queue, now);
        return "released";
      })
    );
  }

  status(name: string): Promise<TicketLine | undefined> {
    // Settles first, as every step does (and as on Redis): a crash shows up, and moves the
    // indicator, when it is looked at.
    return settle(() =>
      this.#backend.write(() => {
        const queue = this.#queue(name);
        if (!queue) return undefined;
        const users = this.#settle(name, queue, this.#backend.clock.now()).map((t) => ({
          ticket: t.ticket,
          label: t.label,
          since: t.since,
          ...(t.granted_at !== null ? { grantedAt: t.granted_at } : {}),
        }));
        return { tickets: queue.tickets, indicator: queue.indicator, limit: queue.lim, users };
      })
    );
  }

  list(): Promise<string[]> {
    return settle(() =>
      this.#backend.all<{ name: string }>(
        "SELECT name FROM coord_lock WHERE namespace = ? ORDER BY name",
        this.#backend.namespace,
      ).map((r) => r.name)
    );
  }

  reset(name: string, r: { force: boolean; expectTickets?: number }): Promise<ResetResult> {
    return settle(() =>
      this.#backend.write((): ResetResult => {
        const queue = this.#queue(name);
        if (!queue) return { outcome: "missing" };
        if (r.expectTickets !== undefined && r.expectTickets !== queue.tickets) {
          return { outcome: "activity" };
        }
        const users = this.#settle(name, queue, this.#backend.clock.now()).length;
        if (users > 0 && !r.force) return { outcome: "in-use", users };
        const ns = this.#backend.namespace;
        for (const table of ["coord_lock_ticket", "coord_lock_request"]) {
          this.#backend.run(`DELETE FROM ${table} WHERE namespace = ? AND name = ?`, ns, name);
        }
        this.#backend.run("DELETE FROM coord_lock WHERE namespace = ? AND name = ?", ns, name);
        this.#emit(name, { event: "reset" });
        return { outcome: "removed" };
      })
    );
  }
}
