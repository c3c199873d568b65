/**
 * The SQLite side of the shared SQL steps: statements run synchronously through
 * `node:sqlite`, in a transaction that holds the whole file.
 *
 * @module
 */

import {
  type SqlStore,
  type SqlTransaction,
  type SqlValue,
  withSavepoint,
} from "../sql/transaction.ts";
import type { SqliteBackend } from "./backend.ts";

/** One SQLite file as a {@link SqlStore}. */
export class SqliteSqlStore implements SqlStore {
  readonly #backend: SqliteBackend;
  readonly #tx: SqlTransaction;

  /** Runs the steps on `backend`'s database. */
  constructor(backend: SqliteBackend) {
    this.#backend = backend;
    this.#tx = {
      all: <T>(sql: string, ...params: SqlValue[]) =>
        Promise.resolve(backend.all<T>(sql, ...params)),
      run: (sql, ...params) => Promise.resolve(backend.run(sql, ...params)),
      // Statements are local calls: nothing to gain by holding one back.
      later: (sql, ...params) => Promise.resolve(backend.run(sql, ...params)),
      now: () => Promise.resolve(backend.clock.now()),
      nowAndAll: <T>(sql: string, ...params: SqlValue[]) =>
        Promise.resolve({ now: backend.clock.now(), rows: backend.all<T>(sql, ...params) }),
      allEach: (...queries) =>
        Promise.resolve(queries.map(([sql, ...params]) => backend.all(sql, ...params))),
      // Counted in the file for other processes' watchers, who see the commit through
      // `data_version`; this one's are woken after it.
      notify: (topic, events) => Promise.resolve(backend.noteChange(topic, events)),
      // BEGIN IMMEDIATE already holds the file's write lock.
      lock: () => Promise.resolve(),
      rowLock: () => "",
      // A column coord declares compares in BINARY order, byte order for UTF-8 text.
      byteOrder: (column) => Promise.resolve(column),
      savepoint: (fn) => withSavepoint((sql) => Promise.resolve(backend.run(sql)), fn),
      refuseForeignRows: (subject, tables, where) =>
        Promise.resolve(backend.refuseForeignRows(subject, tables, where)),
      foreignIds: (table, where, ids) => Promise.resolve(backend.foreignIds(table, where, ids)),
    };
  }

  get namespace(): string {
    return this.#backend.namespace;
  }

  write<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return this.#backend.writeAsync(() => fn(this.#tx));
  }

  read<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return this.#backend.readAsync(() => fn(this.#tx));
  }
}
