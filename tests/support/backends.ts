/**
 * The backends the conformance suite runs on, each as a URL factory, plus a helper that
 * registers one test per backend so every case runs everywhere with the same assertions.
 *
 * @module
 */

import { connect } from "../../lib/backend/connect.ts";
import type { Backend, Topic } from "../../lib/backend/types.ts";
import type { RedisBackend } from "../../lib/backend/redis/backend.ts";
import type { SqliteBackend } from "../../lib/backend/sqlite/backend.ts";
import type { PostgresBackend } from "../../lib/backend/postgres/backend.ts";
import { CONFORMANCE_BACKENDS_ENV, sharedRedisUrl } from "./shared_servers.ts";
import { sharedPostgresUrl } from "./postgres_shared.ts";
import { isSql, runSql, sqlRows } from "./sql.ts";
import { tempSqlite } from "./temp.ts";
import { HANG_GUARD_MS } from "./wait.ts";

/** One backend under test. */
export interface BackendCase {
  /** `sqlite`, `postgres`, `redis`, `cluster` or `sentinel`. */
  label: string;
  /** False for the Redis ones when redis-server is missing. */
  available: boolean;
  /** A URL for one test (a new file for SQLite, removed on disposal). */
  use(): Promise<BackendUrl>;
}

/** A backend's URL for one test; disposing of it removes what the test's backend left. */
export interface BackendUrl extends AsyncDisposable {
  readonly url: string;
}

const redisUrls = {
  redis: await sharedRedisUrl("redis"),
  cluster: await sharedRedisUrl("cluster"),
  sentinel: await sharedRedisUrl("sentinel"),
};

const postgresUrl = await sharedPostgresUrl();

/**
 * Every backend the suite knows; Redis and Postgres ones are ignored when their server is
 * missing. One Postgres database serves every case: each case's fresh namespace is its own
 * schema.
 */
export const BACKENDS: BackendCase[] = [
  { label: "sqlite", available: true, use: tempSqlite },
  {
    label: "postgres",
    available: postgresUrl !== undefined,
    // Each case's fresh namespace is its own schema; there is nothing to remove.
    use: () =>
      Promise.resolve({ url: postgresUrl!, [Symbol.asyncDispose]: () => Promise.resolve() }),
  },
  ...Object.entries(redisUrls).map(([label, url]) => ({
    label,
    available: url !== undefined,
    // Namespaces keep tests apart on the shared servers; there is nothing to remove.
    use: () => Promise.resolve({ url: url!, [Symbol.asyncDispose]: () => Promise.resolve() }),
  })),
];

/** The Redis deployments among {@link BACKENDS} whose server is there, for Redis-only tests. */
export const REDIS_BACKENDS: BackendCase[] = BACKENDS.filter((b) =>
  b.available && ["redis", "cluster", "sentinel"].includes(b.label)
);

/** A namespace nobody else uses, so tests sharing one Redis never see each other's keys. */
export function freshNamespace(): string {
  return `t${crypto.randomUUID().slice(0, 8)}`;
}

/** What a conformance case gets. */
export interface CaseContext {
  label: string;
  url: string;
  namespace: string;
  /** Opens another connection to the same backend and namespace; closed after the case. */
  open(): Promise<Backend>;
}

/**
 * The environment that points a spawned coord at the case's backend and namespace.
 *
 * @example
 * ```ts ignore
 * const r = await runCoord(["lock", "run", "res", "--", "true"], { env: envOf(ctx) });
 * ```
 */
export function envOf(ctx: CaseContext): Record<string, string> {
  return {
    COORD_URL: ctx.url,
    COORD_NAMESPACE: ctx.namespace,
    // The default is for users; starting coord and connecting can take longer on a busy machine.
    COORD_CONNECT_TIMEOUT: String(HANG_GUARD_MS / 1000),
  };
}

/**
 * Rejections nobody handled while a case ran. Deno fails a whole test module on one, cancelling
 * every case after it; typically a promise a failed case left pending (a waiter still running
 * when its connection closes), so the case itself is failed instead, with the rejection named.
 */
