/**
 * Writing to an SQL backend's tables directly, as another program would: tests plant rows coord
 * would never write and check that the steps refuse them.
 *
 * @module
 */

import type { Backend } from "../../lib/backend/types.ts";
import type { SqliteBackend } from "../../lib/backend/sqlite/backend.ts";
import type { PostgresBackend } from "../../lib/backend/postgres/backend.ts";
import type { SqlValue } from "../../lib/backend/sql/transaction.ts";

/** Whether `backend` keeps its state in SQL tables (SQLite or Postgres). */
export function isSql(backend: Backend): boolean {
  return backend.kind === "sqlite" || backend.kind === "postgres";
}

/**
 * Runs one statement (`?` placeholders) on an SQL backend's tables, in its namespace's schema.
 *
 * @example
 * ```ts ignore
 * await runSql(backend, "UPDATE coord_queue_job SET spec = 'junk' WHERE id = ?", "j");
 * ```
 */
export async function runSql(backend: Backend, sql: string, ...params: SqlValue[]): Promise<void> {
  if (backend.kind === "sqlite") {
    (backend as SqliteBackend).db.prepare(sql).run(...params);
    return;
  }
  await (backend as PostgresBackend).sql.write((tx) => tx.run(sql, ...params));
}

/**
 * The first column of a query's first row, read from an SQL backend's tables as another program
 * would (a count).
 *
 * @example
 * ```ts ignore
 * const rows = await sqlValue(backend, "SELECT count(*) FROM coord_queue_config");
 * ```
 */
export async function sqlValue(
  backend: Backend,
  sql: string,
  ...params: SqlValue[]
): Promise<unknown> {
  const [row] = backend.kind === "sqlite"
    ? [(backend as SqliteBackend).db.prepare(sql).get(...params) as Record<string, unknown>]
    : await (backend as PostgresBackend).sql.read((tx) =>
      tx.all<Record<string, unknown>>(sql, ...params)
    );
  return row && Object.values(row)[0];
}
