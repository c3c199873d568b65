/**
 * Schedule steps in portable SQL, for every SQL backend: each one transaction, with the same
 * outcomes as `../redis/schedule.lua`.
 *
 * @module
 */

import type { ReadResult, ScheduleSteps, StoredRecord } from "../../schedule/steps.ts";
import type { SqlStore, SqlTransaction, SqlValue } from "./transaction.ts";
import { refuseForeignValues, type ValueRule } from "./foreign_row.ts";
import { whole } from "../../stored_values.ts";

/** The scheduler's table: one versioned record per name. */
export const SCHEDULE_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS coord_schedule (
    namespace TEXT NOT NULL, name TEXT NOT NULL, version BIGINT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (namespace, name))`,
];

const SCHEDULE_TABLES = ["coord_schedule"];

/**
 * A record's version counts its writes from 1: 0 stands for no record in every step (a write
 * expecting it inserts), so a row at 0 or below would be read as one, then never written.
 */
const SCHEDULE_RULES: ValueRule[] = [
  { table: "coord_schedule", column: "version", writes: (v) => whole(v, 1) },
];

/** Schedule steps over one {@link SqlStore}. */
export class SqlScheduleSteps implements ScheduleSteps {
  readonly #store: SqlStore;

  /** Steps on `store`'s namespace. */
  constructor(store: SqlStore) {
    this.#store = store;
  }

  /** The task's record; every step starts here, refusing rows another program wrote. */
  async #stored(tx: SqlTransaction, name: string): Promise<StoredRecord | undefined> {
    await tx.refuseForeignRows(`task "${name}"`, SCHEDULE_TABLES, { name });
    const [row] = await tx.all<{ version: number; value: string }>(
      "SELECT version, value FROM coord_schedule WHERE namespace = ? AND name = ?",
      this.#store.namespace,
      name,
    );
    if (row) refuseForeignValues(`task "${name}"`, SCHEDULE_RULES, [row]);
    return row && { version: row.version, value: row.value };
  }

  read(name: string): Promise<ReadResult> {
    return this.#store.read(async (tx): Promise<ReadResult> => {
      // The clock first: on Postgres it goes in the same round trip as BEGIN.
      const now = await tx.now();
      const stored = await this.#stored(tx, name);
      return stored ? { now, stored } : { now };
    });
  }

  write(name: string, r: { expect: number; value: string | null }): Promise<boolean> {
    return this.#store.write(async (tx) => {
      // Removing a record that must not exist: done while there is none.
      if (r.expect === 0 && r.value === null) return await this.#stored(tx, name) === undefined;
      await tx.refuseForeignRows(`task "${name}"`, SCHEDULE_TABLES, { name });
      const { sql, params } = this.#compareAndSet(name, r.expect, r.value);
      if ((await tx.all(sql, ...params)).length === 0) return false;
      await tx.notify({ kind: "schedule", name });
      return true;
    });
  }

  /**
   * The one statement that inserts, replaces or removes the record only if its version is
   * `expect`, returning a row when it did. A concurrent writer that read the same version
   * waits for this one's row, then finds the version changed (Postgres checks the WHERE again
   * on the row it waited for), so no lock is needed around it.
   */
  #compareAndSet(
    name: string,
    expect: number,
    value: string | null,
  ): { sql: string; params: SqlValue[] } {
    const ns = this.#store.namespace;
    if (expect === 0) {
      return {
        sql: `INSERT INTO coord_schedule (namespace, name, version, value) VALUES (?, ?, 1, ?)
              ON CONFLICT (namespace, name) DO NOTHING RETURNING version`,
        params: [ns, name, value],
      };
    }
    if (value === null) {
      return {
        sql: `DELETE FROM coord_schedule WHERE namespace = ? AND name = ? AND version = ?
              RETURNING version`,
        params: [ns, name, expect],
      };
    }
    return {
      sql: `UPDATE coord_schedule SET version = version + 1, value = ?
            WHERE namespace = ? AND name = ? AND version = ? RETURNING version`,
      params: [value, ns, name, expect],
    };
  }

  list(): Promise<string[]> {
    return this.#store.read(async (tx) => {
      const rows = await tx.all<{ name: string }>(
        "SELECT name FROM coord_schedule WHERE namespace = ?",
        this.#store.namespace,
      );
      // Sorted here, not by the engine's collation, so every backend lists in one order.
      return rows.map((r) => r.name).sort();
    });
  }
}
