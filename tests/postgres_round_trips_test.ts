/**
 * What lock and queue steps cost in round trips on Postgres: a handoff waits for the releasing
 * step's (and for any step ahead of it on the resource's lock: a new waiter's enqueue), every lock
 * step holds the resource's lock for all but its first, and a queue worker's steps run one after
 * another on its pool's few connections: one step records a batch of ended runs and takes a batch
 * of jobs for as many round trips as a single claim.
 */

import { claimJob } from "../lib/queue/claim_job.ts";
import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { PostgresSqlStore } from "../lib/backend/postgres/sql_store.ts";
import { SqlLockSteps } from "../lib/backend/sql/lock.ts";
import { lock } from "../lib/lock/lock.ts";
import type { EnqueueResult } from "../lib/lock/steps.ts";
import type { PutResult } from "../lib/queue/steps.ts";
import { SqlQueueSteps } from "../lib/backend/sql/queue.ts";
import { putJobs } from "../lib/queue/bulk.ts";
import { freshNamespace } from "./support/backends.ts";
import { sharedPostgresUrl } from "./support/postgres_shared.ts";
import { recordingPool } from "./support/postgres_recording_pool.ts";
import { overriding } from "./support/overriding.ts";

const url = await sharedPostgresUrl();

/** Queue steps on a pool that counts round trips, after `jobs` jobs were put in queue "q". */
async function queueOnRecordingPool(jobs: number) {
  const namespace = freshNamespace();
  {
    await using backend = await connect({ url, namespace, env: {} });
    await putJobs(
      backend,
      "q",
      Array.from({ length: jobs }, (_, i) => ({ id: `j${i}`, handler: "h" })),
    );
  }
  const { pool, trips, texts } = await recordingPool(url!);
  const steps = new SqlQueueSteps(new PostgresSqlStore(pool, namespace, "postgres://test"));
  return { steps, pool, trips, texts };
}

/** Runs a step and says how many round trips it took, counted by `trips`. */
function tripsCounter(trips: () => number) {
  return async <T>(step: () => Promise<T>): Promise<[T, number]> => {
    const before = trips();
    const result = await step();
    return [result, trips() - before];
  };
}

/** Lock steps in a new namespace, on a pool that records each round trip's text. */
async function recordedLockSteps() {
  const namespace = freshNamespace();
  await (await connect({ url, namespace, env: {} })).close(); // creates the schema
  const recording = await recordingPool(url!);
  const store = new PostgresSqlStore(recording.pool, namespace, "postgres://test");
  return { ...recording, steps: new SqlLockSteps(store) };
}

Deno.test({
  name:
    "a lock enqueue, check or release is two round trips: its first read, then its writes and commit",
  ignore: url === undefined,
  async fn() {
    const { steps, pool, trips } = await recordedLockSteps();
    try {
      const tripsOf = tripsCounter(trips);
      // The resource's first ticket also reads what it has no counter to read with.
      const [taken] = await tripsOf(() =>
        steps.enqueue("r", { label: "a", limit: 1, expireMs: 60_000, request: "a" })
      );
      assert.equal(taken.outcome, "queued");
      const { ticket } = taken as { ticket: number };
      const [queued, enqueueTrips] = await tripsOf(() =>
        steps.enqueue("r", { label: "b", limit: 1, expireMs: 60_000, request: "b" })
      );
      assert.equal(queued.outcome, "queued");
      assert.equal(enqueueTrips, 2);
      const [again, retriedTrips] = await tripsOf(() =>
        steps.enqueue("r", { label: "b", limit: 1, expireMs: 60_000, request: "b" })
      );
      const ticketOf = (r: EnqueueResult) => r.outcome === "queued" && [r.ticket, r.token];
      assert.deepEqual(ticketOf(again), ticketOf(queued), "a retried enqueue gets its ticket");
      assert.equal(retriedTrips, 2);
      const [state, checkTrips] = await tripsOf(() =>
        steps.check("r", { ticket, expireMs: 60_000, renew: true, starting: true })
      );
      assert.deepEqual(state, { state: "granted" });
      assert.equal(checkTrips, 2);
      const [outcome, releaseTrips] = await tripsOf(() =>
        steps.release("r", { ticket, unlessGranted: false })
      );
      assert.equal(outcome, "released");
      assert.equal(releaseTrips, 2);
    } finally {
      await pool.end();
    }
  },
});

