/**
 * A flow's parts on Redis whose records another program deleted or wrote over: the steps that
 * move the flow on, or remove it, meet an id with no record coord can read. Each step is left
 * whole (a script is not undone: one that stopped on a missing record after it wrote kept half
 * its writes), and the flow still ends.
 */

import assert from "node:assert/strict";
import { claimJob } from "../lib/queue/claim_job.ts";
import { putFlow } from "../lib/queue/flow.ts";
import { queueCounts, waitForJob } from "../lib/queue/queue.ts";
import { purgeJobs } from "../lib/queue/retention.ts";
import { work } from "../lib/queue/worker.ts";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";
import { onRedis } from "./support/backends.ts";
import { overwriteJob, plantGarbageJob } from "./support/queue.ts";
import { HANG_GUARD_MS } from "./support/wait.ts";

async function deleteRecord(backend: RedisBackend, queue: string, id: string) {
  const key = backend.key("queue", queue, "jobs");
  await backend.conn.send(key, ["HDEL", key, id]);
}

onRedis(
  "a flow's waiting part whose record another program deleted joins the run order at its release, is failed by the worker that meets it, and its flow goes on",
  async (backend) => {
    const { ref } = await putFlow(backend, "gone", {
      serial: [{ handler: "one" }, { handler: "one" }, { handler: "one" }],
      continueOnFailure: true,
    }, { id: "fl" });
    await deleteRecord(backend, "gone", "fl.1");
    const result = await work(backend, ["gone"], {
      handlers: { one: () => 1 },
      drain: true,
      signal: AbortSignal.timeout(HANG_GUARD_MS),
    });
    assert.deepEqual([result.completed, result.failed], [2, 1]);
    const flow = await waitForJob(backend, ref, { timeoutMs: HANG_GUARD_MS });
    assert.deepEqual([flow.state, flow.result], ["completed", [1, null, 1]]);
    const [counts] = await queueCounts(backend, ["gone"]);
    assert.deepEqual([counts.waiting, counts.pending, counts.failed], [0, 0, 1]);
  },
);

onRedis(
  "a failed flow's part another program wrote over, left waiting or in the run order, goes with its flow's purge: no claim meets it, no count keeps it",
  async (backend) => {
    const q = backend.queue;
    // s.1 waits for s.0; p.1 is in the run order beside p.0.
    await putFlow(backend, "left", { serial: [{ handler: "one" }, { handler: "one" }] }, {
      id: "s",
    });
    await putFlow(backend, "left", { parallel: [{ handler: "one" }, { handler: "one" }] }, {
      id: "p",
    });
    for (const id of ["s.1", "p.1"]) {
      await overwriteJob(backend, "left", id, "state", "not coord's");
    }
    // In either order: two flows put in one millisecond run by their ids, p.0 first.
    const firsts = new Set(["s.0", "p.0"]);
    for (let i = 0; i < 2; i++) {
      const { job } = await claimJob(q, "left", { worker: "w", leaseMs: 60_000 });
      assert.ok(job && firsts.delete(job.id), `${job?.id} is a flow's first part, claimed once`);
      const end = { id: job.id, worker: "w", attempt: 1, outcome: "failed" as const, error: "no" };
      assert.equal(await q.finish("left", end), true);
    }
    assert.equal(await purgeJobs(backend, "left", { state: "failed" }), 2);
    const claim = await claimJob(q, "left", { worker: "w", leaseMs: 60_000 });
    assert.deepEqual([claim.job, claim.undecodable], [undefined, undefined]);
    const [counts] = await queueCounts(backend, ["left"]);
    assert.deepEqual([counts.waiting, counts.pending, counts.failed], [0, 0, 0]);
  },
);

onRedis(
  "a fail of an id with no record, neither in the run order nor running, creates no job",
  async (backend) => {
    // The digest of a job none of whose parts is stored, as a claim would hand it out.
    const absent = await backend.conn.send(undefined, [
      "EVAL",
      "return redis.sha1hex(cjson.encode({ false, false, false }))",
      "0",
    ]) as string;
    for (const fingerprint of [absent, undefined]) {
      const failed = await backend.queue.failUndecodable("none", {
        id: "never-put",
        error: "cannot be read",
        ...(fingerprint && { fingerprint }),
      });
      assert.equal(failed, false);
    }
    assert.equal(await backend.queue.get("none", "never-put"), undefined);
  },
);

onRedis(
  "a job a worker's claim took but could not read is failed by that worker only while the attempt it took is still its own",
  async (backend) => {
    const steps = backend.queue;
    // Readable enough to be taken on Redis (its spec is read after), not to be run.
    await plantGarbageJob(backend, "taken", "x", "spec");
    const lease = { worker: "w1", leaseMs: 60_000 };
    const r = await steps.finishAndClaim("taken", { finishes: [], ...lease, claims: 1 });
    const [met] = r.undecodable!;
    assert.equal(met.attempt, 1);
    const error = "cannot be read";
    // Another worker's, or an attempt since (the first worker frozen past its lease): left.
    assert.equal(await steps.failUndecodable("taken", { ...met, error, worker: "w2" }), false);
    assert.equal(
      await steps.failUndecodable("taken", { ...met, error, worker: "w1", attempt: 2 }),
      false,
    );
    const counted = async () => {
      const { active, failed } = await steps.counts("taken");
      return { active, failed };
    };
    assert.deepEqual(await counted(), { active: 1, failed: 0 });
    assert.equal(await steps.failUndecodable("taken", { ...met, error, worker: "w1" }), true);
    assert.deepEqual(await counted(), { active: 0, failed: 1 });
  },
);
