/**
 * How every SQL backend refuses a row coord did not write: one line naming what the step was
 * acting on, the table, and the first value that shows it, whichever check found it (a value of
 * the wrong type on SQLite, one out of coord's range on any engine).
 *
 * @module
 */

import { ForeignDataError } from "../../errors.ts";
import { shownValue } from "../../stored_values.ts";

/**
 * The refusal of a row of `table` that holds `shown` (see {@link shownValue}) in `column`, met
 * while acting on `subject`; the row is left as it is. `wayOut` says what to do, where another
 * namespace is none (a table of the whole file).
 *
 * @example
 * ```ts
 * import { foreignRowError } from "./foreign_row.ts";
 * foreignRowError('lock "deploy"', "coord_lock", "lim", "-1").message;
 * // 'lock "deploy": coord_lock holds a row coord did not write (lim = -1) — another program …'
 * ```
 */
export function foreignRowError(
  subject: string,
  table: string,
  column: string,
  shown: string,
  wayOut = "delete the row or use another --namespace",
): ForeignDataError {
  return new ForeignDataError(
    `${subject}: ${table} holds a row coord did not write (${column} = ${shown}) ` +
      `— another program wrote there; ${wayOut}`,
  );
}

/**
 * The values coord writes in one column, checked on a step's first read of its rows on every
 * SQL engine: a value of the column's type but outside what coord writes there (a count below
 * 0, a flag neither 0 nor 1: an UPDATE by hand, another program's) would otherwise be acted on
 * and overwritten.
 */
export interface ValueRule {
  table: string;
  column: string;
  /** The column's name in the step's read, when it is not `column`. */
  read?: string;
  /** Whether coord writes `value` there, given the rest of the row read. */
  writes(value: unknown, row: Record<string, unknown>): boolean;
}

/**
 * Refuses `rows`, as a step read them, when one holds a value coord does not write by `rules`.
 * A NULL is never checked (a column that may hold one says what it stands for itself, or a
 * row the read joined and did not find); nor is a column missing from the rows.
 *
 * @example
 * ```ts
 * import { refuseForeignValues } from "./foreign_row.ts";
 * import { whole } from "../../stored_values.ts";
 * const rules = [{ table: "coord_lock", column: "lim", writes: (v: unknown) => whole(v, 1) }];
 * refuseForeignValues('lock "deploy"', rules, [{ lim: 1 }]); // coord's: no error
 * ```
 *
 * @throws {ForeignDataError} naming `subject`, the table and the value; the step changes nothing.
 */
export function refuseForeignValues(
  subject: string,
  rules: readonly ValueRule[],
  rows: readonly Record<string, unknown>[],
): void {
  for (const row of rows) {
    for (const rule of rules) {
      const value = row[rule.read ?? rule.column];
      if (value === null || value === undefined || rule.writes(value, row)) continue;
      throw foreignRowError(subject, rule.table, rule.column, shownValue(value));
    }
  }
}