Deno.test({
  name:
    "lock() of a free resource and its release() are four round trips: the enqueue's and the release's",
  ignore: url === undefined,
  async fn() {
    const namespace = freshNamespace();
    await using backend = await connect({ url, namespace, env: {} });
    const { pool, trips } = await recordingPool(url!);
    try {
      const steps = new SqlLockSteps(new PostgresSqlStore(pool, namespace, "postgres://test"));
      // `lock()` takes its steps on the recording pool and still wakes by the backend.
      const counted = overriding(backend, { lock: steps });
      await (await lock(counted, "r")).release(); // the resource's first ticket: four
      const before = trips();
      const held = await lock(counted, "r");
      await held.release();
      // No step of the holder's own in between: the next release would wait for it.
      assert.equal(trips() - before, 4);
    } finally {
      await pool.end();
    }
  },
});

/**
 * The statements among round trips' `texts` (from the `from`th on) that run SQL matching
 * `pattern`: a statement goes out as text, then prepared (PREPARE name AS …, not itself a run),
 * then as EXECUTE name(…).
 */
function statementsLike(texts: string[], pattern: RegExp, from = 0): string[] {
  const split = (some: string[]) => some.flatMap((text) => text.split("; "));
  const prepared = /^PREPARE (\w+) AS (.*)$/s;
  const names = split(texts).flatMap((s) => {
    const [, name, sql] = prepared.exec(s) ?? [];
    return name && pattern.test(sql) ? [name] : [];
  });
  return split(texts.slice(from)).filter((s) =>
    !prepared.test(s) &&
    (pattern.test(s) || names.some((name) => s.startsWith(`EXECUTE ${name}(`)))
  );
}

Deno.test({
  name:
    "a lock step writes what changed once: its events with one statement, rows it read updated, the ticket counter only when it takes a ticket",
  ignore: url === undefined,
  async fn() {
    const { steps, pool, texts } = await recordedLockSteps();
    try {
      const ask = (request: string) => ({ label: "a", limit: 1, expireMs: 60_000, request });
      const upserts = /\bON CONFLICT\b/;
      const counter = /^(INSERT INTO|UPDATE) coord_lock_counter\b/;
      const events = /^INSERT INTO coord_lock_event\b/;
      for (let round = 0; round < 3; round++) {
        const first = texts.length;
        await steps.enqueue("r", ask(`a${round}`));
        // The resource's first ticket creates its rows; later ones update them.
        if (round > 0) {
          assert.deepEqual(statementsLike(texts, upserts, first), [], `round ${round}`);
        }
        assert.equal(statementsLike(texts, counter, first).length, 1, "a ticket taken");
        await steps.enqueue("r", ask(`b${round}`));
        const handoff = texts.length;
        // The holder's start, its end and the next ticket's grant: three events; the indicator
        // moves, the counter does not.
        await steps.release("r", { ticket: 2 * round + 1, unlessGranted: false, starting: true });
        assert.equal(statementsLike(texts, events, handoff).length, 1, `round ${round}`);
        assert.deepEqual(statementsLike(texts, upserts, handoff), [], `round ${round}`);
        assert.deepEqual(statementsLike(texts, counter, handoff), [], `round ${round}`);
        await steps.release("r", { ticket: 2 * round + 2, unlessGranted: false });
      }
    } finally {
      await pool.end();
    }
  },
});

Deno.test({
  name: "a process trims the lock event table in its first and every 16th step that emits events",
  ignore: url === undefined,
  async fn() {
    const { steps, pool, texts } = await recordedLockSteps();
    try {
      // Each round is three steps that emit: assigned and granted, started, completed.
      for (let round = 0; round < 8; round++) {
        const request = `r${round}`;
        const taken = await steps.enqueue("r", { label: "a", limit: 1, expireMs: 60_000, request });
        const { ticket } = taken as { ticket: number };
        await steps.check("r", { ticket, expireMs: 60_000, renew: true, starting: true });
        await steps.release("r", { ticket, unlessGranted: false });
      }
      const trims = statementsLike(texts, /^DELETE FROM coord_lock_event\b/);
      assert.equal(trims.length, 2, "the 1st and the 17th of 24 steps");
    } finally {
      await pool.end();
    }
  },
});

