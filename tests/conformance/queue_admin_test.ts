/** Retention, purge, list, retry and pause of `coord queue`, library and CLI, on every backend. */

import { claimJob } from "../../lib/queue/claim_job.ts";
import assert from "node:assert/strict";
import {
  cancelJob,
  getJob,
  JobRemovedError,
  promoteJob,
  putJob,
  type PutOptions,
  queueCounts,
  retryJob,
  retryJobs,
  UnknownJobError,
  waitForJob,
} from "../../lib/queue/queue.ts";
import { listJobs } from "../../lib/queue/list.ts";
import { putJobs } from "../../lib/queue/bulk.ts";
import { putFlow } from "../../lib/queue/flow.ts";
import { configureQueue, DEFAULT_KEEP, purgeJobs, removeQueue } from "../../lib/queue/retention.ts";
import { work } from "../../lib/queue/worker.ts";
import type { Backend } from "../../lib/backend/types.ts";
import type { RedisBackend } from "../../lib/backend/redis/backend.ts";
import { QUEUE_KEY_TYPES } from "../../lib/backend/redis/queue.ts";
import { isSql, runSql, sqlValue } from "../support/sql.ts";
import { conformance, envOf } from "../support/backends.ts";
import { runCoord, spawnCoord } from "../support/cli.ts";
import {
  FOREIGN_SETTINGS,
  overwriteJob,
  plantForeignSetting,
  storedJobs,
} from "../support/queue.ts";
import { until } from "../support/wait.ts";
import { ForeignDataError, UsageError } from "../../lib/errors.ts";
import { tempDir } from "../support/temp.ts";
import { shellWord } from "../../commands/output.ts";
import { wordBesideGoodRun } from "../support/worker_word.ts";

/** Puts `n` handler jobs `ok` (or `boom`, which fails) and runs them all. */
async function finish(
  backend: Backend,
  queue: string,
  n: number,
  handler = "ok",
  concurrency = 20,
  keep?: PutOptions["keep"],
) {
  for (let i = 0; i < n; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, () => putJob(backend, queue, { handler, keep })),
    );
  }
  await work(backend, [queue], {
    handlers: {
      ok: () => 1,
      boom: () => {
        throw new Error("kaboom\nsecond line");
      },
    },
    concurrency,
    drain: true,
  });
}

/** Runs every job of `queue` to its end, each of them failing. */
async function finishAll(backend: Backend, queue: string) {
  await work(backend, [queue], {
    handlers: {
      boom: () => {
        throw new Error("kaboom");
      },
    },
    concurrency: 50,
    drain: true,
  });
}

conformance(
  "a queue never configured keeps completed 24 h / 10,000, failed 7 days",
  async (ctx) => {
    const backend = await ctx.open();
    const config = await configureQueue(backend, "fresh");
    assert.deepEqual(config, { ...DEFAULT_KEEP, paused: false });
  },
);

conformance("completed jobs past --keep-completed N are removed as jobs finish", async (ctx) => {
  const backend = await ctx.open();
  await configureQueue(backend, "keep", { keepCompleted: { count: 5 } });
  // One at a time, so the last five to finish are the last five put (runs that end at once may
  // finish in any order).
  await finish(backend, "keep", 40, "ok", 1);
  const counts = await backend.queue.counts("keep");
  assert.equal(counts.completed, 5);
  const listed = await listJobs(backend, "keep", { states: ["completed"] });
  assert.deepEqual(listed.jobs.map(({ job }) => job.id).sort(), ["36", "37", "38", "39", "40"]);
  // A removed job is not unknown: show and wait say how it ended.
  await assert.rejects(getJob(backend, "keep/1"), (e) => {
    assert.ok(e instanceof JobRemovedError);
    assert.equal(e.exitCode, 0);
    assert.match(e.message, /keep\/1 was removed \(by retention or purge\) after completing/);
    return true;
  });
  await assert.rejects(waitForJob(backend, "keep/2", { timeoutMs: 5_000 }), JobRemovedError);
  const show = await runCoord(["queue", "show", "keep/3"], { env: envOf(ctx) });
  assert.deepEqual([show.code, show.stderr.trim()], [
    0,
    "coord: keep/3 was removed (by retention or purge) after completing",
  ]);
  // Nothing is left to retry or cancel: refused, exit 1.
  for (const verb of ["retry", "cancel"]) {
    const r = await runCoord(["queue", verb, "keep/4"], { env: envOf(ctx) });
    assert.equal(r.code, 1, `${verb}: ${r.stderr}`);
    assert.match(r.stderr, /keep\/4 was removed \(by retention or purge\) after completing/);
  }
});

conformance("--keep-completed N holds with 20 runs finishing at once", async (ctx) => {
  const backend = await ctx.open();
  await configureQueue(backend, "keep", { keepCompleted: { count: 5 } });
  await finish(backend, "keep", 60);
  assert.equal((await backend.queue.counts("keep")).completed, 5);
});

conformance("purge removes finished jobs now; wait on a purged failed job exits 1", async (ctx) => {
  const backend = await ctx.open();
  await finish(backend, "bad", 7, "boom");
  await finish(backend, "bad", 2);
  assert.equal(await purgeJobs(backend, "bad", { state: "failed", olderThanMs: 3_600_000 }), 0);
  const purge = await runCoord(["queue", "purge", "bad", "--state", "failed"], {
    env: envOf(ctx),
  });
  assert.deepEqual([purge.code, purge.stdout.trim()], [0, "removed 7 failed jobs"]);
  const counts = await backend.queue.counts("bad");
  assert.deepEqual([counts.failed, counts.completed], [0, 2]);
  const wait = await runCoord(["queue", "wait", "bad/1", "bad/8"], { env: envOf(ctx) });
  assert.equal(wait.code, 1);
  assert.match(wait.stderr, /bad\/1 was removed \(by retention or purge\) after failing/);
  assert.equal(wait.stdout.trim(), "1", "the completed job's result");
});

conformance("an id put again after its job was removed reads as its latest job", async (ctx) => {
  const backend = await ctx.open();
  // Each time the id's job ends otherwise before it is purged: whichever a backend kept of an
  // earlier one, some round reads it.
  for (const ended of ["completed", "failed", "cancelled", "completed"] as const) {
    const put = await putJob(backend, "re", {
      id: "x",
      handler: ended === "failed" ? "boom" : "ok",
    });
    assert.ok(put.created, ended);
    assert.equal((await getJob(backend, "re/x")).state, "pending", "the new job, not the removed");
    if (ended === "cancelled") await cancelJob(backend, "re/x");
    else await finish(backend, "re", 0);
    assert.equal(await purgeJobs(backend, "re", { state: ended }), 1);
    await assert.rejects(getJob(backend, "re/x"), (e: unknown) => {
      assert.ok(e instanceof JobRemovedError, `${ended}: ${e}`);
      assert.equal(e.state, ended);
      return true;
    });
  }
  const wait = await runCoord(["queue", "wait", "re/x"], { env: envOf(ctx) });
  assert.equal(wait.code, 0, wait.stderr);
  assert.match(wait.stderr, /re\/x was removed \(by retention or purge\) after completing/);
});

conformance(
  "purge refuses a finished job another program wrote over (65) and removes none; retention " +
    "leaves it",
  async (ctx) => {
    const backend = await ctx.open();
    // Its spec, on every backend; on Redis its record too (on SQL a state column that is no
    // state's takes the job out of its state's jobs).
    const parts = isSql(backend) ? ["spec"] as const : ["spec", "state"] as const;
    for (const part of parts) {
      const q = `fp-${part}`;
      await finish(backend, q, 3);
      await overwriteJob(backend, q, "2", part, "junk");
      const purge = await runCoord(["queue", "purge", q, "--state", "completed"], {
        env: envOf(ctx),
      });
      assert.equal(purge.code, 65, `${part}: ${purge.stderr}`);
      assert.match(purge.stderr, /^coord: .*junk.*\n$/, part);
      assert.equal(await storedJobs(backend, q), 3, `${part}: none removed`);
      // Retention goes on around it, and leaves it as it is.
      await configureQueue(backend, q, { keepCompleted: { count: 1 } });
      await finish(backend, q, 1);
      for (const id of ["1", "3"]) {
        await assert.rejects(getJob(backend, `${q}/${id}`), JobRemovedError, `${part}: ${id}`);
      }
      await assert.rejects(getJob(backend, `${q}/2`), ForeignDataError, part);
      assert.equal((await getJob(backend, `${q}/4`)).state, "completed", part);
    }
  },
);

