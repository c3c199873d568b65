/**
 * A flow's parts on Redis whose records another program deleted or wrote over: the steps that
 * move the flow on, or remove it, meet an id with no record coord can read. Each step is left
 * whole (a script is not undone: one that stopped on a missing record after it wrote kept half
 * its writes), and the flow still ends. A group's record another program wrote over, or an
 * ended part's that a group's end would gather, is refused (65) before the step writes; a part
 * a claim fails on its own (abandoned too often, unreadable) then fails alone, and the queue goes
 * on.
 */

import assert from "node:assert/strict";
import { ForeignDataError } from "../lib/errors.ts";
import { claimJob } from "../lib/queue/claim_job.ts";
import { putFlow } from "../lib/queue/flow.ts";
import { cancelJob, getJob, putJob, queueCounts, waitForJob } from "../lib/queue/queue.ts";
import { purgeJobs } from "../lib/queue/retention.ts";
import { MAX_STALLS } from "../lib/queue/steps.ts";
import { work, type WorkEvent } from "../lib/queue/worker.ts";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";
import { onRedis } from "./support/backends.ts";
import { runCoord } from "./support/cli.ts";
import { overwriteJob, plantGarbageJob } from "./support/queue.ts";
import { storedKeys } from "./support/redis_plant.ts";
import { HANG_GUARD_MS, until } from "./support/wait.ts";

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
    // s.1 waits for s.0; p.1 is in the run order beside p.0. s runs first: put in one
    // millisecond, flows of one priority run by their ids, and p.1 would come before s.0.
    await putFlow(backend, "left", { serial: [{ handler: "one" }, { handler: "one" }] }, {
      id: "s",
      priority: 1,
    });
    await putFlow(backend, "left", { parallel: [{ handler: "one" }, { handler: "one" }] }, {
      id: "p",
    });
    for (const id of ["s.1", "p.1"]) {
      await overwriteJob(backend, "left", id, "state", "not coord's");
    }
    for (const first of ["s.0", "p.0"]) {
      const { job } = await claimJob(q, "left", { worker: "w", leaseMs: 60_000 });
      assert.equal(job?.id, first);
      const end = { id: first, worker: "w", attempt: 1, outcome: "failed" as const, error: "no" };
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

/** Not a record coord writes: a group's (or part's) record another program wrote over. */
const FOREIGN = "another program's";

/**
 * Every key of `queue`, byte for byte (the CLI's start also notes, beside them, when it last
 * looked for the namespace's names).
 */
function queueKeys(backend: RedisBackend, queue: string): Promise<string[]> {
  return storedKeys(backend, backend.key("queue", queue, "*"));
}

/** `coord queue cancel JOB` on `backend`: exits 65 with one line. */
async function assertCancelRefused(backend: RedisBackend, url: string, job: string) {
  const cancel = await runCoord([
    "queue",
    "cancel",
    job,
    "--url",
    url,
    "--namespace",
    backend.namespace,
  ]);
  assert.equal(cancel.code, 65, cancel.stderr);
  assert.equal(cancel.stderr.trim().split("\n").length, 1, cancel.stderr);
}

/**
 * Puts flow `g` of two parallel parts in `queue`, and writes over its group's record: with
 * `text`, else with a record coord could write, but a job's (its part g.1's, named g, waiting
 * as a group does).
 */
async function putForeignGroup(backend: RedisBackend, queue: string, text?: string) {
  await putFlow(backend, queue, { parallel: [{ handler: "one" }, { handler: "one" }] }, {
    id: "g",
  });
  const key = backend.key("queue", queue, "jobs");
  const { parent: _, ...part } = JSON.parse(
    String(await backend.conn.send(key, ["HGET", key, "g.1"])),
  );
  await overwriteJob(
    backend,
    queue,
    "g",
    "state",
    text ?? JSON.stringify({ ...part, id: "g", state: "waiting" }),
  );
}

onRedis(
  "a part's cancel whose group another program wrote over is refused (65) before it writes",
  async (backend, url) => {
    for (const [queue, text] of [["c", FOREIGN], ["j", undefined]]) {
      await putForeignGroup(backend, queue!, text);
      const before = await queueKeys(backend, queue!);
      await assertCancelRefused(backend, url, `${queue}/g.0`);
      assert.deepEqual(await queueKeys(backend, queue!), before, `${queue}: left as it was`);
    }
  },
);

/** The record of job `id` in `queue`, as stored. */
async function storedRecord(backend: RedisBackend, queue: string, id: string): Promise<unknown> {
  const key = backend.key("queue", queue, "jobs");
  return await backend.conn.send(key, ["HGET", key, id]);
}

/** The refusal told of a part failed alone: its flow's record of another program's, `id`. */
function refusalOf(id: string): RegExp {
  return new RegExp(`has job ${id.replaceAll(".", "\\.")} "another program's" — another program`);
}

onRedis(
  "a part failed as unreadable whose group another program wrote over fails alone, its group left as it is, and the queue goes on",
  async (backend) => {
    await putForeignGroup(backend, "u", FOREIGN);
    // g.1's record is coord's, its spec not: the claim that takes it hands it back to fail.
    await overwriteJob(backend, "u", "g.1", "spec", FOREIGN);
    await claimJob(backend.queue, "u", { worker: "w", leaseMs: 60_000 });
    const met = await claimJob(backend.queue, "u", { worker: "w", leaseMs: 60_000 });
    assert.equal(met.undecodable?.id, "g.1");
    const failed = await backend.queue.failUndecodable("u", {
      ...met.undecodable!,
      worker: "w",
      error: "cannot be read",
    });
    assert.match((failed as { flowRefused: string }).flowRefused, refusalOf("g"));
    assert.deepEqual(
      [(await getJob(backend, "u/g.1")).state, await storedRecord(backend, "u", "g")],
      ["failed", FOREIGN],
    );
    await putJob(backend, "u", { handler: "other", id: "x" });
    assert.equal(
      (await claimJob(backend.queue, "u", { worker: "w", leaseMs: 60_000 })).job?.id,
      "x",
    );
  },
);

/** The lease of the part {@link runNested} claims. */
const NESTED_LEASE = { worker: "w", leaseMs: 300 };

/**
 * Puts flow `f` in `queue`, whose part f.0.0's end ends group f.0, which f counts; writes over
 * f's record; claims f.0.0. Returns the backend's clock at the claim.
 */
async function runNested(backend: RedisBackend, queue: string): Promise<number> {
  await putFlow(backend, queue, {
    serial: [{ parallel: [{ handler: "one" }] }, { handler: "one" }],
  }, { id: "f" });
  await overwriteJob(backend, queue, "f", "state", FOREIGN);
  const { job } = await claimJob(backend.queue, queue, NESTED_LEASE);
  assert.equal(job?.id, "f.0.0");
  return await backend.now();
}

onRedis(
  "a worker's end of a nested part that ends its group, whose group above another program wrote over, is refused (65) before it writes",
  async (backend) => {
    await runNested(backend, "n");
    const before = await queueKeys(backend, "n");
    const ran = { id: "f.0.0", worker: "w", attempt: 1, outcome: "completed" as const, result: 1 };
    await assert.rejects(backend.queue.finish("n", ran), ForeignDataError);
    assert.deepEqual(await queueKeys(backend, "n"), before, "every key is left as it was");
  },
);

onRedis(
  "a cancel of a nested part that ends its group, whose group above another program wrote over, is refused (65) before it writes",
  async (backend, url) => {
    await runNested(backend, "n");
    const before = await queueKeys(backend, "n");
    await assertCancelRefused(backend, url, "n/f.0.0");
    assert.deepEqual(await queueKeys(backend, "n"), before, "every key is left as it was");
  },
);

onRedis(
  "a nested part abandoned too often, whose group above another program wrote over, fails alone, the call's ends are recorded, and the queue goes on",
  async (backend) => {
    let lapsed = await runNested(backend, "n") + NESTED_LEASE.leaseMs;
    // Abandoned by workers that stopped answering: each claim after its lease takes it back.
    // The last also takes y, whose end the worker sends with the claim that meets f.0.0 again.
    for (let stalls = 1; stalls <= MAX_STALLS; stalls++) {
      await until(async () => await backend.now() > lapsed, { what: "the lease to lapse" });
      const last = stalls === MAX_STALLS;
      if (last) await putJob(backend, "n", { handler: "one", id: "y" });
      const { jobs } = await backend.queue.finishAndClaim("n", {
        ...NESTED_LEASE,
        finishes: [],
        claims: last ? 2 : 1,
      });
      assert.deepEqual(
        jobs.map((job) => `${job.id} ${job.stalls}`).sort(),
        [`f.0.0 ${stalls}`, ...(last ? ["y 0"] : [])],
      );
      lapsed = await backend.now() + NESTED_LEASE.leaseMs;
    }
    await putJob(backend, "n", { handler: "one", id: "x" });
    await until(async () => await backend.now() > lapsed, { what: "the last lease to lapse" });
    const ran = { id: "y", worker: "w", attempt: 1, outcome: "completed" as const, result: 1 };
    const step = await backend.queue.finishAndClaim("n", {
      ...NESTED_LEASE,
      finishes: [ran],
      claims: 1,
    });
    assert.deepEqual(step.recorded, [true]);
    assert.deepEqual(step.jobs.map((job) => job.id), ["x"]);
    const [failed] = step.failed ?? [];
    assert.equal(failed?.id, "f.0.0");
    assert.match(failed.error, /^abandoned \d+ times by workers that stopped answering$/);
    assert.match(failed.flowRefused ?? "", refusalOf("f"));
    const states = [];
    for (const id of ["f.0.0", "f.0", "y"]) states.push((await getJob(backend, `n/${id}`)).state);
    assert.deepEqual(states, ["failed", "waiting", "completed"]);
    assert.equal(await storedRecord(backend, "n", "f"), FOREIGN);
  },
);

onRedis(
  "a running part whose record another program deleted, whose group above another program wrote over, fails alone once its lease lapses, and the worker says so in one line and goes on",
  async (backend) => {
    await putFlow(backend, "d", {
      serial: [{ parallel: [{ handler: "one" }] }, { handler: "one" }],
    }, {
      id: "T",
    });
    const lease = { worker: "w", leaseMs: 300 };
    assert.equal((await claimJob(backend.queue, "d", lease)).job?.id, "T.0.0");
    const lapsed = await backend.now() + lease.leaseMs;
    await deleteRecord(backend, "d", "T.0.0");
    await overwriteJob(backend, "d", "T", "state", FOREIGN);
    await putJob(backend, "d", { handler: "one", id: "x" });
    await until(async () => await backend.now() > lapsed, { what: "the lease to lapse" });
    const events: WorkEvent[] = [];
    const result = await work(backend, ["d"], {
      handlers: { one: () => 1 },
      drain: true,
      onEvent: (event) => events.push(event),
      signal: AbortSignal.timeout(HANG_GUARD_MS),
    });
    assert.deepEqual([result.completed, result.failed], [1, 1]);
    const said = events.filter((e) => e.type === "failed" || e.type === "error");
    assert.equal(said.length, 1, JSON.stringify(said));
    assert.equal(said[0].type === "failed" && said[0].job, "d/T.0.0");
    const line = said[0].type === "failed" ? said[0].error : "";
    assert.match(
      line,
      /^its record was deleted by another program; it failed alone, its flow left as it is: /,
    );
    assert.match(line, refusalOf("T"));
    assert.equal(line.split("\n").length, 1);
    assert.equal(await storedRecord(backend, "d", "T"), FOREIGN);
  },
);

/** Puts serial flow `g` of two parts in `queue`, and runs g.0. */
async function runFirstOfTwo(backend: RedisBackend, queue: string): Promise<void> {
  await putFlow(backend, queue, { serial: [{ handler: "one" }, { handler: "one" }] }, {
    id: "g",
  });
  await runPart(backend, queue, "g.0");
}

/** Claims `queue`'s next job, which is `id`, and ends its run completed. */
async function runPart(backend: RedisBackend, queue: string, id: string): Promise<void> {
  const { job } = await claimJob(backend.queue, queue, { worker: "w", leaseMs: 60_000 });
  assert.equal(job?.id, id);
  const ran = { id, worker: "w", attempt: 1, outcome: "completed" as const, result: 1 };
  assert.equal(await backend.queue.finish(queue, ran), true);
}

onRedis(
  "a group's last part's end is refused (65) before it writes when an ended part's record another program wrote over",
  async (backend) => {
    await runFirstOfTwo(backend, "over");
    await overwriteJob(backend, "over", "g.0", "state", FOREIGN);
    const { job } = await claimJob(backend.queue, "over", { worker: "w", leaseMs: 60_000 });
    assert.equal(job?.id, "g.1");
    const before = await queueKeys(backend, "over");
    const ran = { id: "g.1", worker: "w", attempt: 1, outcome: "completed" as const, result: 1 };
    await assert.rejects(backend.queue.finish("over", ran), ForeignDataError);
    assert.deepEqual(await queueKeys(backend, "over"), before, "every key is left as it was");
  },
);

onRedis(
  "a running part whose record another program deleted is handed, once its lease lapses, to the worker that meets it, which fails it, and its flow goes on",
  async (backend) => {
    await putFlow(backend, "lost", {
      serial: [{ handler: "one" }, { handler: "one" }],
      continueOnFailure: true,
    }, { id: "g" });
    const lease = { worker: "w", leaseMs: 300 };
    const { job } = await claimJob(backend.queue, "lost", lease);
    assert.equal(job?.id, "g.0");
    const lapsed = await backend.now() + lease.leaseMs;
    const key = backend.key("queue", "lost", "jobs");
    await backend.conn.send(key, ["HDEL", key, "g.0"]);
    await until(async () => await backend.now() > lapsed, { what: "the lease to lapse" });
    const { undecodable } = await claimJob(backend.queue, "lost", lease);
    assert.equal(undecodable?.id, "g.0");
    const error = "cannot be read";
    assert.equal(await backend.queue.failUndecodable("lost", { ...undecodable!, error }), true);
    assert.equal((await claimJob(backend.queue, "lost", lease)).job?.id, "g.1");
  },
);

onRedis(
  "a part's failure that fails its group's group does not read a part of it another program wrote over, which no step would gather",
  async (backend) => {
    await putFlow(
      backend,
      "t",
      { parallel: [{ parallel: [{ handler: "a" }] }, { handler: "x" }] },
      {
        id: "T",
      },
    );
    const lease = { worker: "w", leaseMs: 60_000 };
    const { jobs } = await backend.queue.finishAndClaim("t", { ...lease, finishes: [], claims: 2 });
    assert.deepEqual(jobs.map((job) => job.id).sort(), ["T.0.0", "T.1"]);
    const end = (id: string, outcome: "completed" | "failed") =>
      backend.queue.finish("t", { id, worker: "w", attempt: 1, outcome, result: 1, error: "boom" });
    assert.equal(await end("T.1", "completed"), true);
    await overwriteJob(backend, "t", "T.1", "state", FOREIGN);
    // T fails with T.0, which T.0.0 fails: nothing gathers T.1.
    assert.equal(await end("T.0.0", "failed"), true);
    const flow = await getJob(backend, "t/T");
    assert.deepEqual([flow.state, flow.error], [
      "failed",
      "part T.0 failed: part T.0.0 failed: boom",
    ]);
    assert.equal(await storedRecord(backend, "t", "T.1"), FOREIGN);
  },
);

onRedis(
  "a serial part's end before a part cancelled while it waited does not read an earlier part another program wrote over: its group fails at the cancelled one",
  async (backend) => {
    await putFlow(
      backend,
      "s",
      { serial: [{ handler: "a" }, { handler: "a" }, { handler: "b" }] },
      {
        id: "S",
      },
    );
    await runPart(backend, "s", "S.0");
    await overwriteJob(backend, "s", "S.0", "state", FOREIGN);
    assert.equal((await cancelJob(backend, "s/S.2")).cancelled, true);
    await runPart(backend, "s", "S.1");
    const flow = await getJob(backend, "s/S");
    assert.deepEqual([flow.state, flow.error], ["failed", "part S.2 cancelled: cancelled"]);
    assert.equal(await storedRecord(backend, "s", "S.0"), FOREIGN);
  },
);

onRedis(
  "a group's last part's end that starts its postprocess does not read the group above, which it does not end",
  async (backend) => {
    await putFlow(backend, "p", {
      serial: [{ parallel: [{ handler: "a" }], postprocess: { handler: "a" } }, { handler: "b" }],
    }, { id: "f" });
    await overwriteJob(backend, "p", "f", "state", FOREIGN);
    await runPart(backend, "p", "f.0.0");
    assert.equal((await getJob(backend, "p/f.0.post")).state, "pending");
    assert.equal(await storedRecord(backend, "p", "f"), FOREIGN);
  },
);

/** A result whose two in one group's gather pass the 1 MiB a job may hold. */
const HALF_OVER = "x".repeat(600_000);

/**
 * Puts flow `f` in `queue`: f.0.0, of `parts`, in f.0 beside f.0.1, in f beside f.1; writes over
 * f's record, and claims every part, those of f.0.0 for `lease` (f.0.0.2's, if any, for
 * `lastLease`); completes f.0.0.0 with {@link HALF_OVER}.
 */
async function runOversize(
  backend: RedisBackend,
  queue: string,
  group: { parts: number; continueOnFailure?: boolean },
  lastLease = 60_000,
): Promise<void> {
  const parts = Array.from({ length: group.parts }, () => ({ handler: "one" }));
  await putFlow(backend, queue, {
    parallel: [{
      parallel: [{ parallel: parts, continueOnFailure: group.continueOnFailure }, {
        handler: "one",
      }],
    }, { handler: "one" }],
  }, { id: "f" });
  await overwriteJob(backend, queue, "f", "state", FOREIGN);
  const claimed = [];
  for (let i = 0; i < group.parts + 2; i++) {
    const leaseMs = i === 2 ? lastLease : 60_000;
    claimed.push((await claimJob(backend.queue, queue, { worker: "w", leaseMs })).job?.id);
  }
  const ids = parts.map((_, i) => `f.0.0.${i}`);
  assert.deepEqual(claimed.sort(), [...ids, "f.0.1", "f.1"].sort());
  const ran = { worker: "w", attempt: 1, outcome: "completed" as const, result: HALF_OVER };
  assert.equal(await backend.queue.finish(queue, { ...ran, id: "f.0.0.0" }), true);
}

onRedis(
  "a part's end whose group's gather passes 1 MiB, failing it and its group, whose group above another program wrote over, is refused (65) before it writes",
  async (backend) => {
    await runOversize(backend, "o", { parts: 2 });
    const before = await queueKeys(backend, "o");
    const ran = { id: "f.0.0.1", worker: "w", attempt: 1, outcome: "completed" as const };
    await assert.rejects(
      backend.queue.finish("o", { ...ran, result: HALF_OVER }),
      (error) => error instanceof ForeignDataError && refusalOf("f").test(error.message),
    );
    assert.deepEqual(await queueKeys(backend, "o"), before, "every key is left as it was");
  },
);

onRedis(
  "a part abandoned too often whose group's gather passes 1 MiB, failing it and its group, whose group above another program wrote over, fails alone, and the queue goes on",
  async (backend) => {
    const lease = { worker: "w", leaseMs: 300 };
    await runOversize(backend, "a", { parts: 3, continueOnFailure: true }, lease.leaseMs);
    const lapsed = await backend.now() + lease.leaseMs;
    const ran = { id: "f.0.0.1", worker: "w", attempt: 1, outcome: "completed" as const };
    assert.equal(await backend.queue.finish("a", { ...ran, result: HALF_OVER }), true);
    // Abandoned its last time: the next claim after its lease fails it.
    const key = backend.key("queue", "a", "jobs");
    const record = JSON.parse(String(await storedRecord(backend, "a", "f.0.0.2")));
    await backend.conn.send(key, [
      "HSET",
      key,
      "f.0.0.2",
      JSON.stringify({ ...record, stalls: MAX_STALLS }),
    ]);
    await putJob(backend, "a", { handler: "one", id: "x" });
    await until(async () => await backend.now() > lapsed, { what: "the lease to lapse" });
    const step = await backend.queue.finishAndClaim("a", { ...lease, finishes: [], claims: 1 });
    assert.deepEqual(step.jobs.map((job) => job.id), ["x"]);
    const [failed] = step.failed ?? [];
    assert.equal(failed?.id, "f.0.0.2");
    assert.match(failed.flowRefused ?? "", refusalOf("f"));
    const states = [];
    for (const id of ["f.0.0.2", "f.0.0", "f.0"]) {
      states.push((await getJob(backend, `a/${id}`)).state);
    }
    assert.deepEqual(states, ["failed", "waiting", "waiting"]);
    assert.equal(await storedRecord(backend, "a", "f"), FOREIGN);
  },
);

/**
 * Ends `last` of flow `f` on `queue` (its other parts' ends `ends` done first, `overwritten`'s
 * record then written over) and checks the end is refused (65) with every key as it was.
 */
async function assertRefusedWhole(
  backend: RedisBackend,
  queue: string,
  ends: [id: string, result: string][],
  overwritten: string,
  last: [id: string, result: string],
): Promise<void> {
  const ran = { worker: "w", attempt: 1, outcome: "completed" as const };
  for (const [id, result] of ends) {
    assert.equal(await backend.queue.finish(queue, { ...ran, id, result }), true, id);
    if (id === overwritten) await overwriteJob(backend, queue, id, "state", FOREIGN);
  }
  const before = await queueKeys(backend, queue);
  await assert.rejects(
    backend.queue.finish(queue, { ...ran, id: last[0], result: last[1] }),
    (error) => error instanceof ForeignDataError && refusalOf(overwritten).test(error.message),
  );
  assert.deepEqual(await queueKeys(backend, queue), before);
}

onRedis(
  "a group failed by its gather passing 1 MiB counts as null in a continueOnFailure group above, whose gather meets another program's record: refused (65) before it writes",
  async (backend) => {
    await putFlow(backend, "r", {
      parallel: [{
        parallel: [{ parallel: [{ handler: "one" }, { handler: "one" }] }],
        continueOnFailure: true,
      }, { handler: "one" }],
    }, { id: "f" });
    for (let i = 0; i < 3; i++) {
      await claimJob(backend.queue, "r", { worker: "w", leaseMs: 60_000 });
    }
    await assertRefusedWhole(backend, "r", [["f.1", "1"], ["f.0.0.0", HALF_OVER]], "f.1", [
      "f.0.0.1",
      HALF_OVER,
    ]);
  },
);

onRedis(
  "a serial group failed by a part cancelled before its turn counts as null in a continueOnFailure group above, whose gather meets another program's record: refused (65) before it writes",
  async (backend) => {
    await putFlow(backend, "s", {
      parallel: [{
        parallel: [{ serial: [{ handler: "one" }, { handler: "one" }] }, { handler: "one" }],
        continueOnFailure: true,
      }, { handler: "one" }],
    }, { id: "f" });
    await cancelJob(backend, "s/f.0.0.1");
    for (let i = 0; i < 3; i++) {
      await claimJob(backend.queue, "s", { worker: "w", leaseMs: 60_000 });
    }
    await assertRefusedWhole(
      backend,
      "s",
      [["f.1", "1"], ["f.0.1", "y".repeat(300_000)]],
      "f.1",
      ["f.0.0.0", "x".repeat(900_000)],
    );
  },
);
