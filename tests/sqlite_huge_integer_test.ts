/**
 * SQLite keeps whatever another program writes into a column, an integer beyond 2^53 too, which
 * no JavaScript number holds. A job holding one is failed with the reason — before it runs when
 * its record shows the value, else once its run's end was refused and its lease ran out — and
 * retention passes over a finished one; the queue's other jobs run.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { getJob, putJob, queueCounts } from "../lib/queue/queue.ts";
import { configureQueue } from "../lib/queue/retention.ts";
import { work } from "../lib/queue/worker.ts";
import { MIN_LEASE_MS } from "../lib/queue/limits.ts";
import { runSql } from "./support/sql.ts";
import { tempSqlite } from "./support/temp.ts";

/** A hang guard, far beyond a drain of a few jobs: without the fix a job ran again each lease. */
const GUARD_MS = 60_000;

/** 2^60 + 1, as SQL: no JavaScript number is it. */
const HUGE = "CAST('1152921504606846977' AS INTEGER)";

for (
  const [column, value] of [
    ["begin_by", HUGE],
    ["finished_at", HUGE],
    ["expires_at", `-${HUGE}`],
  ]
) {
  Deno.test(`a pending job with ${column} = ${value.startsWith("-") ? "-(2^60+1)" : "2^60+1"} fails alone, run once at most`, async () => {
    await using db = await tempSqlite();
    await using backend = await connect({ url: db.url, env: {} });
    await putJob(backend, "q", { id: "poison", handler: "ok" });
    for (const id of ["a", "b", "c"]) await putJob(backend, "q", { id, handler: "ok" });
    await runSql(backend, `UPDATE coord_queue_job SET ${column} = ${value} WHERE id = 'poison'`);
    const started: string[] = [];
    const result = await work(backend, ["q"], {
      handlers: { ok: () => "fine" },
      drain: true,
      // A refused end leaves the job to its lease: the shortest there is.
      leaseMs: MIN_LEASE_MS,
      signal: AbortSignal.timeout(GUARD_MS),
      onEvent: (e) => e.type === "started" && started.push(e.job),
    });
    assert.deepEqual([result.completed, result.failed], [3, 1]);
    const poisonRuns = started.filter((job) => job === "q/poison").length;
    assert.ok(poisonRuns <= 1, `the poison ran ${poisonRuns} times`);
    const poison = await getJob(backend, "q/poison");
    assert.equal(poison.state, "failed");
    assert.match(poison.error!, /^cannot be read: .*another program/);
  });
}

Deno.test("a pending job with 2^60+1 where a claim writes its own (its start, its lease) runs", async () => {
  await using db = await tempSqlite();
  await using backend = await connect({ url: db.url, env: {} });
  for (const id of ["a", "b"]) await putJob(backend, "q", { id, handler: "ok" });
  await runSql(backend, `UPDATE coord_queue_job SET started_at = ${HUGE} WHERE id = 'a'`);
  await runSql(backend, `UPDATE coord_queue_job SET lease_until = ${HUGE} WHERE id = 'b'`);
  const result = await work(backend, ["q"], {
    handlers: { ok: () => "fine" },
    drain: true,
    signal: AbortSignal.timeout(GUARD_MS),
  });
  assert.deepEqual([result.completed, result.failed], [2, 0]);
});

Deno.test("retention passes over a finished job holding -2^60-1, and the worker goes on", async () => {
  await using db = await tempSqlite();
  await using backend = await connect({ url: db.url, env: {} });
  await configureQueue(backend, "q", { keepCompleted: { count: 2 } });
  await putJob(backend, "q", { id: "old", handler: "ok" });
  await work(backend, ["q"], { handlers: { ok: () => "fine" }, drain: true });
  // The oldest finished job, first in line for removal.
  await runSql(backend, `UPDATE coord_queue_job SET finished_at = -${HUGE} WHERE id = 'old'`);
  for (const id of ["a", "b", "c", "d"]) await putJob(backend, "q", { id, handler: "ok" });
  const errors: string[] = [];
  const result = await work(backend, ["q"], {
    handlers: { ok: () => "fine" },
    drain: true,
    signal: AbortSignal.timeout(GUARD_MS),
    onEvent: (e) => e.type === "error" && errors.push(e.error),
  });
  assert.deepEqual([result.completed, errors], [4, []]);
  const [counts] = await queueCounts(backend, ["q"]);
  // Two kept by retention, beside the one it left as it was.
  assert.equal(counts.completed, 3);
  assert.equal((await getJob(backend, "q/d")).state, "completed");
});
