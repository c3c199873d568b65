/** The SQLite file held by another process: waiting steps retry instead of failing. */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { connect } from "../lib/backend/connect.ts";
import { barrier } from "../lib/barrier/barrier.ts";
import { holdFileLocked } from "./support/sqlite.ts";
import { tempSqlite } from "./support/temp.ts";
import { sleep } from "../lib/time.ts";

Deno.test("a barrier step retries while another process holds the SQLite write lock", async () => {
  await using db = await tempSqlite();
  const path = db.url.slice("sqlite:".length);
  await using backend = await connect({ url: db.url, env: {} });
  await using holder = await holdFileLocked(path, "IMMEDIATE");
  // Held as long as another writer's long transaction.
  const released = sleep(2500).then(holder.release);
  const started = performance.now();
  const result = await barrier(backend, "busy", 1, { delayMs: 0, toleranceMs: Infinity });
  assert.equal(result.generation, 1);
  assert.ok(performance.now() - started >= 1000, "it did wait for the lock");
  await released;
});

Deno.test("opening a file whose tables need an upgrade waits while another process holds the write lock", async () => {
  await using db = await tempSqlite();
  const path = db.url.slice("sqlite:".length);
  {
    await using _made = await connect({ url: db.url, env: {} });
  }
  // An earlier coord's file lacks an index: opening it takes the write lock to build it, which
  // another process opening it too (and building it over many jobs) holds for seconds.
  const old = new DatabaseSync(path);
  old.exec("DROP INDEX coord_queue_job_finished");
  old.close();
  // Longer than the 1 s a read waits for a lock.
  await using holder = await holdFileLocked(path, "IMMEDIATE");
  const released = sleep(2500).then(holder.release);
  {
    await using _upgraded = await connect({ url: db.url, env: {} });
  }
  await released;
  const reopened = new DatabaseSync(path);
  try {
    const index = reopened.prepare("SELECT name FROM sqlite_schema WHERE name = ?")
      .get("coord_queue_job_finished");
    assert.ok(index, "the index was built");
  } finally {
    reopened.close();
  }
});
