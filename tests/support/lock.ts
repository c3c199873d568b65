/**
 * Waiting for lock queue state in tests, by watching rather than sleeping, with a deadline.
 *
 * @module
 */

import type { Backend } from "../../lib/backend/types.ts";
import type { RedisBackend } from "../../lib/backend/redis/backend.ts";
import type { SqliteBackend } from "../../lib/backend/sqlite/backend.ts";
import type { PostgresBackend } from "../../lib/backend/postgres/backend.ts";
import type { SqlValue } from "../../lib/backend/sql/transaction.ts";
import { LOCK_KEY_TYPES } from "../../lib/backend/redis/lock.ts";

/** Every table where SQLite and Postgres keep a lock's rows (events aside). */
const LOCK_TABLES = [
  "coord_lock",
  "coord_lock_ticket",
  "coord_lock_counter",
  "coord_lock_token",
  "coord_lock_request",
];
import assert from "node:assert/strict";
import { spawnCoord } from "./cli.ts";
import { guarded, HANG_GUARD_MS } from "./wait.ts";

/** Resolves once `resource` has `count` live users; rejects after `timeoutMs`. */
export async function users(
  backend: Backend,
  resource: string,
  count: number,
  timeoutMs = HANG_GUARD_MS,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  await using watcher = await backend.watch({ kind: "lock", name: resource });
  while (((await backend.lock.status(resource))?.users.length ?? 0) !== count) {
    if (performance.now() > deadline) throw new Error(`${resource}: never ${count} users`);
    await watcher.next(100);
  }
}

/** Deletes everything lock `name` keeps, as a backend restarted without persistence would. */
export async function forgetLock(backend: Backend, name: string): Promise<void> {
  if (isSql(backend)) {
    for (const table of LOCK_TABLES) {
      const sql = `DELETE FROM ${table} WHERE namespace = ? AND name = ?`;
      await runSql(backend, sql, backend.namespace, name);
    }
    return;
  }
  const redis = backend as RedisBackend;
  const keys = Object.keys(LOCK_KEY_TYPES).map((part) => redis.key("lock", name, part));
  await redis.conn.send(keys[0], ["DEL", ...keys]);
}

/**
 * Sets lock `name`'s ticket and token counters back, as a failover to a replica that missed
 * the last writes would.
 */
export async function rewindLock(
  backend: Backend,
  name: string,
  to: { tickets: number; token: number },
): Promise<void> {
  if (isSql(backend)) {
    const rewound = [
      ["coord_lock_counter", "tickets", to.tickets],
      ["coord_lock", "tickets", to.tickets],
      ["coord_lock_token", "token", to.token],
    ] as const;
    for (const [table, column, value] of rewound) {
      const sql = `UPDATE ${table} SET ${column} = ? WHERE namespace = ? AND name = ?`;
      await runSql(backend, sql, value, backend.namespace, name);
    }
    return;
  }
  const redis = backend as RedisBackend;
  const tickets = redis.key("lock", name, "tickets");
  const tokens = redis.key("lock", name, "tokens");
  await redis.conn.send(tickets, ["SET", tickets, String(to.tickets)]);
  await redis.conn.send(tokens, ["SET", tokens, String(to.token)]);
}

function isSql(backend: Backend): boolean {
  return backend.kind === "sqlite" || backend.kind === "postgres";
}

/** Runs one statement on an SQL backend, outside coord's steps. */
async function runSql(backend: Backend, sql: string, ...params: SqlValue[]): Promise<void> {
  if (backend.kind === "sqlite") {
    // A write transaction in this process's queue of steps, as a step's: it waits its turn
    // instead of finding the file locked by a step of this process under way.
    const sqlite = backend as SqliteBackend;
    await sqlite.writeAsync(() => Promise.resolve(sqlite.run(sql, ...params)));
    return;
  }
  await (backend as PostgresBackend).sql.write((tx) => tx.run(sql, ...params));
}

/**
 * Starts a `lock run` holding `y` and one waiting behind it, then `silence`s their backend
 * (its sockets kept open): the waiter must exit 69 while it is silent, in one line matching
 * `message`. `backend` sees the line from outside the silence.
 */
export async function assertWaiterExitsWhileSilent(
  backend: Backend,
  env: Record<string, string>,
  { silence, answer }: { silence(): void; answer(): void },
  message: RegExp,
): Promise<void> {
  await using holder = spawnCoord(["lock", "run", "y", "--", "sleep", "600"], { env });
  await users(backend, "y", 1);
  await using waiter = spawnCoord(
    ["lock", "run", "y", "--expire", "2", "--connect-timeout", "1", "--", "true"],
    { env },
  );
  await users(backend, "y", 2);
  silence();
  try {
    // Its end must not wait for the silent server to take its goodbye either.
    const { code, stderr } = await guarded(waiter.result, "the waiter");
    assert.equal(code, 69, stderr);
    assert.match(stderr, message);
  } finally {
    answer();
  }
  holder.kill("SIGTERM");
  await holder.result;
}
