/**
 * Barrier steps on SQLite: each one transaction (or one consistent read), with the same
 * outcomes as `../redis/barrier.lua`.
 *
 * @module
 */

import {
  type Arrival,
  type ArriveRequest,
  type ArriveResult,
  type BarrierStatus,
  type BarrierSteps,
  ENDED_GENERATIONS_KEPT,
  type GenerationState,
} from "../../barrier/steps.ts";

import { settle, type SqliteBackend } from "./backend.ts";

/**
 * The barrier's tables. An `ended` row with a NULL `release_at` is an aborted generation;
 * `member` remembers which arrivals an ended generation counted.
 */
export const BARRIER_DDL = [
  `CREATE TABLE IF NOT EXISTS coord_barrier (
    namespace TEXT NOT NULL, name TEXT NOT NULL, generation INTEGER NOT NULL, n INTEGER,
    next_arrival INTEGER NOT NULL DEFAULT 0,
    last_generation INTEGER, last_release_at REAL, last_n INTEGER,
    PRIMARY KEY (namespace, name))`,
  `CREATE TABLE IF NOT EXISTS coord_barrier_arrival (
    namespace TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL, arrival INTEGER NOT NULL,
    host TEXT NOT NULL, pid INTEGER NOT NULL, since REAL NOT NULL, expires_at REAL NOT NULL,
    PRIMARY KEY (namespace, name, id))`,
  `CREATE TABLE IF NOT EXISTS coord_barrier_ended (
    namespace TEXT NOT NULL, name TEXT NOT NULL, generation INTEGER NOT NULL,
    release_at REAL, n INTEGER, PRIMARY KEY (namespace, name, generation))`,
  `CREATE TABLE IF NOT EXISTS coord_barrier_member (
    namespace TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL, generation INTEGER NOT NULL,
    PRIMARY KEY (namespace, name, id))`,
];

const BARRIER_TABLES = [
  "coord_barrier",
  "coord_barrier_arrival",
  "coord_barrier_ended",
  "coord_barrier_member",
];

interface Row {
  generation: number;
  n: number | null;
  next_arrival: number;
  last_generation: number | null;
  last_release_at: number | null;
  last_n: number | null;
}

/** Barrier steps over one {@link SqliteBackend}. */
export class SqliteBarrierSteps implements BarrierSteps {
  readonly #backend: SqliteBackend;

  constructor(backend: SqliteBackend) {
    this.#backend = backend;
  }

