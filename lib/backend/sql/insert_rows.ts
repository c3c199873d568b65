/**
 * Many rows into one table in a few statements, each `INSERT … VALUES (…), (…), …` of a
 * bounded number of rows.
 *
 * @module
 */

import { statementChunks } from "./statement_chunks.ts";
import type { SqlTransaction, SqlValue } from "./transaction.ts";

/**
 * Inserts `rows`, each a value for each of `columns`, into `table`: statements of as many rows
 * as the largest of `sizes`, the rest in statements of the smaller ones ({@link statementChunks};
 * the last of `sizes` is 1), each sent with the step's next statement
 * ({@link SqlTransaction.later}). Postgres plans and runs one statement of many rows several
 * times faster than as many statements of one row, each of which cost a step a round trip. The
 * bound keeps a statement's parameters within SQLite's 32,766, and the few sizes the statements
 * a store prepares few (Postgres: ≈ 1.1 MB of server memory a connection for one of 500 job
 * rows). `conflict` ends each statement (`ON CONFLICT … DO UPDATE …`): no two of `rows` may then
 * have the same key, which Postgres refuses to update twice in one statement.
 *
 * @example
 * ```ts ignore
 * await insertRows(tx, "coord_lock_event", ["namespace", "name", "event"], [
 *   ["coord", "deploy", '{"kind":"granted"}'],
 * ], [8, 4, 2, 1]);
 * ```
 */
export async function insertRows(
  tx: SqlTransaction,
  table: string,
  columns: readonly string[],
  rows: readonly SqlValue[][],
  sizes: readonly number[],
  conflict = "",
): Promise<void> {
  const row = `(${columns.map(() => "?").join(", ")})`;
  for (const chunk of statementChunks(rows, sizes)) {
    await tx.later(
      `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${chunk.map(() => row).join(", ")}
       ${conflict}`,
      ...chunk.flat(),
    );
  }
}
