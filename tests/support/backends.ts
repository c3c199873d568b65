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
import { sharedRedisUrl } from "./shared_servers.ts";
import { sharedPostgresUrl } from "./postgres_shared.ts";

/** One backend under test. */
export interface BackendCase {
  /** `sqlite`, `postgres`, `redis`, `cluster` or `sentinel`. */
  label: string;
  /** A fresh URL for a test (a new file for SQLite), or undefined when not available. */
  url(): Promise<string | undefined>;
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
  { label: "sqlite", url: async () => `sqlite:${await Deno.makeTempFile({ suffix: ".db" })}` },
  { label: "postgres", url: () => Promise.resolve(postgresUrl) },
  ...Object.entries(redisUrls).map(([label, url]) => ({
    label,
    url: () => Promise.resolve(url),
  })),
];

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
 * The conformance files whose primitive runs on Postgres so far (the primitives move onto
 * the shared SQL steps one at a time); the others skip it. Goes away when all four have moved.
 */
const ON_POSTGRES = /\/conformance\/(backend|barrier|barrier_cli)_test\.ts/;

/** Options of {@link conformance}. */
export interface ConformanceOptions {
  /** Backends the case does not apply to, e.g. where its setup cannot be expressed. */
  skip?: string[];
}

/**
 * Registers `fn` once per backend as `"<name> [<backend>]"`. Redis and Postgres backends are
 * ignored when their server is missing (the shared-server helpers have said so loudly, or
 * failed under CI).
 */
export function conformance(
  name: string,
  fn: (ctx: CaseContext) => Promise<void>,
  options: ConformanceOptions = {},
): void {
  const onPostgres = ON_POSTGRES.test(new Error().stack ?? "");
  for (const backend of BACKENDS) {
    if (backend.label === "postgres" && !onPostgres) continue;
    if (options.skip?.includes(backend.label)) continue;
    const available = backend.label === "sqlite" ||
      (backend.label === "postgres"
          ? postgresUrl
          : redisUrls[backend.label as keyof typeof redisUrls]) !== undefined;
    Deno.test({
      name: `${name} [${backend.label}]`,
      ignore: !available,
      async fn() {
        const url = (await backend.url())!;
        const namespace = freshNamespace();
        const opened: Backend[] = [];
        const open = async () => {
          const b = await connect({ url, namespace, env: {} });
          opened.push(b);
          return b;
        };
        try {
          await fn({ label: backend.label, url, namespace, open });
        } finally {
          await Promise.all(opened.map((b) => b.close()));
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
    (backend as SqliteBackend).write((db) =>
      db.prepare("INSERT OR REPLACE INTO coord_meta (key, value) VALUES ('touch', ?)")
        .run(String(Math.random()))
    );
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

/** Puts data coord would not write where lock `name` keeps its state. */
export async function plantForeignLock(backend: Backend, name: string): Promise<void> {
  if (backend.kind === "sqlite") {
    (backend as SqliteBackend).db.prepare(
      "INSERT INTO coord_lock_counter (namespace, name, tickets) VALUES (?, ?, 'x')",
    ).run(backend.namespace, name);
    return;
  }
  const redis = backend as RedisBackend;
  const key = redis.key("lock", name, "queue");
  await redis.conn.send(key, ["SET", key, "junk"]);
}