conformance(
  "retention by count, by age and by a job's own --keep goes on past more batches of another program's jobs than a step reads, and leaves them",
  async (ctx) => {
    const backend = await ctx.open();
    const keeps = { count: { count: 2 }, age: { ageMs: 1 } };
    for (const [q, keep] of Object.entries(keeps)) {
      await finish(backend, q, 50, "ok", 1);
      // Each trim read up to four batches of them first (40), left them, and stopped there.
      for (let i = 1; i <= 50; i++) await overwriteJob(backend, q, String(i), "spec", "junk");
      await configureQueue(backend, q, { keepCompleted: keep });
      await finish(backend, q, 30, "ok", 1);
      for (let i = 1; i <= 50; i++) {
        await assert.rejects(getJob(backend, `${q}/${i}`), ForeignDataError, `${q}/${i}`);
      }
      await assert.rejects(getJob(backend, `${q}/51`), JobRemovedError, `${q}: the jobs after go`);
    }
    // They count no more as kept: the queue's own two newest stay.
    assert.equal(await storedJobs(backend, "count"), 52);
    // Jobs kept until 20 more finished: a step read a batch of them (10), and left them.
    await finish(backend, "own", 16, "ok", 1, { count: 20 });
    for (let i = 1; i <= 15; i++) await overwriteJob(backend, "own", String(i), "spec", "junk");
    await finish(backend, "own", 40, "ok", 1);
    for (let i = 1; i <= 15; i++) {
      await assert.rejects(getJob(backend, `own/${i}`), ForeignDataError, `own/${i}`);
    }
    await assert.rejects(getJob(backend, "own/16"), JobRemovedError, "the job after them goes");
  },
);

conformance(
  "remove takes a queue whole, and only with --force while jobs of it have not finished",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    await configureQueue(backend, "gone", { keepCompleted: { count: 5 }, paused: false });
    await finish(backend, "gone", 3, "boom");
    assert.equal(await purgeJobs(backend, "gone", { state: "failed", olderThanMs: 0 }), 3);
    await putJob(backend, "gone", { id: "later", handler: "ok", delayMs: 60_000 });
    await putJob(backend, "gone", { handler: "ok", dedupe: "once" });
    await putJob(backend, "kept", { id: "k", handler: "ok" });

    const refused = await runCoord(["queue", "remove", "gone"], { env });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /^coord: queue "gone" holds 2 unfinished jobs — .* --force/);
    assert.equal((await getJob(backend, "gone/later")).state, "pending", "nothing removed");

    // A running job's end would land on a job put again under its id: never removed then.
    const { job: running } = await claimJob(backend.queue, "gone", {
      worker: "w",
      leaseMs: 60_000,
    });
    const busy = await runCoord(["queue", "remove", "gone", "--force"], { env });
    assert.equal(busy.code, 1, busy.stderr);
    assert.match(busy.stderr, /^coord: queue "gone" has 1 job running — pause it/);
    await cancelJob(backend, `gone/${running!.id}`);

    const removed = await runCoord(["queue", "remove", "gone", "--force"], { env });
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, 'removed queue "gone" and its 2 jobs\n');
    assert.equal(removed.stderr, "coord: 1 unfinished job went with it\n");
    assert.deepEqual(await backend.queue.list(), ["kept"]);
    await assert.rejects(getJob(backend, "gone/later"), UnknownJobError);
    // What it remembered of purged jobs went too: no "removed by retention or purge".
    await assert.rejects(getJob(backend, "gone/1"), UnknownJobError);
    // Put to again, it starts anew — the default settings, the dedupe key free — but for its
    // ids: a removed job's is never taken again.
    const again = await putJob(backend, "gone", { handler: "ok", dedupe: "once" });
    assert.deepEqual([again.ref, again.created], ["gone/5", true]);
    assert.deepEqual(await configureQueue(backend, "gone"), { ...DEFAULT_KEEP, paused: false });
    assert.equal((await getJob(backend, "kept/k")).state, "pending", "another queue untouched");

    const unknown = await runCoord(["queue", "remove", "nothere"], { env });
    assert.equal(unknown.code, 64, unknown.stderr);
    assert.equal(unknown.stderr, 'No such queue: "nothere".\n');
    assert.deepEqual(await removeQueue(backend, "kept", { force: false }), {
      removed: false,
      jobs: 1,
      unfinished: 1,
      running: 0,
    });
  },
);

conformance(
  "remove refuses a queue holding a job another program wrote over (65, naming it), --force or not, and removes nothing",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    // Finished (no --force needed), then with a job waiting to run too (--force).
    await finish(backend, "over", 3);
    await overwriteJob(backend, "over", "2", "spec", "junk");
    for (const force of [[], ["--force"]]) {
      if (force.length > 0) await putJob(backend, "over", { id: "later", handler: "ok" });
      const r = await runCoord(["queue", "remove", "over", ...force], { env });
      assert.equal(r.code, 65, r.stderr);
      assert.match(r.stderr, /^coord: queue "over": 1 job coord cannot read \(over\/2: .*junk/);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.equal(await storedJobs(backend, "over"), force.length > 0 ? 4 : 3, "none removed");
    }
    await assert.rejects(removeQueue(backend, "over", { force: true }), ForeignDataError);
    assert.equal((await getJob(backend, "over/later")).state, "pending");
  },
);

conformance(
  "remove refuses a queue whose jobs another program wrote over lie past its first page of jobs, counting each job once",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    // Read a page a step, 1,000 a page: on Redis the records' hash, then the specs'.
    await putJobs(backend, "many", Array.from({ length: 2_100 }, () => ({ handler: "ok" })));
    await overwriteJob(backend, "many", "2050", "state", "junk");
    await overwriteJob(backend, "many", "7", "state", "junk");
    await overwriteJob(backend, "many", "7", "spec", "junk");
    const r = await runCoord(["queue", "remove", "many", "--force"], { env });
    assert.equal(r.code, 65, r.stderr);
    assert.match(
      r.stderr,
      /^coord: queue "many": 2 jobs coord cannot read \(many\/2050: .* and 1 more\)/,
    );
    assert.equal(await storedJobs(backend, "many"), 2_100, "none removed");
  },
);

conformance(
  "remove refuses a queue with a job running as such (exit 1) before it looks for jobs another program wrote over",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    await finish(backend, "busy", 2);
    await overwriteJob(backend, "busy", "1", "spec", "junk");
    await putJob(backend, "busy", { id: "run", handler: "ok" });
    await claimJob(backend.queue, "busy", { worker: "w", leaseMs: 60_000 });
    const r = await runCoord(["queue", "remove", "busy", "--force"], { env });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^coord: queue "busy" has 1 job running — pause it/);
    assert.equal(await storedJobs(backend, "busy"), 3, "none removed");
  },
);

conformance(
  "a worker announcing itself on a removed queue does not bring the queue back",
  async (ctx) => {
    const target = ["--url", ctx.url, "--namespace", ctx.namespace];
    const backend = await ctx.open();
    await putJob(backend, "gone", { id: "a", handler: "ok" });
    await backend.queue.announce("gone", { worker: "idle", ttlMs: 60_000 });
    assert.equal((await removeQueue(backend, "gone", { force: true })).removed, true);
    // The idle worker's next announcement, as it makes one every third of its lease.
    await backend.queue.announce("gone", { worker: "idle", ttlMs: 60_000 });
    assert.deepEqual(await backend.queue.list(), []);
    const all = await runCoord(["queue", "status", ...target]);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout, "");
    const named = await runCoord(["queue", "status", "gone", ...target]);
    assert.equal(named.stderr, 'No such queue: "gone".\n');
    // Put to again, the queue is back with the worker that waits on it, as before the removal.
    await putJob(backend, "gone", { id: "b", handler: "ok" });
    assert.deepEqual((await backend.queue.counts("gone")).workers, ["idle"]);
  },
);

