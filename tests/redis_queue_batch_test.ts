/**
 * The Redis step that ends a worker's runs and takes its next jobs (`finish.lua`) writes the
 * runs that need nothing else together, and every job record once, at its end: what a batch
 * mixes in must still end as its own finish would, in order.
 */

import assert from "node:assert/strict";
import type { Attempt, Finish, JobRecord, JobSpec } from "../lib/queue/steps.ts";
import { ForeignDataError } from "../lib/errors.ts";
import { onRedis } from "./support/backends.ts";
import { redisServerAvailable, startStandalone } from "./support/redis_servers.ts";
import { redisCommand } from "./support/resp.ts";
import { connect } from "../lib/backend/connect.ts";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";

const SPEC: JobSpec = { handler: "h", retries: 0, backoffMs: 0 };
const LEASE = { worker: "w", leaseMs: 60_000 };

function ended(job: JobRecord, finish: Finish): Attempt & Finish {
  return { id: job.id, worker: "w", attempt: job.attempts, ...finish };
}

onRedis("a batch that ends one attempt twice records it once", async (backend) => {
  const q = backend.queue;
  await q.put("twice", { id: "a", spec: SPEC, delayMs: 0 });
  const [a] = (await q.finishAndClaim("twice", { finishes: [], ...LEASE, claims: 1 })).jobs;
  const r = await q.finishAndClaim("twice", {
    finishes: [
      ended(a, { outcome: "completed", result: 1 }),
      ended(a, { outcome: "failed", error: "again" }),
    ],
    ...LEASE,
    claims: 0,
  });
  assert.deepEqual(r.recorded, [true, false]);
  const job = await q.get("twice", "a");
  assert.deepEqual([job?.state, job?.result, job?.failures], ["completed", 1, 0]);
  assert.equal((await q.counts("twice")).completed, 1);
});

onRedis(
  "a batch ends a flow's part, a grouped job and one with its own keep among plain runs, each as its finish would",
  async (backend) => {
    const q = backend.queue;
    await q.configure("mix", { groupLimit: 1 });
    await q.put("mix", { id: "x1", spec: SPEC, delayMs: 0 });
    await q.putFlow("mix", [
      {
        id: "g",
        group: { kind: "serial", children: ["p1", "p2"], continueOnFailure: false },
        released: false,
      },
      { id: "p1", parent: "g", spec: SPEC, released: true },
      { id: "p2", parent: "g", spec: SPEC, released: false },
    ]);
    for (const id of ["k1", "k2"]) {
      await q.put("mix", { id, spec: SPEC, delayMs: 0, groupKey: "k" });
    }
    await q.put("mix", { id: "kept", spec: SPEC, delayMs: 0, keep: { count: 5 } });
    await q.put("mix", { id: "x2", spec: SPEC, delayMs: 0 });
    const first = await q.finishAndClaim("mix", { finishes: [], ...LEASE, claims: 10 });
    // k2 waits for its group's one slot. (Jobs put within the same ms run in the order of
    // their ids.)
    const taken = new Map(first.jobs.map((j) => [j.id, j]));
    assert.deepEqual([...taken.keys()].sort(), ["k1", "kept", "p1", "x1", "x2"]);
    const [x1, p1, k1, kept, x2] = ["x1", "p1", "k1", "kept", "x2"].map((id) => taken.get(id)!);
    const r = await q.finishAndClaim("mix", {
      finishes: [
        ended(x1, { outcome: "completed", result: { n: 1 } }),
        ended(p1, { outcome: "completed", result: [] }),
        ended(x2, { outcome: "failed", error: "bad" }),
        ended(k1, { outcome: "completed", result: "k" }),
        ended(kept, { outcome: "completed", result: 12345678901234567890 }),
      ],
      ...LEASE,
      claims: 10,
    });
    assert.deepEqual(r.recorded, [true, true, true, true, true]);
    // The group's next job and the flow's next part, freed by the runs that ended (k2 was put
    // before p2 was released).
    assert.deepEqual(r.jobs.map((j) => [j.id, j.state, j.attempts]), [
      ["k2", "active", 1],
      ["p2", "active", 1],
    ]);
    const states = [];
    for (const id of ["x1", "p1", "x2", "k1", "kept", "g"]) {
      const job = await q.get("mix", id);
      states.push([id, job?.state, job?.result ?? job?.error]);
    }
    assert.deepEqual(states, [
      ["x1", "completed", { n: 1 }],
      ["p1", "completed", []],
      ["x2", "failed", "bad"],
      ["k1", "completed", "k"],
      ["kept", "completed", 12345678901234567890],
      ["g", "waiting", undefined],
    ]);
    const counts = await q.counts("mix");
    assert.deepEqual(
      [counts.completed, counts.failed, counts.active, counts.pending],
      [4, 1, 2, 0],
    );
  },
);

