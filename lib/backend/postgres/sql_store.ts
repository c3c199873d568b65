/**
 * The Postgres side of the shared SQL steps: each step one transaction on a pooled
 * connection, `?` placeholders turned into `$n` once per statement, the clock read from
 * `clock_timestamp()`, instances serialized by transaction-scoped advisory locks (a lock on a
 * key, not on a table, and also there before the instance has a row), and changes announced
 * with `pg_notify`, which the server delivers at commit.
 *
 * @module
 */

import { BackendUnavailableError } from "../../errors.ts";
import type { Topic } from "../types.ts";
import type { SqlStore, SqlTransaction, SqlValue } from "../sql/transaction.ts";
import type { PgClient, PgPool, PgPoolClient } from "./client.ts";

/** The channel every coord change is announced on; the payload names the instance. */
export const CHANGE_CHANNEL = "coord_change";

const NOW_SQL = "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now";

/** The payload announcing a change of `topic` in `namespace`. */
export function changePayload(namespace: string, topic: Topic): string {
  return JSON.stringify([namespace, topic.kind, topic.name]);
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

/** Connection-level failures: the step did not happen (or was rolled back), try again later. */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  if (typeof e?.code === "string" && /^(08|57P|53)/.test(e.code)) return true;
  if (typeof e?.code === "string" && /^E[A-Z]+$/.test(e.code)) return true;
  return /Connection terminated|timeout|not queryable|ECONNRE|socket/i.test(e?.message ?? "");
}

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

  /** Steps on `pool`'s database, in the schema named after `namespace`. */
  constructor(pool: PgPool, namespace: string, displayUrl: string) {
    this.#pool = pool;
    this.namespace = namespace;
    this.#displayUrl = displayUrl;
    // search_path per transaction, in BEGIN's round trip: a startup option would not survive
    // a pooler in transaction mode.
    const path = `SET LOCAL search_path TO ${schemaIdentifier(namespace)}`;
    this.#begin = {
      write: `BEGIN ISOLATION LEVEL READ COMMITTED; ${path}`,
      read: `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; ${path}`,
    };
  }

  write<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return this.#transaction(this.#begin.write, fn);
  }

  read<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return this.#transaction(this.#begin.read, fn);
  }

  async #transaction<T>(begin: string, fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    let client: PgPoolClient;
    try {
      client = await this.#pool.connect();
    } catch (e) {
      throw this.#unavailable(e);
    }
    if (!this.#guarded.has(client)) {
      // The pool listens for errors of idle connections only: one lost while checked out
      // would otherwise be an uncaught error. The query in flight fails with it anyway.
      client.on("error", () => {});
      this.#guarded.add(client);
    }
    try {
      await client.query(begin);
      const result = await fn(this.#transactionOn(client));
      await client.query("COMMIT");
      client.release();
      return result;
    } catch (e) {
      // A broken connection is closed, not given back; the server rolls back what it had.
      const broken = isConnectionError(e);
      if (!broken) await client.query("ROLLBACK").catch(() => {});
      client.release(broken ? (e as Error) : undefined);
      throw broken ? this.#unavailable(e) : e;
    }
  }

  #transactionOn(client: PgPoolClient): SqlTransaction {
    const all = async <T>(sql: string, ...params: SqlValue[]): Promise<T[]> =>
      (await client.query(this.#translate(sql), params)).rows as T[];
    return {
      all,
      run: async (sql, ...params) => void await client.query(this.#translate(sql), params),
      now: () => readClock(client),
      notify: async (topic) =>
        void await client.query("SELECT pg_notify($1, $2)", [
          CHANGE_CHANNEL,
          changePayload(this.namespace, topic),
        ]),
      lock: async (topic) =>
        void await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
          changePayload(this.namespace, topic),
        ]),
      // Postgres enforces the columns' types: a row of the wrong shape cannot be stored.
      refuseForeignRows: () => Promise.resolve(),
    };
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
    const cause = error instanceof Error ? error.message : String(error);
    return new BackendUnavailableError(`${this.#displayUrl}: ${cause}`, { cause: error });
  }
}
