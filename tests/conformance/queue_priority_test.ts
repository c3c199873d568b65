/** Job priorities (`put --priority N`), library and CLI, on every backend. */

import { claimJob } from "../../lib/queue/claim_job.ts";
import assert from "node:assert/strict";
import { getJob, putJob } from "../../lib/queue/queue.ts";
import { putFlow } from "../../lib/queue/flow.ts";
import type { Backend } from "../../lib/backend/types.ts";
import { conformance, envOf } from "../support/backends.ts";
import { runCoord, spawnCoord } from "../support/cli.ts";
import { tempDir } from "../support/temp.ts";
import { until } from "../support/wait.ts";

/** The id of the job the next claim hands out (then finished, so it is out of the way). */
async function claimNext(backend: Backend, queue: string): Promise<string | undefined> {
  const { job } = await claimJob(backend.queue, queue, { worker: "w", leaseMs: 60_000 });
  if (!job) return undefined;
  await backend.queue.finish(queue, {
    id: job.id,
    worker: "w",
    attempt: job.attempts,
    outcome: "completed",
    result: null,
  });
  return job.id;
}

conformance("3 workers take jobs by priority, higher first, FIFO within one", async (ctx) => {
  const env = envOf(ctx);
  const priorities = [0, 5, -2, 10, 5, 0, 10, -2, 5, 0];
  const jobs = Array.from({ length: 30 }, (_, i) => ({
    id: `p${String(i).padStart(2, "0")}`,
    priority: priorities[i % priorities.length],
  }));
  const lines = jobs.map(({ id, priority }) =>
    JSON.stringify({ id, command: ["true"], ...(priority !== 0 && { priority }) })
  );
  const put = await runCoord(["queue", "put", "prio", "--from", "-"], {
    env,
    stdin: lines.join("\n"),
  });
  assert.equal(put.code, 0, put.stderr);
  const workers = Array.from(
    { length: 3 },
    () =>
      spawnCoord(["queue", "work", "prio", "--allow-commands", "--concurrency", "1", "--drain"], {
        env,
      }),
  );
  for (const worker of workers) {
    await using w = worker;
    const { code, stderr } = await w.result;
    assert.equal(code, 0, stderr);
  }
  const backend = await ctx.open();
  const started = await Promise.all(
    jobs.map(async (job) => ({ ...job, at: (await getJob(backend, `prio/${job.id}`)).startedAt! })),
  );
  // A job is claimed only once every job before it in the run order has been: with the
  // backend's clock, none starts later than a job after it.
  const order = [...started].sort((a, b) => b.priority - a.priority || a.id.localeCompare(b.id));
  for (let i = 1; i < order.length; i++) {
    assert.ok(
      order[i - 1].at <= order[i].at,
      `${order[i - 1].id} (priority ${order[i - 1].priority}) started after ${order[i].id} ` +
        `(priority ${order[i].priority})`,
    );
  }
  const show = await runCoord(["queue", "show", "prio/p03", "--json"], { env });
  assert.equal(JSON.parse(show.stdout).priority, 10);
  // Postgres claims run side by side (SKIP LOCKED): each reads its start time before it takes a
  // job, so two workers' start times need not follow the order they took jobs in.
}, { skip: ["postgres"] });

conformance("a delayed job joins its priority when it is due", async (ctx) => {
  const backend = await ctx.open();
  const { job: late } = await putJob(backend, "q", {
    id: "late",
    handler: "h",
    delayMs: 1_000,
    priority: 5,
  });
  for (const id of ["a1", "a2", "a3"]) await putJob(backend, "q", { id, handler: "h" });
  const claimed = [await claimNext(backend, "q")];
  // A machine too busy to get here within the delay claims the job that is due by then.
  const tooSlow = await backend.now() >= late.readyAt && claimed[0] === "late";
  await until(async () => await backend.now() >= late.readyAt, { what: "the delayed job's start" });
  for (let id; (id = await claimNext(backend, "q")) !== undefined;) claimed.push(id);
  assert.deepEqual(claimed, tooSlow ? ["late", "a1", "a2", "a3"] : ["a1", "late", "a2", "a3"]);
});

conformance("a flow's parts have their group's priority", async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "q", { id: "plain", handler: "h" });
  await putFlow(backend, "q", {
    parallel: [{ handler: "a" }, { parallel: [{ handler: "b" }], priority: 7 }],
  }, { id: "f", priority: 3 });
  const claimed = [];
  for (let id; (id = await claimNext(backend, "q")) !== undefined;) claimed.push(id);
  assert.deepEqual(claimed, ["f.1.0", "f.0", "plain"]);
  assert.equal((await getJob(backend, "q/f.0")).priority, 3);
});

conformance("a job put back to pending keeps its priority", async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "q", { id: "b-high", handler: "h", priority: 2 });
  const { job } = await claimJob(backend.queue, "q", { worker: "w", leaseMs: 60_000 });
  assert.equal(job?.id, "b-high");
  await putJob(backend, "q", { id: "a-low", handler: "h" });
  // Cut short by its worker's stop: back to pending, and ahead of the job put meanwhile.
  await backend.queue.finish("q", { id: "b-high", worker: "w", attempt: 1, outcome: "release" });
  assert.equal(await claimNext(backend, "q"), "b-high");
  assert.equal(await claimNext(backend, "q"), "a-low");
});

conformance(
  "--priority that is not a whole number within ±1000 exits 64, storing nothing",
  async (ctx) => {
    const env = envOf(ctx);
    await using temp = await tempDir("coord-test-");
    const flowFile = `${temp.path}/flow.json`;
    await Deno.writeTextFile(
      flowFile,
      JSON.stringify({ parallel: [{ handler: "a" }], priority: "high" }),
    );
    for (
      const args of [
        ["put", "bad", "--handler", "h", "--priority", "1.5"],
        ["put", "bad", "--handler", "h", "--priority", "x"],
        ["put", "bad", "--handler", "h", "--priority", "1001"],
        ["put", "bad", "--handler", "h", "--priority", ""],
        ["flow", "bad", flowFile],
        ["flow", "bad", flowFile.replace("flow.json", "none.json"), "--priority", "-5000"],
      ]
    ) {
      const result = await runCoord(["queue", ...args], { env });
      assert.equal(result.code, 64, `${args.join(" ")}: ${result.stderr}`);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    }
    const bulk = await runCoord(["queue", "put", "bad", "--from", "-"], {
      env,
      stdin: '{"handler": "h"}\n{"handler": "h", "priority": 2.5}\n',
    });
    assert.equal(bulk.code, 64, bulk.stderr);
    assert.match(bulk.stderr, /stdin:2: .*priority/);
    // Nothing stored: not even the queue.
    const status = await runCoord(["queue", "status", "bad", "--json"], { env });
    assert.equal(status.stdout, "");
    assert.match(status.stderr, /No such queue/);
  },
);
