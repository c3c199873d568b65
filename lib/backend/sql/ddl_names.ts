/**
 * The names a schema's `CREATE … IF NOT EXISTS` statements make: both SQL backends compare them
 * with what a database holds, to upgrade one an earlier coord made.
 *
 * @module
 */

/**
 * The tables or indexes `ddl` creates, in order.
 *
 * @example
 * ```ts
 * import { ddlNames } from "./ddl_names.ts";
 * ddlNames(["CREATE INDEX IF NOT EXISTS i ON t (a)"], "INDEX"); // ["i"]
 * ```
 */
export function ddlNames(ddl: readonly string[], kind: "TABLE" | "INDEX"): string[] {
  const pattern = new RegExp(`^\\s*CREATE (?:UNIQUE )?${kind} IF NOT EXISTS\\s+(\\w+)`);
  return ddl.flatMap((statement) => pattern.exec(statement)?.[1] ?? []);
}
