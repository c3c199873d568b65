/** A running job's progress (`ctx.progress`, `::progress` lines), library and CLI, on every backend. */

import { claimJob } from "../../lib/queue/claim_job.ts";
import assert from "node:assert/strict";
import { getJob, putJob } from "../../lib/queue/queue.ts";
import { work } from "../../lib/queue/worker.ts";
import { PROGRESS_INTERVAL_MS } from "../../lib/queue/progress.ts";
import type { Backend } from "../../lib/backend/types.ts";
import { conformance, envOf } from "../support/backends.ts";
import { runCoord } from "../support/cli.ts";
import { until } from "../support/wait.ts";
import { countWorkerCalls } from "../support/worker_calls.ts";

/** Counts the backend's progress writes (each still goes to the backend). */
function countProgressWrites(backend: Backend): { n: number } {
  const count = { n: 0 };
  const steps = backend.queue;
  const write = steps.progress.bind(steps);
  steps.progress = (queue, request) => {
    count.n++;
    return write(queue, request);
  };
  return count;
}

conformance(
  "a handler's progress is written at most every 250 ms, the latest value",
  async (ctx) => {
    const backend = await ctx.open();
    const writes = countProgressWrites(backend);
    await putJob(backend, "p", { id: "1", handler: "chatty" });
    let elapsedMs = 0;
    await work(backend, ["p"], {
      drain: true,
      handlers: {
        chatty: async (_, job) => {
          const started = performance.now();
          for (let done = 1; done <= 100; done++) {
            job.progress({ done, of: 100 });
            await new Promise((r) => setTimeout(r, 5));
          }
          elapsedMs = performance.now() - started;
        },
      },
    });
    const job = await getJob(backend, "p/1");
    assert.equal(job.state, "completed");
    assert.deepEqual(job.progress, { done: 100, of: 100 });
    // The first report goes at once, then one a period, and the last one at the end.
    assert.ok(
      writes.n <= Math.ceil(elapsedMs / PROGRESS_INTERVAL_MS) + 2,
      `${writes.n} writes in ${elapsedMs.toFixed(0)} ms`,
    );
    assert.ok(writes.n >= 2, `${writes.n} writes`);
  },
);

conformance("the last progress reported is stored before the job finishes", async (ctx) => {
  const backend = await ctx.open();
  const observer = await ctx.open();
  await putJob(backend, "p", { id: "1", handler: "quick" });
  await work(backend, ["p"], {
    drain: true,
    handlers: {
      quick: async (_, job) => {
        job.progress("starting");
        await until(async () => (await getJob(observer, "p/1")).progress === "starting", {
          what: "the first progress write",
        });
        // Within the throttle's period of the first write: held back, then written at the end.
        job.progress({ done: 2 });
        job.progress({ done: 3 });
        return "ok";
      },
    },
  });
  const job = await getJob(backend, "p/1");
  assert.deepEqual([job.state, job.progress], ["completed", { done: 3 }]);
});

conformance(
  "a run that lost its job cannot overwrite the progress of the run that has it",
  async (ctx) => {
    const backend = await ctx.open();
    await putJob(backend, "p", { id: "1", handler: "h" });
    const first = await claimJob(backend.queue, "p", { worker: "w1", leaseMs: 60_000 });
    const attempt1 = { id: "1", worker: "w1", attempt: first.job!.attempts };
    assert.equal(await backend.queue.progress("p", { ...attempt1, progress: '{"run":1}' }), true);
    // The first run is cut short; the job is taken again by another worker.
    assert.equal(await backend.queue.finish("p", { ...attempt1, outcome: "release" }), true);
    const second = await claimJob(backend.queue, "p", { worker: "w2", leaseMs: 60_000 });
    const attempt2 = { id: "1", worker: "w2", attempt: second.job!.attempts };
    assert.equal(await backend.queue.progress("p", { ...attempt2, progress: '{"run":2}' }), true);
    assert.equal(
      await backend.queue.progress("p", { ...attempt1, progress: '{"run":1.5}' }),
      false,
    );
    assert.deepEqual((await getJob(backend, "p/1")).progress, { run: 2 });
    await backend.queue.finish("p", { ...attempt2, outcome: "completed", result: null });
    assert.equal(await backend.queue.progress("p", { ...attempt2, progress: '{"late":1}' }), false);
    assert.deepEqual((await getJob(backend, "p/1")).progress, { run: 2 });
  },
);

