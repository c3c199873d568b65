/**
 * The Postgres side of the shared SQL steps: each step one transaction on a pooled
 * connection, `?` placeholders turned into `$n` once per statement, the clock read from
 * `clock_timestamp()`, instances serialized by transaction-scoped advisory locks (a lock on a
 * key, not on a table, and also there before the instance has a row), and changes announced
 * with `pg_notify`, which the server delivers at commit. Statements sent again run prepared
 * (`./prepared.ts`).
 *
 * @module
 */

import { BackendUnavailableError, CoordError } from "../../errors.ts";
import type { Topic } from "../types.ts";
import {
  type SqlQuery,
  type SqlStore,
  type SqlTransaction,
  type SqlValue,
  withSavepoint,
} from "../sql/transaction.ts";
import type { PgClient, PgPool, PgPoolClient, PgResult } from "./client.ts";
import { quoteLiteral } from "./quote_literal.ts";
import {
  INDETERMINATE_TYPE_STATE,
  PREPARED_STATEMENT_STATES,
  PreparedStatements,
} from "./prepared.ts";

/** The channel every coord change is announced on; the payload names the instance. */
export const CHANGE_CHANNEL = "coord_change";

/** SQLSTATEs of a transaction aborted for another's sake: deadlock, serialization failure. */
const RETRIED_STATES = ["40P01", "40001"];
/** How many times a write step runs before such an abort is reported. */
const WRITE_ATTEMPTS = 3;

/**
 * Whether the database's collation, the one coord's text columns take, compares in byte order:
 * C or POSIX, C.UTF-8 (code point order, the same for UTF-8), or the builtin provider's (each
 * code point order). `datlocprovider` is read through JSON: servers before 15 have no such column
 * (libc only).
 */
const BYTE_ORDER_SQL = `SELECT coalesce(to_jsonb(d) ->> 'datlocprovider', 'c') = 'b'
  OR coalesce(to_jsonb(d) ->> 'datlocprovider', 'c') = 'c'
  AND datcollate IN ('C', 'POSIX', 'C.UTF-8', 'C.utf8') AS bytewise
  FROM pg_database d WHERE datname = current_database()`;

const NOW_SQL = "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now";

/**
 * The clock in whole ms, kept for the rest of the transaction in a setting that
 * {@link STEP_CLOCK_SQL} reads: statements sent in the same round trip use the same reading.
 */
const STEP_NOW_SQL = "SELECT set_config('coord.now', " +
  "floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint::text, true)::float8 AS now";
const STEP_CLOCK_SQL = "(current_setting('coord.now')::bigint)";
/**
 * Stands for {@link STEP_CLOCK_SQL} among a statement's parameters: random, so no value a
 * step is given can be taken for it.
 */
const STEP_CLOCK_PARAM = `coord-step-clock-${crypto.randomUUID()}`;

/** Postgres refuses a NOTIFY payload of 8000 bytes or more (the default build). */
const MAX_PAYLOAD_BYTES = 7_999;

/**
 * The payload announcing a change of `topic` in `namespace`: `[namespace, kind, name]`, which
 * is also the key its watchers are found by, then the step's `events` when given and the whole
 * fits in a NOTIFY (else the waiters ask, as after a lost NOTIFY).
 */
export function changePayload(namespace: string, topic: Topic, events?: unknown[]): string {
  const key = [namespace, topic.kind, topic.name];
  if (events !== undefined) {
    const payload = JSON.stringify([...key, events]);
    if (new TextEncoder().encode(payload).length <= MAX_PAYLOAD_BYTES) return payload;
  }
  return JSON.stringify(key);
}

/** Reads the backend's clock on `client`. */
export async function readClock(client: Pick<PgClient, "query">): Promise<number> {
  const { rows } = await client.query(NOW_SQL);
  return rows[0].now as number;
}

/** `namespace` quoted as the schema identifier it names. */
export function schemaIdentifier(namespace: string): string {
  return `"${namespace.replaceAll('"', '""')}"`;
}

/**
 * What node-postgres says of an outage, in coord's words for it (the driver's own name its
 * internals: "Query read timeout", "Connection terminated due to connection timeout").
 */
export function outageCause(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message === "Query read timeout") return "no answer within --connect-timeout";
  if (/due to connection timeout|timeout expired/i.test(message)) {
    return "no connection within --connect-timeout";
  }
  // A write into a connection the server closed (it ended a step: a restart, a timeout).
  if (/Connection terminated unexpectedly|\b(EPIPE|ECONNRESET)\b/.test(message)) {
    return "the server closed the connection";
  }
  if (/ECONNREFUSED/.test(message)) return "connection refused";
  return message;
}

