/**
 * The PostgreSQL backend: coord's tables in a schema named after the namespace (created on
 * first use, with a version table a later release can migrate from), reached through a small
 * pool of node-postgres connections; wake-ups by LISTEN/NOTIFY as a hint.
 *
 * @module
 */

import { BackendUnavailableError, UsageError } from "../../errors.ts";
import type {
  Backend,
  ChangeWatcher,
  EngineInfo,
  ForeignEntry,
  NamedEvent,
  Topic,
} from "../types.ts";
import type { Kind } from "../keys.ts";
import type { PostgresTarget, SslMode } from "../url.ts";
import type { BarrierSteps } from "../../barrier/steps.ts";
import type { LockSteps } from "../../lock/steps.ts";
import type { ScheduleSteps } from "../../schedule/steps.ts";
import type { QueueSteps } from "../../queue/steps.ts";
import { BARRIER_DDL, SqlBarrierSteps } from "../sql/barrier.ts";
import { SCHEDULE_DDL, SqlScheduleSteps } from "../sql/schedule.ts";
import { importPg, type PgConfig, type PgPool } from "./client.ts";
import { isConnectionError, PostgresSqlStore, readClock, schemaIdentifier } from "./sql_store.ts";
import { ChangeListener } from "./change_listener.ts";

/** Connections one process keeps: a waiter's step and a renewal may run at once. */
const POOL_SIZE = 4;
/** The schema's version; a release that changes the tables migrates from the stored one. */
export const SCHEMA_VERSION = 1;
/** Postgres cuts identifiers at 63 bytes: a longer namespace would share a cut schema. */
const MAX_SCHEMA_BYTES = 63;
/** SQLSTATE of "permission denied". */
const INSUFFICIENT_PRIVILEGE = "42501";
/** int8 (`count(*)`, BIGINT columns): coord's values fit in a double. */
const INT8_OID = 20;

/** Every table coord keeps in the schema; each primitive adds its own as it moves here. */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS coord_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  ...BARRIER_DDL,
  ...SCHEDULE_DDL,
];

/** How a {@link PostgresBackend} is opened. */
export interface PostgresOptions {
  namespace: string;
  displayUrl: string;
  connectTimeoutMs: number;
}

/** The PostgreSQL backend. */
export class PostgresBackend implements Backend {
  readonly kind = "postgres" as const;
  readonly displayUrl: string;
  readonly namespace: string;
  readonly barrier: BarrierSteps;
  readonly lock: LockSteps = notYet("lock") as LockSteps;
  readonly schedule: ScheduleSteps;
  readonly queue: QueueSteps = notYet("queue") as QueueSteps;
  /** The transactions the steps run in (tests use it to write as a step would). */
  readonly sql: PostgresSqlStore;
  readonly #pool: PgPool;
  readonly #listener: ChangeListener;
  readonly #database: string;

  /** Wraps a pool whose database has the namespace's schema. */
  constructor(
    pool: PgPool,
    listener: ChangeListener,
    target: PostgresTarget,
    options: PostgresOptions,
  ) {
    this.#pool = pool;
    this.#listener = listener;
    this.#database = target.database;
    this.namespace = options.namespace;
    this.displayUrl = options.displayUrl;
    this.sql = new PostgresSqlStore(pool, options.namespace, options.displayUrl);
    this.barrier = new SqlBarrierSteps(this.sql);
    this.schedule = new SqlScheduleSteps(this.sql);
  }

  async now(): Promise<number> {
    return await this.#query(() => readClock(this.#pool));
  }

  async info(): Promise<EngineInfo> {
    return await this.#query(async () => {
      const { rows: [server] } = await this.#pool.query("SHOW server_version");
      const { rows: [stored] } = await this.#pool.query(
        `SELECT value FROM ${schemaIdentifier(this.namespace)}.coord_meta
         WHERE key = 'schema_version'`,
      );
      return {
        engine: "postgresql",
        version: String(server.server_version).split(" ")[0],
        details: {
          database: this.#database,
          schema: this.namespace,
          schema_version: String(stored?.value ?? "none"),
          wake_ups: this.#listener.listening ? "listen/notify" : "polling",
        },
      };
    });
  }

  async findForeignData(): Promise<ForeignEntry[]> {
    const { rows } = await this.#query(() =>
      this.#pool.query(
        `SELECT table_name AS name FROM information_schema.tables
         WHERE table_schema = $1 AND table_name NOT LIKE 'coord\\_%' ORDER BY table_name`,
        [this.namespace],
      )
    );
    return rows.map((r) => ({ where: `table ${r.name}`, problem: "not a coord table" }));
  }

  watch(topic: Topic): Promise<ChangeWatcher> {
    return this.#listener.watch(this.namespace, topic);
  }

  events(kind: Kind): Promise<AsyncIterable<NamedEvent>> {
    return Promise.reject(notSupported(`following ${kind} events`));
  }

  async close(): Promise<void> {
    await this.#listener.close();
    await this.#pool.end().catch(() => {});
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #query<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (!isConnectionError(e)) throw e;
      throw new BackendUnavailableError(`${this.displayUrl}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
}

function notSupported(what: string): UsageError {
  return new UsageError(
    `${what} is not available on postgres:// yet — use a redis:// or sqlite: URL for it`,
  );
}

