/**
 * How a SQLite waiter looks for other processes' changes: what it costs while nothing changes,
 * and that a change still wakes it.
 */

import assert from "node:assert/strict";
import { StatementSync } from "node:sqlite";
import { connect } from "../lib/backend/connect.ts";
import { SqliteBackend } from "../lib/backend/sqlite/backend.ts";
import { WakeSockets } from "../lib/backend/sqlite/wake_socket.ts";
import { putJobs } from "../lib/queue/bulk.ts";
import { tempSqlite } from "./support/temp.ts";

/**
 * Counts reads of `PRAGMA data_version`, the look for other processes' commits, until disposed.
 */
function countLooks(): { readonly n: number } & Disposable {
  const get = StatementSync.prototype.get;
  const counter = {
    n: 0,
    [Symbol.dispose]: () => void (StatementSync.prototype.get = get),
  };
  StatementSync.prototype.get = function (this: StatementSync, ...params: unknown[]) {
    if (this.sourceSQL === "PRAGMA data_version") counter.n++;
    return get.apply(this, params as never);
  } as typeof get;
  return counter;
}

/** Counts the wake-ups that came by socket, until disposed. */
function countPokes(): { readonly n: number } & Disposable {
  const listen = WakeSockets.prototype.listen;
  const counter = {
    n: 0,
    [Symbol.dispose]: () => void (WakeSockets.prototype.listen = listen),
  };
  WakeSockets.prototype.listen = function (this: WakeSockets, listener: () => void) {
    return listen.call(this, () => {
      counter.n++;
      listener();
    });
  };
  return counter;
}

/** The sockets waiters of the file behind a `sqlite:PATH` URL listen on. */
function sockets(url: string): string[] {
  try {
    return [...Deno.readDirSync(`${url.slice("sqlite:".length)}-wake`)].map((e) => e.name);
  } catch {
    return [];
  }
}

Deno.test("a waiter that other processes can wake by socket does not poll while nothing changes", async () => {
  await using db = await tempSqlite();
  await using backend = await connect({ url: db.url, env: {} });
  assert.ok(backend instanceof SqliteBackend);
  await using watcher = await backend.watch({ kind: "queue", name: "q" });
  using looks = countLooks();
  const waited = watcher.next(600);
  const listening = sockets(db.url).length;
  await waited;
  // Where it cannot listen (a temp path too long for a socket), it polls, as it must.
  assert.equal(listening, 1, "the waiter listens on a socket");
  // A look as it starts and ends, and the connection's idle look every 250 ms; polling from
  // 1 ms up to the idle pace would be ≈ 14.
  assert.ok(looks.n <= 5, `${looks.n} looks in 600 ms`);
});

Deno.test("a waiter that does not poll still wakes for another process's change", async () => {
  await using db = await tempSqlite();
  await using waiter = await connect({ url: db.url, env: {} });
  await using writer = await connect({ url: db.url, env: {} });
  await using watcher = await waiter.watch({ kind: "queue", name: "q" });
  using pokes = countPokes();
  const started = performance.now();
  const woke = watcher.next(60_000);
  await putJobs(writer, "q", [{ handler: "h" }]);
  await woke;
  // Not by the connection's look every 250 ms, which would wake it too, only later.
  assert.ok(pokes.n >= 1, "woken by the writer's poke");
  // A hang guard, not a latency bound: it ends at the put, not at its 60 s.
  assert.ok(performance.now() - started < 30_000);
});