/** Connection-level failures: the step did not happen (or was rolled back), try again later. */
export function isConnectionError(error: unknown): boolean {
  // coord's own refusals quote stored text, which may hold any of the words below.
  if (error instanceof CoordError) return error instanceof BackendUnavailableError;
  const e = error as { code?: string; message?: string };
  if (typeof e?.code === "string" && /^(08|57P|53)/.test(e.code)) return true;
  if (typeof e?.code === "string" && /^E[A-Z]+$/.test(e.code)) return true;
  return /Connection terminated|timeout|not queryable|ECONNRE|socket/i.test(e?.message ?? "");
}

/**
 * One step's transaction on one connection. Statements that return nothing the step reads
 * (BEGIN, the advisory lock, NOTIFY) are held back and sent in one round trip with the next
 * statement, or with COMMIT: a step costs a round trip per query it reads, plus one. The lock
 * is still taken before anything after it runs, since the server runs them in order. A
 * statement the store sent before goes out as an `EXECUTE` of its prepared form
 * ({@link PreparedStatements}), so the server does not parse and plan it again.
 */
class Transaction implements SqlTransaction {
  readonly #client: PgPoolClient;
  readonly #translate: (sql: string) => string;
  readonly #namespace: string;
  readonly #statements: PreparedStatements;
  /** The store's answer to {@link BYTE_ORDER_SQL}, once a transaction asked. */
  readonly #collation: { bytewise?: boolean };
  /** Whether rows are locked as they are read (a read-only transaction cannot lock them). */
  readonly #writes: boolean;
  /** Statements not sent yet, run before the next one. */
  #held: string[];
  /** Names of the statements prepared by what is held. */
  #preparing: string[] = [];
  /**
   * Whether a round trip that carried a `PREPARE` failed: the connection may then hold
   * statements the store does not know of (a `PREPARE` outlives a rollback).
   */
  unsure = false;
  /** Whether that round trip failed on a statement the server would not prepare. */
  unpreparable = false;

  constructor(
    client: PgPoolClient,
    begin: string,
    translate: (sql: string) => string,
    namespace: string,
    statements: PreparedStatements,
    writes: boolean,
    collation: { bytewise?: boolean },
  ) {
    this.#client = client;
    this.#collation = collation;
    this.#held = [begin];
    this.#translate = translate;
    this.#namespace = namespace;
    this.#statements = statements;
    this.#writes = writes;
  }

  /**
   * Sends the held statements, then `sqls` (without parameters) in the same round trip; the
   * results of `sqls`.
   */
  async #simple(...sqls: string[]): Promise<PgResult[]> {
    const text = [...this.#held, ...sqls].join("; ");
    const preparing = this.#preparing;
    this.#held = [];
    this.#preparing = [];
    let results: PgResult | PgResult[];
    try {
      results = await this.#client.query(text);
    } catch (e) {
      if (preparing.length > 0) {
        this.unsure = true;
        const code = (e as { code?: string }).code;
        // Which of them failed is not told: each goes out as text from now on.
        if (code === INDETERMINATE_TYPE_STATE) {
          this.unpreparable = this.#statements.exclude(preparing);
        }
      }
      throw e;
    }
    this.#statements.confirm(this.#client, preparing);
    // Several statements in one string give one result each.
    return Array.isArray(results) ? results.slice(-sqls.length) : [results];
  }

