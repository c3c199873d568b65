/**
 * Many rows into one table in a few statements, each `INSERT … VALUES (…), (…), …` of a
 * bounded number of rows.
 *
 * @module
 */

import type { SqlTransaction, SqlValue } from "./transaction.ts";

/**
 * Inserts `rows`, each a value for each of `columns`, into `table`: `perStatement` rows to a
 * statement (the last one the rest), each sent with the step's next statement
 * ({@link SqlTransaction.later}). Postgres plans and runs one statement of many rows several
 * times faster than as many statements of one row, each of which cost a step a round trip. The
 * bound keeps a statement's parameters within SQLite's 32,766, and the statements a store
 * prepares few (each remainder is a statement of its own). `conflict` ends each statement
 * (`ON CONFLICT … DO UPDATE …`): no two of `rows` may then have the same key, which Postgres
 * refuses to update twice in one statement.
 *
 * @example
 * ```ts ignore
 * await insertRows(tx, "coord_lock_event", ["namespace", "name", "event"], [
 *   ["coord", "deploy", '{"kind":"granted"}'],
 * ], 8);
 * ```
 */
export async function insertRows(
  tx: SqlTransaction,
  table: string,
  columns: readonly string[],
  rows: readonly SqlValue[][],
  perStatement: number,
  conflict = "",
): Promise<void> {
  const row = `(${columns.map(() => "?").join(", ")})`;
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    await tx.later(
      `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${chunk.map(() => row).join(", ")}
       ${conflict}`,
      ...chunk.flat(),
    );
  }
}
