/**
 * An entry of a Redis queue's list of finished jobs (`done_completed`) with no record — another
 * program's, or a record deleted behind coord's back — is no job to list, status, show and purge
 * alike: list exited 65 (`a job holds ""`, naming no job) while status counted none and purge
 * counted it as a completed job removed, which show then said it was.
 */

import assert from "node:assert/strict";
import { claimJob } from "../lib/queue/claim_job.ts";
import { putJob } from "../lib/queue/queue.ts";
import { listJobs } from "../lib/queue/list.ts";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";
import { conformance, envOf } from "./support/backends.ts";
import { runCoord } from "./support/cli.ts";

conformance(
  "a finished job's list entry with no record is passed over by list, not counted by status " +
    "nor purge, and shown as no job",
  async (ctx) => {
    const backend = await ctx.open();
    for (const id of ["a", "b", "c"]) {
      await putJob(backend, "q", { id, handler: "h" });
      const { job } = await claimJob(backend.queue, "q", { worker: "w", leaseMs: 60_000 });
      assert.ok(
        await backend.queue.finish("q", {
          id: job!.id,
          worker: "w",
          attempt: job!.attempts,
          outcome: "completed",
          result: null,
        }),
      );
    }
    const redis = backend as RedisBackend;
    const done = redis.key("queue", "q", "done_completed");
    // Newest and oldest: at the head of list's first page, and of purge's.
    await redis.conn.send(done, ["ZADD", done, "9999999999999", "new", "5", "old"]);
    // Page by page, the strays among them.
    const ids: string[] = [];
    let after: string | undefined;
    do {
      const page = await listJobs(backend, "q", { states: ["completed"], limit: 1, after });
      ids.push(...page.jobs.map(({ job }) => job.id));
      after = page.next;
    } while (after !== undefined);
    assert.deepEqual(ids, ["c", "b", "a"]);
    const env = envOf(ctx);
    const list = await runCoord(["queue", "list", "q", "--state", "completed"], { env });
    assert.equal(list.code, 0, list.stderr);
    assert.equal((await backend.queue.counts("q")).completed, 3);
    const purge = await runCoord(["queue", "purge", "q", "--state", "completed"], { env });
    assert.equal(purge.code, 0, purge.stderr);
    assert.match(purge.stdout, /removed 3 completed jobs/);
    assert.equal(await redis.conn.send(done, ["ZCARD", done]), 0, "taken off the list");
    for (const id of ["new", "old"]) {
      const show = await runCoord(["queue", "show", `q/${id}`], { env });
      assert.equal(show.code, 64, show.stderr);
      assert.match(show.stderr, new RegExp(`^coord: no job q/${id} `));
    }
  },
  { skip: ["sqlite", "postgres"] },
);