  async all<T>(sql: string, ...params: SqlValue[]): Promise<T[]> {
    const literals = this.#literals(params);
    const prepared = this.#prepared(sql, literals);
    // Statements held back go in the same round trip, which then cannot carry parameters.
    if (prepared !== undefined || this.#held.length > 0) {
      return (await this.#simple(prepared ?? inline(sql, literals())))[0].rows as T[];
    }
    return (await this.#client.query(this.#translate(sql), params)).rows as T[];
  }

  async run(sql: string, ...params: SqlValue[]): Promise<void> {
    await this.all(sql, ...params);
  }

  later(sql: string, ...params: SqlValue[]): Promise<void> {
    this.#held.push(this.#text(sql, params));
    return Promise.resolve();
  }

  /** `sql` with `params`, as simple-query text: its prepared form's `EXECUTE`, or inline. */
  #text(sql: string, params: SqlValue[]): string {
    const literals = this.#literals(params);
    return this.#prepared(sql, literals) ?? inline(sql, literals());
  }

  /**
   * `params` as SQL literals, quoted once whichever form asks (a job's value may be a megabyte);
   * a number SQL cannot take is refused at once, as a parameter too.
   */
  #literals(params: SqlValue[]): () => string[] {
    for (const value of params) {
      if (typeof value === "number" && !Number.isFinite(value)) {
        throw new RangeError(`not a number SQL can take: ${value}`);
      }
    }
    let literals: string[] | undefined;
    return () => literals ??= params.map((value) => this.#literal(value));
  }

  /**
   * The `EXECUTE` of `sql`'s prepared form, holding back its `PREPARE` when this connection
   * lacks it; undefined when `sql` goes out as text.
   */
  #prepared(sql: string, literals: () => string[]): string | undefined {
    const form = this.#statements.form(this.#client, this.#translate(sql), literals);
    // Held again before the round trip that prepares it (a batch's rows, a statement for each
    // chunk): a second PREPARE of the name failed the step as a pooler's (42P05), which then ran
    // again and stopped this store's preparing for good.
    if (form?.prepare !== undefined && !this.#preparing.includes(form.name)) {
      this.#held.push(form.prepare);
      this.#preparing.push(form.name);
    }
    return form?.execute;
  }

