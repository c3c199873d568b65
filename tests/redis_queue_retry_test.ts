/**
 * A Redis retry of many jobs writes nothing until it has read every one of them: a record that
 * another program wrote and that the retry cannot carry on (a history that is no list, a number
 * cjson reads but cannot write back) refuses the whole step, as a retry of that job alone did.
 * A step that failed there half done left the jobs before it both pending and failed.
 */

import assert from "node:assert/strict";
import type { JobSpec } from "../lib/queue/steps.ts";
import { ForeignDataError } from "../lib/errors.ts";
import { retryJobs } from "../lib/queue/queue.ts";
import { onRedis } from "./support/backends.ts";

const SPEC: JobSpec = { handler: "h", retries: 0, backoffMs: 0 };
const LEASE = { worker: "w", leaseMs: 60_000 };

onRedis(
  "a retry of several jobs, one of whose records cannot be carried on, refuses them all (65)",
  async (backend) => {
    const q = backend.queue;
    const plants: [string, (record: string) => string][] = [
      ["history", (record) => record.replace(/}$/, ',"history":"not coord\'s"}')],
      ["nan", (record) => record.replace(/}$/, ',"error":NaN}')],
    ];
    for (const [queue, plant] of plants) {
      for (const id of ["a", "b"]) await q.put(queue, { id, spec: SPEC, delayMs: 0 });
      const { jobs } = await q.finishAndClaim(queue, { finishes: [], claims: 2, ...LEASE });
      const finishes = jobs.map((job) => ({
        id: job.id,
        worker: LEASE.worker,
        attempt: job.attempts,
        outcome: "failed" as const,
        error: "boom",
      }));
      await q.finishAndClaim(queue, { finishes, claims: 0, ...LEASE });
      const key = backend.key("queue", queue, "jobs");
      const record = await backend.conn.send(key, ["HGET", key, "b"]) as string;
      await backend.conn.send(key, ["HSET", key, "b", plant(record)]);
      await assert.rejects(
        Array.fromAsync(retryJobs(backend, [`${queue}/a`, `${queue}/b`])),
        (e: unknown) => {
          assert.ok(e instanceof ForeignDataError, `${queue}: ${e}`);
          assert.match(e.message, /jobs has job b "/);
          return true;
        },
      );
      const counts = await q.counts(queue);
      assert.deepEqual([counts.pending, counts.failed], [0, 2], `${queue}: nothing retried`);
      const ready = backend.key("queue", queue, "ready");
      assert.equal(await backend.conn.send(ready, ["ZCARD", ready]), 0, queue);
    }
  },
);