let strayRejections: unknown[] | undefined;

globalThis.addEventListener("unhandledrejection", (event) => {
  if (strayRejections === undefined) return;
  event.preventDefault();
  strayRejections.push(event.reason);
});

/** The backends this process runs conformance cases on, when `tests/run.ts` split them. */
const laneBackends = Deno.env.get(CONFORMANCE_BACKENDS_ENV)?.split(",");

/** Options of {@link conformance}. */
export interface ConformanceOptions {
  /** Backends the case does not apply to, e.g. where its setup cannot be expressed. */
  skip?: string[];
}

/**
 * Registers `fn` once per backend as `"<name> [<backend>]"` (per backend of this process's lane,
 * under `tests/run.ts`). Redis and Postgres backends are ignored when their server is missing
 * (the shared-server helpers have said so loudly, or failed under CI).
 */
export function conformance(
  name: string,
  fn: (ctx: CaseContext) => Promise<void>,
  options: ConformanceOptions = {},
): void {
  const backends = BACKENDS.filter((b) =>
    (laneBackends?.includes(b.label) ?? true) &&
    !options.skip?.includes(b.label)
  );
  for (const backend of backends) {
    Deno.test({
      name: `${name} [${backend.label}]`,
      ignore: !backend.available,
      async fn() {
        await using target = await backend.use();
        const namespace = freshNamespace();
        const opened: Backend[] = [];
        const open = async () => {
          // The default connect timeout is for users; a busy machine can take longer.
          const b = await connect({
            url: target.url,
            namespace,
            env: {},
            connectTimeoutMs: HANG_GUARD_MS,
          });
          opened.push(b);
          return b;
        };
        const strays: unknown[] = strayRejections = [];
        try {
          await fn({ label: backend.label, url: target.url, namespace, open });
        } finally {
          await Promise.all(opened.map((b) => b.close()));
          // Closing ends what the case left waiting; let those rejections arrive here.
          await new Promise((r) => setTimeout(r, 0));
          strayRejections = undefined;
        }
        if (strays.length > 0) {
          throw new AggregateError(strays, `${strays.length} promise(s) rejected unhandled`);
        }
      },
    });
  }
}

/** Writes data coord would never write into the backend's namespace (or file). */
export async function plantForeignData(backend: Backend): Promise<string> {
  if (backend.kind === "sqlite") {
    (backend as SqliteBackend).db.exec("CREATE TABLE IF NOT EXISTS app_users (id INTEGER)");
    return "table app_users";
  }
  if (backend.kind === "postgres") {
    await (backend as PostgresBackend).sql.write((tx) =>
      tx.run("CREATE TABLE IF NOT EXISTS app_users (id INTEGER)")
    );
    return "table app_users";
  }
  const key = `${backend.namespace}:{barrier:x}:bogus`;
  await (backend as RedisBackend).conn.send(key, ["RPUSH", key, "not coord's"]);
  return key;
}

/** Signals a change of `topic` the way a primitive's write would, from this connection. */
export async function touchTopic(backend: Backend, topic: Topic): Promise<void> {
  if (backend.kind === "sqlite") {
    const sqlite = backend as SqliteBackend;
    sqlite.write(() => sqlite.noteChange(topic));
    return;
  }
  if (backend.kind === "postgres") {
    await (backend as PostgresBackend).sql.write((tx) => tx.notify(topic));
    return;
  }
  const redis = backend as RedisBackend;
  const channel = redis.channel(topic);
  await redis.conn.send(channel, ["PUBLISH", channel, "touch"]);
}

