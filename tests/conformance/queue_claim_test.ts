/** A single claim (`QueueSteps.claim`) reports what it did, as a worker's claim does. */

import { claimJob } from "../../lib/queue/claim_job.ts";
import assert from "node:assert/strict";
import type { Backend } from "../../lib/backend/types.ts";
import { getJob, putJob } from "../../lib/queue/queue.ts";
import { MAX_STALLS } from "../../lib/queue/steps.ts";
import { conformance } from "../support/backends.ts";
import { until } from "../support/wait.ts";

/** Waits until the backend's clock is past `atMs` (epoch ms). */
async function past(backend: Backend, atMs: number): Promise<void> {
  await until(async () => await backend.now() > atMs, { what: `the backend's clock past ${atMs}` });
}

conformance("claim() reports the jobs it failed as expired at their begin-by", async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "late", { id: "j", handler: "x", beginByMs: 50 });
  await past(backend, (await getJob(backend, "late/j")).beginBy!);
  await putJob(backend, "late", { id: "next", handler: "x" });
  const claimed = await claimJob(backend.queue, "late", { worker: "w", leaseMs: 60_000 });
  assert.equal(claimed.job?.id, "next");
  assert.deepEqual(claimed.failed, [{
    id: "j",
    attempt: 0,
    error: "expired: not started by its --begin-by",
  }]);
  assert.equal((await getJob(backend, "late/j")).state, "failed");
});

conformance(
  `claim() reports a job it failed as abandoned more than ${MAX_STALLS} times`,
  async (ctx) => {
    const backend = await ctx.open();
    await putJob(backend, "poison", { id: "j", handler: "x" });
    for (let i = 0; i <= MAX_STALLS; i++) {
      // Workers that vanish (as after SIGKILL): each claim waits for the last one's lease to end.
      const { job } = await claimJob(backend.queue, "poison", { worker: `ghost${i}`, leaseMs: 1 });
      assert.equal(job?.id, "j", `claim ${i}`);
      await past(backend, await backend.now() + 1);
    }
    assert.deepEqual(await claimJob(backend.queue, "poison", { worker: "w", leaseMs: 60_000 }), {
      failed: [{
        id: "j",
        attempt: MAX_STALLS + 1,
        error: `abandoned ${MAX_STALLS + 1} times by workers that stopped answering`,
      }],
    });
  },
);
