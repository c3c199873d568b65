/**
 * Rows coord did not write: SQLite keeps whatever type a value comes with, so a value of the
 * wrong type in a coord table (text where a lease's expiry belongs) would otherwise be compared
 * and overwritten as if it were coord's. Each table's column types are read from the schema
 * itself (`PRAGMA table_info`), so the check follows the DDL without a second copy of it.
 *
 * @module
 */

import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { foreignRowError } from "../sql/foreign_row.ts";
import { shownValue } from "../../stored_values.ts";

/**
 * Columns that hold JSON coord wrote itself and parses when it reads them. (A schedule's
 * record and a job's spec, group, result and tally are left to the layer that gives them
 * meaning, which refuses them in the same words on every backend: when they were checked here
 * too, SQLite alone worded the refusal as a row's, and refused a group's spec no other backend
 * reads.)
 */
const JSON_COLUMNS: Record<string, string[]> = {
  coord_lock_event: ["event"],
};

/** SQLite's `typeof()` names each declared column type allows. */
const ALLOWED_TYPES: Record<string, string[]> = {
  INTEGER: ["integer"],
  // The types of the DDL shared with Postgres (lib/backend/sql/).
  BIGINT: ["integer"],
  REAL: ["real", "integer"],
  "DOUBLE PRECISION": ["real", "integer"],
  TEXT: ["text"],
};

interface Column {
  name: string;
  allowed: string[];
  json: boolean;
}

/** A row that is not coord's, and the first of its values that shows it. */
export interface ForeignRow {
  table: string;
  column: string;
  /** The value, shown short (JSON, cut at 60 characters). */
  shown: string;
}

/** Finds rows of coord's tables whose values coord would not have written. */
export class ForeignRows {
  readonly #db: DatabaseSync;
  readonly #columns = new Map<string, Column[]>();
  /** Steps check the same few row sets over and over: each query is prepared once, by shape. */
  readonly #queries = new Map<string, StatementSync>();

  /** Checks the tables of `db`. */
  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  #columnsOf(table: string): Column[] {
    let columns = this.#columns.get(table);
    if (!columns) {
      const info = this.#db.prepare(`PRAGMA table_info(${table})`).all() as {
        name: string;
        type: string;
        notnull: number;
      }[];
      columns = info.map((c) => ({
        name: c.name,
        allowed: [...(ALLOWED_TYPES[c.type.toUpperCase()] ?? []), ...(c.notnull ? [] : ["null"])],
        json: JSON_COLUMNS[table]?.includes(c.name) ?? false,
      }));
      this.#columns.set(table, columns);
    }
    return columns;
  }

  /**
   * The SQL condition true for a row coord could have written. An integer beyond 2^53 is not
   * one: coord writes JavaScript numbers, and reading it back as one fails.
   */
  #wellFormed(table: string): string {
    return this.#columnsOf(table).map((c) => {
      let typed = `typeof(${c.name}) IN (${c.allowed.map((t) => `'${t}'`).join(", ")})`;
      if (c.allowed.includes("integer")) {
        typed = `(${typed} AND (typeof(${c.name}) <> 'integer' OR ${c.name} BETWEEN ` +
          `${-Number.MAX_SAFE_INTEGER} AND ${Number.MAX_SAFE_INTEGER}))`;
      }
      return c.json ? `(${typed} AND (${c.name} IS NULL OR json_valid(${c.name})))` : typed;
    }).join(" AND ");
  }

  /**
   * The first foreign row among those of `table` matching `where` (column = value, all of
   * them), or none.
   */
  find(table: string, where: Record<string, SQLInputValue>, limit = 1): ForeignRow[] {
    const keys = Object.keys(where);
    const shape = `${table} ${keys} ${limit}`;
    let query = this.#queries.get(shape);
    if (!query) {
      const filter = keys.map((k) => `${k} = ? AND `).join("");
      query = this.#db.prepare(
        `SELECT * FROM ${table} WHERE ${filter}NOT (${this.#wellFormed(table)}) LIMIT ${limit}`,
      );
      // The foreign value may be an integer no JavaScript number holds.
      query.setReadBigInts(true);
      this.#queries.set(shape, query);
    }
    const rows = query.all(...keys.map((k) => where[k])) as Record<string, unknown>[];
    return rows.map((row) => {
      // SQL and this check agree but for exotic JSON; then the row is named without a column.
      const column = this.#columnsOf(table).find((c) => !wellFormedValue(c, row[c.name]));
      return {
        table,
        column: column?.name ?? "a value",
        shown: shownValue(column ? row[column.name] : row),
      };
    });
  }

  /** How many rows of `table` matching `where` are foreign. */
  count(table: string, where: Record<string, SQLInputValue>): number {
    const keys = Object.keys(where);
    const filter = keys.map((k) => `${k} = ? AND `).join("");
    const { n } = this.#db.prepare(
      `SELECT count(*) AS n FROM ${table} WHERE ${filter}NOT (${this.#wellFormed(table)})`,
    ).get(...keys.map((k) => where[k])) as { n: number };
    return n;
  }

  /**
   * Of `ids`, those of the rows of `table` matching `where` that are foreign: one query, the
   * same whatever the number of ids (they go in as one JSON array).
   */
  ids(table: string, where: Record<string, SQLInputValue>, ids: string[]): Set<string> {
    if (ids.length === 0) return new Set();
    const keys = Object.keys(where);
    const shape = `ids ${table} ${keys}`;
    let query = this.#queries.get(shape);
    if (!query) {
      const filter = keys.map((k) => `${k} = ? AND `).join("");
      query = this.#db.prepare(
        `SELECT id FROM ${table} WHERE ${filter}id IN (SELECT value FROM json_each(?))
         AND NOT (${this.#wellFormed(table)})`,
      );
      this.#queries.set(shape, query);
    }
    const rows = query.all(...keys.map((k) => where[k]), JSON.stringify(ids)) as { id: unknown }[];
    return new Set(rows.map((row) => String(row.id)));
  }

  /**
   * Refuses to go on when one of `tables` holds a foreign row among those matching `where`.
   * One query for all of them: steps run it every time.
   *
   * @throws {ForeignDataError} naming `subject`, the table and the value, leaving it as it is.
   */
  refuse(subject: string, tables: string[], where: Record<string, SQLInputValue>): void {
    const keys = Object.keys(where);
    const shape = `${tables} ${keys}`;
    let query = this.#queries.get(shape);
    if (!query) {
      const filter = keys.map((k) => `${k} = ? AND `).join("");
      const sql = tables.map((table, i) =>
        `SELECT ${i} AS i FROM ${table} WHERE ${filter}NOT (${this.#wellFormed(table)})`
      ).join(" UNION ALL ");
      this.#queries.set(shape, query = this.#db.prepare(`${sql} LIMIT 1`));
    }
    const values = keys.map((k) => where[k]);
    const hit = query.get(...tables.flatMap(() => values)) as { i: number } | undefined;
    if (!hit) return;
    const table = tables[hit.i];
    const [found] = this.find(table, where);
    throw foreignRowError(subject, table, found.column, found.shown);
  }
}

function sqliteType(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return "text";
  if (typeof value === "bigint") return "integer";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "real";
  return "blob";
}

function wellFormedValue(column: Column, value: unknown): boolean {
  if (!column.allowed.includes(sqliteType(value))) return false;
  if (typeof value === "bigint" && !Number.isSafeInteger(Number(value))) return false;
  if (!column.json || value === null) return true;
  try {
    JSON.parse(value as string);
    return true;
  } catch {
    return false;
  }
}