conformance(
  "promote starts scheduled jobs now, a retry's backoff and a group's too; others are refused",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    const hour = 3_600_000;
    await putJob(backend, "p", { id: "later", handler: "ok", delayMs: hour, priority: 5 });
    await putJob(backend, "p", { id: "grouped", handler: "ok", delayMs: hour, group: "g" });
    await putJob(backend, "p", { id: "now", handler: "ok" });
    await putJob(backend, "p", { id: "backoff", handler: "ok", retries: 1, priority: 9 });
    const { job } = await claimJob(backend.queue, "p", { worker: "w", leaseMs: hour });
    assert.equal(job?.id, "backoff");
    await backend.queue.finish("p", {
      id: "backoff",
      worker: "w",
      attempt: 1,
      outcome: "retry",
      error: "boom",
      delayMs: hour,
    });

    // Every job is checked first: one not scheduled promotes none.
    const refused = await runCoord(["queue", "promote", "p/later", "p/now"], { env });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /^coord: p\/now is pending; only a scheduled job .* none of the 2/,
    );
    assert.equal(refused.stdout, "");
    assert.equal((await backend.queue.counts("p")).scheduled, 3, "none promoted");

    const promoted = await runCoord(["queue", "promote", "p/later", "p/backoff"], { env });
    assert.equal(promoted.code, 0, promoted.stderr);
    assert.equal(promoted.stdout, "p/later\np/backoff\n");
    assert.equal((await promoteJob(backend, "p/grouped")).promoted, true);
    // Ready at once, each with its priority (then the earlier start): the backoff's first.
    const taken = [];
    for (let i = 0; i < 4; i++) {
      const { job } = await claimJob(backend.queue, "p", { worker: "w", leaseMs: hour });
      taken.push(job?.id);
    }
    assert.deepEqual(taken, ["backoff", "later", "now", "grouped"]);
    const again = await promoteJob(backend, "p/later");
    assert.equal(again.promoted, false);
    assert.match(again.refusal!, /^p\/later is active; only a scheduled job/);
    const unknown = await runCoord(["queue", "promote", "p/nope"], { env });
    assert.equal(unknown.code, 64, unknown.stderr);
  },
);

conformance("bad retention, purge and list input exits 64 and changes nothing", async (ctx) => {
  const backend = await ctx.open();
  await finish(backend, "in", 3);
  const env = envOf(ctx);
  for (
    const args of [
      ["config", "in", "--keep-completed", "lots"],
      ["config", "in", "--keep-failed", "-1"],
      ["purge", "in", "--state", "pending"],
      ["purge", "in", "--state", "completed", "--older-than", "soon"],
      ["list", "in", "--state", "done"],
      ["list", "in", "--limit", "0"],
      ["list", "in", "--after", "nonsense"],
    ]
  ) {
    const result = await runCoord(["queue", ...args], { env });
    assert.equal(result.code, 64, `${args.join(" ")}: ${result.stderr}`);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  }
  assert.deepEqual(await configureQueue(backend, "in"), { ...DEFAULT_KEEP, paused: false });
  assert.equal((await backend.queue.counts("in")).completed, 3);
});

conformance(
  "list pages through finished jobs without repeats or gaps while more finish",
  async (ctx) => {
    const backend = await ctx.open();
    await configureQueue(backend, "pages", { keepCompleted: {} });
    await finish(backend, "pages", 300);
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await listJobs(backend, "pages", {
        states: ["completed"],
        limit: 40,
        ...(after !== undefined && { after }),
      });
      seen.push(...page.jobs.map(({ job }) => job.id));
      after = page.next;
      await finish(backend, "pages", 7);
    } while (after !== undefined);
    // Newer jobs go on top of the list, before the cursor: the pages hold exactly the first 300.
    assert.deepEqual(
      [...seen].sort((a, b) => Number(a) - Number(b)),
      Array.from({ length: 300 }, (_, i) => String(i + 1)),
    );
    assert.equal(new Set(seen).size, seen.length);
  },
);

conformance("list shows pending, scheduled and failed jobs with their error", async (ctx) => {
  const backend = await ctx.open();
  await finish(backend, "mix", 1, "boom");
  await putJob(backend, "mix", { id: "now", handler: "ok" });
  await putJob(backend, "mix", { id: "later", handler: "ok", delayMs: 3_600_000 });
  const page = await listJobs(backend, "mix");
  assert.deepEqual(page.jobs.map(({ job, listedAs }) => `${job.id}:${listedAs}`), [
    "now:pending",
    "later:scheduled",
    "1:failed",
  ]);
  const cli = await runCoord(["queue", "list", "mix", "--state", "failed"], { env: envOf(ctx) });
  assert.equal(cli.code, 0);
  assert.match(cli.stdout, /mix\/1\s+failed\s+boom\s+1\s+\S+ m?s\s+-\s+kaboom second line\n/);
});

conformance("list prints the next page's command with the page's filters", async (ctx) => {
  const backend = await ctx.open();
  const queue = "two words";
  for (const id of ["a", "b", "c"]) await putJob(backend, queue, { id, handler: "ok" });
  await putJob(backend, queue, { id: "later", handler: "ok", delayMs: 3_600_000 });
  const first = await runCoord(["queue", "list", queue, "--state", "pending", "--limit", "2"], {
    env: envOf(ctx),
  });
  assert.equal(first.code, 0, first.stderr);
  const more =
    /^coord: more: coord queue list 'two words' --state pending --limit 2 --after (\S+)\n$/
      .exec(first.stderr);
  assert.ok(more, first.stderr);
  // Before, the line had only the cursor: its page held every state (the scheduled job too).
  const next = await runCoord(
    ["queue", "list", queue, "--state", "pending", "--limit", "2", "--after", more[1]],
    { env: envOf(ctx) },
  );
  assert.equal(next.code, 0, next.stderr);
  const jobs = next.stdout.split("\n").slice(1).filter(Boolean).map((line) => line.split("  ")[0]);
  assert.deepEqual(jobs, ["two words/c"]);
  assert.equal(next.stderr, "");
  // A backend given by --url is named too: without it, the line listed the default file.
  const withUrl = await runCoord(
    ["queue", "list", queue, "--limit", "2", "--url", ctx.url, "--namespace", ctx.namespace],
    { env: envOf(ctx) },
  );
  assert.ok(
    withUrl.stderr.includes(
      `--namespace ${shellWord(ctx.namespace)} --url ${shellWord(ctx.url)} --after `,
    ),
    withUrl.stderr,
  );
});

conformance("reading a queue's settings stores nothing", async (ctx) => {
  const backend = await ctx.open();
  assert.equal((await configureQueue(backend, "untouched")).paused, false);
  await configureQueue(backend, "touched", { paused: true });
  assert.equal((await configureQueue(backend, "touched")).paused, true);
  if (isSql(backend)) {
    // The read wrote the defaults of the day as the queue's settings (and woke every watcher):
    // queue work reads them for each queue it starts on.
    const rows = await sqlValue(backend, "SELECT count(*) FROM coord_queue_config");
    assert.equal(Number(rows), 1);
  }
});

conformance(
  "retry of a job cancelled before its start keeps that start and its begin-by; a failed one runs now",
  async (ctx) => {
    const backend = await ctx.open();
    const hour = 3_600_000;
    const put = await putJob(backend, "later", {
      id: "d",
      handler: "h",
      delayMs: hour,
      beginByMs: hour,
    });
    await cancelJob(backend, "later/d");
    const { job } = await retryJob(backend, "later/d");
    assert.deepEqual([job.state, job.readyAt, job.beginBy], [
      "pending",
      put.job.readyAt,
      put.job.beginBy,
    ]);
    assert.deepEqual((await listJobs(backend, "later", { states: ["scheduled"] })).jobs.length, 1);
    // A failed one is retried now: the delay it was put with has long passed.
    await finish(backend, "now", 1, "boom");
    const before = Math.floor(await backend.now());
    const failed = await retryJob(backend, "now/1");
    assert.ok(failed.job.readyAt >= before, `${failed.job.readyAt} < ${before}`);
    assert.equal(failed.job.beginBy, undefined);
  },
);

conformance(
  "retry puts a failed job back with its failures reset and its error in history",
  async (ctx) => {
    const backend = await ctx.open();
    await finish(backend, "again", 2, "boom");
    const { job, retried } = await retryJob(backend, "again/1");
    assert.equal(retried, true);
    assert.deepEqual([job.state, job.failures, job.attempts, job.error], [
      "pending",
      0,
      1,
      undefined,
    ]);
    const stored = await getJob(backend, "again/1");
    assert.deepEqual(stored.history?.map((h) => [h.state, h.error, h.attempts]), [
      ["failed", "kaboom second line", 1],
    ]);
    // `show --json` prints a past end's keys in one order, whatever order its backend keeps.
    const shown = await runCoord(["queue", "show", "again/1", "--json"], { env: envOf(ctx) });
    assert.deepEqual(Object.keys(JSON.parse(shown.stdout).history[0]), [
      "state",
      "attempts",
      "error",
      "finishedAt",
    ]);
    assert.equal((await backend.queue.counts("again")).failed, 1);
    // A pending job is left alone: exit 1, its state on stderr.
    const refused = await runCoord(["queue", "retry", "again/1"], { env: envOf(ctx) });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /again\/1 is pending/);
    // Cancelled now, it is the record get reads, its history too, on every backend.
    const { job: cancelled } = await cancelJob(backend, "again/1");
    assert.deepEqual(cancelled.history, (await getJob(backend, "again/1")).history);
    const all = await runCoord(["queue", "retry", "again", "--failed"], { env: envOf(ctx) });
    assert.deepEqual([all.code, all.stdout.trim()], [0, "again/2"]);
    await work(backend, ["again"], { handlers: { boom: () => "fixed" }, drain: true });
    assert.equal((await getJob(backend, "again/2")).result, "fixed");
    const unknown = await runCoord(["queue", "retry", "again/99"], { env: envOf(ctx) });
    assert.equal(unknown.code, 64);
  },
);

