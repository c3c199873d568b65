/**
 * Schedule steps in portable SQL, for every SQL backend: each one transaction, with the same
 * outcomes as `../redis/schedule.lua`.
 *
 * @module
 */

import type { ReadResult, ScheduleSteps, StoredRecord } from "../../schedule/steps.ts";
import type { SqlStore, SqlTransaction } from "./transaction.ts";

/** The scheduler's table: one versioned record per name. */
export const SCHEDULE_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS coord_schedule (
    namespace TEXT NOT NULL, name TEXT NOT NULL, version BIGINT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (namespace, name))`,
];

const SCHEDULE_TABLES = ["coord_schedule"];

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
    const [row] = await tx.all<StoredRecord>(
      "SELECT version, value FROM coord_schedule WHERE namespace = ? AND name = ?",
      this.#store.namespace,
      name,
    );
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
    const ns = this.#store.namespace;
    return this.#store.write(async (tx) => {
      // Two writers that both read version `expect` must not both replace it: the second
      // waits here and then reads the first one's version.
      await tx.lock({ kind: "schedule", name });
      if (((await this.#stored(tx, name))?.version ?? 0) !== r.expect) return false;
      if (r.value === null) {
        await tx.run("DELETE FROM coord_schedule WHERE namespace = ? AND name = ?", ns, name);
      } else {
        await tx.run(
          `INSERT INTO coord_schedule (namespace, name, version, value) VALUES (?, ?, ?, ?)
           ON CONFLICT (namespace, name) DO UPDATE SET version = excluded.version,
           value = excluded.value`,
          ns,
          name,
          r.expect + 1,
          r.value,
        );
      }
      await tx.notify({ kind: "schedule", name });
      return true;
    });
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
