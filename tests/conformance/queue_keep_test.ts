/** A job's own retention (`put --keep`), library and CLI, on every backend. */

import { claimJob } from "../../lib/queue/claim_job.ts";
import assert from "node:assert/strict";
import { getJob, JobRemovedError, putJob, type PutOptions } from "../../lib/queue/queue.ts";
import { configureQueue } from "../../lib/queue/retention.ts";
import { listJobs } from "../../lib/queue/list.ts";
import { work } from "../../lib/queue/worker.ts";
import type { Backend } from "../../lib/backend/types.ts";
import { conformance, envOf } from "../support/backends.ts";
import { runCoord } from "../support/cli.ts";
import { until } from "../support/wait.ts";

/** Puts a job with `options` and runs it (and anything else pending) to the end. */
async function run(backend: Backend, queue: string, options: Partial<PutOptions> = {}) {
  const { job } = await putJob(backend, queue, { handler: "ok", ...options });
  await work(backend, [queue], { handlers: { ok: () => 1 }, concurrency: 1, drain: true });
  return job.id;
}

const removed = (e: unknown) => e instanceof JobRemovedError && e.state === "completed";

conformance("put --keep forever outlives the queue's retention, which goes on", async (ctx) => {
  const backend = await ctx.open();
  await configureQueue(backend, "q", { keepCompleted: { count: 2 } });
  const kept = await run(backend, "q", { keep: {} });
  for (let i = 0; i < 8; i++) await run(backend, "q");
  assert.equal((await getJob(backend, `q/${kept}`)).state, "completed");
  // The queue still keeps its newest 2 besides: the job kept forever does not hold it up.
  const listed = await listJobs(backend, "q", { states: ["completed"] });
  assert.deepEqual(listed.jobs.map(({ job }) => job.id).sort(), ["1", "8", "9"]);
  assert.equal((await backend.queue.counts("q")).completed, 3);
});

conformance("put --keep DURATION removes the job that long after it finished", async (ctx) => {
  const backend = await ctx.open();
  // The queue keeps everything; the job keeps itself 2 s: long enough for the drained worker's
  // last poll and the read below on a busy machine (at 300 ms that poll removed it first).
  await configureQueue(backend, "q", { keepCompleted: {} });
  const id = await run(backend, "q", { keep: { ageMs: 2_000 } });
  const { finishedAt } = await getJob(backend, `q/${id}`);
  const stayed = await run(backend, "q");
  await until(async () => await backend.now() > finishedAt! + 2_000, { what: "the keep's end" });
  // Any worker's poll removes what is past its keep.
  await claimJob(backend.queue, "q", { worker: "w", leaseMs: 60_000 });
  await assert.rejects(getJob(backend, `q/${id}`), removed);
  assert.equal((await getJob(backend, `q/${stayed}`)).state, "completed");
});

conformance("put --keep N keeps the job until N more jobs finished after it", async (ctx) => {
  const backend = await ctx.open();
  const id = await run(backend, "q", { keep: { count: 3 } });
  await run(backend, "q");
  await run(backend, "q");
  assert.equal((await getJob(backend, `q/${id}`)).state, "completed");
  await run(backend, "q");
  await assert.rejects(getJob(backend, `q/${id}`), removed);
  assert.equal((await backend.queue.counts("q")).completed, 3);
});

conformance(
  "put --keep is shown with the job; a bad KEEP exits 64, storing nothing",
  async (ctx) => {
    const env = envOf(ctx);
    const put = await runCoord(
      ["queue", "put", "k", "--id", "1", "--handler", "h", "--keep", "1h"],
      {
        env,
      },
    );
    assert.equal(put.code, 0, put.stderr);
    const show = await runCoord(["queue", "show", "k/1", "--json"], { env });
    assert.deepEqual(JSON.parse(show.stdout).keep, { ageMs: 3_600_000 });
    // For people, as --keep and `config` write it.
    const text = await runCoord(["queue", "show", "k/1"], { env });
    assert.match(text.stdout, /^keep +1h$/m);
    for (
      const args of [
        ["put", "k", "--handler", "h", "--keep", "lots"],
        ["put", "k", "--handler", "h", "--keep", "-1"],
        ["put", "k", "--handler", "h", "--keep", ""],
      ]
    ) {
      const result = await runCoord(["queue", ...args], { env });
      assert.equal(result.code, 64, `${args.join(" ")}: ${result.stderr}`);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    }
    const bulk = await runCoord(["queue", "put", "k", "--from", "-"], {
      env,
      stdin: '{"handler": "h", "keep": "forever"}\n{"handler": "h", "keep": 5}\n',
    });
    assert.equal(bulk.code, 64, bulk.stderr);
    assert.match(bulk.stderr, /stdin:2: keep/);
    const status = await runCoord(["queue", "status", "k", "--json"], { env });
    assert.equal(JSON.parse(status.stdout).pending, 1, status.stdout);
  },
);

conformance(
  "a claim that takes jobs leaves retention to their ends; a poll that takes none trims",
  async (ctx) => {
    const backend = await ctx.open();
    await configureQueue(backend, "q", { keepCompleted: {} });
    for (let i = 0; i < 3; i++) await run(backend, "q");
    await configureQueue(backend, "q", { keepCompleted: { count: 1 } });
    for (let i = 0; i < 2; i++) await putJob(backend, "q", { handler: "ok" });
    const claim = () =>
      backend.queue.finishAndClaim("q", { finishes: [], worker: "w", leaseMs: 60_000, claims: 5 });
    // The claim on the way from a put to its start reads no finished jobs (as fast as it goes).
    assert.equal((await claim()).jobs.length, 2);
    assert.equal((await backend.queue.counts("q")).completed, 3);
    assert.equal((await claim()).jobs.length, 0);
    assert.equal((await backend.queue.counts("q")).completed, 1);
  },
);
