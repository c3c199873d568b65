/**
 * The step a worker records its ended runs with and takes its next jobs in (`finishAndClaim`),
 * on every backend: many finishes and many claims in one call, each as its own step would.
 */

import { claimJob } from "../../lib/queue/claim_job.ts";
import assert from "node:assert/strict";
import { getJob, putJob } from "../../lib/queue/queue.ts";
import { type Attempt, type Finish, MAX_STALLS } from "../../lib/queue/steps.ts";
import { conformance } from "../support/backends.ts";
import { overriding } from "../support/overriding.ts";
import { until } from "../support/wait.ts";
import { BackendUnavailableError } from "../../lib/errors.ts";
import { MIN_LEASE_MS } from "../../lib/queue/limits.ts";
import { work, type WorkEvent } from "../../lib/queue/worker.ts";
import { garbageOn, plantGarbageJob } from "../support/queue.ts";

const LEASE = { worker: "w", leaseMs: 60_000 };

conformance("one finish-and-claim ends several runs and takes jobs for the slots", async (ctx) => {
  const backend = await ctx.open();
  const steps = backend.queue;
  for (const id of ["a", "b", "c", "d", "e", "f"]) {
    await putJob(backend, "fc", { id, handler: "h" });
  }
  const first = await steps.finishAndClaim("fc", { finishes: [], ...LEASE, claims: 3 });
  assert.deepEqual(first.recorded, []);
  assert.deepEqual(first.jobs.map((j) => [j.id, j.state, j.attempts, j.worker]), [
    ["a", "active", 1, "w"],
    ["b", "active", 1, "w"],
    ["c", "active", 1, "w"],
  ]);
  const [a, b, c] = first.jobs;
  const next = await steps.finishAndClaim("fc", {
    finishes: [
      { id: a.id, worker: "w", attempt: 1, outcome: "completed", result: { n: 1 } },
      { id: b.id, worker: "w", attempt: 1, outcome: "failed", error: "bad" },
      // Not this attempt: records nothing, and does not stop the others.
      { id: c.id, worker: "w", attempt: 7, outcome: "completed", result: 0 },
      { id: c.id, worker: "w", attempt: 1, outcome: "retry", error: "again", delayMs: 0 },
    ],
    ...LEASE,
    claims: 10,
  });
  assert.deepEqual(next.recorded, [true, true, false, true]);
  // The retried job is ready again, after those that waited.
  assert.deepEqual(next.jobs.map((j) => [j.id, j.attempts]), [
    ["d", 1],
    ["e", 1],
    ["f", 1],
    ["c", 2],
  ]);
  assert.equal(next.undecodable, undefined);
  assert.deepEqual(
    [(await getJob(backend, "fc/a")).result, (await getJob(backend, "fc/a")).state],
    [{ n: 1 }, "completed"],
  );
  assert.deepEqual(
    [(await getJob(backend, "fc/b")).state, (await getJob(backend, "fc/b")).error],
    ["failed", "bad"],
  );
  // Each job is leased under its own attempt: an earlier attempt's finish records nothing.
  const c2 = { id: "c", worker: "w", outcome: "completed" as const, result: 2 };
  assert.equal(await steps.finish("fc", { ...c2, attempt: 1 }), false);
  assert.equal(await steps.finish("fc", { ...c2, attempt: 2 }), true);
  // Another worker's claim finds nothing: every job is taken or ended.
  assert.equal((await claimJob(steps, "fc", { worker: "x", leaseMs: 60_000 })).job, undefined);
});

conformance("a finish-and-claim asking for no claims takes nothing", async (ctx) => {
  const backend = await ctx.open();
  const steps = backend.queue;
  for (const id of ["a", "b"]) await putJob(backend, "stop", { id, handler: "h" });
  const [a] = (await steps.finishAndClaim("stop", { finishes: [], ...LEASE, claims: 1 })).jobs;
  const r = await steps.finishAndClaim("stop", {
    finishes: [{ id: a.id, worker: "w", attempt: 1, outcome: "completed", result: null }],
    ...LEASE,
    claims: 0,
  });
  assert.deepEqual([r.recorded, r.jobs], [[true], []]);
  const b = await getJob(backend, "stop/b");
  assert.deepEqual([b.state, b.attempts], ["pending", 0]);
});

conformance(
  "a finish-and-claim with fewer jobs than claims says when the next is due",
  async (ctx) => {
    const backend = await ctx.open();
    const steps = backend.queue;
    await putJob(backend, "few", { id: "now", handler: "h" });
    await putJob(backend, "few", { id: "later", handler: "h", delayMs: 3_600_000 });
    const r = await steps.finishAndClaim("few", { finishes: [], ...LEASE, claims: 5 });
    assert.deepEqual(r.jobs.map((j) => j.id), ["now"]);
    const later = await getJob(backend, "few/later");
    assert.equal(r.nextReadyAt, later.readyAt);
    const none = await steps.finishAndClaim("few", { finishes: [], ...LEASE, claims: 5 });
    assert.deepEqual([none.jobs, none.nextReadyAt], [[], later.readyAt]);
  },
);