onRedis(
  "a batch whose runs retention removes in the same step leaves no record",
  async (backend) => {
    const q = backend.queue;
    await q.configure("trim", { keepCompleted: { count: 1 } });
    for (const id of ["a", "b", "c"]) await q.put("trim", { id, spec: SPEC, delayMs: 0 });
    const { jobs } = await q.finishAndClaim("trim", { finishes: [], ...LEASE, claims: 3 });
    await q.finishAndClaim("trim", {
      finishes: jobs.map((job) => ended(job, { outcome: "completed", result: job.id })),
      ...LEASE,
      claims: 0,
    });
    const kept = [];
    for (const id of ["a", "b", "c"]) {
      const job = await q.get("trim", id);
      if (job) kept.push(job.id);
      else assert.equal((await q.removed("trim", id))?.state, "completed", id);
    }
    assert.equal(kept.length, 1);
    const jobsKey = backend.key("queue", "trim", "jobs");
    assert.equal(await backend.conn.send(jobsKey, ["HLEN", jobsKey]), 1);
  },
);

onRedis(
  "a run whose lease ran out, ended by a batch that also claims, stays completed and is not handed out again",
  async (backend) => {
    const q = backend.queue;
    await q.put("late", { id: "a", spec: SPEC, delayMs: 0 });
    const [a] =
      (await q.finishAndClaim("late", { finishes: [], worker: "w", leaseMs: 1, claims: 1 }))
        .jobs;
    // The step reads the stalled runs before it ends any: this one is among them.
    const activeKey = backend.key("queue", "late", "active");
    const leaseEndMs = Number(await backend.conn.send(activeKey, ["ZSCORE", activeKey, "a"]));
    await untilBackendPast(backend, activeKey, leaseEndMs);
    const r = await q.finishAndClaim("late", {
      finishes: [ended(a, { outcome: "completed", result: 1 })],
      ...LEASE,
      claims: 1,
    });
    assert.deepEqual([r.recorded, r.jobs.map((j) => j.id)], [[true], []]);
    const job = await q.get("late", "a");
    assert.deepEqual([job?.state, job?.stalls, job?.result], ["completed", 0, 1]);
  },
);

onRedis(
  "a job whose own keep is a count of 0 is removed by the step that finishes it",
  async (backend) => {
    const q = backend.queue;
    await q.put("none", { id: "a", spec: SPEC, delayMs: 0, keep: { count: 0 } });
    const [a] = (await q.finishAndClaim("none", { finishes: [], ...LEASE, claims: 1 })).jobs;
    await q.finishAndClaim("none", {
      finishes: [ended(a, { outcome: "completed", result: 1 })],
      ...LEASE,
      claims: 0,
    });
    assert.equal(await q.get("none", "a"), undefined);
    assert.equal((await q.removed("none", "a"))?.state, "completed");
  },
);

onRedis(
  "a job whose own keep is an age of 0 is removed by the step that finishes it, even when its listing only moved it",
  async (backend) => {
    const q = backend.queue;
    await q.put("aged", { id: "a", spec: SPEC, delayMs: 0, keep: { ageMs: 0 } });
    const [a] = (await q.finishAndClaim("aged", { finishes: [], ...LEASE, claims: 1 })).jobs;
    // A place coord's steps never leave (retry takes a job off every list): the one way to have
    // its listing change only a score, which ZADD answers with 0.
    const expiring = backend.key("queue", "aged", "expiring");
    await backend.conn.send(expiring, ["ZADD", expiring, String(Number.MAX_SAFE_INTEGER), "a"]);
    await q.finishAndClaim("aged", {
      finishes: [ended(a, { outcome: "completed", result: 1 })],
      ...LEASE,
      claims: 0,
    });
    assert.equal(await q.get("aged", "a"), undefined);
    assert.equal((await q.removed("aged", "a"))?.state, "completed");
  },
);

