/**
 * A queue's totals on Redis (a hash of counts the steps add to with HINCRBY) holding a value
 * another program wrote: refused as foreign data before the step writes anything — a failing
 * HINCRBY stopped the step half done (a script is not undone), and a job cancelled that way was
 * out of the run order yet still pending, lost.
 */

import assert from "node:assert/strict";
import type { FinishAndClaim, JobSpec } from "../lib/queue/steps.ts";
import { ForeignDataError } from "../lib/errors.ts";
import { cancelJob, getJob } from "../lib/queue/queue.ts";
import { configureQueue } from "../lib/queue/retention.ts";
import { runCoord } from "./support/cli.ts";
import { storedJobs } from "./support/queue.ts";
import { onRedis } from "./support/backends.ts";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";

const SPEC: JobSpec = { handler: "h", retries: 0, backoffMs: 0 };
const LEASE = { worker: "w", leaseMs: 60_000 };

async function setTotal(backend: RedisBackend, queue: string, field: string, value: string) {
  const key = backend.key("queue", queue, "totals");
  await backend.conn.send(key, ["HSET", key, field, value]);
}

onRedis(
  "a total that is no number refuses a cancel (65) and leaves the job in the run order",
  async (backend) => {
    const q = backend.queue;
    // "01" and "-0" look like numbers, but HINCRBY refuses them as it refuses "abc".
    for (const total of ["abc", "01", "-0"]) {
      const t = `t${total}`;
      await q.put(t, { id: "p", spec: SPEC, delayMs: 0 });
      await q.put(t, { id: "x", spec: SPEC, delayMs: 0 });
      await cancelJob(backend, `${t}/x`);
      await setTotal(backend, t, "finished", total);
      await assert.rejects(cancelJob(backend, `${t}/p`), (e: unknown) => {
        assert.ok(e instanceof ForeignDataError, String(e));
        assert.ok(e.message.includes(`totals has finished "${total}"`), e.message);
        return true;
      });
      // Status names it too, rather than counting NaN.
      await assert.rejects(q.counts(t), ForeignDataError);
      await setTotal(backend, t, "finished", "1");
      assert.equal((await getJob(backend, `${t}/p`)).state, "pending");
      const { jobs } = await q.finishAndClaim(t, { finishes: [], ...LEASE, claims: 1 });
      assert.deepEqual(jobs.map((job) => job.id), ["p"]);
    }
  },
);

onRedis(
  "a total that is no number refuses a run's end, which stays the worker's to record",
  async (backend) => {
    const q = backend.queue;
    await q.put("r", { id: "a", spec: SPEC, delayMs: 0 });
    const [a] = (await q.finishAndClaim("r", { finishes: [], ...LEASE, claims: 1 })).jobs;
    await setTotal(backend, "r", "completed", "1.5");
    const end: FinishAndClaim = {
      finishes: [{ id: a.id, worker: "w", attempt: a.attempts, outcome: "completed", result: 7 }],
      ...LEASE,
      claims: 0,
    };
    await assert.rejects(q.finishAndClaim("r", end), ForeignDataError);
    assert.equal((await q.get("r", "a"))?.state, "active");
    await setTotal(backend, "r", "completed", "0");
    assert.deepEqual((await q.finishAndClaim("r", end)).recorded, [true]);
    assert.equal((await q.get("r", "a"))?.result, 7);
    assert.equal((await q.counts("r")).completed, 1);
  },
);

onRedis(
  "pause of two queues, one's totals another program's, pauses neither (65)",
  async (backend) => {
    for (const queue of ["good", "alien"]) {
      await backend.queue.put(queue, { spec: SPEC, delayMs: 0 });
    }
    await setTotal(backend, "alien", "finished", "01");
    const flags = ["--url", backend.displayUrl, "--namespace", backend.namespace];
    const r = await runCoord(["queue", "pause", "good", "alien", ...flags]);
    assert.equal(r.code, 65, r.stderr);
    assert.ok(r.stderr.includes("none of the 2 queues was paused"), r.stderr);
    assert.equal((await configureQueue(backend, "good")).paused, false);
  },
);

onRedis(
  "put, a bulk put and a flow alike refuse a queue whose totals another program wrote (65), writing nothing",
  async (backend) => {
    const q = backend.queue;
    await q.put("p", { id: "a", spec: SPEC, delayMs: 0 });
    await setTotal(backend, "p", "completed", "x");
    const puts: [string, () => Promise<unknown>][] = [
      ["put", () => q.put("p", { spec: SPEC, delayMs: 0 })],
      ["put of an id taken", () => q.put("p", { id: "a", spec: SPEC, delayMs: 0 })],
      ["putMany", () => q.putMany("p", [{ spec: SPEC, delayMs: 0 }])],
      ["putMany of an id taken", () => q.putMany("p", [{ id: "a", spec: SPEC, delayMs: 0 }])],
      ["putFlow", () => q.putFlow("p", [{ id: "f", spec: SPEC, released: true }])],
      ["putFlow of an id taken", () => q.putFlow("p", [{ id: "a", spec: SPEC, released: true }])],
    ];
    for (const [what, put] of puts) {
      await assert.rejects(put(), (e: unknown) => {
        assert.ok(e instanceof ForeignDataError, `${what}: ${e}`);
        assert.ok(e.message.includes('totals has completed "x"'), `${what}: ${e.message}`);
        return true;
      });
    }
    assert.equal(await storedJobs(backend, "p"), 1);
  },
);
