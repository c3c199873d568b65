/**
 * The check both queue upgrade tests end with: on a database an earlier coord made (holding a
 * job "q/old"), the queue's newer features work and the old job runs beside a new one.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Backend } from "../../lib/backend/types.ts";
import { getJob, putJob } from "../../lib/queue/queue.ts";
import { configureQueue } from "../../lib/queue/retention.ts";
import { work } from "../../lib/queue/worker.ts";

/** Puts "q/new" with a priority, a group and its own retention, and runs it beside "q/old". */
export async function runsOldAndNewJobs(backend: Backend): Promise<void> {
  await configureQueue(backend, "q", { groupLimit: 1 });
  await putJob(backend, "q", { id: "new", handler: "h", priority: 1, group: "g", keep: {} });
  await work(backend, ["q"], { handlers: { h: (_, ctx) => ctx.progress(1) }, drain: true });
  for (const id of ["old", "new"]) {
    const job = await getJob(backend, `q/${id}`);
    assert.deepEqual([job.state, job.progress], ["completed", 1], id);
  }
}
