/**
 * SQLite compiles a statement once per connection: a step that compiled one of its statements
 * again on every run would spend more on that than on the query.
 */

import assert from "node:assert/strict";
import { constants, DatabaseSync } from "node:sqlite";
import { connect } from "../lib/backend/connect.ts";
import { SqliteBackend } from "../lib/backend/sqlite/backend.ts";
import { putJobs } from "../lib/queue/bulk.ts";
import type { JobRecord } from "../lib/queue/steps.ts";
import { completions } from "./support/finishes.ts";
import { tempSqlite } from "./support/temp.ts";

Deno.test("a worker's steps and looks at an empty queue, once run, compile no statement again", async () => {
  await using db = await tempSqlite();
  await using backend = await connect({ url: db.url, env: {} });
  assert.ok(backend instanceof SqliteBackend);
  // A short retention, so that each step below also removes finished jobs.
  await backend.queue.configure("q", { keepCompleted: { count: 5 } });
  await putJobs(backend, "q", Array.from({ length: 200 }, (_, i) => ({ handler: "h", args: i })));
  const lease = { worker: "w", leaseMs: 60_000 };
  // An idle worker's look at an empty queue.
  const look = () => backend.queue.finishAndClaim("empty", { finishes: [], ...lease, claims: 10 });
  const step = async (held: JobRecord[]) =>
    (await backend.queue.finishAndClaim("q", {
      finishes: completions(held),
      ...lease,
      claims: 10,
    })).jobs;
  // The authorizer is asked about each table and column a statement uses as it is compiled.
  // Left out: BEGIN and COMMIT, run as text, and PRAGMAs, which SQLite compiles for each run.
  // Setting it makes every statement compile once more.
  let compiled = 0;
  backend.db.setAuthorizer((action) => {
    if (action !== constants.SQLITE_TRANSACTION && action !== constants.SQLITE_PRAGMA) compiled++;
    return constants.SQLITE_OK;
  });
  // The first steps compile what they send (a batch's id lists differ with its size).
  let held = await step(await step(await step([])));
  await look();
  compiled = 0;
  for (let i = 0; i < 5; i++) {
    held = await step(held);
    await look();
  }
  backend.db.setAuthorizer(null);
  assert.equal(held.length, 10);
  assert.equal(compiled, 0);
});

Deno.test("listing pending and scheduled jobs again and again prepares no statement again", async () => {
  await using db = await tempSqlite();
  await using backend = await connect({ url: db.url, env: {} });
  assert.ok(backend instanceof SqliteBackend);
  await putJobs(backend, "q", [{ handler: "h" }, { handler: "h", delayMs: 3_600_000 }]);
  const list = async () => {
    for (const state of ["pending", "scheduled"] as const) {
      assert.equal((await backend.queue.listJobs("q", { state, limit: 10 })).length, 1);
    }
  };
  await list();
  // Counted as prepared, not as compiled: SQLite compiles a statement again by itself when a
  // bound value may change its plan (a range on ready_at, with the file's statistics).
  const prepare = DatabaseSync.prototype.prepare;
  let prepared = 0;
  DatabaseSync.prototype.prepare = function (this: DatabaseSync, ...args: unknown[]) {
    prepared++;
    return prepare.apply(this, args as never);
  } as typeof prepare;
  try {
    // Each call has its own now: where that was in the text, each prepared and kept a statement.
    for (let i = 0; i < 20; i++) await list();
  } finally {
    DatabaseSync.prototype.prepare = prepare;
  }
  assert.equal(prepared, 0);
});
