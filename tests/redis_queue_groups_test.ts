/**
 * A --group's counts on Redis (a hash of running and ready jobs per group, added to with
 * HINCRBY) holding a value another program wrote: refused as foreign data before the step writes
 * anything. A failing HINCRBY stopped the step half done (a script is not undone): a cancelled
 * job out of the run order yet pending, a put job in it without its record, a worker's claim
 * failing as a bug on every try.
 */

import assert from "node:assert/strict";
import type { FinishAndClaim, JobSpec } from "../lib/queue/steps.ts";
import { ForeignDataError } from "../lib/errors.ts";
import { cancelJob, getJob } from "../lib/queue/queue.ts";
import { configureQueue } from "../lib/queue/retention.ts";
import { QUEUE_KEY_TYPES } from "../lib/backend/redis/queue.ts";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";
import { onRedis } from "./support/backends.ts";
import { assertPlantRefused } from "./support/redis_plant.ts";
import { tempDir } from "./support/temp.ts";

const SPEC: JobSpec = { handler: "h", retries: 0, backoffMs: 0 };
const LEASE = { worker: "w", leaseMs: 60_000 };
const CLAIM: FinishAndClaim = { finishes: [], ...LEASE, claims: 1 };

async function setCount(backend: RedisBackend, queue: string, field: string, value: string) {
  const key = backend.key("queue", queue, "groups");
  await backend.conn.send(key, ["HSET", key, field, value]);
}

function refusedFor(field: string, value: string) {
  return (e: unknown) => {
    assert.ok(e instanceof ForeignDataError, String(e));
    assert.ok(e.message.includes(`groups has ${field} "${value}"`), e.message);
    return true;
  };
}

onRedis(
  "a group's count that is no number refuses cancel, put, put --from, promote, retry and a limit (65), changing no key",
  async (backend) => {
    const q = backend.queue;
    await q.put("q", { id: "a", spec: SPEC, delayMs: 0, groupKey: "g" });
    await q.put("q", { id: "s", spec: SPEC, delayMs: 3_600_000, groupKey: "g" });
    await q.put("q", { id: "c", spec: SPEC, delayMs: 0, groupKey: "g" });
    await cancelJob(backend, "q/c");
    await using dir = await tempDir("coord-groups-");
    const file = `${dir.path}/jobs.jsonl`;
    await Deno.writeTextFile(file, '{"handler":"h","group":"g"}\n');
    const flags = ["--url", backend.displayUrl, "--namespace", backend.namespace];
    await assertPlantRefused({
      url: backend.displayUrl,
      namespace: backend.namespace,
      instance: ["queue", "q"],
      parts: Object.keys(QUEUE_KEY_TYPES),
      plant: [["HSET", "groups", "ready:g", "abc"]],
      refusing: [
        ["queue", "cancel", "q/a", ...flags],
        ["queue", "put", "q", "--handler", "h", "--group", "g", ...flags],
        ["queue", "put", "q", "--from", file, ...flags],
        ["queue", "promote", "q/s", ...flags],
        ["queue", "retry", "q/c", ...flags],
        ["queue", "config", "q", "--group-limit", "2", ...flags],
      ],
    });
  },
);

onRedis(
  "a group's count written as coord never does (01, 0, -1, 1.5) refuses a cancel, which leaves the job to run",
  async (backend) => {
    for (const [i, value] of ["01", "0", "-1", "1.5"].entries()) {
      const queue = `q${i}`;
      await backend.queue.put(queue, { id: "a", spec: SPEC, delayMs: 0, groupKey: "g" });
      await setCount(backend, queue, "ready:g", value);
      await assert.rejects(cancelJob(backend, `${queue}/a`), refusedFor("ready:g", value));
      await setCount(backend, queue, "ready:g", "1");
      assert.equal((await getJob(backend, `${queue}/a`)).state, "pending");
      const { jobs } = await backend.queue.finishAndClaim(queue, CLAIM);
      assert.deepEqual(jobs.map((job) => job.id), ["a"]);
    }
  },
);

onRedis(
  "a claim whose next job's group count is no number refuses before it writes: the run's end it carries stays the worker's to record",
  async (backend) => {
    const q = backend.queue;
    await q.put("r", { id: "p", spec: SPEC, delayMs: 0 });
    const [p] = (await q.finishAndClaim("r", CLAIM)).jobs;
    await q.put("r", { id: "x", spec: SPEC, delayMs: 0, groupKey: "g" });
    await setCount(backend, "r", "ready:g", "1.5");
    const step: FinishAndClaim = {
      ...CLAIM,
      finishes: [{ id: p.id, worker: "w", attempt: p.attempts, outcome: "completed", result: 7 }],
    };
    await assert.rejects(q.finishAndClaim("r", step), refusedFor("ready:g", "1.5"));
    assert.equal((await q.get("r", "p"))?.state, "active");
    await setCount(backend, "r", "ready:g", "1");
    const done = await q.finishAndClaim("r", step);
    assert.deepEqual(done.recorded, [true]);
    assert.deepEqual(done.jobs.map((job) => job.id), ["x"]);
  },
);

