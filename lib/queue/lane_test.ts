import assert from "node:assert/strict";
import { connect } from "../backend/connect.ts";
import type { Backend } from "../backend/types.ts";
import { QueueLane } from "./lane.ts";
import type { FinishAndClaim, QueueSteps } from "./steps.ts";
import { getJob, putJob } from "./queue.ts";

Deno.test("a lane records ends and starts what it took though a caller's onRecorded throws", async () => {
  await using backend = await connect({ url: "sqlite::memory:" });
  for (const id of ["a", "b"]) await putJob(backend, "q", { id, handler: "h" });
  const taken: string[] = [];
  const lane = new QueueLane({
    steps: backend.queue,
    queue: "q",
    worker: "w",
    leaseMs: 30_000,
    claims: () => 1,
    taken: (result) => {
      taken.push(...result.jobs.map((job) => job.id));
      return Promise.resolve();
    },
    onError: (e) => {
      throw e;
    },
    onAnswered: () => {},
    holding: () => [],
  });
  const { jobs: [first] } = await lane.take();
  assert.equal(first.id, "a");
  const recorded = lane.finish(
    { id: "a", worker: "w", attempt: first.attempts, outcome: "completed", result: null },
    () => {
      throw new Error("a logger's fault");
    },
  );
  // Before, the throw left the lane's loop: the end never settled, and the job its call took
  // was never started (an unhandled rejection ended the process).
  assert.equal(await recorded, true);
  await lane.idle();
  assert.deepEqual(taken, ["a", "b"]);
});

/**
 * A lane of worker "w" on queue "q" of `backend`, taking `claims` jobs a call, whose calls run
 * the step and lose its answer (as a dropped connection would) while `lose()` says so; `sent`
 * gets every request.
 */
function losingLane(
  backend: Backend,
  { claims, lose, sent = [], errors = [] }: {
    claims: number;
    lose: () => boolean;
    sent?: FinishAndClaim[];
    errors?: unknown[];
  },
): QueueLane {
  const steps: QueueSteps = Object.create(backend.queue, {
    finishAndClaim: {
      value: async (queue: string, request: FinishAndClaim) => {
        sent.push(request);
        const result = await backend.queue.finishAndClaim(queue, request);
        if (lose()) throw new Error("connection closed");
        return result;
      },
    },
  });
  return new QueueLane({
    steps,
    queue: "q",
    worker: "w",
    leaseMs: 60_000,
    claims: () => claims,
    taken: () => Promise.resolve(),
    onError: (e) => errors.push(e),
    onAnswered: () => {},
    holding: () => [],
  });
}

Deno.test("a lane whose call's answer was lost says what it runs, and gets the jobs that call took", async () => {
  await using backend = await connect({ url: "sqlite::memory:" });
  for (const id of ["a", "b"]) await putJob(backend, "q", { id, handler: "h" });
  const sent: FinishAndClaim[] = [];
  const errors: unknown[] = [];
  let lose = 1;
  const lane = losingLane(backend, { claims: 2, lose: () => lose-- > 0, sent, errors });
  await assert.rejects(lane.take(), /connection closed/);
  const { jobs } = await lane.take();
  assert.deepEqual(
    jobs.map((job) => [job.id, job.attempts, job.stalls]),
    [["a", 2, 0], ["b", 2, 0]],
  );
  assert.deepEqual(sent.map((r) => r.holding), [undefined, []]);
  // Once answered, calls say it no more.
  await lane.take();
  assert.equal(sent[2].holding, undefined);
  assert.equal(errors.length, 1);
});

Deno.test("a lane still unsure when its worker stops hands back what the lost call took", async () => {
  await using backend = await connect({ url: "sqlite::memory:" });
  await putJob(backend, "q", { id: "a", handler: "h" });
  let lose = true;
  const lane = losingLane(backend, { claims: 1, lose: () => lose });
  await assert.rejects(lane.take(), /connection closed/);
  assert.equal((await getJob(backend, "q/a")).state, "active");
  lose = false;
  await lane.settle();
  const job = await getJob(backend, "q/a");
  assert.deepEqual([job.state, job.stalls], ["pending", 0]);
});