Deno.test({
  name:
    "a queue step is three round trips whatever its batch: 50 finishes and 50 claims, a finish; a claim alone two",
  ignore: url === undefined,
  async fn() {
    const { steps, pool, trips } = await queueOnRecordingPool(102);
    try {
      const tripsOf = tripsCounter(trips);
      const worker = { worker: "w", leaseMs: 60_000 };
      const first = await steps.finishAndClaim("q", { finishes: [], ...worker, claims: 50 });
      assert.equal(first.jobs.length, 50);
      const ends = first.jobs.map((job) => ({
        id: job.id,
        worker: "w",
        attempt: job.attempts,
        outcome: "completed" as const,
        result: job.id,
      }));
      const [batch, batchTrips] = await tripsOf(() =>
        steps.finishAndClaim("q", { finishes: ends, ...worker, claims: 50 })
      );
      assert.deepEqual(batch.recorded, ends.map(() => true));
      assert.equal(new Set([...first.jobs, ...batch.jobs].map((job) => job.id)).size, 100);
      assert.equal(batchTrips, 3);
      // The ends sent together are each job's own.
      for (const job of first.jobs.slice(0, 3)) {
        const stored = await steps.get("q", job.id);
        assert.deepEqual([stored?.state, stored?.result], ["completed", job.id]);
      }
      // A step that only claims reads the clock with what it takes.
      const [claimed, claimTrips] = await tripsOf(() => claimJob(steps, "q", worker));
      assert.equal(claimed.job?.state, "active");
      assert.equal(claimTrips, 2);
      const end = { worker: "w", outcome: "completed" as const, result: null };
      const [finished, finishTrips] = await tripsOf(() =>
        steps.finish("q", { ...end, id: claimed.job!.id, attempt: 1 })
      );
      assert.equal(finished, true);
      assert.equal(finishTrips, 3);
    } finally {
      await pool.end();
    }
  },
});

Deno.test({
  name:
    "a step whose 50 finishes take a queue past what it keeps removes the excess in two more round trips",
  ignore: url === undefined,
  async fn() {
    const { steps, pool, trips } = await queueOnRecordingPool(100);
    try {
      await steps.configure("q", { keepCompleted: { count: 10 } });
      const worker = { worker: "w", leaseMs: 60_000 };
      const first = await steps.finishAndClaim("q", { finishes: [], ...worker, claims: 50 });
      const before = trips();
      const r = await steps.finishAndClaim("q", {
        finishes: first.jobs.map((job) => ({
          id: job.id,
          worker: "w",
          attempt: job.attempts,
          outcome: "completed" as const,
          result: null,
        })),
        ...worker,
        claims: 50,
      });
      // Three for the step; the kept count read again, locked; the oldest jobs past it.
      assert.equal(trips() - before, 5);
      assert.equal(r.jobs.length, 50);
      const counts = await steps.counts("q");
      assert.deepEqual([counts.completed, counts.active], [10, 50]);
      // The oldest go first (the step's ends by id).
      const [oldest] = first.jobs.map((job) => job.id).sort();
      assert.equal((await steps.removed("q", oldest))?.state, "completed");
    } finally {
      await pool.end();
    }
  },
});

Deno.test({
  name:
    "jobs put ready to start are in the run order at once: a claim writes each job it takes once",
  ignore: url === undefined,
  async fn() {
    const { steps, pool, texts } = await queueOnRecordingPool(100);
    try {
      const r = await steps.finishAndClaim("q", {
        finishes: [],
        worker: "w",
        leaseMs: 60_000,
        claims: 50,
      });
      assert.equal(r.jobs.length, 50);
      // A statement goes out as text, or prepared: the UPDATEs are in the texts either way.
      const updates = texts.flatMap((text) => text.split("; "))
        .filter((statement) => /^(PREPARE \w+ AS )?UPDATE coord_queue_job\b/.test(statement))
        .map((statement) => statement.replace(/^PREPARE \w+ AS /, "").split(" WHERE ")[0]);
      assert.equal(updates.length, 1, updates.join("\n"));
      assert.match(updates[0], /SET state = 'active'/);
    } finally {
      await pool.end();
    }
  },
});

Deno.test({
  name:
    "a put is three round trips: the clock with what it trims, what its id and key find, the commit",
  ignore: url === undefined,
  async fn() {
    const { steps, pool, trips } = await queueOnRecordingPool(1);
    try {
      const put = { spec: { handler: "h", retries: 0, backoffMs: 0 }, delayMs: 0 };
      const before = trips();
      const numbered = await steps.put("q", put);
      assert.equal(trips() - before, 3);
      assert.deepEqual([numbered.created, numbered.job.id], [true, "1"]);
      // A number an --id took is skipped, in the same round trips as the rest.
      await steps.put("q", { ...put, id: "3" });
      await steps.put("q", put);
      const afterTaken = trips();
      const skipped = await steps.put("q", put);
      assert.equal(trips() - afterTaken, 4);
      assert.equal(skipped.job.id, "4");
      // A dedupe key's entry goes with the commit.
      const beforeDedupe = trips();
      const deduped = await steps.put("q", { ...put, dedupe: { key: "k", forMs: 60_000 } });
      assert.equal(trips() - beforeDedupe, 3, "the dedupe key read with the job's id");
      const again = await steps.put("q", { ...put, dedupe: { key: "k", forMs: 60_000 } });
      assert.deepEqual([again.deduplicated, again.job.id], [true, deduped.job.id]);
    } finally {
      await pool.end();
    }
  },
});

