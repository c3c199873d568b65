import assert from "node:assert/strict";
import { openSqlite } from "./backend.ts";
import { LockNews } from "./lock_news.ts";
import { TopicChanges } from "./topic_changes.ts";
import { lock } from "../../lock/lock.ts";
import { withSqliteFile } from "../../../tests/support/temp.ts";

const QUEUED = { label: "t", limit: 1, expireMs: 60_000 };

Deno.test("LockNews reads one lock's events in order, and none where some were trimmed", async () => {
  await withSqliteFile(async (path) => {
    await using backend = await openSqlite({ path, namespace: "t", displayUrl: `sqlite:${path}` });
    // The topic counter, as a waiter reads it before it reads the events.
    const changes = () => new TopicChanges(backend).read({ kind: "lock", name: "r" });
    await backend.lock.enqueue("other", { ...QUEUED, request: "o" });
    const news = new LockNews(backend, "r", changes());
    const [early, late] = [news.follow(changes()), news.follow(changes())];
    const first = await backend.lock.enqueue("r", { ...QUEUED, request: "a" });
    await backend.lock.enqueue("other", { ...QUEUED, request: "o2" });
    assert.equal(first.outcome, "queued");
    const granted = [
      { event: "assigned", ticket: 1, label: "t" },
      { event: "granted", ticket: 1, token: String(first.outcome === "queued" && first.token) },
    ];
    assert.deepEqual(early.read(changes()), granted);
    assert.deepEqual(early.read(changes()), []);
    // The trim deletes a namespace's oldest events: those after the last one read may be gone.
    backend.write((db) => db.exec("DELETE FROM coord_lock_event"));
    await backend.lock.enqueue("r", { ...QUEUED, request: "b" });
    assert.deepEqual(early.read(changes()), [], "some events may be missing: the waiter must ask");
    assert.deepEqual(late.read(changes()), [], "the other reader too");
    await backend.lock.enqueue("r", { ...QUEUED, request: "c" });
    assert.deepEqual(early.read(changes()), [{ event: "assigned", ticket: 3, label: "t" }]);
    assert.deepEqual(late.read(changes()), [{ event: "assigned", ticket: 3, label: "t" }]);
    early.stop();
    late.stop();
  });
});

Deno.test("a lock's waiters on SQLite hear each handoff: only the one granted learns it, and none asks", async () => {
  await withSqliteFile(async (path) => {
    const options = { path, namespace: "t", displayUrl: `sqlite:${path}` };
    // The holder on one connection, the waiters on another: as in two processes.
    await using holding = await openSqlite(options);
    await using waiting = await openSqlite(options);
    let checks = 0;
    const check = waiting.lock.check.bind(waiting.lock);
    waiting.lock.check = (...args) => {
      checks++;
      return check(...args);
    };
    const waiters = 12;
    const held = await lock(holding, "r", { expireMs: 120_000 });
    let queued = 0;
    const { promise: allQueued, resolve } = Promise.withResolvers<void>();
    const tokens: number[] = [];
    const done = Array.from({ length: waiters }, () => {
      let told = false;
      return lock(waiting, "r", {
        expireMs: 120_000,
        onProgress: () => {
          if (!told && (told = true) && ++queued === waiters) resolve();
        },
      }).then(async (handle) => {
        tokens.push(handle.token);
        await handle.release();
      });
    });
    await allQueued;
    await held.release();
    await Promise.all(done);
    assert.deepEqual(tokens, [...tokens].sort((a, b) => a - b), "granted in line");
    // Without the events every waiter asked on every change of the line: 90 asks here.
    assert.equal(checks, 0);
  });
});

Deno.test("a row another program wrote in the event table stops no lock: its waiters ask", async () => {
  await withSqliteFile(async (path) => {
    const options = { path, namespace: "t", displayUrl: `sqlite:${path}` };
    await using holding = await openSqlite(options);
    await using waiting = await openSqlite(options);
    // An id past 2^53, of another lock: coord's steps never read it, its readers of events do.
    holding.write((db) =>
      db.exec(
        "INSERT INTO coord_lock_event (id, namespace, name, event) " +
          "VALUES (9007199254740995, 't', 'zz', '{}')",
      )
    );
    const held = await lock(holding, "r", { expireMs: 120_000 });
    const { promise: queued, resolve } = Promise.withResolvers<void>();
    const waiter = lock(waiting, "r", { expireMs: 120_000, onProgress: () => resolve() });
    await queued;
    await held.release();
    const handle = await waiter;
    assert.ok(handle.token > held.token);
    await handle.release();
  });
});