onRedis(
  "taking that meets a group's foreign count after it wrote stops there, whole, and the next claim refuses",
  async (backend) => {
    const q = backend.queue;
    // a0 runs; a joins the run order beside it; the limit lowered to 1 then parks a again when
    // taking reaches it (a write), and x, of another group, comes next in the run order.
    await q.put("t", { id: "a0", spec: SPEC, delayMs: 0, groupKey: "g" });
    assert.equal((await q.finishAndClaim("t", CLAIM)).jobs.length, 1);
    await q.put("t", { id: "a", spec: SPEC, delayMs: 0, groupKey: "g" });
    await configureQueue(backend, "t", { groupLimit: 1 });
    await q.put("t", { id: "x", spec: SPEC, delayMs: 0, groupKey: "h" });
    await setCount(backend, "t", "ready:h", "abc");
    const stopped = await q.finishAndClaim("t", CLAIM);
    assert.deepEqual(stopped.jobs, []);
    // Asked to call again at once: the next step reads x's group before it writes.
    assert.equal(stopped.nextReadyAt, stopped.now);
    await assert.rejects(q.finishAndClaim("t", CLAIM), refusedFor("ready:h", "abc"));
    const key = backend.key("queue", "t", "groups");
    assert.deepEqual(
      await backend.conn.send(key, ["HGETALL", key]),
      { "active:g": "1", "running:a0": "g", "ready:h": "abc" },
    );
    await setCount(backend, "t", "ready:h", "1");
    assert.deepEqual((await q.finishAndClaim("t", CLAIM)).jobs.map((job) => job.id), ["x"]);
    assert.equal((await q.get("t", "a"))?.state, "pending");
  },
);

onRedis(
  "a later job's group count that is no number refuses a retry or promote of several jobs before it changes any (65)",
  async (backend) => {
    const q = backend.queue;
    // Of each pair, the first job's group is coord's and the second's is another program's.
    for (const [id, group] of [["a", "g"], ["b", "h"]]) {
      await q.put("q", { id, spec: SPEC, delayMs: 0, groupKey: group });
      await cancelJob(backend, `q/${id}`);
    }
    for (const [id, group] of [["s1", "g"], ["s2", "h"]]) {
      await q.put("q", { id, spec: SPEC, delayMs: 3_600_000, groupKey: group });
    }
    const flags = ["--url", backend.displayUrl, "--namespace", backend.namespace];
    await assertPlantRefused({
      url: backend.displayUrl,
      namespace: backend.namespace,
      instance: ["queue", "q"],
      parts: Object.keys(QUEUE_KEY_TYPES),
      plant: [["HSET", "groups", "ready:h", "abc"]],
      refusing: [
        ["queue", "retry", "q/a", "q/b", ...flags],
        ["queue", "retry", "q", "--failed", "--all", ...flags],
        ["queue", "promote", "q/s1", "q/s2", ...flags],
      ],
    });
  },
);

onRedis(
  "a group's job in ready whose record another program wrote over, once failed, frees its place: the group's others run up to its limit",
  async (backend) => {
    const q = backend.queue;
    await configureQueue(backend, "f", { groupLimit: 2 });
    // a1 and a2 join the run order, a3 to a5 wait for room.
    for (let i = 1; i <= 5; i++) {
      await q.put("f", { id: `a${i}`, spec: SPEC, delayMs: 0, groupKey: "g" });
    }
    const jobsKey = backend.key("queue", "f", "jobs");
    await backend.conn.send(jobsKey, ["HSET", jobsKey, "a1", "not coord's"]);
    const met = await q.finishAndClaim("f", { ...CLAIM, claims: 5 });
    assert.deepEqual(met.jobs, []);
    assert.deepEqual(met.undecodable?.map((u) => u.id), ["a1"]);
    await q.failUndecodable("f", { ...met.undecodable![0], error: "cannot be read" });
    const taken = await q.finishAndClaim("f", { ...CLAIM, claims: 5 });
    assert.deepEqual(taken.jobs.map((job) => job.id), ["a2", "a3"]);
    const parkedKey = backend.key("queue", "f", "parked");
    const parked =
      (await backend.conn.send(parkedKey, ["ZRANGE", parkedKey, "0", "-1"])) as string[];
    assert.deepEqual(parked.map((member) => member.split("\0").at(-1)), ["a4", "a5"]);
    const groupsKey = backend.key("queue", "f", "groups");
    assert.deepEqual(await backend.conn.send(groupsKey, ["HGETALL", groupsKey]), {
      "active:g": "2",
      "running:a2": "g",
      "running:a3": "g",
    });
    const ends = taken.jobs.map((job) => ({
      id: job.id,
      worker: "w",
      attempt: job.attempts,
      outcome: "completed" as const,
      result: null,
    }));
    const next = await q.finishAndClaim("f", { ...CLAIM, finishes: ends, claims: 5 });
    assert.deepEqual(next.jobs.map((job) => job.id), ["a4", "a5"]);
  },
);

onRedis(
  "a run's group that an older coord left in the groups hash (running:ID of a job it ended) goes with its job, by retention or purge",
  async (backend) => {
    const q = backend.queue;
    await configureQueue(backend, "old", { keepCompleted: { count: 1 } });
    const groupsKey = backend.key("queue", "old", "groups");
    const fields = async () =>
      Object.keys(await backend.conn.send(groupsKey, ["HGETALL", groupsKey]) as object).sort();
    const runToEnd = async (id: string) => {
      await q.put("old", { id, spec: SPEC, delayMs: 0, groupKey: "g" });
      const [job] = (await q.finishAndClaim("old", CLAIM)).jobs;
      assert.equal(job?.id, id);
      const ended = { id, ...LEASE, attempt: job.attempts, outcome: "completed" as const };
      await q.finishAndClaim("old", { ...CLAIM, finishes: [{ ...ended, result: null }] });
      // As an older coord ends a run: its group is let go of, but not the job's field.
      await backend.conn.send(groupsKey, ["HSET", groupsKey, `running:${id}`, "g"]);
    };
    await runToEnd("a1");
    await runToEnd("a2");
    // a2's end trimmed a1, the one completed job kept beyond.
    assert.equal(await q.get("old", "a1"), undefined);
    assert.deepEqual(await fields(), ["running:a2"]);
    assert.equal(await q.purge("old", { state: "completed", limit: 10 }), 1);
    assert.deepEqual(await fields(), []);
  },
);