conformance("retry of several jobs with one unknown retries none, exit 64", async (ctx) => {
  const env = envOf(ctx);
  const backend = await ctx.open();
  await finish(backend, "some", 2, "boom");
  for (const refs of [["some/1", "some/nonexist"], ["some/nonexist", "some/1"]]) {
    const r = await runCoord(["queue", "retry", ...refs], { env });
    assert.equal(r.code, 64, r.stderr);
    assert.equal(r.stdout, "", "nothing retried");
    assert.match(r.stderr, /^coord: no job some\/nonexist .* none of the 2 jobs was retried$/m);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
  // One that is not retryable (pending now) stops the others too, exit 1.
  assert.equal((await retryJob(backend, "some/2")).retried, true);
  const refused = await runCoord(["queue", "retry", "some/1", "some/2"], { env });
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /^coord: some\/2 is pending; .* none of the 2 jobs was retried$/m);
  assert.equal((await getJob(backend, "some/1")).state, "failed", "left as it was");
  const both = await runCoord(["queue", "retry", "some/1"], { env });
  assert.deepEqual([both.code, both.stdout], [0, "some/1\n"]);
});

conformance("a flow's parts removed with it are remembered, each as it ended", async (ctx) => {
  const backend = await ctx.open();
  await putFlow(backend, "pf", { serial: [{ handler: "boom" }, { handler: "ok" }] }, {
    id: "fl",
  });
  await finish(backend, "pf", 0);
  const refs = ["pf/fl", "pf/fl.0", "pf/fl.1"];
  const ended = await Promise.all(refs.map(async (ref) => (await getJob(backend, ref)).state));
  assert.equal(await purgeJobs(backend, "pf", { state: "failed" }), 1);
  // Not "no job": README promises that of every removed job, a flow's parts too.
  for (const [i, ref] of refs.entries()) {
    await assert.rejects(getJob(backend, ref), (e: unknown) => {
      assert.ok(e instanceof JobRemovedError, `${ref}: ${e}`);
      assert.equal(e.state, ended[i], ref);
      return true;
    });
  }
});

conformance("retry refuses a flow and a flow's part, saying so", async (ctx) => {
  const env = envOf(ctx);
  const backend = await ctx.open();
  await putFlow(backend, "f", { serial: [{ handler: "boom" }, { handler: "ok" }] }, {
    id: "fl2",
  });
  await finish(backend, "f", 0);
  assert.equal((await getJob(backend, "f/fl2")).state, "failed");
  const flow = await runCoord(["queue", "retry", "f/fl2"], { env });
  assert.equal(flow.code, 1, flow.stderr);
  assert.match(flow.stderr, /^coord: f\/fl2 is a flow; a flow is not retried — put it again/);
  assert.doesNotMatch(flow.stderr, /is failed/);
  for (const part of ["f/fl2.0", "f/fl2.1"]) {
    const r = await runCoord(["queue", "retry", part], { env });
    assert.equal(r.code, 1, r.stderr);
    const line = new RegExp(`^coord: ${part.replace(".", "\\.")} is a part of flow f/fl2; `);
    assert.match(r.stderr, line);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
  const { retried, refusal } = await retryJob(backend, "f/fl2");
  assert.equal(retried, false);
  assert.match(refusal ?? "", /^f\/fl2 is a flow; /);
});

conformance(
  "retry --failed passes over a failed flow and retries the plain jobs, exit 0; a job named " +
    "twice is retried once",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    await putFlow(backend, "fq", { serial: [{ handler: "boom" }] }, { id: "fl" });
    await putJob(backend, "fq", { id: "plain", handler: "boom" });
    await finish(backend, "fq", 0);
    assert.equal((await getJob(backend, "fq/fl")).state, "failed");
    const all = await runCoord(["queue", "retry", "fq", "--failed"], { env });
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout, "fq/plain\n");
    assert.match(all.stderr, /^coord: passed over 1 flow\(s\) — a flow is put again/);
    assert.equal((await getJob(backend, "fq/fl")).state, "failed");
    await finish(backend, "fq", 0);
    const twice = await runCoord(["queue", "retry", "fq/plain", "fq/plain"], { env });
    assert.equal(twice.code, 0, twice.stderr);
    assert.equal(twice.stdout, "fq/plain\n");
  },
);

