/**
 * A batch of ended runs on SQLite, where the step sends the ends of many jobs as one UPDATE: each
 * job still gets its own outcome, and one job another program wrote over stops none of the others.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { getJob, putJob, queueCounts } from "../lib/queue/queue.ts";
import { putJobs } from "../lib/queue/bulk.ts";
import type { Attempt, Finish } from "../lib/queue/steps.ts";
import { ForeignDataError } from "../lib/errors.ts";
import { runSql } from "./support/sql.ts";
import { tempSqlite } from "./support/temp.ts";

Deno.test("one finish-and-claim stores each run's own result, error and next start", async () => {
  await using db = await tempSqlite();
  await using backend = await connect({ url: db.url, env: {} });
  const ids = ["c1", "c2", "c3", "f1", "f2", "r1", "r2"];
  for (const id of ids) await putJob(backend, "q", { id, handler: "h", retries: 1 });
  const lease = { worker: "w", leaseMs: 60_000 };
  const { jobs } = await backend.queue.finishAndClaim("q", { finishes: [], ...lease, claims: 7 });
  assert.deepEqual(jobs.map((job) => job.id), ids);
  const run = (id: string) => ({ id, worker: "w", attempt: 1 });
  const finishes: (Attempt & Finish)[] = [
    { ...run("c1"), outcome: "completed", result: { n: 1 } },
    { ...run("c2"), outcome: "completed", result: "two" },
    { ...run("c3"), outcome: "completed", result: null },
    { ...run("f1"), outcome: "failed", error: "first" },
    { ...run("f2"), outcome: "failed", error: "second" },
    { ...run("r1"), outcome: "retry", error: "again", delayMs: 3_600_000 },
    { ...run("r2"), outcome: "retry", error: "later", delayMs: 7_200_000 },
  ];
  const r = await backend.queue.finishAndClaim("q", { finishes, ...lease, claims: 0 });
  assert.deepEqual(r.recorded, finishes.map(() => true));
  const stored = await Promise.all(ids.map((id) => getJob(backend, `q/${id}`)));
  assert.deepEqual(
    stored.map((job) => [job.id, job.state, job.result, job.error, job.failures]),
    [
      ["c1", "completed", { n: 1 }, undefined, 0],
      ["c2", "completed", "two", undefined, 0],
      ["c3", "completed", null, undefined, 0],
      ["f1", "failed", undefined, "first", 1],
      ["f2", "failed", undefined, "second", 1],
      ["r1", "pending", undefined, "again", 1],
      ["r2", "pending", undefined, "later", 1],
    ],
  );
  const [r1, r2] = stored.slice(5);
  assert.equal(r2.readyAt - r1.readyAt, 3_600_000, "each retry starts after its own delay");
  assert.ok(stored.slice(0, 5).every((job) => job.finishedAt !== undefined));
});

Deno.test("a batch of 7,000 retried runs ends in one step", async () => {
  await using db = await tempSqlite();
  await using backend = await connect({ url: db.url, env: {} });
  const n = 7_000;
  await putJobs(
    backend,
    "q",
    Array.from({ length: n }, (_, i) => ({ handler: "h", args: i, retries: 1 })),
  );
  const lease = { worker: "w", leaseMs: 60_000 };
  const { jobs } = await backend.queue.finishAndClaim("q", { finishes: [], ...lease, claims: n });
  assert.equal(jobs.length, n);
  // Each with its own error and delay: more parameters than SQLite takes in one statement
  // (32,766), were the batch sent as one.
  const r = await backend.queue.finishAndClaim("q", {
    finishes: jobs.map((job, i) => ({
      id: job.id,
      worker: "w",
      attempt: 1,
      outcome: "retry" as const,
      error: `again ${job.id}`,
      delayMs: 3_600_000 + i,
    })),
    ...lease,
    claims: 0,
  });
  assert.equal(r.recorded.filter(Boolean).length, n);
  const [counts] = await queueCounts(backend, ["q"]);
  assert.deepEqual([counts.scheduled, counts.active], [n, 0]);
  const [first, last] = await Promise.all(
    [jobs[0], jobs[n - 1]].map((job) => getJob(backend, `q/${job.id}`)),
  );
  assert.deepEqual([first.error, last.error], [`again ${jobs[0].id}`, `again ${jobs[n - 1].id}`]);
  assert.equal(last.readyAt - first.readyAt, n - 1);
});

Deno.test("a run whose job another program wrote over records nothing; the batch's others do", async () => {
  await using db = await tempSqlite();
  await using backend = await connect({ url: db.url, env: {} });
  for (const id of ["a", "b", "c"]) await putJob(backend, "q", { id, handler: "h" });
  const lease = { worker: "w", leaseMs: 60_000 };
  const { jobs } = await backend.queue.finishAndClaim("q", { finishes: [], ...lease, claims: 3 });
  assert.deepEqual(jobs.map((job) => job.id), ["a", "b", "c"]);
  await runSql(backend, "UPDATE coord_queue_job SET stalls = 'x' WHERE id = 'b'");
  const r = await backend.queue.finishAndClaim("q", {
    finishes: jobs.map((job) => ({
      id: job.id,
      worker: "w",
      attempt: 1,
      outcome: "completed" as const,
      result: job.id,
    })),
    ...lease,
    claims: 0,
  });
  assert.deepEqual(r.recorded, [true, false, true]);
  for (const id of ["a", "c"]) assert.equal((await getJob(backend, `q/${id}`)).state, "completed");
  // Left as it was: still refused.
  await assert.rejects(getJob(backend, "q/b"), ForeignDataError);
});

Deno.test("a job whose row another program gave an infinite number is not run, and is refused", async () => {
  await using db = await tempSqlite();
  await using backend = await connect({ url: db.url, env: {} });
  for (const id of ["a", "b"]) await putJob(backend, "q", { id, handler: "h" });
  // SQLite keeps 9e999 as an infinite REAL: no JSON holds one.
  await runSql(backend, "UPDATE coord_queue_job SET stalls = 9e999 WHERE id = 'a'");
  const lease = { worker: "w", leaseMs: 60_000 };
  const r = await backend.queue.finishAndClaim("q", { finishes: [], ...lease, claims: 2 });
  assert.deepEqual(r.jobs.map((job) => job.id), []);
  assert.deepEqual(r.undecodable?.map((u) => u.id), ["a"]);
  await assert.rejects(getJob(backend, "q/a"), ForeignDataError);
});
