/**
 * How SQLite plans the statements of a worker's finish-and-claim step. SQLite keeps no
 * statistics, so it picks indexes by their shape; a step that picks a wide one walks every
 * pending job of a long queue on every claim.
 */

import assert from "node:assert/strict";
import type { SQLInputValue } from "node:sqlite";
import { connect } from "../lib/backend/connect.ts";
import { SqliteBackend } from "../lib/backend/sqlite/backend.ts";
import { putJobs } from "../lib/queue/bulk.ts";
import { putFlow } from "../lib/queue/flow.ts";
import { getJob } from "../lib/queue/queue.ts";
import { DELETED_JOB } from "../lib/queue/record.ts";
import { completions } from "./support/finishes.ts";
import { loseJob } from "./support/queue.ts";
import { tempSqlite } from "./support/temp.ts";

/** The plans of the statements `step` sends, each with its statement. */
async function plansOf(
  backend: SqliteBackend,
  step: () => Promise<unknown>,
): Promise<{ sql: string; plan: string[] }[]> {
  const sent: [string, SQLInputValue[]][] = [];
  const all = backend.all.bind(backend);
  const run = backend.run.bind(backend);
  backend.all = <T>(sql: string, ...params: SQLInputValue[]) => {
    sent.push([sql, params]);
    return all<T>(sql, ...params);
  };
  backend.run = (sql: string, ...params: SQLInputValue[]) => {
    sent.push([sql, params]);
    return run(sql, ...params);
  };
  try {
    await step();
  } finally {
    backend.all = all;
    backend.run = run;
  }
  return sent.filter(([sql]) => !sql.startsWith("PRAGMA")).map(([sql, params]) => ({
    sql,
    plan: (backend.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
      .map((row) => row.detail),
  }));
}

/** A file with `n` jobs in the run order and one put for later (which keeps the scan going). */
async function longQueue(url: string, n: number): Promise<SqliteBackend> {
  const backend = await connect({ url, env: {} });
  assert.ok(backend instanceof SqliteBackend);
  await putJobs(backend, "q", Array.from({ length: n }, (_, i) => ({ handler: "h", args: i })));
  await putJobs(backend, "q", [{ handler: "h", delayMs: 3_600_000 }]);
  // The first claim moves the due jobs into the run order.
  await backend.queue.finishAndClaim("q", {
    finishes: [],
    worker: "w",
    leaseMs: 60_000,
    claims: n,
  });
  return backend;
}

Deno.test("a claim reads the jobs not yet due through their own index", async () => {
  await using db = await tempSqlite();
  await using backend = await longQueue(db.url, 600);
  const lease = { worker: "w", leaseMs: 60_000 };
  const plans = await plansOf(
    backend,
    () => backend.queue.finishAndClaim("q", { finishes: [], ...lease, claims: 25 }),
  );
  // Not the look for rows whose state another program wrote over, delayed ones too: that one
  // goes through its own index (the next case).
  const notDue = plans.filter(({ sql }) => /\bdue = 0\b/.test(sql) && !/state NOT IN/.test(sql));
  assert.ok(notDue.length > 0, "the claim looks for jobs whose start came");
  for (const { sql, plan } of notDue) {
    assert.match(plan.join("\n"), /USING (COVERING )?INDEX coord_queue_job_upcoming \(/, sql);
  }
});

Deno.test("a claim looks for runs whose state another program wrote over through their own index", async () => {
  await using db = await tempSqlite();
  await using backend = await longQueue(db.url, 600);
  const lease = { worker: "w", leaseMs: 60_000 };
  const plans = await plansOf(
    backend,
    () => backend.queue.finishAndClaim("q", { finishes: [], ...lease, claims: 25 }),
  );
  const overwritten = plans.filter(({ sql }) => /\bstate NOT IN\b/.test(sql));
  assert.equal(overwritten.length, 1, "the claim looks for them");
  assert.match(overwritten[0].plan.join("\n"), /USING INDEX coord_queue_job_foreign_state \(/);
});

Deno.test("the next start of a queue whose run order is empty is read through the same index", async () => {
  await using db = await tempSqlite();
  await using backend = await longQueue(db.url, 30);
  const lease = { worker: "w", leaseMs: 60_000 };
  let nextReadyAt: number | undefined;
  const plans = await plansOf(backend, async () => {
    ({ nextReadyAt } = await backend.queue.finishAndClaim("q", {
      finishes: [],
      ...lease,
      claims: 1,
    }));
  });
  assert.ok(nextReadyAt !== undefined, "the step says when the job put for later starts");
  const next = plans.filter(({ sql }) =>
    /\bdue = 0 ORDER BY ready_at LIMIT 1/.test(sql.replace(/\s+/g, " "))
  );
  assert.equal(next.length, 1);
  assert.match(next[0].plan.join("\n"), /USING INDEX coord_queue_job_upcoming \(/);
  assert.doesNotMatch(next[0].plan.join("\n"), /TEMP B-TREE/);
});

Deno.test("jobs put to start at once are in the run order: a claim marks none of them", async () => {
  await using db = await tempSqlite();
  await using backend = await connect({ url: db.url, env: {} });
  assert.ok(backend instanceof SqliteBackend);
  await putJobs(backend, "q", Array.from({ length: 600 }, (_, i) => ({ handler: "h", args: i })));
  const lease = { worker: "w", leaseMs: 60_000 };
  const plans = await plansOf(
    backend,
    () => backend.queue.finishAndClaim("q", { finishes: [], ...lease, claims: 25 }),
  );
  const marks = plans.filter(({ sql }) => /SET due = 1\b/.test(sql));
  assert.deepEqual(marks.map(({ sql }) => sql), []);
});

Deno.test("a flow's part another program deleted, met in its turn, is failed without a walk of the queue's jobs", async () => {
  await using db = await tempSqlite();
  await using backend = await longQueue(db.url, 600);
  await putFlow(backend, "q", { serial: [{ handler: "h" }, { handler: "h" }] }, { id: "s" });
  await loseJob(backend, "q", "s.1");
  const lease = { worker: "w", leaseMs: 60_000 };
  const { jobs } = await backend.queue.finishAndClaim("q", { finishes: [], ...lease, claims: 700 });
  const first = jobs.filter((job) => job.id === "s.0");
  assert.equal(first.length, 1);
  const plans = await plansOf(
    backend,
    () => backend.queue.finishAndClaim("q", { finishes: completions(first), ...lease, claims: 0 }),
  );
  // s.1 was no group: its parts are looked for by a range of ids, not among every job.
  assert.ok(plans.some(({ sql }) => /\bparent = \?/.test(sql)), "its parts are looked for");
  for (const { sql, plan } of plans.filter(({ sql }) => /\bparent = \?/.test(sql))) {
    assert.match(
      plan.join("\n"),
      /USING (PRIMARY KEY|INDEX sqlite_autoindex_coord_queue_job_1) \(namespace=\? AND queue=\? AND id>\? AND id<\?\)/,
      sql,
    );
  }
  const lost = await getJob(backend, "q/s.1");
  assert.deepEqual([lost.state, lost.error], ["failed", DELETED_JOB]);
});

/**
 * How many bytes of pages a worker's steps write to the `-wal` file: `steps` steps that each end
 * the 50 runs the previous took and take 50 more, after `queued` jobs were put.
 */
async function walBytesOfSteps(queued: number, steps: number): Promise<number> {
  await using db = await tempSqlite();
  await using backend = await connect({ url: db.url, env: {} });
  assert.ok(backend instanceof SqliteBackend);
  await putJobs(
    backend,
    "q",
    Array.from({ length: queued }, (_, i) => ({ handler: "h", args: i })),
  );
  const lease = { worker: "w", leaseMs: 60_000 };
  const step = async (held: { id: string; attempts: number }[]) =>
    (await backend.queue.finishAndClaim("q", {
      finishes: completions(held),
      ...lease,
      claims: 50,
    })).jobs;
  let held = await step([]);
  // Every page a step writes stays in the file, counted once per commit that wrote it.
  backend.db.exec("PRAGMA wal_autocheckpoint = 0");
  backend.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  for (let i = 0; i < steps; i++) held = await step(held);
  return (await Deno.stat(`${backend.path}-wal`)).size;
}

Deno.test("a worker's step writes no more pages with a long queue behind it than with a short one", async () => {
  // Enough jobs for every step in both.
  const short = await walBytesOfSteps(400, 5);
  const long = await walBytesOfSteps(20_000, 5);
  assert.ok(long <= short * 1.25, `${long} bytes with 20,000 queued, ${short} with 400`);
});

Deno.test("pages of finished jobs and retention's batches are read through the finished jobs' indexes", async () => {
  await using db = await tempSqlite();
  await using backend = await connect({ url: db.url, env: {} });
  assert.ok(backend instanceof SqliteBackend);
  await putJobs(backend, "q", Array.from({ length: 30 }, (_, i) => ({ handler: "h", args: i })));
  await backend.queue.configure("q", { keepCompleted: { count: 10 } });
  const held = (await backend.queue.finishAndClaim("q", {
    finishes: [],
    worker: "w",
    leaseMs: 60_000,
    claims: 30,
  })).jobs;
  const plans = await plansOf(backend, async () => {
    await backend.queue.finishAndClaim("q", {
      finishes: completions(held),
      worker: "w",
      leaseMs: 60_000,
      claims: 0,
    });
    const [last] = await backend.queue.listJobs("q", { state: "completed", limit: 1 });
    await backend.queue.listJobs("q", { state: "completed", after: last.cursor, limit: 5 });
  });
  const finished = plans.filter(({ sql }) =>
    /^SELECT .* state = (\?|'completed') .*finished_at/s.test(sql.replace(/\s+/g, " "))
  );
  assert.ok(
    finished.some(({ sql }) => /finished_at < \?/.test(sql)),
    "retention read the oldest finished jobs",
  );
  assert.ok(finished.length >= 3, "retention and two pages read finished jobs");
  for (const { sql, plan } of finished) {
    assert.match(plan.join("\n"), /USING INDEX coord_queue_job_(finished|retention) \(/, sql);
    assert.doesNotMatch(plan.join("\n"), /TEMP B-TREE/, sql);
  }
});
