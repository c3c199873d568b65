/**
 * Schedule steps on SQLite: each one transaction, with the same outcomes as
 * `../redis/schedule.lua`.
 *
 * @module
 */

import type { ReadResult, ScheduleSteps } from "../../schedule/steps.ts";
import { settle, type SqliteBackend } from "./backend.ts";

/** The scheduler's table: one versioned record per name. */
export const SCHEDULE_DDL = [
  `CREATE TABLE IF NOT EXISTS coord_schedule (
    namespace TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (namespace, name))`,
];

/** Schedule steps over one {@link SqliteBackend}. */
export class SqliteScheduleSteps implements ScheduleSteps {
  readonly #backend: SqliteBackend;

  constructor(backend: SqliteBackend) {
    this.#backend = backend;
  }

  #refuseForeign(name: string): void {
    this.#backend.refuseForeignRows(`task "${name}"`, ["coord_schedule"], { name });
  }

  read(name: string): Promise<ReadResult> {
    return settle(() =>
      this.#backend.read(() => {
        this.#refuseForeign(name);
        const [row] = this.#backend.all<{ version: number; value: string }>(
          "SELECT version, value FROM coord_schedule WHERE namespace = ? AND name = ?",
          this.#backend.namespace,
          name,
        );
        const now = this.#backend.clock.now();
        return row ? { now, stored: { version: row.version, value: row.value } } : { now };
      })
    );
  }

  write(name: string, r: { expect: number; value: string | null }): Promise<boolean> {
    const { namespace } = this.#backend;
    return settle(() =>
      this.#backend.write(() => {
        this.#refuseForeign(name);
        const [row] = this.#backend.all<{ version: number }>(
          "SELECT version FROM coord_schedule WHERE namespace = ? AND name = ?",
          namespace,
          name,
        );
        if ((row?.version ?? 0) !== r.expect) return false;
        if (r.value === null) {
          this.#backend.run(
            "DELETE FROM coord_schedule WHERE namespace = ? AND name = ?",
            namespace,
            name,
          );
        } else {
          this.#backend.run(
            `INSERT INTO coord_schedule (namespace, name, version, value) VALUES (?, ?, ?, ?)
             ON CONFLICT (namespace, name) DO UPDATE SET version = excluded.version,
             value = excluded.value`,
            namespace,
            name,
            r.expect + 1,
            r.value,
          );
        }
        return true;
      })
    );
  }

  list(): Promise<string[]> {
    return settle(() =>
      this.#backend.all<{ name: string }>(
        "SELECT name FROM coord_schedule WHERE namespace = ? ORDER BY name",
        this.#backend.namespace,
      ).map((r) => r.name)
    );
  }
}
