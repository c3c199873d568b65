/**
 * How every SQL backend refuses a row coord did not write: one line naming what the step was
 * acting on, the table, and the first value that shows it, whichever check found it (a value of
 * the wrong type on SQLite, one out of coord's range on any engine).
 *
 * @module
 */

import { ForeignDataError } from "../../errors.ts";

/**
 * A stored value as a refusal shows it: JSON, cut at 60 characters; an integer no JavaScript
 * number holds keeps its digits.
 *
 * @example
 * ```ts
 * import { shownValue } from "./foreign_row.ts";
 * shownValue(2n ** 53n + 1n); // "9007199254740993"
 * ```
 */
export function shownValue(value: unknown): string {
  if (value instanceof Uint8Array) return `a blob of ${value.length} bytes`;
  // JSON has no spelling for these: it would show them as null.
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value, (_, v) => typeof v === "bigint" ? String(v) : v) ?? "";
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * The refusal of a row of `table` that holds `shown` (see {@link shownValue}) in `column`, met
 * while acting on `subject`; the row is left as it is.
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
): ForeignDataError {
  return new ForeignDataError(
    `${subject}: ${table} holds a row coord did not write (${column} = ${shown}) ` +
      `— another program wrote there; delete the row or use another --namespace`,
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
 * Whether `value` is a whole number from `min` to `max` (numbers read from the same row).
 *
 * @example
 * ```ts
 * import { whole } from "./foreign_row.ts";
 * whole(3, 1); // true
 * whole(-3, 1); // false
 * ```
 */
export function whole(
  value: unknown,
  min: unknown,
  max: unknown = Number.MAX_SAFE_INTEGER,
): boolean {
  return Number.isSafeInteger(value) && (value as number) >= (min as number) &&
    (value as number) <= (max as number);
}

/**
 * Whether `value` is an instant as coord writes one: a backend clock's epoch ms, from 0 to
 * 2^53 (a fraction allowed: Redis' TIME has microseconds). Not a number, below 0 or beyond
 * (Infinity among them), no clock read it: a lease would never end, a release never come, a
 * date shown would be none.
 *
 * @example
 * ```ts
 * import { instant } from "./foreign_row.ts";
 * instant(1_700_000_000_000.5); // true
 * instant(Infinity); // false
 * ```
 */
export function instant(value: unknown): boolean {
  return typeof value === "number" && value >= 0 && value <= Number.MAX_SAFE_INTEGER;
}

/**
 * Refuses `rows`, as a step read them, when one holds a value coord does not write by `rules`.
 * A NULL is never checked (a column that may hold one says what it stands for itself, or a
 * row the read joined and did not find); nor is a column missing from the rows.
 *
 * @example
 * ```ts
 * import { refuseForeignValues, whole } from "./foreign_row.ts";
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
