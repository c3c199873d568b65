/** A worker's per-job costs: its checks for cancels, in-process, on every backend. */

import assert from "node:assert/strict";
import { cancelJob, getJob, putJob, retryJob } from "../../lib/queue/queue.ts";
import { work } from "../../lib/queue/worker.ts";
import * as coord from "../../lib/mod.ts";
import { conformance } from "../support/backends.ts";
import { until } from "../support/wait.ts";

conformance(
  "every running job notices its cancel, with no interval timer of its own",
  async (ctx) => {
    const backend = await ctx.open();
    const jobs = 12;
    for (let i = 0; i < jobs; i++) await putJob(backend, "cc", { id: `j${i}`, handler: "long" });
    // A timer per running job cost a worker more than short jobs themselves. Counted while they
    // run at once: a SQLite worker's look for changes makes one anew each time it heard one.
    const live = new Set<unknown>();
    let intervals = 0;
    const timers = globalThis as unknown as Record<"setInterval" | "clearInterval", unknown>;
    const { setInterval: set, clearInterval: clear } = globalThis;
    timers.setInterval = (...args: Parameters<typeof set>) => {
      const id = set(...args);
      live.add(id);
      intervals = Math.max(intervals, live.size);
      return id;
    };
    timers.clearInterval = (id?: Parameters<typeof clear>[0]) => {
      live.delete(id);
      clear(id);
    };
    try {
      const reasons: string[] = [];
      let started = 0;
      const worker = work(backend, ["cc"], {
        concurrency: jobs,
        handlers: {
          long: (_args, { signal }) => {
            started++;
            return new Promise((_, reject) =>
              signal.addEventListener("abort", () => {
                reasons.push(String(signal.reason));
                reject(signal.reason);
              })
            );
          },
        },
        drain: true,
      });
      await until(() => started === jobs, { what: "every job running" });
      for (let i = 0; i < jobs; i++) await cancelJob(backend, `cc/j${i}`);
      assert.deepEqual(await worker, { completed: 0, failed: 0, cutShort: 0, stillRunning: 0 });
      assert.equal(reasons.length, jobs);
      for (const reason of reasons) assert.match(reason, /was cancelled/);
      assert.equal((await getJob(backend, "cc/j0")).state, "cancelled");
      // The worker's own announcer is one; the jobs' checks share a timer that is no interval.
      assert.ok(intervals < jobs, `${intervals} interval timers at once for ${jobs} jobs`);
    } finally {
      timers.setInterval = set;
      timers.clearInterval = clear;
    }
  },
);

conformance(
  "a cancelled job's signal aborts with JobCancelledError, which coord exports",
  async (ctx) => {
    const backend = await ctx.open();
    await putJob(backend, "cx", { id: "a", handler: "long" });
    let started!: () => void;
    const running = new Promise<void>((resolve) => started = resolve);
    let reason: unknown;
    const worker = work(backend, ["cx"], {
      handlers: {
        long: (_args, { signal }) => {
          started();
          return new Promise((_, reject) =>
            signal.addEventListener("abort", () => reject(reason = signal.reason))
          );
        },
      },
      drain: true,
    });
    await running;
    await cancelJob(backend, "cx/a");
    await worker;
    assert.ok(reason instanceof coord.JobCancelledError, `the reason: ${reason}`);
    assert.equal((reason as Error).name, "JobCancelledError");
  },
);

conformance(
  "a job cancelled while it runs and retried at once runs again under a higher attempt, and " +
    "the cancelled run stops",
  async (ctx) => {
    const backend = await ctx.open();
    await putJob(backend, "cr", { id: "a", handler: "long" });
    const runs: { attempt: number; reason?: unknown; finish: () => void }[] = [];
    const worker = work(backend, ["cr"], {
      concurrency: 2,
      handlers: {
        long: (_args, { attempt, signal }) =>
          new Promise((resolve, reject) => {
            const run: (typeof runs)[number] = {
              attempt,
              finish: () => resolve(`run ${runs.indexOf(run)}`),
            };
            runs.push(run);
            signal.addEventListener("abort", () => reject(run.reason = signal.reason));
          }),
      },
      drain: true,
    });
    await until(() => runs.length === 1, { what: "the first run" });
    // Back to back, as a script or the console does: the worker may take the job again before
    // its check for cancels comes round, and the run it holds then is still the first one.
    await cancelJob(backend, "cr/a");
    assert.equal((await retryJob(backend, "cr/a")).retried, true);
    await until(() => runs.length === 2, { what: "the retried job's run" });
    // COORD_ATTEMPT fences what a run writes: the cancelled run must not share the new one's.
    assert.ok(
      runs[1].attempt > runs[0].attempt,
      `attempts ${runs[0].attempt} then ${runs[1].attempt}`,
    );
    await until(() => runs[0].reason !== undefined, { what: "the cancelled run's stop" });
    assert.ok(runs[0].reason instanceof coord.JobCancelledError, `the reason: ${runs[0].reason}`);
    runs[1].finish();
    await worker;
    const job = await getJob(backend, "cr/a");
    assert.deepEqual([job.state, job.result, job.attempts], ["completed", "run 1", 2]);
  },
);
