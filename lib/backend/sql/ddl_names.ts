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

/**
 * Each table `ddl` creates, with the columns of its primary key, sorted: what says a table of
 * that name is coord's, where no schema version does.
 *
 * @example
 * ```ts
 * import { ddlPrimaryKeys } from "./ddl_names.ts";
 * ddlPrimaryKeys([
 *   "CREATE TABLE IF NOT EXISTS m (key TEXT PRIMARY KEY, value TEXT)",
 *   "CREATE TABLE IF NOT EXISTS t (b TEXT, a TEXT, PRIMARY KEY (b, a))",
 * ]); // Map { "m" => ["key"], "t" => ["a", "b"] }
 * ```
 */
export function ddlPrimaryKeys(ddl: readonly string[]): Map<string, string[]> {
  return new Map(ddl.flatMap((statement) => {
    const [table] = ddlNames([statement], "TABLE");
    if (table === undefined) return [];
    const listed = /\bPRIMARY KEY \(([^)]*)\)/.exec(statement)?.[1].split(",");
    // A column's own clause: `key TEXT PRIMARY KEY`, `id BIGINT GENERATED … IDENTITY PRIMARY KEY`.
    const inline = /[(,]\s*(\w+) [A-Z][A-Z ]*\bPRIMARY KEY\b/.exec(statement)?.[1];
    const columns = listed?.map((column) => column.trim()) ?? (inline ? [inline] : []);
    return [[table, columns.sort()]];
  }));
}
