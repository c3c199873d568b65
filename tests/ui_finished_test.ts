/** The console's walk down a queue's finished lists: where it stops, and its bound. */

import { claimJob } from "../lib/queue/claim_job.ts";
import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import type { Backend } from "../lib/backend/types.ts";
import { putJob } from "../lib/queue/queue.ts";
import { finishedSince, throughput } from "../commands/ui/finished.ts";

/** Puts and runs jobs `ids` of queue `q` to their end, in that order. */
async function finish(backend: Backend, ids: string[], outcome: "completed" | "failed") {
  for (const id of ids) {
    await putJob(backend, "q", { id, handler: "h" });
    const { job } = await claimJob(backend.queue, "q", { worker: "w", leaseMs: 60_000 });
    assert.equal(job?.id, id);
    const attempt = { id, worker: "w", attempt: job.attempts };
    const end = outcome === "completed"
      ? { outcome, result: null }
      : { outcome, error: "no" } as const;
    assert.ok(await backend.queue.finish("q", { ...attempt, ...end }));
  }
}

Deno.test("finishedSince() stops at the first job that finished before the instant", async () => {
  await using backend = await connect({ url: "sqlite::memory:" });
  await finish(backend, ["a", "b", "c"], "completed");
  const all = await finishedSince(backend, "q", "completed", 0);
  assert.deepEqual(all.jobs.map((j) => j.id), ["c", "b", "a"]);
  assert.equal(all.capped, false);
  for (const { finishedAt } of all.jobs) {
    const since = await finishedSince(backend, "q", "completed", finishedAt!);
    const expected = all.jobs.filter((j) => j.finishedAt! >= finishedAt!).map((j) => j.id);
    assert.deepEqual(since.jobs.map((j) => j.id), expected);
  }
  assert.deepEqual((await finishedSince(backend, "q", "completed", Infinity)).jobs, []);
});

Deno.test("finishedSince() reads at most max jobs and says it was cut", async () => {
  await using backend = await connect({ url: "sqlite::memory:" });
  await finish(backend, Array.from({ length: 25 }, (_, i) => `j${i}`), "completed");
  const cut = await finishedSince(backend, "q", "completed", 0, 12);
  assert.equal(cut.jobs.length, 12);
  assert.equal(cut.capped, true);
  assert.equal(cut.jobs[0].id, "j24");
});

Deno.test("throughput() counts completed and failed jobs of the last 60 s only", async () => {
  await using backend = await connect({ url: "sqlite::memory:" });
  await finish(backend, ["a", "b"], "completed");
  await finish(backend, ["c"], "failed");
  const now = await backend.now();
  assert.deepEqual(await throughput(backend, "q", now), { completed: 2, failed: 1, capped: false });
  // A minute and a bit later, by the backend's clock, none of them is in the window.
  assert.deepEqual(await throughput(backend, "q", now + 61_000), {
    completed: 0,
    failed: 0,
    capped: false,
  });
});