conformance("a finish-and-claim takes back jobs whose worker stopped answering", async (ctx) => {
  const backend = await ctx.open();
  const steps = backend.queue;
  for (const id of ["a", "b"]) await putJob(backend, "stall", { id, handler: "h" });
  // A lease that has run out by the next step: its worker is gone.
  const gone = await steps.finishAndClaim("stall", {
    finishes: [],
    worker: "gone",
    leaseMs: 1,
    claims: 2,
  });
  assert.equal(gone.jobs.length, 2);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const r = await steps.finishAndClaim("stall", { finishes: [], ...LEASE, claims: 2 });
  assert.deepEqual(r.jobs.map((j) => [j.id, j.attempts, j.stalls, j.worker]).sort(), [
    ["a", 2, 1, "w"],
    ["b", 2, 1, "w"],
  ]);
  assert.ok(MAX_STALLS >= 1);
  const late = { worker: "gone", outcome: "completed" as const, result: 0 };
  const refused = await steps.finishAndClaim("stall", {
    finishes: [{ id: "a", attempt: 1, ...late }, { id: "b", attempt: 1, ...late }],
    ...LEASE,
    claims: 1,
  });
  assert.deepEqual([refused.recorded, refused.jobs], [[false, false], []]);
});

conformance("a finish-and-claim stops taking at a job coord cannot read", async (ctx) => {
  const backend = await ctx.open();
  const steps = backend.queue;
  const [garbage] = garbageOn(backend);
  await plantGarbageJob(backend, "junk", "poison", garbage);
  await putJob(backend, "junk", { id: "a", handler: "h" });
  await putJob(backend, "junk", { id: "z", handler: "h" });
  // The planted job is first in the run order (it was put "at 0").
  const r = await steps.finishAndClaim("junk", { finishes: [], ...LEASE, claims: 3 });
  assert.deepEqual([r.jobs.map((j) => j.id), r.undecodable?.map((u) => u.id)], [[], ["poison"]]);
  const [poison] = r.undecodable!;
  await steps.failUndecodable("junk", { ...poison, error: `cannot be read: ${garbage}` });
  const rest = await steps.finishAndClaim("junk", { finishes: [], ...LEASE, claims: 3 });
  assert.deepEqual([rest.jobs.map((j) => j.id), rest.undecodable], [["a", "z"], undefined]);
});

conformance(
  "a finish-and-claim in a paused queue records the finishes and takes none",
  async (ctx) => {
    const backend = await ctx.open();
    const steps = backend.queue;
    for (const id of ["a", "b"]) await putJob(backend, "p", { id, handler: "h" });
    const [a] = (await steps.finishAndClaim("p", { finishes: [], ...LEASE, claims: 1 })).jobs;
    await steps.configure("p", { paused: true });
    const r = await steps.finishAndClaim("p", {
      finishes: [{ id: a.id, worker: "w", attempt: 1, outcome: "completed", result: 1 }],
      ...LEASE,
      claims: 1,
    });
    assert.deepEqual([r.recorded, r.jobs], [[true], []]);
    assert.equal((await getJob(backend, "p/b")).state, "pending");
  },
);

conformance("every job coord cannot read that a step took is handed back to fail", async (ctx) => {
  const backend = await ctx.open();
  const steps = backend.queue;
  // Readable enough to be taken on Redis (its spec is read after), not to be run.
  for (const id of ["p1", "p2"]) await plantGarbageJob(backend, "junk2", id, "spec");
  for (const id of ["a", "z"]) await putJob(backend, "junk2", { id, handler: "h" });
  const handed: string[] = [];
  const taken: string[] = [];
  for (let call = 0; call < 10; call++) {
    const r = await steps.finishAndClaim("junk2", { finishes: [], ...LEASE, claims: 4 });
    taken.push(...r.jobs.map((j) => j.id));
    for (const undecodable of r.undecodable ?? []) {
      handed.push(undecodable.id);
      await steps.failUndecodable("junk2", { ...undecodable, error: "cannot be read" });
    }
    if (r.jobs.length === 0 && !r.undecodable) break;
  }
  assert.deepEqual([handed.sort(), taken.sort()], [["p1", "p2"], ["a", "z"]]);
  const counts = await steps.counts("junk2");
  assert.deepEqual([counts.active, counts.failed, counts.pending], [2, 2, 0]);
});

