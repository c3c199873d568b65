/**
 * How a SQLite waiter looks for other processes' changes: what it costs while nothing changes,
 * and that a change still wakes it.
 */

import assert from "node:assert/strict";
import { StatementSync } from "node:sqlite";
import { connect } from "../lib/backend/connect.ts";
import { SqliteBackend } from "../lib/backend/sqlite/backend.ts";
import { WakeSockets } from "../lib/backend/sqlite/wake_socket.ts";
import { bucketOf } from "../lib/backend/sqlite/topic_changes.ts";
import { putJobs } from "../lib/queue/bulk.ts";
import { putJob } from "../lib/queue/queue.ts";
import { work } from "../lib/queue/worker.ts";
import { tempSqlite } from "./support/temp.ts";
import { HANG_GUARD_MS, until } from "./support/wait.ts";
import { countWorkerCalls } from "./support/worker_calls.ts";

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

Deno.test(
  "a SQLite worker at rest does not look again when another process commits after a run's end",
  async () => {
    // The end that leaves the queue with nothing running moves the queue's counter, and is news
    // the worker sleeps through: its watcher must count that move as seen. It looked at the
    // next commit of any other process (a heartbeat, another queue's put), to find nothing.
    await using db = await tempSqlite();
    await using backend = await connect({ url: db.url, env: {} });
    await using other = await connect({ url: db.url, env: {} });
    const rest = { kind: "queue", name: "rest" } as const;
    const elsewhere = { kind: "queue", name: "elsewhere" } as const;
    assert.notEqual(bucketOf(rest), bucketOf(elsewhere), "the two queues share no counter");
    const calls = await countWorkerCalls(backend);
    await using waiter = await backend.watch(rest);
    await using otherQueue = await backend.watch(elsewhere);
    const stop = new AbortController();
    const releases: (() => void)[] = [];
    const worker = work(backend, ["rest"], {
      concurrency: 5,
      signal: stop.signal,
      handlers: { hold: () => new Promise<void>((resolve) => releases.push(resolve)) },
    });
    await until(() => calls.n >= 1, { what: "the first look" });
    // Polling by itself, the worker's watcher could see a run's end and the next put in one
    // look: it sleeps in the shared look only where a socket listens.
    assert.ok(sockets(db.url).length > 0, "the waiters listen on a socket");
    const before = calls.n;
    const startedAt = performance.now();
    const JOBS = 10;
    for (let i = 0; i < JOBS; i++) {
      await putJob(other, "rest", { id: `r${i}`, handler: "hold" });
      await until(() => releases.length > i, { what: `job ${i}'s start` });
      await waiter.next(0);
      releases[i]();
      // The run's end, told in this process.
      await waiter.next(HANG_GUARD_MS);
      // Another process's commit, heard by this connection's shared look at idle waiters, where
      // the worker's watcher sleeps too: it wakes this one, and would wake the worker's then.
      const heard = otherQueue.next(HANG_GUARD_MS);
      await putJob(other, "elsewhere", { id: `e${i}`, handler: "hold" });
      await heard;
    }
    const elapsedMs = performance.now() - startedAt;
    stop.abort();
    await worker;
    const made = calls.n - before;
    // A call to take each job, one to record each end; every queue is looked at every 2 s.
    const most = 2 * JOBS + Math.ceil(elapsedMs / 2_000);
    assert.ok(made <= most, `${made} calls for ${JOBS} jobs in ${Math.round(elapsedMs)} ms`);
  },
);
