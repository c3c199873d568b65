import assert from "node:assert/strict";
import { connect } from "../backend/connect.ts";
import { QueueLane } from "./lane.ts";
import { putJob } from "./queue.ts";

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