conformance(
  "a command's ::progress lines are its progress, kept out of its error; show and list print it",
  async (ctx) => {
    const env = envOf(ctx);
    const script = `echo '::progress {"done":1}' >&2; echo '::progress {"done":2,"of":2}' >&2; ` +
      `echo '::progress not json' >&2; echo oops >&2; exit 3`;
    const put = await runCoord(["queue", "put", "cmd", "--id", "1", "--", "sh", "-c", script], {
      env,
    });
    assert.equal(put.code, 0, put.stderr);
    const worker = await runCoord(["queue", "work", "cmd", "--allow-commands", "--drain"], { env });
    assert.equal(worker.code, 0, worker.stderr);
    const show = await runCoord(["queue", "show", "cmd/1", "--json"], { env });
    const job = JSON.parse(show.stdout);
    assert.equal(job.state, "failed");
    assert.deepEqual(job.progress, { done: 2, of: 2 });
    assert.match(job.error, /::progress not json\noops|::progress not json oops/);
    assert.doesNotMatch(job.error, /done/);
    const text = await runCoord(["queue", "show", "cmd/1"], { env });
    assert.match(text.stdout, /^progress +\{"done":2,"of":2\}$/m);
    const list = await runCoord(["queue", "list", "cmd"], { env });
    assert.match(list.stdout, /^JOB .* PROGRESS .*\ncmd\/1 .* \{"done":2,"of":2\} .*oops/m);
    const listJson = await runCoord(["queue", "list", "cmd", "--json"], { env });
    assert.deepEqual(JSON.parse(listJson.stdout.split("\n")[0]).progress, { done: 2, of: 2 });
  },
);

// Redis told a job's progress to every watcher of its queue: a draining worker (which hears a
// queue's news, to see it left with nothing running) looked again at each report.
conformance(
  "a draining worker does not look again at each progress report of its job",
  async (ctx) => {
    const backend = await ctx.open();
    const observer = await ctx.open();
    await putJob(backend, "reports", { id: "1", handler: "report" });
    const calls = await countWorkerCalls(backend, "reports");
    const REPORTS = 6;
    const startedAt = performance.now();
    await work(backend, ["reports"], {
      drain: true,
      concurrency: 2,
      handlers: {
        report: async (_, job) => {
          for (let i = 1; i <= REPORTS; i++) {
            job.progress(i);
            await until(async () => (await getJob(observer, "reports/1")).progress === i, {
              what: `progress ${i} stored`,
            });
          }
        },
      },
    });
    const elapsedMs = performance.now() - startedAt;
    // The claim that took the job and the call that recorded its end, a look every 2 s, and one
    // for the put's own news, which on a busy machine may reach the worker after its claim (4
    // calls in 1.3 s once on PostgreSQL): a look again at each report would be 6 more.
    const most = 3 + Math.ceil(elapsedMs / 2_000);
    assert.ok(
      calls.n <= most,
      `${calls.n} calls for ${REPORTS} reports in ${Math.round(elapsedMs)} ms`,
    );
  },
);

conformance(
  "a handler's progress or result over 1 MiB as JSON is refused, as a job is, and not stored",
  async (ctx) => {
    const backend = await ctx.open();
    const big = "x".repeat(1_048_576);
    // Not retried: the handler would return as much again.
    await putJob(backend, "huge", { id: "result", handler: "returns", retries: 2, backoffMs: 0 });
    await putJob(backend, "huge", { id: "progress", handler: "reports" });
    let refused: unknown;
    await work(backend, ["huge"], {
      drain: true,
      handlers: {
        returns: () => big,
        reports: (_, job) => {
          job.progress({ done: 1 });
          try {
            job.progress(big);
          } catch (e) {
            refused = e;
          }
          return "ok";
        },
      },
    });
    const result = await getJob(backend, "huge/result");
    assert.equal(result.state, "failed");
    assert.match(result.error ?? "", /^the result is 1048578 bytes as JSON, over the 1 MiB/);
    assert.equal(result.result, undefined);
    assert.equal(result.attempts, 1);
    assert.ok(refused instanceof RangeError, String(refused));
    assert.match(refused.message, /^the progress value is 1048578 bytes as JSON, over the 1 MiB/);
    const progress = await getJob(backend, "huge/progress");
    assert.deepEqual([progress.state, progress.progress], ["completed", { done: 1 }]);
  },
);