  #literal(value: SqlValue): string {
    if (value === null) return "NULL";
    if (value === STEP_CLOCK_PARAM) return STEP_CLOCK_SQL;
    if (typeof value === "string") return quoteLiteral(value);
    return `(${value})`; // parenthesized: "x -?" with -1 must not read as a comment
  }

  async now(): Promise<number> {
    return (await this.#simple(this.#text(NOW_SQL, [])))[0].rows[0].now as number;
  }

  async nowAndAll<T>(sql: string, ...params: SqlValue[]): Promise<{ now: number; rows: T[] }> {
    const [clock, query] = await this.#simple(this.#text(NOW_SQL, []), this.#text(sql, params));
    return { now: clock.rows[0].now as number, rows: query.rows as T[] };
  }

  async nowAndEach(
    queries: (now: SqlValue) => SqlQuery[],
  ): Promise<{ now: number; rows: Record<string, unknown>[][] }> {
    const [clock, ...results] = await this.#simple(
      this.#text(STEP_NOW_SQL, []),
      ...queries(STEP_CLOCK_PARAM).map(([sql, ...params]) => this.#text(sql, params)),
    );
    return { now: clock.rows[0].now as number, rows: results.map((result) => result.rows) };
  }

  async allEach(...queries: SqlQuery[]): Promise<Record<string, unknown>[][]> {
    const results = await this.#simple(
      ...queries.map(([sql, ...params]) => this.#text(sql, params)),
    );
    return results.map((result) => result.rows);
  }

  notify(topic: Topic, events?: unknown[]): Promise<void> {
    const payload = changePayload(this.#namespace, topic, events);
    return this.later("SELECT pg_notify(?, ?)", CHANGE_CHANNEL, payload);
  }

  lock(topic: Topic): Promise<void> {
    const key = changePayload(this.#namespace, topic);
    return this.later("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", key);
  }

  savepoint<T>(fn: () => Promise<T>): Promise<T> {
    // Held back as text: the server cannot prepare a SAVEPOINT.
    return withSavepoint((sql) => {
      this.#held.push(sql);
      return Promise.resolve();
    }, fn);
  }

  rowLock(options: { skipLocked?: boolean } = {}): string {
    if (!this.#writes) return "";
    return options.skipLocked ? "FOR UPDATE SKIP LOCKED" : "FOR UPDATE";
  }

  async byteOrder(column: string): Promise<string> {
    this.#collation.bytewise ??= (await this.all<{ bytewise: boolean }>(BYTE_ORDER_SQL))[0]
      .bytewise;
    return this.#collation.bytewise ? column : `${column} COLLATE "C"`;
  }

  /** Postgres enforces the columns' types: a row of the wrong shape cannot be stored. */
  refuseForeignRows(): Promise<void> {
    return Promise.resolve();
  }

  /** None, as {@link refuseForeignRows} says. */
  foreignIds(): Promise<Set<string>> {
    return Promise.resolve(new Set());
  }

  async commit(): Promise<void> {
    await this.#simple("COMMIT");
  }
}

/** A step failed on a statement the server would not prepare; it runs again. */
class UnpreparableError extends Error {
  constructor(options: ErrorOptions) {
    super("a statement could not be prepared", options);
    this.name = "UnpreparableError";
  }
}

/** A step sends its statements back to back: this long without one is a frozen process. */
const IDLE_IN_STEP_MS = 5_000;

/**
 * Rows a store adds to a part of a table (a queue's jobs) between two looks at what the planner
 * thinks that part holds (one `EXPLAIN`, and an `ANALYZE` when it thinks it far smaller).
 */
const STATISTICS_CHECK_ROWS = 1_000;

/** Parts of tables a store counts added rows for at most (the rest start again from 0). */
const STATISTICS_PARTS = 1_000;

/** How long a statistics refresh waits for a table lock, then runs, before it is given up. */
const ANALYZE_LOCK_WAIT_MS = 100;
const ANALYZE_RUN_MS = 10_000;

/** One Postgres database and schema as a {@link SqlStore}. */
export class PostgresSqlStore implements SqlStore {
  readonly namespace: string;
  readonly #pool: PgPool;
  readonly #displayUrl: string;
  readonly #begin: { write: string; read: string };
  /** Connections that already have an error listener. */
  readonly #guarded = new WeakSet<PgPoolClient>();
  /** Each statement's Postgres form, translated once. */
  readonly #translated = new Map<string, string>();
  readonly #statements: PreparedStatements;
  /** Rows added to each part of a table since its statistics were last checked. */
  readonly #added = new Map<string, number>();
  /** Whether the database's collation is byte order ({@link Transaction.byteOrder}). */
  readonly #collation: { bytewise?: boolean } = {};

  /** Steps on `pool`'s database, in the schema named after `namespace`. */
  constructor(pool: PgPool, namespace: string, displayUrl: string) {
    this.#pool = pool;
    this.namespace = namespace;
    this.#displayUrl = displayUrl;
    this.#statements = new PreparedStatements(namespace);
    // Settings per transaction, in BEGIN's round trip: session settings would not survive a
    // pooler in transaction mode, and PgBouncer refuses them at login. A coord frozen (SIGSTOP,
    // a paused VM) inside a step would hold its locks, and every other process's steps on that
    // primitive, until it resumes: the server ends the step instead, undone, as if its
    // connection had died.
    const settings = `SET LOCAL search_path TO ${schemaIdentifier(namespace)}; ` +
      `SET LOCAL idle_in_transaction_session_timeout = ${IDLE_IN_STEP_MS}`;
    this.#begin = {
      write: `BEGIN ISOLATION LEVEL READ COMMITTED; ${settings}`,
      read: `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; ${settings}`,
    };
  }

  /**
   * Runs `fn` in one write transaction; one the server aborted to let another through (a
   * deadlock between two steps' row locks) runs again, from the start.
   */
  async write<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    for (let attempt = 1;; attempt++) {
      try {
        return await this.#withPlainFallback(this.#begin.write, fn);
      } catch (e) {
        const code = (e as { code?: string }).code ?? "";
        if (attempt >= WRITE_ATTEMPTS || !RETRIED_STATES.includes(code)) throw e;
      }
    }
  }

  read<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return this.#withPlainFallback(this.#begin.read, fn);
  }

  /**
   * Runs a transaction; when it failed because the connection's prepared statements are not
   * those this store made (a pooler in transaction mode hands each transaction another server
   * connection), runs it again, and every later one, with plain statements; when it failed
   * because the server would not prepare a statement, runs it again with that one as text.
   */
  async #withPlainFallback<T>(
    begin: string,
    fn: (tx: SqlTransaction) => Promise<T>,
  ): Promise<T> {
    for (;;) {
      try {
        return await this.#transaction(begin, fn);
      } catch (e) {
        if (e instanceof UnpreparableError) continue;
        const code = (e as { code?: string }).code ?? "";
        if (!this.#statements.enabled || !PREPARED_STATEMENT_STATES.includes(code)) throw e;
        this.#statements.disable();
      }
    }
  }

  async #transaction<T>(begin: string, fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    let client: PgPoolClient;
    try {
      client = await this.#pool.connect();
    } catch (e) {
      // Not every failure here is an outage: a closed backend's pool refuses too.
      throw isConnectionError(e) ? this.#unavailable(e) : e;
    }
    if (!this.#guarded.has(client)) {
      // The pool listens for errors of idle connections only: one lost while checked out
      // would otherwise be an uncaught error. The query in flight fails with it anyway.
      client.on("error", () => {});
      this.#guarded.add(client);
    }
    const tx = new Transaction(
      client,
      begin,
      (sql) => this.#translate(sql),
      this.namespace,
      this.#statements,
      begin === this.#begin.write,
      this.#collation,
    );
    try {
      const result = await fn(tx);
      if (begin === this.#begin.read) {
        // What a read-only transaction read stands before its COMMIT: the step does not wait
        // for that round trip (the connection goes back to the pool once it is done).
        tx.commit().then(() => client.release(), (e) => client.release(e as Error));
        return result;
      }
      await tx.commit();
      client.release();
      return result;
    } catch (e) {
      // A broken connection is closed, not given back; the server rolls back what it had.
      const broken = isConnectionError(e);
      if (!broken) {
        const rollback = tx.unsure && this.#statements.enabled
          ? `ROLLBACK; ${this.#statements.forget(client)}`
          : "ROLLBACK";
        await client.query(rollback).catch(() => {});
      }
      client.release(broken ? (e as Error) : undefined);
      // Each time, one statement or more goes out as text from then on: the retries end.
      if (tx.unpreparable) throw new UnpreparableError({ cause: e });
      throw broken ? this.#unavailable(e) : e;
    }
  }

  /**
   * Analyzes `table` when the planner takes the rows with `where`'s values for fewer than half
   * of those it holds, once {@link STATISTICS_CHECK_ROWS} or more were added since the last look.
   * Without statistics that know them (a new table, a new queue: autovacuum looks a minute later
   * at the earliest, and only once a tenth of the table changed), it estimates one row, and looks
   * a batch of keys up by reading every row with those values (each step of a worker then costs
   * as much as its queue is long) instead of one index probe a key. Rows already gone (a queue
   * drained as fast as it is fed) mislead nothing: they are counted before a whole table is.
   *
   * Never fails: the rows are stored already, and a caller told otherwise would store them
   * again. Nor does it wait long: an `ANALYZE` that would wait for a lock (a `VACUUM` under way)
   * or run long is given up, and the planner stays as it was.
   */
  async added(table: string, where: Record<string, SqlValue>, rows: number): Promise<void> {
    const part = JSON.stringify([table, where]);
    const added = (this.#added.get(part) ?? 0) + rows;
    this.#added.delete(part);
    if (added < STATISTICS_CHECK_ROWS) {
      this.#added.set(part, added);
      // Many parts each under the mark (a process putting into many queues): forget the oldest.
      if (this.#added.size > STATISTICS_PARTS) this.#added.delete(this.#added.keys().next().value!);
      return;
    }
    const columns = Object.keys(where);
    const name = `${schemaIdentifier(this.namespace)}.${schemaIdentifier(table)}`;
    const condition = columns.map((column, i) => `${schemaIdentifier(column)} = $${i + 1}`)
      .join(" AND ");
    const values = columns.map((column) => where[column]);
    let client: PgPoolClient | undefined;
    try {
      client = await this.#pool.connect();
      await client.query(
        `BEGIN; SET LOCAL lock_timeout = ${ANALYZE_LOCK_WAIT_MS};
         SET LOCAL statement_timeout = ${ANALYZE_RUN_MS}`,
      );
      const { rows: [explained] } = await client.query(
        `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${name} WHERE ${condition}`,
        values,
      );
      const [{ Plan: plan }] = explained["QUERY PLAN"] as { Plan: { "Plan Rows": number } }[];
      if (plan["Plan Rows"] * 2 < added) {
        const { rows: [{ held }] } = await client.query(
          `SELECT count(*) AS held FROM (SELECT 1 FROM ${name} WHERE ${condition}
           LIMIT $${columns.length + 1}) AS part`,
          [...values, added],
        );
        // A role that does not own the table gets a warning, not an error: the rows stay as slow.
        if (plan["Plan Rows"] * 2 < Number(held)) await client.query(`ANALYZE ${name}`);
      }
      await client.query("COMMIT");
      client.release();
    } catch (e) {
      // A connection in an unknown state is not given back to the pool.
      client?.release(e as Error);
    }
  }

  /** `?` → `$1, $2, …`; the shared SQL has no `?` inside literals. */
  #translate(sql: string): string {
    let text = this.#translated.get(sql);
    if (text === undefined) {
      let n = 0;
      text = sql.replace(/\?/g, () => `$${++n}`);
      this.#translated.set(sql, text);
    }
    return text;
  }

  #unavailable(error: unknown): BackendUnavailableError {
    return new BackendUnavailableError(`${this.#displayUrl}: ${outageCause(error)}`, {
      cause: error,
    });
  }
}

/** `sql` with its `?`s replaced by `literals`, for the simple query protocol. */
function inline(sql: string, literals: string[]): string {
  let n = 0;
  return sql.replace(/\?/g, () => literals[n++]);
}
