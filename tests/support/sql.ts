/**
 * Writing to an SQL backend's tables directly, as another program would: tests plant rows coord
 * would never write and check that the steps refuse them.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Backend } from "../../lib/backend/types.ts";
import type { SqliteBackend } from "../../lib/backend/sqlite/backend.ts";
import type { PostgresBackend } from "../../lib/backend/postgres/backend.ts";
import type { SqlValue } from "../../lib/backend/sql/transaction.ts";
import { type CoordResult, runCoord } from "./cli.ts";

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
 * The rows of a query, read from an SQL backend's tables as another program would.
 *
 * @example
 * ```ts ignore
 * const locks = await sqlRows(backend, "SELECT * FROM coord_lock ORDER BY name");
 * ```
 */
export async function sqlRows(
  backend: Backend,
  sql: string,
  ...params: SqlValue[]
): Promise<Record<string, unknown>[]> {
  if (backend.kind === "sqlite") {
    return (backend as SqliteBackend).db.prepare(sql).all(...params) as Record<string, unknown>[];
  }
  return await (backend as PostgresBackend).sql.read((tx) =>
    tx.all<Record<string, unknown>>(sql, ...params)
  );
}

/**
 * The first column of a query's first row (see {@link sqlRows}): a count.
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
  const [row] = await sqlRows(backend, sql, ...params);
  return row && Object.values(row)[0];
}

/**
 * Checks that `queue show` refuses the first `planted` of jobs `q/1`…`q/5` (exit 65) and shows
 * the rest, and that `coord doctor --json` lists exactly those as refused jobs of the job table.
 *
 * @returns doctor's result, for what else it should say.
 */
export async function assertJobsRefused(
  env: Record<string, string>,
  planted: number,
): Promise<CoordResult> {
  for (let id = 1; id <= 5; id++) {
    const show = await runCoord(["queue", "show", `q/${id}`], { env });
    assert.equal(show.code, id <= planted ? 65 : 0, `q/${id}: ${show.stderr}`);
  }
  const r = await runCoord(["doctor", "--json"], { env });
  assert.equal(r.code, 0, r.stderr);
  const found = JSON.parse(r.stdout).foreign as { where: string; problem: string }[];
  assert.deepEqual(
    found.map((f) => [f.where, f.problem.match(/^job "(\d+)" is refused: /)?.[1]]),
    Array.from({ length: planted }, (_, i) => ["table coord_queue_job", String(i + 1)]),
  );
  return r;
}