onRedis(
  "a putMany with numbered jobs, an id given twice and a dedupe key twice puts each as its own put would",
  async (backend) => {
    const q = backend.queue;
    const spec = (n: number): JobSpec => ({ ...SPEC, args: { n } });
    const results = await q.putMany("many", [
      { spec: spec(1), delayMs: 0 },
      { id: "2", spec: spec(2), delayMs: 0 },
      // 2 is taken by the job before: the next number is 3.
      { spec: spec(3), delayMs: 0 },
      { id: "2", spec: spec(4), delayMs: 0 },
      { spec: spec(5), delayMs: 0, dedupe: { key: "k", forMs: 60_000 } },
      { spec: spec(6), delayMs: 0, dedupe: { key: "k", forMs: 60_000 } },
    ]);
    assert.deepEqual(
      results.map((r) => [r.job.id, r.created, r.deduplicated ?? false, r.job.spec.args]),
      [
        ["1", true, false, { n: 1 }],
        ["2", true, false, { n: 2 }],
        ["3", true, false, { n: 3 }],
        ["2", false, false, { n: 2 }],
        ["4", true, false, { n: 5 }],
        ["4", false, true, { n: 5 }],
      ],
    );
    assert.equal((await q.put("many", { spec: spec(7), delayMs: 0 })).job.id, "5");
    const { jobs } = await q.finishAndClaim("many", { finishes: [], ...LEASE, claims: 10 });
    assert.deepEqual(jobs.map((j) => [j.id, j.spec.args]).sort(), [
      ["1", { n: 1 }],
      ["2", { n: 2 }],
      ["3", { n: 3 }],
      ["4", { n: 5 }],
      ["5", { n: 7 }],
    ]);
  },
);

onRedis(
  "a batch refused at a flow whose record another program wrote leaves the runs before it whole",
  async (backend) => {
    const q = backend.queue;
    await q.put("alien", { id: "x", spec: SPEC, delayMs: 0 });
    await q.putFlow("alien", [
      {
        id: "g",
        group: { kind: "serial", children: ["p"], continueOnFailure: false },
        released: false,
      },
      { id: "p", parent: "g", spec: SPEC, released: true },
    ]);
    const { jobs } = await q.finishAndClaim("alien", { finishes: [], ...LEASE, claims: 2 });
    assert.deepEqual(jobs.map((j) => j.id).sort(), ["p", "x"]);
    const jobsKey = backend.key("queue", "alien", "jobs");
    await backend.conn.send(jobsKey, ["HSET", jobsKey, "g", "not coord's"]);
    const byId = new Map(jobs.map((j) => [j.id, j]));
    await assert.rejects(
      q.finishAndClaim("alien", {
        finishes: [
          ended(byId.get("x")!, { outcome: "completed", result: "x" }),
          ended(byId.get("p")!, { outcome: "completed", result: "p" }),
        ],
        ...LEASE,
        claims: 0,
      }),
      ForeignDataError,
    );
    const x = await q.get("alien", "x");
    assert.deepEqual([x?.state, x?.result], ["completed", "x"]);
    // Its record and its place agree: finished, and no longer leased.
    const activeKey = backend.key("queue", "alien", "active");
    assert.equal(await backend.conn.send(activeKey, ["ZSCORE", activeKey, "x"]), null);
  },
);

onRedis(
  "a backlog that came due at once is promoted a thousand jobs a step, none skipped",
  async (backend) => {
    const steps = backend.queue;
    const jobs = 2_500;
    // Due together a little later (after the puts, even on a busy machine), so that a claim,
    // not the put, moves them into the run order; ten share each start.
    const base = Date.now() + 2_000;
    const requests = Array.from({ length: jobs }, (_, i) => ({
      id: `j${String(i).padStart(4, "0")}`,
      spec: { handler: "h", retries: 0, backoffMs: 0 } as JobSpec,
      delayMs: 0,
      at: base + Math.floor(i / 10),
    }));
    for (let i = 0; i < jobs; i += 500) await steps.putMany("late", requests.slice(i, i + 500));
    assert.ok(Date.now() < base, "put before the first start");
    await new Promise((resolve) => setTimeout(resolve, base + jobs / 10 + 100 - Date.now()));
    const ready = () =>
      backend.conn.send(undefined, ["ZCARD", backend.key("queue", "late", "ready")]);
    const lease = { worker: "w", leaseMs: 60_000 };
    const first = await steps.finishAndClaim("late", { finishes: [], ...lease, claims: 1 });
    assert.equal(first.jobs[0].id, "j0000");
    const promoted = Number(await ready());
    assert.ok(promoted < 1_100, `${promoted} promoted by one step`);
    // Taking more than were promoted says to ask again (at once), not at a start to come.
    const next = await steps.finishAndClaim("late", { finishes: [], ...lease, claims: jobs });
    // What was promoted before, and what this step promotes: not the whole backlog yet.
    assert.ok(next.jobs.length < jobs - 1, `${next.jobs.length} taken by the second step`);
    assert.ok(next.nextReadyAt !== undefined, "told to ask again");
    const taken = [first.jobs, next.jobs].flat().map((j) => j.id);
    for (let call = 0; call < 10 && taken.length < jobs; call++) {
      const r = await steps.finishAndClaim("late", { finishes: [], ...lease, claims: jobs });
      taken.push(...r.jobs.map((j) => j.id));
    }
    assert.deepEqual(taken, requests.map((r) => r.id), "each once, in order of their start");
  },
);