  /** The barrier's row; every step starts here, refusing rows another program wrote. */
  #row(name: string): Row {
    this.#backend.refuseForeignRows(`barrier "${name}"`, BARRIER_TABLES, { name });
    const [row] = this.#backend.all<Row>(
      "SELECT * FROM coord_barrier WHERE namespace = ? AND name = ?",
      this.#backend.namespace,
      name,
    );
    return row ?? {
      generation: 1,
      n: null,
      next_arrival: 0,
      last_generation: null,
      last_release_at: null,
      last_n: null,
    };
  }

  #count(name: string, now: number): number {
    const [{ count }] = this.#backend.all<{ count: number }>(
      `SELECT count(*) AS count FROM coord_barrier_arrival
       WHERE namespace = ? AND name = ? AND expires_at >= ?`,
      this.#backend.namespace,
      name,
      now,
    );
    return count;
  }

  #purge(name: string, now: number): void {
    this.#backend.run(
      "DELETE FROM coord_barrier_arrival WHERE namespace = ? AND name = ? AND expires_at < ?",
      this.#backend.namespace,
      name,
      now,
    );
  }

  /** How an ended generation ended for one participant: only those it counted were released. */
  #endedOutcome(
    name: string,
    generation: number,
    id: string,
    absent: "expired" | "withdrawn",
  ): GenerationState {
    const ns = this.#backend.namespace;
    const [member] = this.#backend.all<{ generation: number }>(
      "SELECT generation FROM coord_barrier_member WHERE namespace = ? AND name = ? AND id = ?",
      ns,
      name,
      id,
    );
    if (member?.generation !== generation) return { outcome: absent };
    const [ended] = this.#backend.all<{ release_at: number | null; n: number }>(
      `SELECT release_at, n FROM coord_barrier_ended
       WHERE namespace = ? AND name = ? AND generation = ?`,
      ns,
      name,
      generation,
    );
    return ended?.release_at == null
      ? { outcome: "aborted" }
      : { outcome: "released", releaseAt: ended.release_at, n: ended.n };
  }

  /** Closes generation `row.generation` (released when `releaseAt` is given) and opens the next. */
  #finish(name: string, row: Row, releaseAt: number | null, n: number | null, now: number): void {
    const ns = this.#backend.namespace;
    const oldest = row.generation - ENDED_GENERATIONS_KEPT;
    this.#backend.run(
      `INSERT OR REPLACE INTO coord_barrier_member (namespace, name, id, generation)
       SELECT namespace, name, id, ? FROM coord_barrier_arrival
       WHERE namespace = ? AND name = ? AND expires_at >= ?`,
      row.generation,
      ns,
      name,
      now,
    );
    this.#backend.run(
      "DELETE FROM coord_barrier_member WHERE namespace = ? AND name = ? AND generation <= ?",
      ns,
      name,
      oldest,
    );
    this.#backend.run(
      "INSERT INTO coord_barrier_ended VALUES (?, ?, ?, ?, ?)",
      ns,
      name,
      row.generation,
      releaseAt,
      n,
    );
    this.#backend.run(
      "DELETE FROM coord_barrier_ended WHERE namespace = ? AND name = ? AND generation <= ?",
      ns,
      name,
      oldest,
    );
    this.#backend.run(
      "DELETE FROM coord_barrier_arrival WHERE namespace = ? AND name = ?",
      ns,
      name,
    );
    const last = releaseAt === null ? row : {
      last_generation: row.generation,
      last_release_at: releaseAt,
      last_n: n,
    };
    this.#save(name, { ...row, ...last, generation: row.generation + 1, n: null, next_arrival: 0 });
  }

  #save(name: string, row: Row): void {
    this.#backend.run(
      `INSERT OR REPLACE INTO coord_barrier
       (namespace, name, generation, n, next_arrival, last_generation, last_release_at, last_n)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      this.#backend.namespace,
      name,
      row.generation,
      row.n,
      row.next_arrival,
      row.last_generation,
      row.last_release_at,
      row.last_n,
    );
  }

  arrive(name: string, r: ArriveRequest): Promise<ArriveResult> {
    return settle(() =>
      this.#backend.write((): ArriveResult => {
        const now = this.#backend.clock.now();
        this.#purge(name, now);
        const row = this.#row(name);
        const count = this.#count(name, now);
        if (count > 0 && row.n !== null && row.n !== r.n) return { outcome: "mismatch", n: row.n };
        const joined = { outcome: "joined", generation: row.generation, n: r.n } as const;
        const [known] = this.#backend.all<{ arrival: number }>(
          `SELECT arrival FROM coord_barrier_arrival WHERE namespace = ? AND name = ? AND id = ?`,
          this.#backend.namespace,
          name,
          r.id,
        );
        if (known) {
          // A retried arrive (its reply was lost): renew, count it once.
          this.#renew(name, r.id, now + r.leaseMs);
          return { ...joined, arrival: known.arrival, count };
        }
        const arrival = row.next_arrival + 1;
        this.#backend.run(
          "INSERT INTO coord_barrier_arrival VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          this.#backend.namespace,
          name,
          r.id,
          arrival,
          r.info.host,
          r.info.pid,
          now,
          now + r.leaseMs,
        );
        const counted = { ...joined, arrival, count: count + 1 };
        if (count + 1 < r.n) {
          this.#save(name, { ...row, n: r.n, next_arrival: arrival });
          return counted;
        }
        const releaseAt = now + r.delayMs;
        this.#finish(name, row, releaseAt, r.n, now);
        return { ...counted, releaseAt };
      })
    );
  }

  #renew(name: string, id: string, expiresAt: number): void {
    this.#backend.run(
      "UPDATE coord_barrier_arrival SET expires_at = ? WHERE namespace = ? AND name = ? AND id = ?",
      expiresAt,
      this.#backend.namespace,
      name,
      id,
    );
  }

  check(
    name: string,
    r: { id: string; generation: number; leaseMs: number; renew: boolean },
  ): Promise<GenerationState> {
    const read = (): GenerationState => {
      const now = this.#backend.clock.now();
      const row = this.#row(name);
      if (r.generation < row.generation) {
        return this.#endedOutcome(name, r.generation, r.id, "expired");
      }
      const [mine] = this.#backend.all<{ expires_at: number }>(
        `SELECT expires_at FROM coord_barrier_arrival
         WHERE namespace = ? AND name = ? AND id = ? AND expires_at >= ?`,
        this.#backend.namespace,
        name,
        r.id,
        now,
      );
      if (!mine) return { outcome: "expired" };
      if (r.renew) this.#renew(name, r.id, now + r.leaseMs);
      return { outcome: "waiting", count: this.#count(name, now), n: row.n ?? 0 };
    };
    // Only a renewal writes: a plain check must not wake the other waiters polling the file.
    return settle(() => r.renew ? this.#backend.write(read) : this.#backend.read(read));
  }

  withdraw(name: string, r: { id: string; generation: number }): Promise<GenerationState> {
    return settle(() =>
      this.#backend.write((): GenerationState => {
        const row = this.#row(name);
        if (r.generation < row.generation) {
          return this.#endedOutcome(name, r.generation, r.id, "withdrawn");
        }
        this.#backend.run(
          "DELETE FROM coord_barrier_arrival WHERE namespace = ? AND name = ? AND id = ?",
          this.#backend.namespace,
          name,
          r.id,
        );
        return { outcome: "withdrawn" };
      })
    );
  }

  status(name: string): Promise<BarrierStatus> {
    return settle(() =>
      this.#backend.read((): BarrierStatus => {
        const now = this.#backend.clock.now();
        const row = this.#row(name);
        const arrivals = this.#backend.all<Arrival>(
          `SELECT arrival, host, pid, since FROM coord_barrier_arrival
         WHERE namespace = ? AND name = ? AND expires_at >= ? ORDER BY arrival`,
          this.#backend.namespace,
          name,
          now,
        );
        return {
          generation: row.generation,
          ...(row.n !== null && arrivals.length > 0 ? { n: row.n } : {}),
          arrivals,
          ...(row.last_generation !== null
            ? {
              lastRelease: {
                generation: row.last_generation,
                releaseAt: row.last_release_at!,
                n: row.last_n!,
              },
            }
            : {}),
        };
      })
    );
  }

  abort(name: string): Promise<{ generation: number; waiting: number }> {
    return settle(() =>
      this.#backend.write(() => {
        const now = this.#backend.clock.now();
        const row = this.#row(name);
        const waiting = this.#count(name, now);
        this.#finish(name, row, null, null, now);
        return { generation: row.generation, waiting };
      })
    );
  }
}