/** Steps of a primitive that has not moved to the SQL layer yet: each call is refused. */
function notYet(primitive: string): object {
  return new Proxy({}, {
    get: (_, step) =>
      typeof step === "string"
        ? () => Promise.reject(notSupported(`coord ${primitive}`))
        : undefined,
  });
}

function sslOption(mode: SslMode): PgConfig["ssl"] {
  switch (mode) {
    case "disable":
    case "prefer":
      return false;
    case "require":
      return { rejectUnauthorized: false };
    case "verify-ca":
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case "verify-full":
      return { rejectUnauthorized: true };
  }
}

/**
 * Connects, creates the namespace's schema and tables on first use, and starts listening for
 * changes (or falls back to polling where LISTEN is unavailable, as behind a pooler in
 * transaction mode).
 *
 * @throws {UsageError} when the namespace is too long to be a schema name.
 * @throws {BackendUnavailableError} when the server cannot be reached or refuses the login.
 */
export async function openPostgres(
  target: PostgresTarget,
  options: PostgresOptions,
): Promise<PostgresBackend> {
  if (new TextEncoder().encode(options.namespace).length > MAX_SCHEMA_BYTES) {
    throw new UsageError(
      `namespace "${options.namespace}" is longer than ${MAX_SCHEMA_BYTES} bytes, the longest ` +
        `schema name Postgres keeps — use a shorter --namespace`,
    );
  }
  const pg = await importPg();
  const config: PgConfig = {
    host: target.node.host,
    port: target.node.port,
    user: target.user,
    ...(target.password ? { password: target.password } : {}),
    database: target.database,
    ssl: sslOption(target.sslmode),
    connectionTimeoutMillis: options.connectTimeoutMs,
    application_name: "coord",
    types: {
      getTypeParser: (oid, format) =>
        oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format),
    },
  };
  const pool = new pg.Pool({ ...config, max: POOL_SIZE });
  // An idle connection the server closed (a restart) is dropped by the pool; the next step
  // opens another.
  pool.on("error", () => {});
  try {
    await createSchema(pool, options.namespace, options.displayUrl);
    const listener = await ChangeListener.start(() => new pg.Client(config));
    return new PostgresBackend(pool, listener, target, options);
  } catch (e) {
    await pool.end().catch(() => {});
    if ((e as { code?: string }).code === INSUFFICIENT_PRIVILEGE) {
      throw new BackendUnavailableError(
        `${options.displayUrl}: ${(e as Error).message} — coord creates schema ` +
          `"${options.namespace}" on first use: GRANT CREATE ON DATABASE to this user, or ` +
          `create the schema for it`,
        { cause: e },
      );
    }
    if (e instanceof UsageError || !(e instanceof Error) || !isLoginFailure(e)) throw e;
    throw new BackendUnavailableError(
      `cannot reach ${options.displayUrl}: ${e.message} — is the server up? check the URL, ` +
        `the user and the password (COORD_PASSWORD or PGPASSWORD), or set COORD_URL`,
      { cause: e },
    );
  }
}

/** Connection and login failures, as opposed to bugs in coord's SQL. */
function isLoginFailure(e: Error): boolean {
  const code = (e as { code?: string }).code ?? "";
  return isConnectionError(e) || /^(28|3D)/.test(code) || /ENOTFOUND|EAI_AGAIN/.test(code);
}

/** Creates the schema and tables once; concurrent first uses wait for each other. */
async function createSchema(pool: PgPool, namespace: string, displayUrl: string): Promise<void> {
  const schema = schemaIdentifier(namespace);
  const client = await pool.connect();
  client.on("error", () => {}); // The statement in flight reports it.
  try {
    const { rows } = await client.query(
      `SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = ANY($2)`,
      [namespace, SCHEMA.map((ddl) => /EXISTS\s+(\w+)/.exec(ddl)![1])],
    );
    if (rows.length === SCHEMA.length) return client.release();
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended('coord schema', 0))");
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    const { rows: [{ allowed }] } = await client.query(
      "SELECT has_schema_privilege($1, 'USAGE, CREATE') AS allowed",
      [namespace],
    );
    if (!allowed) {
      // Another role made it: without this check, the DDL below fails with a puzzling
      // "no schema has been selected to create in".
      throw new BackendUnavailableError(
        `${displayUrl}: this user may not use schema "${namespace}" (another role created ` +
          `it) — GRANT USAGE, CREATE ON SCHEMA to this user, or use another --namespace`,
      );
    }
    await client.query(`SET LOCAL search_path TO ${schema}`);
    for (const ddl of SCHEMA) await client.query(ddl);
    await client.query(
      `INSERT INTO coord_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT DO NOTHING`,
      [String(SCHEMA_VERSION)],
    );
    await client.query("COMMIT");
    client.release();
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    client.release(e as Error);
    throw e;
  }
}