conformance("config --json prints the keys README lists, in its order", async (ctx) => {
  const env = envOf(ctx);
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const documented = /`config QUEUE` alone prints the settings \(`--json`:\s+`(\{[^`]*\})`/
    .exec(readme)?.[1];
  assert.ok(documented, "README lists config --json's keys");
  const keys = JSON.parse(documented.replace(/\{(.*)\}/, "[$1]"));
  await putJob(await ctx.open(), "cfg", { handler: "h" });
  for (const change of [[], ["--group-limit", "2"], ["--group-limit", "none"]]) {
    const r = await runCoord(["queue", "config", "cfg", ...change, "--json"], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(Object.keys(JSON.parse(r.stdout)), keys, change.join(" "));
  }
});

conformance(
  "retryJobs of 1,001 jobs takes 500 a step, in the order named, and retries a job named twice once",
  async (ctx) => {
    const backend = await ctx.open();
    const put = await putJobs(
      backend,
      "many",
      Array.from({ length: 1_001 }, () => ({ handler: "boom" })),
    );
    await finishAll(backend, "many");
    let steps = 0;
    const retry = backend.queue.retry.bind(backend.queue);
    backend.queue.retry = (...args) => {
      steps++;
      return retry(...args);
    };
    // The first job named again, alone in the third step: pending by then.
    const refs = [...put.map((p) => p.ref), put[0].ref];
    const dry = await Array.fromAsync(retryJobs(backend, refs, { dryRun: true }));
    assert.equal(steps, 3);
    assert.ok(dry.every((o) => o.retried), "a dry run would retry each");
    assert.equal((await backend.queue.counts("many")).failed, 1_001, "a dry run changes none");
    const outcomes = await Array.fromAsync(retryJobs(backend, refs));
    assert.equal(steps, 6);
    assert.deepEqual(outcomes.map((o) => o.ref), refs);
    assert.equal(outcomes.filter((o) => o.retried).length, 1_001);
    assert.match(outcomes.at(-1)!.refusal!, /^many\/1 is pending; only a failed or cancelled job/);
    const counts = await backend.queue.counts("many");
    assert.deepEqual([counts.pending, counts.failed], [1_001, 0]);
    assert.equal((await getJob(backend, put[0].ref)).history?.length, 1);
  },
);

conformance("retry --failed says how many jobs it retried, none too", async (ctx) => {
  const env = envOf(ctx);
  const backend = await ctx.open();
  await finish(backend, "count", 1);
  const none = await runCoord(["queue", "retry", "count", "--failed"], { env });
  assert.deepEqual([none.code, none.stdout, none.stderr], [
    0,
    "",
    "coord: retried 0 failed jobs\n",
  ]);
  await finish(backend, "count", 1, "boom");
  const one = await runCoord(["queue", "retry", "count", "--failed"], { env });
  assert.deepEqual([one.code, one.stdout, one.stderr], [
    0,
    "count/2\n",
    "coord: retried 1 failed job\n",
  ]);
  await cancelJob(backend, "count/2");
  const all = await runCoord(["queue", "retry", "count", "--failed", "--all"], { env });
  assert.equal(all.stderr, "coord: retried 1 failed or cancelled job\n");
});

conformance("a retried job shows no worker or start of its earlier run", async (ctx) => {
  const backend = await ctx.open();
  await finish(backend, "rerun", 1, "boom");
  const failed = await getJob(backend, "rerun/1");
  assert.ok(failed.worker !== undefined && failed.startedAt !== undefined);
  await retryJob(backend, "rerun/1");
  const pending = await getJob(backend, "rerun/1");
  assert.equal(pending.state, "pending");
  assert.deepEqual([pending.worker, pending.startedAt], [undefined, undefined]);
  const shown = await runCoord(["queue", "show", "rerun/1"], { env: envOf(ctx) });
  assert.doesNotMatch(shown.stdout, /^(worker|startedAt) /m);
});

conformance("a paused queue hands out no jobs until resumed; put still works", async (ctx) => {
  const backend = await ctx.open();
  const pause = await runCoord(["queue", "pause", "held"], { env: envOf(ctx) });
  assert.equal(pause.code, 0);
  await putJob(backend, "held", { id: "1", handler: "ok" });
  assert.deepEqual(await claimJob(backend.queue, "held", { worker: "w", leaseMs: 60_000 }), {});
  const status = await runCoord(["queue", "status", "held", "--json"], { env: envOf(ctx) });
  assert.equal(JSON.parse(status.stdout).paused, true);
  await runCoord(["queue", "resume", "held"], { env: envOf(ctx) });
  const claimed = await claimJob(backend.queue, "held", { worker: "w", leaseMs: 60_000 });
  assert.equal(claimed.job?.id, "1");
});

conformance("a queue paused before its first job is listed by status, paused", async (ctx) => {
  const backend = await ctx.open();
  await configureQueue(backend, "untouched"); // a read: no queue
  assert.equal((await runCoord(["queue", "pause", "typo-q"], { env: envOf(ctx) })).code, 0);
  const status = await runCoord(["queue", "status", "--json"], { env: envOf(ctx) });
  assert.equal(status.code, 0, status.stderr);
  const listed = status.stdout.trim().split("\n").map((line) => JSON.parse(line));
  assert.deepEqual(listed.map((q) => [q.queue, q.paused, q.pending]), [["typo-q", true, 0]]);
});

/** Whether process `pid` is alive. */
function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

conformance(
  "cancel of a running command job kills its grandchild; the job ends cancelled",
  async (ctx) => {
    const dir = await Deno.makeTempDir();
    try {
      const env = envOf(ctx);
      const pidFile = `${dir}/pid`;
      // sh starts sleep (the worker's grandchild) and waits: both must go.
      const script = `sleep 600 & echo $! > ${pidFile}.tmp; mv ${pidFile}.tmp ${pidFile}; wait`;
      const put = await runCoord(
        ["queue", "put", "cmd", "--id", "long", "--retries", "3", "--", "sh", "-c", script],
        { env },
      );
      assert.equal(put.code, 0, put.stderr);
      const worker = spawnCoord(["queue", "work", "cmd", "--allow-commands", "--drain"], { env });
      let pid = 0;
      try {
        for (let i = 0; i < 1_000 && pid === 0; i++) {
          pid = Number(await Deno.readTextFile(pidFile).catch(() => "0"));
          if (pid === 0) await new Promise((r) => setTimeout(r, 20));
        }
        assert.ok(pid > 0 && alive(pid), "the grandchild runs");
        const cancel = await runCoord(["queue", "cancel", "cmd/long"], { env });
        assert.deepEqual([cancel.code, cancel.stdout.trim()], [0, "cancelled cmd/long"]);
        await worker.stderrLine(/cmd\/long was cancelled while running; stopped it/, 30_000);
        for (let i = 0; i < 500 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
        assert.equal(alive(pid), false, "the grandchild was killed");
        assert.equal((await worker.result).code, 0);
        const show = await runCoord(["queue", "show", "cmd/long", "--json"], { env });
        const job = JSON.parse(show.stdout);
        assert.deepEqual([job.state, job.attempts, job.error], [
          "cancelled",
          1,
          "cancelled while running",
        ]);
      } finally {
        // Nothing outlives a failed run: the worker, and the grandchild (sh then ends too).
        const kills = [() => worker.kill("SIGKILL"), () => pid > 0 && Deno.kill(pid, "SIGKILL")];
        for (const kill of kills) {
          try {
            kill();
          } catch {
            // It had exited.
          }
        }
        await worker.result;
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

conformance("put --from stores a JSONL file's jobs and prints one QUEUE/ID a line", async (ctx) => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/jobs.jsonl`;
    await Deno.writeTextFile(
      file,
      '{"handler": "ok", "args": 1}\n\n{"command": ["true"], "retries": 2}\n' +
        '{"handler": "ok", "id": "named", "delay": 3600}\n',
    );
    const put = await runCoord(["queue", "put", "bulk", "--from", file], { env: envOf(ctx) });
    assert.deepEqual([put.code, put.stdout], [0, "bulk/1\nbulk/2\nbulk/named\n"]);
    const stdin = await runCoord(["queue", "put", "bulk", "--from", "-", "--json"], {
      env: envOf(ctx),
      stdin: '{"handler": "ok", "id": "named"}\n{"handler": "ok"}\n',
    });
    assert.equal(stdin.code, 0, stdin.stderr);
    assert.deepEqual(stdin.stdout.trim().split("\n").map((l) => JSON.parse(l)), [
      { job: "bulk/named", created: false },
      { job: "bulk/3", created: true },
    ]);
    const backend = await ctx.open();
    assert.equal((await getJob(backend, "bulk/2")).spec.retries, 2);
    const counts = await backend.queue.counts("bulk");
    assert.deepEqual([counts.pending, counts.scheduled], [3, 1]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

conformance(
  "a malformed JSONL line rejects the whole file: FILE:LINE, exit 64, nothing stored",
  async (ctx) => {
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/jobs.jsonl`;
      for (
        const [bad, why] of [
          ['{"handler": "ok", "colour": 1}', /jobs.jsonl:3: a job takes no "colour"/],
          ["[1, 2]", /jobs.jsonl:3: a job is an object/],
          ['{"handler": "ok", "delay": "soon"}', /jobs.jsonl:3: delay: a number of seconds/],
          ['{"handler": "ok"', /jobs.jsonl:3: not JSON/],
          ['{"args": 1}', /jobs.jsonl:3: a job runs either a handler/],
        ] as const
      ) {
        await Deno.writeTextFile(file, `{"handler": "ok"}\n{"handler": "ok"}\n${bad}\n`);
        const put = await runCoord(["queue", "put", "strict", "--from", file], { env: envOf(ctx) });
        assert.equal(put.code, 64, put.stderr);
        assert.match(put.stderr, why);
        assert.equal(put.stderr.trim().split("\n").length, 1);
      }
      const backend = await ctx.open();
      assert.deepEqual(await backend.queue.list(), [], "nothing stored");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

conformance(
  "a job over 1 MiB as JSON is refused before anything is stored (64, one line naming the limit)",
  async (ctx) => {
    const backend = await ctx.open();
    // The spec stored is {"handler":"ok","args":"x…","retries":0,"backoffMs":1000}: 1 MiB, the
    // most README says a job holds.
    const overhead = JSON.stringify({ handler: "ok", args: "", retries: 0, backoffMs: 1_000 });
    const fits = "x".repeat(1_048_576 - overhead.length);
    await putJob(backend, "big", { handler: "ok", args: fits, id: "fits" });
    const over = `${fits}x`;
    await assert.rejects(
      putJob(backend, "big", { handler: "ok", args: over }),
      (e) =>
        e instanceof UsageError &&
        /^the job \(its args\) is 1048577 bytes as JSON, over the 1 MiB/.test(
          e.message,
        ),
    );
    await assert.rejects(
      putJob(backend, "big", { command: ["echo", `${over}xxxx`] }),
      /the job \(its command\) is \d+ bytes as JSON, over the 1 MiB/,
    );
    await using temp = await tempDir("coord-test-");
    const file = `${temp.path}/jobs.jsonl`;
    await Deno.writeTextFile(
      file,
      `{"handler": "ok"}\n${JSON.stringify({ handler: "ok", args: over })}\n`,
    );
    const put = await runCoord(["queue", "put", "big", "--from", file], { env: envOf(ctx) });
    assert.equal(put.code, 64, put.stderr);
    assert.equal(put.stderr.trim().split("\n").length, 1, put.stderr);
    assert.match(
      put.stderr,
      /jobs.jsonl:2: the job \(its args\) is 1048577 bytes as JSON, over the 1 MiB/,
    );
    assert.equal((await backend.queue.counts("big")).pending, 1, "the job that fits alone");
  },
);

conformance(
  "a job's args nested over 512 deep are refused (64, one line), nothing stored; 512 deep run and retry as coord's own",
  async (ctx) => {
    const backend = await ctx.open();
    const env = envOf(ctx);
    /** `depth` arrays, one inside the other, around a number. */
    const nested = (depth: number) =>
      Array.from({ length: depth }).reduce<unknown>((inner) => [inner], 1);
    // At the limit: stored, failed by its run, and retried, on every backend (the backends' JSON
    // readers stop at 1000 levels, and took a job nested that deep for another program's).
    await putJob(backend, "deep", { handler: "boom", args: nested(512), id: "fits" });
    await work(backend, ["deep"], {
      handlers: {
        boom: () => {
          throw new Error("kaboom");
        },
      },
      drain: true,
    });
    assert.equal((await getJob(backend, "deep/fits")).state, "failed");
    assert.equal((await retryJob(backend, "deep/fits")).retried, true);
    const over = /args nest arrays and objects 513 deep, over the 512 a job's args may/;
    await assert.rejects(
      putJob(backend, "deep", { handler: "boom", args: nested(513) }),
      (e) => e instanceof UsageError && over.test(e.message),
    );
    const put = await runCoord(
      ["queue", "put", "deep", "--handler", "boom", "--args", JSON.stringify(nested(1_000))],
      { env },
    );
    assert.equal(put.code, 64, put.stderr);
    assert.equal(put.stderr.trim().split("\n").length, 1, put.stderr);
    assert.match(put.stderr, /args nest arrays and objects 1000 deep, over the 512/);
    await using temp = await tempDir("coord-test-");
    const file = `${temp.path}/jobs.jsonl`;
    await Deno.writeTextFile(
      file,
      `{"handler": "boom"}\n${JSON.stringify({ handler: "boom", args: nested(513) })}\n`,
    );
    const from = await runCoord(["queue", "put", "deep", "--from", file], { env });
    assert.equal(from.code, 64, from.stderr);
    assert.match(from.stderr, /jobs.jsonl:2: args nest arrays and objects 513 deep/);
    const counts = await backend.queue.counts("deep");
    assert.deepEqual([counts.pending, counts.failed], [1, 0], "the job that fits alone");
  },
);

conformance("putJobs stores no more than 1 MiB of jobs in a step", async (ctx) => {
  const backend = await ctx.open();
  const args = "x".repeat(400_000);
  const batches: number[] = [];
  const refs = await putJobs(
    backend,
    "heavy",
    Array.from({ length: 5 }, () => ({ handler: "ok", args })),
    { onStored: (batch) => batches.push(batch.length) },
  );
  assert.deepEqual(batches, [2, 2, 1]);
  assert.equal(refs.at(-1)?.ref, "heavy/5");
  assert.equal((await getJob(backend, "heavy/5")).spec.args, args);
});

conformance("putJobs stores jobs in batches, in order", async (ctx) => {
  const backend = await ctx.open();
  const refs = await putJobs(
    backend,
    "many",
    Array.from({ length: 1_201 }, (_, i) => ({ handler: "ok", args: i })),
  );
  assert.equal(refs.length, 1_201);
  assert.deepEqual(refs.at(-1), { ref: "many/1201", created: true });
  assert.equal((await getJob(backend, "many/700")).spec.args, 699);
  await assert.rejects(putJobs(backend, "many", [{ handler: "ok" }, {}]), /job 1: /);
  assert.equal((await backend.queue.counts("many")).pending, 1_201);
});

conformance(
  "putJobs reports each job as puts one by one would: ids and dedupe keys taken before or in the batch, numbers an id took skipped",
  async (ctx) => {
    const backend = await ctx.open();
    await putJob(backend, "mix", { id: "2", handler: "h" });
    await putJob(backend, "mix", { id: "old", handler: "h", dedupe: "k1" });
    const put = await putJobs(backend, "mix", [
      { handler: "h" },
      { handler: "h" },
      { id: "old", handler: "h" },
      { handler: "h", dedupe: "k1" },
      { handler: "h", dedupe: "k2", priority: 5 },
      { handler: "h", dedupe: "k2" },
      { id: "new", handler: "h", delayMs: 3_600_000 },
      { id: "new", handler: "h" },
      { id: "5", handler: "h", group: "g" },
      { handler: "h" },
      // A taken id wins over its key, which it then does not hold.
      { id: "old", handler: "h", dedupe: "k3" },
      { handler: "h", dedupe: "k3", at: Date.now() - 60_000 },
    ]);
    assert.deepEqual(put.map((p) => `${p.ref} ${p.created}`), [
      "mix/1 true",
      "mix/3 true",
      "mix/old false",
      "mix/old false",
      "mix/4 true",
      "mix/4 false",
      "mix/new true",
      "mix/new false",
      "mix/5 true",
      "mix/6 true",
      "mix/old false",
      "mix/7 true",
    ]);
    assert.equal((await getJob(backend, "mix/4")).priority, 5);
    assert.equal((await getJob(backend, "mix/5")).groupKey, "g");
    const later = await getJob(backend, "mix/new");
    assert.ok(later.readyAt >= later.createdAt + 3_600_000, "put with its delay");
    const counts = await backend.queue.counts("mix");
    assert.deepEqual([counts.pending, counts.scheduled], [8, 1]);
    // The counter goes on from the batch's last number, and the keys put in it hold.
    const next = await putJobs(backend, "mix", [{ handler: "h" }, { handler: "h", dedupe: "k3" }]);
    assert.deepEqual(next.map((p) => `${p.ref} ${p.created}`), ["mix/8 true", "mix/7 false"]);
  },
);

conformance(
  "a paused queue runs nothing on 3 workers until resumed; put still works",
  async (ctx) => {
    const dir = await Deno.makeTempDir();
    const env = envOf(ctx);
    const log = `${dir}/log`;
    await Deno.writeTextFile(log, "");
    await Deno.writeTextFile(
      `${dir}/handlers.ts`,
      `export function note(args: string) {
      Deno.writeTextFileSync(${JSON.stringify(log)}, args + "\\n", { append: true });
    }`,
    );
    const workers = [0, 1, 2].map((w) =>
      spawnCoord(
        ["queue", "work", "held", "probe", "--module", `${dir}/handlers.ts`, "--worker", `w${w}`],
        { env },
      )
    );
    try {
      assert.equal((await runCoord(["queue", "pause", "held"], { env })).code, 0);
      const backend = await ctx.open();
      await putJobs(
        backend,
        "held",
        Array.from({ length: 6 }, (_, i) => ({
          handler: "note",
          args: `held ${i}`,
        })),
      );
      // A worker that exited instead says why (this loop once waited for ever on one).
      const exited = Promise.race(workers.map((w) => w.result)).then((r) => {
        throw new Error(`a worker exited ${r.code}: ${r.stderr}`);
      });
      exited.catch(() => {});
      await Promise.race([
        exited,
        until(async () => (await backend.queue.counts("held")).workers.length === 3, {
          what: "3 workers announced",
        }),
      ]);
      // A worker tries the paused queue before the other on each claim (its queues in turn):
      // once it has run the probes, it has been offered the paused jobs and taken none.
      await putJobs(
        backend,
        "probe",
        Array.from({ length: 6 }, (_, i) => ({
          handler: "note",
          args: `probe ${i}`,
        })),
      );
      const probes = Array.from({ length: 6 }, (_, i) => `probe/${i + 1}`);
      assert.equal(
        (await runCoord(["queue", "wait", ...probes, "--timeout", "60"], { env })).code,
        0,
      );
      assert.equal((await Deno.readTextFile(log)).includes("held"), false, "nothing ran");
      const status = JSON.parse(
        (await runCoord(["queue", "status", "held", "--json"], { env })).stdout,
      );
      assert.deepEqual([status.paused, status.pending, status.active], [true, 6, 0]);
      assert.equal((await runCoord(["queue", "resume", "held"], { env })).code, 0);
      const held = Array.from({ length: 6 }, (_, i) => `held/${i + 1}`);
      const wait = await runCoord(["queue", "wait", ...held, "--timeout", "60"], { env });
      assert.equal(wait.code, 0, wait.stderr);
    } finally {
      for (const worker of workers) worker.kill("SIGTERM");
      for (const worker of workers) assert.equal((await worker.result).code, 0);
      await Deno.remove(dir, { recursive: true });
    }
  },
);

conformance("10 concurrent puts with one --dedupe key give one job", async (ctx) => {
  const env = envOf(ctx);
  const puts = await Promise.all(
    Array.from(
      { length: 10 },
      () => runCoord(["queue", "put", "dd", "--handler", "ok", "--dedupe", "k", "--json"], { env }),
    ),
  );
  const replies = puts.map((p) => (assert.equal(p.code, 0, p.stderr), JSON.parse(p.stdout)));
  assert.equal(new Set(replies.map((r) => r.job)).size, 1, "one job");
  assert.equal(replies.filter((r) => r.created).length, 1);
  assert.equal(replies.filter((r) => r.deduplicated).length, 9);
  const backend = await ctx.open();
  assert.equal((await backend.queue.counts("dd")).pending, 1);
  // Without a window the key is free once its job finished; with one it holds until then.
  await putJob(backend, "dd", { handler: "ok", dedupe: "w", dedupeForMs: 3_600_000 });
  await work(backend, ["dd"], { handlers: { ok: () => 1 }, drain: true });
  const again = await putJob(backend, "dd", { handler: "ok", dedupe: "k" });
  assert.deepEqual([again.created, again.deduplicated], [true, undefined]);
  const windowed = await putJob(backend, "dd", { handler: "ok", dedupe: "w" });
  assert.deepEqual([windowed.ref, windowed.created, windowed.deduplicated], ["dd/2", false, true]);
  for (
    const args of [["--dedupe-for", "1h"], ["--dedupe", "k", "--dedupe-for", "soon"], [
      "--dedupe",
      "",
    ]]
  ) {
    const bad = await runCoord(["queue", "put", "dd", "--handler", "ok", ...args], { env });
    assert.equal(bad.code, 64, `${args.join(" ")}: ${bad.stderr}`);
  }
  assert.equal((await backend.queue.counts("dd")).pending, 1, "nothing more stored");
});

conformance(
  "a put whose --dedupe key names a job another program wrote over, or holds a window that is " +
    "no time, is refused (65), changing nothing",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    await putJob(backend, "dq", { id: "d1", handler: "ok", dedupe: "k" });
    await overwriteJob(backend, "dq", "d1", "state", "bogus");
    // Read as no job, the key went to a new one: whether d1 runs, nobody can tell.
    const put = await runCoord(["queue", "put", "dq", "--handler", "ok", "--dedupe", "k"], { env });
    assert.equal(put.code, 65, put.stderr);
    assert.equal(put.stdout, "");
    assert.match(put.stderr, /^coord: queue "dq": .*d1.* another program wrote there/);
    assert.equal(put.stderr.trim().split("\n").length, 1, put.stderr);
    assert.equal(await storedJobs(backend, "dq"), 1, "no job put");
    if (!isSql(backend)) return; // a Redis window is a sorted set's score: always a number
    await putJob(backend, "dw", { handler: "ok", dedupe: "w", dedupeForMs: 60_000 });
    await runSql(
      backend,
      "UPDATE coord_queue_dedupe SET until = ? WHERE namespace = ? AND queue = 'dw'",
      backend.kind === "sqlite" ? "soon" : -5,
      backend.namespace,
    );
    const windowed = await runCoord(["queue", "put", "dw", "--handler", "ok", "--dedupe", "w"], {
      env,
    });
    assert.equal(windowed.code, 65, windowed.stderr);
    assert.match(
      windowed.stderr,
      /^coord: queue "dw": coord_queue_dedupe holds a row coord did not/,
    );
    assert.equal(await storedJobs(backend, "dw"), 1, "no job put");
  },
);

/** Redis' used_memory, in bytes. */
/**
 * The bytes queue `queue`'s keys take on Redis (`MEMORY USAGE` of each, every element counted):
 * the server's own `used_memory` moves with the other tests that share it.
 */
async function queueMemory(backend: Backend, queue: string): Promise<number> {
  const redis = backend as RedisBackend;
  let bytes = 0;
  for (const part of Object.keys(QUEUE_KEY_TYPES)) {
    const key = redis.key("queue", queue, part);
    bytes += Number(await redis.conn.send(key, ["MEMORY", "USAGE", key, "SAMPLES", "0"]) ?? 0);
  }
  return bytes;
}

conformance(
  "100,000 completed jobs with --keep-completed 1000 leave at most 1,000",
  async (ctx) => {
    // Full size on one Redis, where memory is the risk; the others prove the same at a fifth,
    // so the suite stays within minutes on a busy 2-core machine.
    const n = ctx.label === "redis" ? 100_000 : 20_000;
    const backend = await ctx.open();
    const keep = await runCoord(["queue", "config", "big", "--keep-completed", "1000"], {
      env: envOf(ctx),
    });
    assert.equal(keep.code, 0, keep.stderr);
    for (let i = 0; i < n; i += 10_000) {
      await putJobs(
        backend,
        "big",
        Array.from({ length: 10_000 }, (_, k) => ({
          handler: "ok",
          args: { n: i + k, payload: "x".repeat(100) },
        })),
      );
    }
    const withPending = ctx.label === "redis" ? await queueMemory(backend, "big") : 0;
    // Run them all straight through the steps: a claim and a finish each, 20 at a time.
    await Promise.all(Array.from({ length: 20 }, async (_, w) => {
      for (;;) {
        const { job } = await claimJob(backend.queue, "big", { worker: `w${w}`, leaseMs: 60_000 });
        if (!job) return;
        const attempt = { id: job.id, worker: `w${w}`, attempt: job.attempts };
        await backend.queue.finish("big", { ...attempt, outcome: "completed", result: job.id });
      }
    }));
    const counts = await backend.queue.counts("big");
    assert.deepEqual([counts.pending, counts.active], [0, 0]);
    assert.ok(counts.completed <= 1_000, `${counts.completed} completed jobs kept`);
    assert.ok(counts.completed >= 990, `${counts.completed} completed jobs kept`);
    const newest = await listJobs(backend, "big", { states: ["completed"], limit: 1_001 });
    assert.equal(newest.next, undefined);
    assert.equal(newest.jobs.length, counts.completed);
    await assert.rejects(getJob(backend, "big/1"), JobRemovedError);
    if (ctx.label === "redis") {
      const after = await queueMemory(backend, "big");
      assert.ok(
        after < withPending / 2,
        `the queue's keys: ${withPending} bytes with the jobs, ${after} after`,
      );
    }
  },
);

