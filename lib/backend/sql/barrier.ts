/**
 * Barrier steps in portable SQL, for every SQL backend: each one transaction, with the same
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
import { foreignRowError, refuseForeignValues, type ValueRule } from "./foreign_row.ts";
import { instant, shownValue, whole } from "../../stored_values.ts";
import type { SqlStore, SqlTransaction } from "./transaction.ts";

/**
 * The barrier's tables. An `ended` row with a NULL `release_at` is an aborted generation;
 * `member` remembers which arrivals an ended generation counted.
 */
export const BARRIER_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS coord_barrier (
    namespace TEXT NOT NULL, name TEXT NOT NULL, generation BIGINT NOT NULL, n BIGINT,
    next_arrival BIGINT NOT NULL DEFAULT 0,
    last_generation BIGINT, last_release_at DOUBLE PRECISION, last_n BIGINT,
    PRIMARY KEY (namespace, name))`,
  `CREATE TABLE IF NOT EXISTS coord_barrier_arrival (
    namespace TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL, arrival BIGINT NOT NULL,
    host TEXT NOT NULL, pid BIGINT NOT NULL, since DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (namespace, name, id))`,
  `CREATE TABLE IF NOT EXISTS coord_barrier_ended (
    namespace TEXT NOT NULL, name TEXT NOT NULL, generation BIGINT NOT NULL,
    release_at DOUBLE PRECISION, n BIGINT, PRIMARY KEY (namespace, name, generation))`,
  `CREATE TABLE IF NOT EXISTS coord_barrier_member (
    namespace TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL, generation BIGINT NOT NULL,
    PRIMARY KEY (namespace, name, id))`,
];

const BARRIER_TABLES = [
  "coord_barrier",
  "coord_barrier_arrival",
  "coord_barrier_ended",
  "coord_barrier_member",
];

type Row = {
  generation: number;
  n: number | null;
  next_arrival: number;
  last_generation: number | null;
  last_release_at: number | null;
  last_n: number | null;
};

/** The last release is written whole, its three columns at once. */
function lastRelease(check: (value: unknown) => boolean): ValueRule["writes"] {
  return (value, row) =>
    check(value) && row.last_generation !== null && row.last_release_at !== null &&
    row.last_n !== null;
}

/**
 * The values coord writes in a barrier's row (as the state's fields in `../redis/barrier.lua`):
 * every step refuses another program's (a count of NaN or below 0 participants).
 */
const STATE_RULES: ValueRule[] = [
  { table: "coord_barrier", column: "generation", writes: (v) => whole(v, 1) },
  { table: "coord_barrier", column: "n", writes: (v) => whole(v, 1) },
  { table: "coord_barrier", column: "next_arrival", writes: (v) => whole(v, 0) },
  {
    table: "coord_barrier",
    column: "last_generation",
    writes: lastRelease((v) => whole(v, 1)),
  },
  {
    table: "coord_barrier",
    column: "last_release_at",
    writes: lastRelease(instant),
  },
  { table: "coord_barrier", column: "last_n", writes: lastRelease((v) => whole(v, 1)) },
];

/**
 * An arrival's and an ended generation's values: an arrival whose lease never ends would be
 * counted for good, a release at no instant slept towards for ever.
 */
const ARRIVAL_RULES: ValueRule[] = [
  { table: "coord_barrier_arrival", column: "arrival", writes: (v) => whole(v, 1) },
  { table: "coord_barrier_arrival", column: "since", writes: instant },
  { table: "coord_barrier_arrival", column: "expires_at", writes: instant },
];
const ENDED_RULES: ValueRule[] = [
  { table: "coord_barrier_ended", column: "release_at", writes: instant },
  { table: "coord_barrier_ended", column: "n", writes: (v) => whole(v, 1) },
];

/** Barrier steps over one {@link SqlStore}. */
export class SqlBarrierSteps implements BarrierSteps {
  readonly #store: SqlStore;

  /** Steps on `store`'s namespace. */
  constructor(store: SqlStore) {
    this.#store = store;
  }

  get #ns(): string {
    return this.#store.namespace;
  }

  /** The barrier's row; every step starts here, refusing rows another program wrote. */
  async #row(tx: SqlTransaction, name: string): Promise<Row> {
    await tx.refuseForeignRows(`barrier "${name}"`, BARRIER_TABLES, { name });
    const [row] = await tx.all<Row>(
      `SELECT generation, n, next_arrival, last_generation, last_release_at, last_n
       FROM coord_barrier WHERE namespace = ? AND name = ?`,
      this.#ns,
      name,
    );
    if (row) refuseForeignValues(`barrier "${name}"`, STATE_RULES, [row]);
    const arrivals = await tx.all<Record<string, unknown>>(
      `SELECT arrival, since, expires_at FROM coord_barrier_arrival
       WHERE namespace = ? AND name = ?`,
      this.#ns,
      name,
    );
    refuseForeignValues(`barrier "${name}"`, ARRIVAL_RULES, arrivals);
    return row ?? {
      generation: 1,
      n: null,
      next_arrival: 0,
      last_generation: null,
      last_release_at: null,
      last_n: null,
    };
  }

  async #count(tx: SqlTransaction, name: string, now: number): Promise<number> {
    const [{ count }] = await tx.all<{ count: number }>(
      `SELECT count(*) AS count FROM coord_barrier_arrival
       WHERE namespace = ? AND name = ? AND expires_at >= ?`,
      this.#ns,
      name,
      now,
    );
    return count;
  }

  async #purge(tx: SqlTransaction, name: string, now: number): Promise<void> {
    await tx.run(
      "DELETE FROM coord_barrier_arrival WHERE namespace = ? AND name = ? AND expires_at < ?",
      this.#ns,
      name,
      now,
    );
  }

  /** How an ended generation ended for one participant: only those it counted were released. */
  async #endedOutcome(
    tx: SqlTransaction,
    name: string,
    generation: number,
    id: string,
    absent: "expired" | "withdrawn",
  ): Promise<GenerationState> {
    const [member] = await tx.all<{ generation: number }>(
      "SELECT generation FROM coord_barrier_member WHERE namespace = ? AND name = ? AND id = ?",
      this.#ns,
      name,
      id,
    );
    if (member?.generation !== generation) return { outcome: absent };
    const [ended] = await tx.all<{ release_at: number | null; n: number }>(
      `SELECT release_at, n FROM coord_barrier_ended
       WHERE namespace = ? AND name = ? AND generation = ?`,
      this.#ns,
      name,
      generation,
    );
    if (ended) refuseForeignValues(`barrier "${name}"`, ENDED_RULES, [ended]);
    return ended?.release_at == null
      ? { outcome: "aborted" }
      : { outcome: "released", releaseAt: ended.release_at, n: ended.n };
  }

  /** Closes generation `row.generation` (released when `releaseAt` is given) and opens the next. */
  async #finish(
    tx: SqlTransaction,
    name: string,
    row: Row,
    releaseAt: number | null,
    n: number | null,
    now: number,
  ): Promise<void> {
    const ns = this.#ns;
    // Coord ends a generation once, after every earlier one: a row at or beyond this one is
    // another program's, and the insert below would fail on its key (a bug's exit).
    const [ahead] = await tx.all<{ generation: unknown }>(
      `SELECT generation FROM coord_barrier_ended
       WHERE namespace = ? AND name = ? AND generation >= ? ORDER BY generation LIMIT 1`,
      ns,
      name,
      row.generation,
    );
    if (ahead) {
      throw foreignRowError(
        `barrier "${name}"`,
        "coord_barrier_ended",
        "generation",
        shownValue(ahead.generation),
      );
    }
    const oldest = row.generation - ENDED_GENERATIONS_KEPT;
    await tx.run(
      `INSERT INTO coord_barrier_member (namespace, name, id, generation)
       SELECT namespace, name, id, CAST(? AS BIGINT) FROM coord_barrier_arrival
       WHERE namespace = ? AND name = ? AND expires_at >= ?
       ON CONFLICT (namespace, name, id) DO UPDATE SET generation = excluded.generation`,
      row.generation,
      ns,
      name,
      now,
    );
    await tx.run(
      "DELETE FROM coord_barrier_member WHERE namespace = ? AND name = ? AND generation <= ?",
      ns,
      name,
      oldest,
    );
    await tx.run(
      `INSERT INTO coord_barrier_ended (namespace, name, generation, release_at, n)
       VALUES (?, ?, ?, ?, ?)`,
      ns,
      name,
      row.generation,
      releaseAt,
      n,
    );
    await tx.run(
      "DELETE FROM coord_barrier_ended WHERE namespace = ? AND name = ? AND generation <= ?",
      ns,
      name,
      oldest,
    );
    await tx.run(
      "DELETE FROM coord_barrier_arrival WHERE namespace = ? AND name = ?",
      ns,
      name,
    );
    const last = releaseAt === null ? row : {
      last_generation: row.generation,
      last_release_at: releaseAt,
      last_n: n,
    };
    await this.#save(tx, name, {
      ...row,
      ...last,
      generation: row.generation + 1,
      n: null,
      next_arrival: 0,
    });
  }

  async #save(tx: SqlTransaction, name: string, row: Row): Promise<void> {
    await tx.run(
      `INSERT INTO coord_barrier
       (namespace, name, generation, n, next_arrival, last_generation, last_release_at, last_n)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (namespace, name) DO UPDATE SET generation = excluded.generation,
         n = excluded.n, next_arrival = excluded.next_arrival,
         last_generation = excluded.last_generation, last_release_at = excluded.last_release_at,
         last_n = excluded.last_n`,
      this.#ns,
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
    return this.#store.write(async (tx): Promise<ArriveResult> => {
      await tx.lock({ kind: "barrier", name });
      const now = await tx.now();
      // Checked first: an arrival another program wrote is refused, not purged as expired.
      const row = await this.#row(tx, name);
      await this.#purge(tx, name, now);
      const count = await this.#count(tx, name, now);
      if (count > 0 && row.n !== null && row.n !== r.n) return { outcome: "mismatch", n: row.n };
      const joined = { outcome: "joined", generation: row.generation, n: r.n } as const;
      const [known] = await tx.all<{ arrival: number }>(
        `SELECT arrival FROM coord_barrier_arrival WHERE namespace = ? AND name = ? AND id = ?`,
        this.#ns,
        name,
        r.id,
      );
      if (known) {
        // A retried arrive (its reply was lost): renew, count it once.
        await this.#renew(tx, name, r.id, now + r.leaseMs);
        return { ...joined, arrival: known.arrival, count };
      }
      const arrival = row.next_arrival + 1;
      await tx.run(
        `INSERT INTO coord_barrier_arrival
         (namespace, name, id, arrival, host, pid, since, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        this.#ns,
        name,
        r.id,
        arrival,
        r.info.host,
        r.info.pid,
        now,
        now + r.leaseMs,
      );
      await tx.notify({ kind: "barrier", name });
      const counted = { ...joined, arrival, count: count + 1 };
      if (count + 1 < r.n) {
        await this.#save(tx, name, { ...row, n: r.n, next_arrival: arrival });
        return counted;
      }
      const releaseAt = now + r.delayMs;
      await this.#finish(tx, name, row, releaseAt, r.n, now);
      return { ...counted, releaseAt };
    });
  }

  async #renew(tx: SqlTransaction, name: string, id: string, expiresAt: number): Promise<void> {
    await tx.run(
      "UPDATE coord_barrier_arrival SET expires_at = ? WHERE namespace = ? AND name = ? AND id = ?",
      expiresAt,
      this.#ns,
      name,
      id,
    );
  }

  check(
    name: string,
    r: { id: string; generation: number; leaseMs: number; renew: boolean },
  ): Promise<GenerationState> {
    const read = async (tx: SqlTransaction): Promise<GenerationState> => {
      if (r.renew) await tx.lock({ kind: "barrier", name });
      const now = await tx.now();
      const row = await this.#row(tx, name);
      if (r.generation < row.generation) {
        return this.#endedOutcome(tx, name, r.generation, r.id, "expired");
      }
      const [mine] = await tx.all<{ expires_at: number }>(
        `SELECT expires_at FROM coord_barrier_arrival
         WHERE namespace = ? AND name = ? AND id = ? AND expires_at >= ?`,
        this.#ns,
        name,
        r.id,
        now,
      );
      if (!mine) return { outcome: "expired" };
      if (r.renew) await this.#renew(tx, name, r.id, now + r.leaseMs);
      return { outcome: "waiting", count: await this.#count(tx, name, now), n: row.n ?? 0 };
    };
    // Only a renewal writes: a plain check must not wake the other waiters.
    return r.renew ? this.#store.write(read) : this.#store.read(read);
  }

  withdraw(name: string, r: { id: string; generation: number }): Promise<GenerationState> {
    return this.#store.write(async (tx): Promise<GenerationState> => {
      await tx.lock({ kind: "barrier", name });
      const row = await this.#row(tx, name);
      if (r.generation < row.generation) {
        return this.#endedOutcome(tx, name, r.generation, r.id, "withdrawn");
      }
      await tx.run(
        "DELETE FROM coord_barrier_arrival WHERE namespace = ? AND name = ? AND id = ?",
        this.#ns,
        name,
        r.id,
      );
      await tx.notify({ kind: "barrier", name });
      return { outcome: "withdrawn" };
    });
  }

  status(name: string): Promise<BarrierStatus> {
    return this.#store.read(async (tx): Promise<BarrierStatus> => {
      const now = await tx.now();
      const row = await this.#row(tx, name);
      const arrivals = await tx.all<Arrival>(
        `SELECT arrival, host, pid, since FROM coord_barrier_arrival
         WHERE namespace = ? AND name = ? AND expires_at >= ? ORDER BY arrival`,
        this.#ns,
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
    });
  }

  abort(name: string): Promise<{ generation: number; waiting: number }> {
    return this.#store.write(async (tx) => {
      await tx.lock({ kind: "barrier", name });
      const now = await tx.now();
      const row = await this.#row(tx, name);
      const waiting = await this.#count(tx, name, now);
      await this.#finish(tx, name, row, null, null, now);
      await tx.notify({ kind: "barrier", name });
      return { generation: row.generation, waiting };
    });
  }

  list(): Promise<string[]> {
    return this.#store.read(async (tx) => {
      const rows = await tx.all<{ name: string }>(
        "SELECT name FROM coord_barrier WHERE namespace = ?",
        this.#ns,
      );
      // Sorted here, by code unit like Redis' listing, not by the database's collation.
      return rows.map((row) => row.name).sort();
    });
  }
}
