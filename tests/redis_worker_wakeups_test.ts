/**
 * What wakes a Redis worker at rest: a job's progress and a run's end that leaves its queue with
 * nothing running are news for the job's waiters (`told` in `includes/keys.lua`), which wake
 * them and not the worker, which would call only to find nothing.
 */

import assert from "node:assert/strict";
import { getJob, putJob, waitForJob } from "../lib/queue/queue.ts";
import { work } from "../lib/queue/worker.ts";
import { onRedis } from "./support/backends.ts";
import { until } from "./support/wait.ts";
import { countWorkerCalls } from "./support/worker_calls.ts";

onRedis(
  "a worker at rest calls once to take a job and once to record its end, not for its progress",
  async (backend) => {
    const calls = await countWorkerCalls(backend);
    const stop = new AbortController();
    let release = () => {};
    const worker = work(backend, ["news"], {
      concurrency: 5,
      signal: stop.signal,
      handlers: {
        h: (_args, { progress }) => {
          progress({ done: 1 });
          return new Promise<void>((resolve) => (release = resolve));
        },
      },
    });
    await until(() => calls.n > 0, { what: "the first look" });
    const before = calls.n;
    const startedAt = performance.now();
    const JOBS = 5;
    for (let i = 0; i < JOBS; i++) {
      const { ref } = await putJob(backend, "news", { id: `j${i}`, handler: "h" });
      // The progress is stored, and told, while the job runs; its waiter hears of its end.
      await until(async () => (await getJob(backend, ref)).progress !== undefined, {
        what: `job ${i}'s progress`,
      });
      const ended = waitForJob(backend, ref, { timeoutMs: 60_000 });
      release();
      assert.equal((await ended).state, "completed");
    }
    const made = calls.n - before;
    const elapsedMs = performance.now() - startedAt;
    stop.abort();
    await worker;
    // Every queue is looked at every 2 s besides. The progress and the end each cost a look
    // more before.
    const most = 2 * JOBS + Math.ceil(elapsedMs / 2_000);
    assert.ok(made <= most, `${made} calls for ${JOBS} jobs in ${Math.round(elapsedMs)} ms`);
  },
);