conformance(
  "a crontab line that puts a job with --id per tick makes one job a tick across 2 schedulers",
  async (ctx) => {
    const dir = await Deno.makeTempDir();
    const main = new URL("../../main.ts", import.meta.url).pathname;
    await Deno.writeTextFile(
      `${dir}/coord`,
      `#!/bin/sh\nexec ${JSON.stringify(Deno.execPath())} run -A --quiet ${main} "$@"\n`,
    );
    await Deno.chmod(`${dir}/coord`, 0o755);
    // README's hourly line, ticking every second so the test sees several ticks.
    await Deno.writeTextFile(
      `${dir}/jobs.cron`,
      `@every 1s  coord queue put reports --handler hourly --id "hourly-$COORD_SCHEDULED_AT"\n`,
    );
    const env = { ...envOf(ctx), PATH: `${dir}:${Deno.env.get("PATH")}` };
    const schedulers = [0, 1].map(() =>
      spawnCoord(["schedule", "run", `${dir}/jobs.cron`, "--pass-env", "COORD_URL"], { env })
    );
    try {
      const backend = await ctx.open();
      for (let i = 0; i < 3_000; i++) {
        const page = await listJobs(backend, "reports", { states: ["pending"] });
        if (page.jobs.length >= 4) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      for (const scheduler of schedulers) {
        try {
          scheduler.kill("SIGTERM");
        } catch {
          // Ended on its own, which it must not: say why.
          const { code, stderr } = await scheduler.result;
          assert.fail(`a scheduler exited ${code} before it was stopped: ${stderr}`);
        }
      }
      await Promise.all(schedulers.map((s) => s.result));
      const { jobs } = await listJobs(backend, "reports", { states: ["pending"] });
      const ticks = jobs.map(({ job }) => Date.parse(job.id.slice("hourly-".length))).sort();
      assert.ok(ticks.length >= 4, `${ticks.length} jobs`);
      // One job a tick, none missing between the first and the last.
      for (let i = 1; i < ticks.length; i++) assert.equal(ticks[i] - ticks[i - 1], 1_000);
      const runs = (await Promise.all(schedulers.map((s) => s.result)))
        .map((r) => r.stdout.split("\n").filter((l) => l.includes("reports/hourly-")).length);
      assert.equal(runs[0] + runs[1], ticks.length, "each tick's put ran once");
    } finally {
      for (const scheduler of schedulers) {
        try {
          scheduler.kill("SIGKILL");
        } catch {
          // It had exited.
        }
      }
      await Deno.remove(dir, { recursive: true });
    }
  },
);

conformance(
  "config, pause and resume exit 65 on settings another program wrote",
  async (ctx) => {
    const backend = await ctx.open();
    await finish(backend, "alien", 2);
    if (isSql(backend)) {
      await runSql(
        backend,
        `INSERT INTO coord_queue_config (namespace, queue, keep_completed, keep_failed, paused)
         VALUES (?, 'alien', 'junk', NULL, 0)
         ON CONFLICT (namespace, queue) DO UPDATE SET keep_completed = 'junk'`,
        backend.namespace,
      );
    } else {
      const redis = backend as RedisBackend;
      const key = redis.key("queue", "alien", "config");
      await redis.conn.send(key, ["HSET", key, "keepCompleted", "junk"]);
    }
    const env = envOf(ctx);
    for (
      const args of [
        ["config", "alien", "--keep-completed", "5"],
        ["pause", "alien"],
        ["resume", "alien"],
      ]
    ) {
      const r = await runCoord(["queue", ...args], { env });
      assert.equal(r.code, 65, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /junk.* another program wrote there/);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
    // Nor do workers take its jobs, nor trim it by the defaults (a setting they cannot read
    // may have kept more): the queue is left alone.
    await assert.rejects(
      claimJob(backend.queue, "alien", { worker: "w", leaseMs: 60_000 }),
      ForeignDataError,
    );
    if (isSql(backend)) {
      await runSql(
        backend,
        "UPDATE coord_queue_config SET keep_completed = NULL WHERE namespace = ?",
        backend.namespace,
      );
    } else {
      const redis = backend as RedisBackend;
      const key = redis.key("queue", "alien", "config");
      await redis.conn.send(key, ["HDEL", key, "keepCompleted"]);
    }
    const counts = await backend.queue.counts("alien");
    assert.deepEqual([counts.completed, counts.paused], [2, false], "untouched");
  },
);

for (const setting of FOREIGN_SETTINGS) {
  conformance(
    `status, config, put, work, cancel, retry and remove exit 65 on a queue whose ` +
      `${setting.field} ` +
      "another program wrote, and leave it as it is",
    async (ctx) => {
      const env = envOf(ctx);
      const backend = await ctx.open();
      await putJob(backend, "alien", { id: "j", command: ["true"] });
      const { shown, read } = await plantForeignSetting(backend, "alien", setting);
      const planted = await read();
      for (
        const args of [
          ["status", "alien"],
          ["config", "alien"],
          ["put", "alien", "--", "true"],
          ["work", "alien", "--allow-commands", "--drain"],
          ["remove", "alien", "--force"],
        ]
      ) {
        const r = await runCoord(["queue", ...args], { env });
        assert.equal(r.code, 65, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, /^coord: queue "alien": .* another program wrote there/);
        assert.ok(r.stderr.includes(shown), `${args.join(" ")}: ${r.stderr}`);
        assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      }
      const steps = [
        () => configureQueue(backend, "alien", { paused: true }),
        () => cancelJob(backend, "alien/j"),
        () => retryJob(backend, "alien/j"),
        () => putJobs(backend, "alien", [{ command: ["true"] }]),
        () => putFlow(backend, "alien", { serial: [{ command: ["true"] }] }),
        () => removeQueue(backend, "alien", { force: true }),
      ];
      for (const step of steps) await assert.rejects(step(), ForeignDataError, String(step));
      assert.equal(await read(), planted, "left as it was");
      assert.equal((await getJob(backend, "alien/j")).state, "pending", "not run");
    },
  );
}

conformance(
  "a worker on several queues names the one whose settings another program wrote, leaves it " +
    "alone and runs the others",
  async (ctx) => {
    const backend = await ctx.open();
    for (const queue of ["alien", "good"]) await putJob(backend, queue, { id: "j", handler: "ok" });
    const { shown } = await plantForeignSetting(backend, "alien", FOREIGN_SETTINGS[0]);
    const errors = await wordBesideGoodRun(backend, ["alien", "good"], "ok");
    assert.ok(errors[0].startsWith('queue "alien": ') && errors[0].includes(shown), errors[0]);
    assert.equal((await getJob(backend, "alien/j")).state, "pending", "left alone");
  },
);

conformance(
  "retry and promote refuse a job whose spec another program wrote over, changing nothing",
  async (ctx) => {
    const backend = await ctx.open();
    await putJob(backend, "over", { id: "done", handler: "h" });
    await cancelJob(backend, "over/done");
    await putJob(backend, "over", { id: "later", handler: "h", delayMs: 3_600_000 });
    for (const id of ["done", "later"]) {
      await overwriteJob(backend, "over", id, "spec", JSON.stringify({ handler: "h" }));
    }
    // Redis changed the job, then its answer was refused: retried or promoted, yet exit 65.
    await assert.rejects(retryJob(backend, "over/done"), ForeignDataError);
    await assert.rejects(promoteJob(backend, "over/later"), ForeignDataError);
    const [counts] = await queueCounts(backend, ["over"]);
    assert.deepEqual([counts.cancelled, counts.scheduled, counts.pending], [1, 1, 0]);
  },
);

conformance("list names a state given twice once, and its pages end", async (ctx) => {
  const backend = await ctx.open();
  for (const id of ["a", "b", "c"]) await putJob(backend, "twice", { id, handler: "ok" });
  const seen: string[] = [];
  let after: string | undefined;
  for (let page = 0; page < 5; page++) {
    const listed = await listJobs(backend, "twice", {
      states: ["pending", "pending"],
      limit: 2,
      ...(after !== undefined && { after }),
    });
    seen.push(...listed.jobs.map(({ job }) => job.id));
    after = listed.next;
    if (after === undefined) break;
  }
  assert.deepEqual(seen, ["a", "b", "c"]);
  assert.equal(after, undefined);
  const cli = await runCoord(["queue", "list", "twice", "--state", "pending,pending", "--json"], {
    env: envOf(ctx),
  });
  assert.equal(cli.code, 0);
  assert.deepEqual(cli.stdout.trim().split("\n").map((line) => JSON.parse(line).job), [
    "twice/a",
    "twice/b",
    "twice/c",
  ]);
});

conformance(
  "pause, resume, retry and promote of several change none when one's settings are another " +
    "program's (65)",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    for (const queue of ["good", "alien"]) {
      await putJob(backend, queue, { id: "c", handler: "ok" });
      await cancelJob(backend, `${queue}/c`);
      await putJob(backend, queue, { id: "s", handler: "ok", delayMs: 3_600_000 });
    }
    const { shown, read } = await plantForeignSetting(backend, "alien", FOREIGN_SETTINGS[0]);
    const planted = await read();
    for (
      const [args, none] of [
        [["pause", "good", "alien"], "none of the 2 queues was paused"],
        [["resume", "good", "alien"], "none of the 2 queues was resumed"],
        [["retry", "good/c", "alien/c"], "none of the 2 jobs was retried"],
        [["promote", "good/s", "alien/s"], "none of the 2 jobs was promoted"],
      ] as const
    ) {
      const r = await runCoord(["queue", ...args], { env });
      assert.equal(r.code, 65, `${args.join(" ")}: ${r.stderr}`);
      assert.ok(r.stderr.includes(shown) && r.stderr.includes(none), r.stderr);
      assert.equal(r.stdout, "", `${args.join(" ")}: nothing done`);
    }
    assert.equal((await configureQueue(backend, "good")).paused, false);
    assert.equal((await getJob(backend, "good/c")).state, "cancelled");
    assert.ok((await getJob(backend, "good/s")).readyAt > Date.now() + 3_000_000, "not promoted");
    assert.equal(await read(), planted, "left as it was");
  },
);

conformance(
  "remove refuses a queue (65) whose job another program gave an id coord never writes lies at a page's end, and removes none",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    // 999 ids of coord's, then 2 that sort after them all, the first one the last of the first
    // page of 1,000: on SQLite BLOBs (after every text), on Postgres (text only) text past the
    // digits on records another program wrote over.
    await putJobs(backend, "odd", Array.from({ length: 1_001 }, () => ({ handler: "ok" })));
    await runSql(
      backend,
      `UPDATE coord_queue_job SET id = ${
        backend.kind === "sqlite" ? "CAST(id AS BLOB)" : "'~' || id, state = 'junk'"
      } WHERE namespace = ? AND queue = 'odd' AND id IN ('5', '6')`,
      backend.namespace,
    );
    const r = await runCoord(["queue", "remove", "odd", "--force"], { env });
    assert.equal(r.code, 65, r.stderr);
    assert.match(
      r.stderr,
      /^coord: queue "odd": 2 jobs coord cannot read \(odd\/.* and 1 more\) — /,
    );
    assert.equal(await storedJobs(backend, "odd"), 1_001, "none removed");
  },
  { skip: ["redis", "cluster", "sentinel"] },
);

conformance(
  "a page cursor of the foreign-data check that is not one it gave is refused, the statement never built from it",
  async (ctx) => {
    const backend = await ctx.open();
    await putJobs(backend, "cursors", [{ handler: "h" }]);
    for (const cursor of ["{", '{"skip":"0; DELETE FROM coord_queue_job"}', '{"skip":-1}', "[]"]) {
      await assert.rejects(backend.queue.unreadable("cursors", cursor), UsageError, cursor);
    }
    assert.deepEqual(await backend.queue.unreadable("cursors"), { refused: [] });
  },
  { skip: ["redis", "cluster", "sentinel"] },
);
