/**
 * The small interface the SQL steps are written against, so each primitive's steps exist once
 * for SQLite and Postgres. SQL is written with `?` placeholders and portable syntax
 * (`ON CONFLICT … DO UPDATE`, `CAST(? AS …)` where a parameter's type must be known); each
 * engine translates a statement once and reuses it.
 *
 * @module
 */

import { ForeignDataError } from "../../errors.ts";
import type { Topic } from "../types.ts";

/** A value a statement takes. */
export type SqlValue = string | number | null;

/** A statement and its parameters. */
export type SqlQuery = [sql: string, ...params: SqlValue[]];

/** The name of {@link SqlTransaction.savepoint}'s savepoint (none is held inside another). */
const SAVEPOINT = "coord_step_part";

/**
 * {@link SqlTransaction.savepoint} over `send`, which runs (or holds back) one statement. An
 * undo that fails (the engine rolled the whole transaction back, or the savepoint is gone)
 * after `fn` was refused ({@link ForeignDataError}) throws its own error: a caller that gives up
 * `fn`'s part on a refusal would otherwise keep what the part half wrote, and commit it. After
 * any other error of `fn`'s, that error is thrown, the undo's failure its consequence.
 *
 * @example
 * ```ts ignore
 * import { withSavepoint } from "./transaction.ts";
 * // db: a node:sqlite DatabaseSync inside a transaction.
 * await withSavepoint((sql) => Promise.resolve(db.exec(sql)), async () => {
 *   db.exec("UPDATE t SET n = n + 1");
 *   throw new Error("given up"); // the UPDATE is undone, the transaction goes on
 * }).catch(() => {});
 * ```
 */
export async function withSavepoint<T>(
  send: (sql: string) => Promise<void>,
  fn: () => Promise<T>,
): Promise<T> {
  await send(`SAVEPOINT ${SAVEPOINT}`);
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    try {
      await send(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
      await send(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    } catch (undo) {
      // Only a refusal is given up alone; any other error fails the whole step anyway, told by
      // its own cause (a full disk, for which SQLite rolled the transaction back, savepoint too).
      throw e instanceof ForeignDataError ? undo : e;
    }
    throw e;
  }
  await send(`RELEASE SAVEPOINT ${SAVEPOINT}`);
  return result;
}

/** One transaction: every step runs in exactly one. */
export interface SqlTransaction {
  /** Rows of a query. Integers and floats come back as numbers on every engine. */
  all<T>(sql: string, ...params: SqlValue[]): Promise<T[]>;
  /** Runs a statement. */
  run(sql: string, ...params: SqlValue[]): Promise<void>;
  /**
   * Runs a statement whose outcome the step does not read. An engine may send it with the next
   * statement instead (Postgres: one round trip less while the step holds its locks); an error
   * in it still fails the step, at that statement or at commit.
   */
  later(sql: string, ...params: SqlValue[]): Promise<void>;
  /** The backend's clock, epoch ms, read inside the transaction. */
  now(): Promise<number>;
  /**
   * The backend's clock, as {@link now}, then the rows of a query: what a step reads first,
   * sent together (Postgres: one round trip, with the statements held back).
   */
  nowAndAll<T>(sql: string, ...params: SqlValue[]): Promise<{ now: number; rows: T[] }>;
  /**
   * The backend's clock, as {@link now} but in whole ms, then the rows of each query that
   * `queries` builds with it, sent together (Postgres: one round trip, the server passing its
   * clock reading to the queries): the first reads of a step that compare with the clock.
   * `now` goes into the queries only as a parameter. Absent where {@link now} and
   * {@link allEach} one after the other cost no round trip (SQLite).
   */
  nowAndEach?(
    queries: (now: SqlValue) => SqlQuery[],
  ): Promise<{ now: number; rows: Record<string, unknown>[][] }>;
  /**
   * The rows of each query, in order, sent together (Postgres: one round trip, with the
   * statements held back): reads a step needs at once, none depending on another's answer.
   */
  allEach(...queries: SqlQuery[]): Promise<Record<string, unknown>[][]>;
  /**
   * Announces that `topic` changed, to its waiters everywhere, once the transaction commits.
   * `events` are what the step did, carried to the waiters where the engine can (Postgres: in
   * the NOTIFY, when they fit), so that a waiter need not ask what changed.
   */
  notify(topic: Topic, events?: unknown[]): Promise<void>;
  /**
   * Serializes this transaction with every other one that locks `topic`, until it ends: two
   * steps on one primitive instance never interleave, even before the instance has a row.
   * (SQLite's write transaction already holds the whole file.)
   */
  lock(topic: Topic): Promise<void>;
  /**
   * The clause that locks the rows a `SELECT` returns until the transaction ends, for a step
   * that changes them while other steps run at once (`FOR UPDATE`; with `skipLocked`, rows
   * another transaction holds are left out instead of waited for: claims). Empty where a
   * transaction already holds everything (SQLite) or only reads.
   */
  rowLock(options?: { skipLocked?: boolean }): string;
  /**
   * `column` (text) as compared in byte order, for a range by prefix (`id > 'g.' AND id <
   * 'g/'`): the column itself where its collation already is byte order, so that its index still
   * serves the range (an index serves only comparisons in its own collation), else the column
   * `COLLATE "C"`, a walk but no miss (a language's collation may sort `g.1.0` after `g/`).
   */
  byteOrder(column: string): Promise<string>;
  /**
   * Runs `fn` so that what it writes is undone when it throws, and the transaction goes on (a
   * SAVEPOINT): a step that gives up one part of its work keeps the rest. What the step holds
   * in memory is the caller's to restore. Throws what `fn` throws, or, when the undo fails after
   * a refusal ({@link ForeignDataError}), the undo's error (what `fn` wrote may then stand: the
   * step must fail).
   */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Refuses to go on when one of `tables` holds, among this namespace's rows matching `where`,
   * one that coord did not write (possible where the engine does not enforce column types).
   *
   * @throws {ForeignDataError} naming `subject` and the row, which is left as it is.
   */
  refuseForeignRows(
    subject: string,
    tables: string[],
    where: Record<string, SqlValue>,
  ): Promise<void>;
  /**
   * Of `ids`, those whose row of `table` (among this namespace's rows matching `where`) holds
   * a value coord did not write, in one query for the lot: a step that acts on a batch of rows
   * checks them together.
   */
  foreignIds(table: string, where: Record<string, SqlValue>, ids: string[]): Promise<Set<string>>;
}

/** What the SQL steps of one backend run on. */
export interface SqlStore {
  /** The tenant: every row carries it. */
  readonly namespace: string;
  /** Runs `fn` in one write transaction, retried or failed as the engine needs. */
  write<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /** Runs `fn` in one transaction that only reads: a consistent view. */
  read<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /**
   * `rows` rows were just stored in `table` with `where`'s values (a queue's new jobs). An engine
   * that plans from statistics refreshes them when they would have it take those rows for a few
   * (it would then read every one of them to find some by key); absent where the engine has no
   * such statistics.
   */
  added?(table: string, where: Record<string, SqlValue>, rows: number): Promise<void>;
}