onRedis(
  "a bulk put moves the promotion mark past its jobs, and promotes a job that came due before it",
  async (backend) => {
    const steps = backend.queue;
    const key = (part: string) => backend.key("queue", "bulk", part);
    const { job: late } = await steps.put("bulk", { id: "late", spec: SPEC, delayMs: 200 });
    await untilBackendPast(backend, key("pending"), late.readyAt);
    const batch = (from: number) =>
      Array.from({ length: 500 }, (_, i) => ({ id: `j${from + i}`, spec: SPEC, delayMs: 0 }));
    let last = 0;
    for (const from of [0, 500, 1_000]) {
      const put = await steps.putMany("bulk", batch(from));
      last = put.at(-1)!.job.readyAt;
    }
    // The claims after it start from here: none goes through the 1,500 jobs again.
    const mark = Number(await backend.conn.send(key("promoted"), ["GET", key("promoted")]));
    assert.ok(mark >= last, `mark ${mark}, last job's start ${last}`);
    assert.notEqual(await backend.conn.send(key("ready"), ["ZSCORE", key("ready"), "late"]), null);
    const { jobs } = await steps.finishAndClaim("bulk", { finishes: [], ...LEASE, claims: 2 });
    assert.deepEqual(jobs.map((job) => job.id), ["late", "j0"]);
  },
);

onRedis(
  "a promotion mark ahead of the backend's clock (which stepped back) still lets a job put since, due now, run",
  async (backend) => {
    const steps = backend.queue;
    const mark = backend.key("queue", "back", "promoted");
    const [seconds] = await backend.conn.send(mark, ["TIME"]) as [string, string];
    // Where a step left it a minute before the backend's clock stepped back a minute.
    await backend.conn.send(mark, ["SET", mark, String(Number(seconds) * 1000 + 60_000)]);
    const { job } = await steps.put("back", { id: "d", spec: SPEC, delayMs: 100 });
    await untilBackendPast(backend, mark, job.readyAt);
    const { jobs } = await steps.finishAndClaim("back", { finishes: [], ...LEASE, claims: 1 });
    assert.deepEqual(jobs.map((j) => j.id), ["d"]);
  },
);

