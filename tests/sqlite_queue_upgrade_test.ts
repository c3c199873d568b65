/** A SQLite file an earlier coord made gets the queue's new columns when it is opened. */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { connect } from "../lib/backend/connect.ts";
import { runsOldAndNewJobs } from "./support/queue_upgrade.ts";
import { tempSqlite } from "./support/temp.ts";

Deno.test("a queue file from before progress, priorities, --keep and groups is upgraded", async () => {
  await using file = await tempSqlite();
  const db = new DatabaseSync(file.url.slice("sqlite:".length));
  // The queue's two tables as coord made them before these columns existed.
  db.exec(`CREATE TABLE coord_queue_job (
    namespace TEXT NOT NULL, queue TEXT NOT NULL, id TEXT NOT NULL, state TEXT NOT NULL,
    ready_at INTEGER NOT NULL, lease_until INTEGER, attempts INTEGER NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    stalls INTEGER NOT NULL, worker TEXT, begin_by INTEGER, spec TEXT NOT NULL, result TEXT,
    error TEXT, created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER,
    parent TEXT, grp TEXT, inputs TEXT, PRIMARY KEY (namespace, queue, id))`);
  db.exec(`CREATE TABLE coord_queue_config (
    namespace TEXT NOT NULL, queue TEXT NOT NULL, keep_completed TEXT, keep_failed TEXT,
    paused INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (namespace, queue))`);
  db.prepare(
    `INSERT INTO coord_queue_job (namespace, queue, id, state, ready_at, attempts, stalls, spec,
     created_at) VALUES ('coord', 'q', 'old', 'pending', 0, 0, 0, ?, 0)`,
  ).run(JSON.stringify({ handler: "h", retries: 0, backoffMs: 0 }));
  db.close();
  await using backend = await connect({ url: file.url, env: {} });
  await runsOldAndNewJobs(backend);
});

Deno.test("a file with the queue's earlier indexes gets today's and drops the retired", async () => {
  await using file = await tempSqlite();
  const path = file.url.slice("sqlite:".length);
  {
    await using _made = await connect({ url: file.url, env: {} });
  }
  const indexes = (db: DatabaseSync) =>
    (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name LIKE 'coord_%'")
      .all() as { name: string }[]).map((r) => r.name);
  const db = new DatabaseSync(path);
  const today = indexes(db);
  // The indexes an earlier coord made, in place of today's.
  db.exec("DROP INDEX coord_queue_job_upcoming");
  db.exec(`CREATE INDEX coord_queue_job_due ON coord_queue_job (namespace, queue, ready_at)
    WHERE state = 'pending' AND due = 0`);
  db.exec(`CREATE INDEX coord_queue_job_ready ON coord_queue_job
    (namespace, queue, state, ready_at)`);
  db.exec("DROP INDEX coord_queue_job_finished");
  db.exec("DROP INDEX coord_queue_job_retention");
  db.exec(`CREATE INDEX coord_queue_job_done ON coord_queue_job
    (namespace, queue, state, finished_at, id) WHERE parent IS NULL`);
  db.exec(`CREATE INDEX coord_queue_job_trimmed ON coord_queue_job
    (namespace, queue, state, finished_at, id) WHERE parent IS NULL AND keep IS NULL`);
  db.close();
  await using _upgraded = await connect({ url: file.url, env: {} });
  const reopened = new DatabaseSync(path);
  try {
    assert.deepEqual(indexes(reopened).sort(), today.sort());
  } finally {
    reopened.close();
  }
});