Deno.test({
  name:
    "a bulk put of 500 jobs is a few round trips, not one a job: numbered, named, taken, deduplicated",
  ignore: url === undefined,
  async fn() {
    const { steps, pool, trips } = await queueOnRecordingPool(10);
    try {
      const spec = { handler: "h", retries: 0, backoffMs: 0 };
      const requests = Array.from({ length: 500 }, (_, i) => ({
        spec,
        delayMs: i % 7 === 0 ? 60_000 : 0,
        ...(i % 5 === 0 && { id: `j${i % 20}` }),
        ...(i % 3 === 0 && { dedupe: { key: `k${i % 30}`, forMs: 60_000 } }),
        ...(i % 11 === 0 && { priority: 2 }),
      }));
      const before = trips();
      const results = await steps.putMany("q", requests);
      const spent = trips() - before;
      assert.ok(spent <= 5, `${spent} round trips`);
      // Each job's outcome is a put's of it alone, in order, on a queue as it was.
      const alone = await queueOnRecordingPool(10);
      try {
        const outcomes = [];
        for (const r of requests) outcomes.push(await alone.steps.put("q", r));
        const outcome = (r: PutResult) => `${r.job.id} ${r.created} ${r.deduplicated ?? false}`;
        assert.deepEqual(results.map(outcome), outcomes.map(outcome));
        assert.equal(results.filter((r) => r.created).length, 277);
      } finally {
        await alone.pool.end();
      }
    } finally {
      await pool.end();
    }
  },
});

Deno.test({
  name:
    "a flow's parts released at once are in the run order at once: a claim writes each part it takes once",
  ignore: url === undefined,
  async fn() {
    const { steps, pool, texts } = await queueOnRecordingPool(0);
    try {
      const spec = { handler: "h", retries: 0, backoffMs: 0 };
      const parts = Array.from({ length: 10 }, (_, i) => `f.${i}`);
      assert.equal(
        await steps.putFlow("q", [
          {
            id: "f",
            group: { kind: "parallel", children: parts, continueOnFailure: false },
            released: false,
          },
          ...parts.map((id) => ({ id, parent: "f", spec, released: true })),
        ]),
        true,
      );
      const from = texts.length;
      const r = await steps.finishAndClaim("q", {
        finishes: [],
        worker: "w",
        leaseMs: 60_000,
        claims: 10,
      });
      assert.equal(r.jobs.length, 10);
      const updates = statementsLike(texts, /^UPDATE coord_queue_job\b/, from)
        .map((statement) => statement.split(" WHERE ")[0]);
      assert.equal(updates.length, 1, updates.join("\n"));
      assert.match(updates[0], /SET state = 'active'/);
    } finally {
      await pool.end();
    }
  },
});

Deno.test({
  name:
    "the step that removes a queue reads none of its jobs' rows (remove reads them before it, a page a transaction)",
  ignore: url === undefined,
  async fn() {
    const { steps, pool, texts } = await queueOnRecordingPool(1_500);
    try {
      // A queue's rows read with the removal held its transaction, and its row locks, for the
      // whole read: a million rows on SQLite held the write lock 17 s, of which 12 s reading.
      const pages = /\bFROM coord_queue_job\b.*\bORDER BY id LIMIT\b/s;
      const removing = texts.length;
      assert.deepEqual(await steps.remove("q", { force: true }), {
        removed: true,
        jobs: 1_500,
        unfinished: 1_500,
        running: 0,
      });
      assert.deepEqual(statementsLike(texts, pages, removing), []);
    } finally {
      await pool.end();
    }
  },
});

Deno.test({
  name:
    "a failed part's step cancels its group's 2,000 other parts in a few round trips, not one a part",
  ignore: url === undefined,
  async fn() {
    const { steps, pool, trips } = await queueOnRecordingPool(0);
    try {
      const spec = { handler: "h", retries: 0, backoffMs: 0 };
      const parts = Array.from({ length: 2_001 }, (_, i) => `f.${i}`);
      await steps.putFlow("q", [
        {
          id: "f",
          group: { kind: "parallel", children: parts, continueOnFailure: false },
          released: false,
        },
        ...parts.map((id) => ({ id, parent: "f", spec, released: true })),
      ]);
      const lease = { worker: "w", leaseMs: 60_000 };
      const [taken] = (await steps.finishAndClaim("q", { finishes: [], ...lease, claims: 1 })).jobs;
      const before = trips();
      await steps.finish("q", {
        id: taken.id,
        attempt: taken.attempts,
        worker: "w",
        outcome: "failed",
        error: "no",
      });
      const spent = trips() - before;
      // A statement for each 500 parts, and the step's own reads and commit.
      assert.ok(spent <= 12, `${spent} round trips`);
      const counts = await steps.counts("q");
      assert.deepEqual([counts.failed, counts.cancelled, counts.pending], [2, 2_000, 0]);
    } finally {
      await pool.end();
    }
  },
});