/** Returns once the backend's clock (`TIME`, on the node holding `key`) is past `ms`. */
async function untilBackendPast(
  backend: RedisBackend,
  key: string,
  ms: number,
): Promise<void> {
  for (;;) {
    const [s, us] = await backend.conn.send(key, ["TIME"]) as [string, string];
    if (Number(s) * 1000 + Math.floor(Number(us) / 1000) > ms) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** How often `command` ran on the server at `port` so far (`INFO commandstats`). */
async function commandCalls(port: number, command: string): Promise<number> {
  const info = await redisCommand(port, "INFO", "commandstats");
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
}

Deno.test({
  name:
    "a put and a batch of plain runs check the type only of the keys they may touch after their first write that no earlier read proved",
  ignore: !redisServerAvailable(),
  async fn() {
    // A server of its own: INFO commandstats counts every client's commands.
    await using server = await startStandalone();
    await using backend = await connect({ url: server.url, namespace: "types", env: {} });
    const q = backend.queue;
    await q.putMany("q", ["a", "b", "c"].map((id) => ({ id, spec: SPEC, delayMs: 0 })));
    const { jobs } = await q.finishAndClaim("q", { finishes: [], ...LEASE, claims: 3 });
    // The first write's tidy of the index of names runs beside the steps, with checks of its
    // own (it failed once so, on a busy machine: 20 !== 8).
    await (backend as RedisBackend).indexTidied();
    const checks = async (step: () => Promise<unknown>) => {
      const before = await commandCalls(server.port, "type");
      await step();
      return await commandCalls(server.port, "type") - before;
    };
    // Read first: the counter and the record's id (a number). Written unread: the spec, the
    // old result, inputs and progress it clears, its places in pending and ready. And the index
    // of queue names (names, tidied), which the step refuses before it writes (prelude.lua).
    assert.equal(await checks(() => q.put("q", { spec: SPEC, delayMs: 0 })), 8);
    // Read first: the config, the records, retention's sets and counts, the running jobs, the
    // promotion mark, pending and ready. Written unread: the results, the finished lists, and
    // what taking a job of no group, flow or recovery hands out (its spec and inputs).
    const finished = await checks(() =>
      q.finishAndClaim("q", {
        finishes: jobs.map((job) => ended(job, { outcome: "completed", result: 1 })),
        ...LEASE,
        claims: 1,
      })
    );
    assert.equal(finished, 5);
  },
});

Deno.test({
  name:
    "an idle worker's claim of a new job checks the type of the spec and inputs only, and reads no finished jobs",
  ignore: !redisServerAvailable(),
  async fn() {
    await using server = await startStandalone();
    {
      // Put by another client, closed once it tidied the index of names it first wrote to.
      await using putter = await connect({ url: server.url, namespace: "idle", env: {} });
      await putter.queue.put("q", { id: "a", spec: SPEC, delayMs: 0 });
    }
    await using backend = await connect({ url: server.url, namespace: "idle", env: {} });
    const q = backend.queue;
    const calls = async () =>
      Object.fromEntries(
        await Promise.all(
          ["type", "zcard", "hget"].map(async (c) => [c, await commandCalls(server.port, c)]),
        ),
      );
    const before = await calls();
    const { jobs } = await q.finishAndClaim("q", { finishes: [], ...LEASE, claims: 5 });
    const after = await calls();
    assert.deepEqual(jobs.map((job) => job.id), ["a"]);
    // On the way from a put to its start: retention's reads (a count of each finished list,
    // the finished total) wait for the job's end, and so do the checks of what ends write.
    assert.deepEqual(
      {
        type: after.type - before.type,
        zcard: after.zcard - before.zcard,
        hget: after.hget - before.hget,
      },
      { type: 2, zcard: 0, hget: 0 },
    );
  },
});

Deno.test({
  name: "a claim that finds nothing to take writes nothing, so it checks no key's type",
  ignore: !redisServerAvailable(),
  async fn() {
    await using server = await startStandalone();
    // Put by a client closed before the count: what a name's first put starts beside it (the
    // index's tidy, with checks of its own) must not land among the claim's commands.
    {
      await using putter = await connect({ url: server.url, namespace: "empty", env: {} });
      await putter.queue.put("q", { id: "a", spec: SPEC, delayMs: 0 });
    }
    await using backend = await connect({ url: server.url, namespace: "empty", env: {} });
    const q = backend.queue;
    assert.equal(
      (await q.finishAndClaim("q", { finishes: [], ...LEASE, claims: 1 })).jobs.length,
      1,
    );
    const [types, sets] = [
      await commandCalls(server.port, "type"),
      await commandCalls(server.port, "set"),
    ];
    const { jobs } = await q.finishAndClaim("q", { finishes: [], ...LEASE, claims: 1 });
    assert.equal(jobs.length, 0);
    assert.equal(await commandCalls(server.port, "type") - types, 0);
    assert.equal(await commandCalls(server.port, "set") - sets, 0);
  },
});

Deno.test({
  name: "retention removes a batch of finished jobs with one command per key",
  ignore: !redisServerAvailable(),
  async fn() {
    await using server = await startStandalone();
    await using backend = await connect({ url: server.url, namespace: "trim", env: {} });
    const q = backend.queue;
    await q.configure("q", { keepCompleted: { count: 1 } });
    const ids = Array.from({ length: 11 }, (_, i) => `j${i}`);
    await q.putMany("q", ids.map((id) => ({ id, spec: SPEC, delayMs: 0 })));
    const { jobs } = await q.finishAndClaim("q", { finishes: [], ...LEASE, claims: 11 });
    const before = await commandCalls(server.port, "hdel");
    // The step lists the 11 and removes 10 of them (a step's batch): their records, specs,
    // results, inputs and progress.
    await q.finishAndClaim("q", {
      finishes: jobs.map((job) => ended(job, { outcome: "completed", result: 1 })),
      ...LEASE,
      claims: 0,
    });
    assert.equal(await commandCalls(server.port, "hdel") - before, 5);
    let removed = 0;
    for (const id of ids) if (await q.removed("q", id)) removed++;
    assert.equal(removed, 10);
    assert.equal((await q.counts("q")).completed, 1);
  },
});