conformance(
  "after a lost answer, the jobs a worker does not hold go back at once, no stall counted",
  async (ctx) => {
    const backend = await ctx.open();
    const steps = backend.queue;
    for (const id of ["a", "b", "c", "d"]) await putJob(backend, "lost", { id, handler: "h" });
    // Another worker's job stays its own.
    const [other] =
      (await steps.finishAndClaim("lost", { finishes: [], ...LEASE, worker: "x", claims: 1 }))
        .jobs;
    // The worker runs `b`; the answer that gave it `c` and `d` never reached it.
    const [b] = (await steps.finishAndClaim("lost", { finishes: [], ...LEASE, claims: 1 })).jobs;
    await steps.finishAndClaim("lost", { finishes: [], ...LEASE, claims: 2 });
    const r = await steps.finishAndClaim("lost", {
      finishes: [],
      ...LEASE,
      claims: 0,
      holding: [b.id],
    });
    assert.deepEqual(r.recorded, []);
    const states = async () =>
      await Promise.all(["a", "b", "c", "d"].map(async (id) => {
        const job = await getJob(backend, `lost/${id}`);
        // A job's last worker stays on its record after it went back.
        return [id, job.state, job.state === "active" ? job.worker : "-", job.stalls];
      }));
    assert.equal(other.id, "a");
    assert.deepEqual(await states(), [
      ["a", "active", "x", 0],
      ["b", "active", "w", 0],
      ["c", "pending", "-", 0],
      ["d", "pending", "-", 0],
    ]);
    // The same call's claims take them again, under their next attempts.
    for (const id of ["c", "d"]) {
      await steps.finish("lost", { id, worker: "w", attempt: 1, outcome: "completed", result: 0 })
        .then((recorded) => assert.equal(recorded, false));
    }
    const again = await steps.finishAndClaim("lost", {
      finishes: [{ id: b.id, worker: "w", attempt: 1, outcome: "completed", result: 1 }],
      ...LEASE,
      claims: 5,
      holding: [],
    });
    assert.deepEqual(again.recorded, [true]);
    assert.deepEqual(again.jobs.map((j) => [j.id, j.attempts, j.stalls]), [["c", 2, 0], [
      "d",
      2,
      0,
    ]]);
  },
);

conformance("a run's end sent again after its answer was lost is told as recorded", async (ctx) => {
  const backend = await ctx.open();
  const steps = backend.queue;
  for (const id of ["a", "b", "c"]) await putJob(backend, "again", { id, handler: "h" });
  await steps.finishAndClaim("again", { finishes: [], ...LEASE, claims: 3 });
  const run = { worker: "w", attempt: 1 };
  const ends: (Attempt & Finish)[] = [
    { id: "a", ...run, outcome: "completed" as const, result: 1 },
    { id: "b", ...run, outcome: "failed" as const, error: "bad" },
    { id: "c", ...run, outcome: "retry" as const, error: "again", delayMs: 60_000 },
  ];
  const recorded = async (finishes: typeof ends) =>
    (await steps.finishAndClaim("again", { finishes, ...LEASE, claims: 0 })).recorded;
  // Twice in one call: the second records nothing, as before.
  assert.deepEqual(await recorded([...ends, ends[0]]), [true, true, true, false]);
  // Sent again, as by a worker whose call's answer was lost: the ends that stay are recorded.
  // (A retry left the job pending, as a stall would: that one cannot tell.)
  assert.deepEqual(await recorded(ends), [true, true, false]);
  // Not another end, another attempt's, or another worker's.
  assert.deepEqual(
    await recorded([
      { id: "b", ...run, outcome: "failed", error: "other" },
      { ...ends[0], attempt: 2 },
      { ...ends[0], worker: "x" },
      { id: "b", ...run, outcome: "completed", result: 1 },
    ]),
    [false, false, false, false],
  );
  const [a, b] = [await getJob(backend, "again/a"), await getJob(backend, "again/b")];
  assert.deepEqual([a.state, a.result, b.state, b.error], ["completed", 1, "failed", "bad"]);
});

conformance(
  "a run's end stored by a call answered only after its lease is told as recorded, not lost",
  async (ctx) => {
    const backend = await ctx.open();
    await putJob(backend, "late", { id: "a", handler: "h" });
    const leaseMs = MIN_LEASE_MS;
    let answered = false;
    // As a worker frozen (SIGSTOP) while its call ran: the end is stored, its answer comes
    // after the lease, and the worker gives the end up (it would otherwise wait on forever).
    const frozen = overriding(backend, {
      queue: overriding(backend.queue, {
        finishAndClaim: async (queue, r) => {
          const answer = await backend.queue.finishAndClaim(queue, r);
          if (r.finishes.length === 0 || answered) return answer;
          answered = true;
          const sentAt = performance.now();
          await until(() => performance.now() - sentAt > leaseMs, { what: "a lease gone by" });
          throw new BackendUnavailableError("no answer within --connect-timeout");
        },
      }),
    });
    const events: WorkEvent[] = [];
    const result = await work(frozen, ["late"], {
      leaseMs,
      handlers: { h: () => "done" },
      drain: true,
      onEvent: (event) => events.push(event),
    });
    assert.ok(answered, "the end's answer came late");
    assert.deepEqual(events.filter((e) => e.type === "lost"), [], "not told as lost");
    assert.ok(events.some((e) => e.type === "completed" && e.job === "late/a"));
    assert.equal(result.completed, 1);
    const job = await getJob(backend, "late/a");
    assert.deepEqual([job.state, job.result, job.attempts], ["completed", "done", 1]);
  },
);