/** Puts data coord would not write where barrier `name` keeps its state. */
export async function plantForeignBarrier(
  backend: Backend,
  name: string,
): Promise<() => Promise<string>> {
  if (backend.kind === "sqlite") {
    const db = (backend as SqliteBackend).db;
    db.prepare("INSERT INTO coord_barrier (namespace, name, generation) VALUES (?, ?, 'junk')")
      .run(backend.namespace, name);
    return () =>
      Promise.resolve(
        String(
          (db.prepare("SELECT generation FROM coord_barrier WHERE namespace = ? AND name = ?")
            .get(backend.namespace, name) as { generation: unknown }).generation,
        ),
      );
  }
  const redis = backend as RedisBackend;
  const key = redis.key("barrier", name, "state");
  await redis.conn.send(key, ["SET", key, "junk"]);
  return async () => String(await redis.conn.send(key, ["GET", key]));
}

/**
 * Adds to barrier `name`'s state, which coord wrote, a value coord would not write there: a
 * field of its own in the Redis hash, a text where SQLite keeps a count. Returns a reader of
 * the whole state, to show it was left as it was.
 */
export async function plantForeignBarrierField(
  backend: Backend,
  name: string,
): Promise<() => Promise<string>> {
  if (backend.kind === "sqlite") {
    const db = (backend as SqliteBackend).db;
    const where = "WHERE namespace = ? AND name = ?";
    db.prepare(`UPDATE coord_barrier SET last_n = 'weird' ${where}`).run(backend.namespace, name);
    return () =>
      Promise.resolve(
        JSON.stringify(
          db.prepare(`SELECT * FROM coord_barrier ${where}`).get(
            backend.namespace,
            name,
          ),
        ),
      );
  }
  const redis = backend as RedisBackend;
  const key = redis.key("barrier", name, "state");
  await redis.conn.send(key, ["HSET", key, "weird", "1"]);
  return async () => JSON.stringify(await redis.conn.send(key, ["HGETALL", key]));
}

/**
 * Sets `field` of barrier `name`'s state (its hash's field on Redis, its row's column on SQL) to
 * `value`, or removes it (null), as another program might. Returns a reader of the whole state,
 * to show it was left as it was.
 */
export async function plantBarrierValue(
  backend: Backend,
  name: string,
  field: string,
  value: string | number | null,
): Promise<() => Promise<string>> {
  if (isSql(backend)) {
    const where = "WHERE namespace = ? AND name = ?";
    await runSql(
      backend,
      `UPDATE coord_barrier SET ${field} = ? ${where}`,
      value,
      backend.namespace,
      name,
    );
    return async () =>
      JSON.stringify(
        await sqlRows(backend, `SELECT * FROM coord_barrier ${where}`, backend.namespace, name),
      );
  }
  const redis = backend as RedisBackend;
  const key = redis.key("barrier", name, "state");
  await redis.conn.send(
    key,
    value === null ? ["HDEL", key, field] : ["HSET", key, field, String(value)],
  );
  return async () => JSON.stringify(await redis.conn.send(key, ["HGETALL", key]));
}

/**
 * Puts data coord would not write where lock `name` keeps its state: a new lock, or one coord
 * used (then listed as before).
 */
export async function plantForeignLock(backend: Backend, name: string): Promise<void> {
  if (backend.kind === "sqlite") {
    (backend as SqliteBackend).db.prepare(
      `INSERT INTO coord_lock_counter (namespace, name, tickets) VALUES (?, ?, 'x')
       ON CONFLICT (namespace, name) DO UPDATE SET tickets = excluded.tickets`,
    ).run(backend.namespace, name);
    return;
  }
  const redis = backend as RedisBackend;
  const key = redis.key("lock", name, "queue");
  await redis.conn.send(key, ["SET", key, "junk"]);
}

/**
 * Registers `fn` once per Redis deployment the suite has, with a backend in a fresh namespace
 * and the deployment's URL (for the CLI).
 */
export function onRedis(
  name: string,
  fn: (backend: RedisBackend, url: string) => Promise<void>,
): void {
  for (const { label, use } of REDIS_BACKENDS) {
    Deno.test(`${name} [${label}]`, async () => {
      const { url } = await use();
      const backend = await connect({ url, namespace: freshNamespace(), env: {} });
      try {
        await fn(backend as RedisBackend, url);
      } finally {
        await backend.close();
      }
    });
  }
}
