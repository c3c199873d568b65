/**
 * The statements of one SQLite connection, each prepared once: waiters poll and steps repeat
 * the same few. Rows come back as plain objects of one shape per statement.
 *
 * `node:sqlite` builds a row as an object without a prototype, which V8 keeps as a dictionary:
 * copying one (`{ ...row, state }`, as the queue's steps do with each job) took 4.7–6.4 µs
 * against 0.1 µs for an ordinary object of the same 22 columns, and reading rows as arrays then
 * setting the names took 1.9 µs a row against 3.8 µs for `node:sqlite`'s objects.
 *
 * @module
 */

import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { ForeignDataError } from "../../errors.ts";

/**
 * A bare `LIMIT ?` in a statement. SQLite plans such a statement for the limit's value, so it
 * compiles it again each time the parameter is bound — 20–140 µs a run, more than the query
 * itself (a claim ran two) — while a limit given by an expression is planned once.
 */
const BARE_LIMIT = /\bLIMIT \?/g;

/** `setReturnArrays` is in Deno's `node:sqlite`, not in every version of its declarations. */
type ArrayStatement = StatementSync & { setReturnArrays?: (on: boolean) => void };

interface Prepared {
  statement: StatementSync;
  /**
   * Each of its result's columns, null, in order, when it returns rows as arrays; undefined
   * where the runtime cannot (its rows are `node:sqlite`'s objects). A row is a copy of it:
   * an object built by setting 20 or more names one by one falls back to a dictionary itself.
   */
  template?: Record<string, null>;
  /** The names of the template's columns, in order. */
  columns: string[];
  /** Whether it reads one of the checked tables (see the constructor). */
  checked: boolean;
}

/**
 * Runs SQL on one connection, preparing each text once.
 *
 * @example
 * ```ts
 * import { DatabaseSync } from "node:sqlite";
 * import { Statements } from "./statements.ts";
 * const statements = new Statements(new DatabaseSync(":memory:"));
 * statements.all<{ n: number }>("SELECT ? AS n LIMIT ?", 7, 1); // [{ n: 7 }]
 * ```
 */
export class Statements {
  readonly #db: DatabaseSync;
  readonly #prepared = new Map<string, Prepared>();
  readonly #checked: ReadonlySet<string>;

  /**
   * Statements on `db`, which stays the caller's to close. Reads that read from one of
   * `checkedTables` (by the tables after each `FROM`) give an integer beyond 2^53 as its
   * decimal text, for the steps that check each of those rows to refuse that row alone; reads
   * from the others refuse the whole read.
   */
  constructor(db: DatabaseSync, checkedTables: Iterable<string> = []) {
    this.#db = db;
    this.#checked = new Set(checkedTables);
  }

  #prepare(sql: string): Prepared {
    let prepared = this.#prepared.get(sql);
    if (!prepared) {
      const statement: ArrayStatement = this.#db.prepare(
        sql.replace(BARE_LIMIT, "LIMIT CAST(? AS INTEGER)"),
      );
      const arrays = typeof statement.setReturnArrays === "function";
      statement.setReturnArrays?.(true);
      const columns = arrays ? statement.columns().map((c) => c.name) : [];
      prepared = {
        statement,
        template: arrays ? Object.fromEntries(columns.map((name) => [name, null])) : undefined,
        columns,
        checked: tablesOf(sql).some((table) => this.#checked.has(table)),
      };
      this.#prepared.set(sql, prepared);
    }
    return prepared;
  }

  /**
   * The rows of a query, each an object of its columns by name.
   *
   * @throws {ForeignDataError} when a row of a table not checked holds an integer no
   * JavaScript number holds: coord never writes one.
   */
  all<T>(sql: string, ...params: SQLInputValue[]): T[] {
    const { statement, template, columns, checked } = this.#prepare(sql);
    const read = () => statement.all(...params);
    const rows = checked ? hugeIntegersAsText(statement, read) : refusingHugeIntegers(sql, read);
    if (!template) return rows as T[];
    return (rows as unknown as SQLInputValue[][]).map((values) => {
      const row: Record<string, unknown> = { ...template };
      for (let i = 0; i < columns.length; i++) row[columns[i]] = values[i];
      return row as T;
    });
  }

  /** Runs a statement that returns no rows. */
  run(sql: string, ...params: SQLInputValue[]): void {
    this.#prepare(sql).statement.run(...params);
  }

  /** The first column of a query's first row (a pragma's value, a count). */
  value(sql: string): unknown {
    const { statement } = this.#prepare(sql);
    const row = refusingHugeIntegers(sql, () => statement.get()) as object | undefined;
    return row && Object.values(row)[0];
  }
}

/**
 * What `read` returns; a value `node:sqlite` cannot give as a number (an integer beyond 2^53,
 * which another program wrote) is refused as foreign data, as `coord doctor` reports it.
 */
function refusingHugeIntegers<T>(sql: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (!isHugeInteger(e)) throw e;
    const table = tablesOf(sql)[0] ?? "a coord table";
    throw new ForeignDataError(
      `${table} holds a row coord did not write (an integer beyond 2^53) — another program ` +
        `wrote there; \`coord doctor\` names it; delete the row or use another --namespace`,
    );
  }
}

/**
 * What `read` returns, an integer beyond 2^53 given as its decimal text: the value another
 * program wrote, which no check of coord's takes for a number. Read a second time for it, with
 * every integer as a bigint: rare, and only then.
 */
function hugeIntegersAsText(statement: StatementSync, read: () => unknown[]): unknown[] {
  try {
    return read();
  } catch (e) {
    if (!isHugeInteger(e)) throw e;
  }
  statement.setReadBigInts(true);
  try {
    const asText = (value: unknown) =>
      typeof value !== "bigint"
        ? value
        : value >= -MAX_SAFE && value <= MAX_SAFE
        ? Number(value)
        : value.toString();
    return read().map((row) =>
      Array.isArray(row)
        ? row.map(asText)
        : Object.fromEntries(Object.entries(row as object).map(([k, v]) => [k, asText(v)]))
    );
  } finally {
    statement.setReadBigInts(false);
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Whether `node:sqlite` failed to give an integer as a number. */
function isHugeInteger(error: unknown): boolean {
  return error instanceof RangeError && (error as { code?: string }).code === "ERR_OUT_OF_RANGE";
}

/** The tables a statement reads from (after each `FROM`), in order. */
function tablesOf(sql: string): string[] {
  return [...sql.matchAll(/\bFROM\s+(\w+)/gi)].map((match) => match[1]);
}
