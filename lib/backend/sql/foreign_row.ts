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
