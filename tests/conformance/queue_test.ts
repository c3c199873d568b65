/** The queue's library API and backend steps, in-process, on every backend. */

import { claimJob } from "../../lib/queue/claim_job.ts";
import assert from "node:assert/strict";
import type { RedisBackend } from "../../lib/backend/redis/backend.ts";
import type { Backend } from "../../lib/backend/types.ts";
import { BackendUnavailableError, ForeignDataError, UsageError } from "../../lib/errors.ts";
import {
  cancelJob,
  getJob,
  promoteJob,
  putJob,
  queueCounts,
  retryJob,
  UnknownJobError,
  waitForJob,
} from "../../lib/queue/queue.ts";
import { MAX_STALLS } from "../../lib/queue/steps.ts";
import { MAX_DELAY_MS } from "../../lib/queue/limits.ts";
import { ERROR_RETRY_MS } from "../../lib/queue/lane.ts";
import { putJobs } from "../../lib/queue/bulk.ts";
import {
  MAX_STDOUT_BYTES,
  NonRetryableError,
  work,
  type WorkEvent,
} from "../../lib/queue/worker.ts";
import { JobFailedError, queue } from "../../lib/queue/handle.ts";
import { purgeJobs } from "../../lib/queue/retention.ts";
import { conformance } from "../support/backends.ts";
import { overriding } from "../support/overriding.ts";
import { lookCut } from "../support/look_cut.ts";
import {
  GARBAGE,
  garbageOn,
  overwriteJob,
  overwritePriority,
  plantForeignTotals,
  plantGarbageJob,
  TYPED_GARBAGE,
} from "../support/queue.ts";
import { isSql, runSql, sqlValue } from "../support/sql.ts";
import { guarded, HANG_GUARD_MS, until } from "../support/wait.ts";
import { countWorkerCalls } from "../support/worker_calls.ts";
import { wordBesideGoodRun } from "../support/worker_word.ts";
import { abortion } from "../../lib/time.ts";

conformance("a handler job's result is waited for; putting an id twice is one job", async (ctx) => {
  const backend = await ctx.open();
  const first = await putJob(backend, "q", { id: "a", handler: "double", args: { n: 21 } });
  const again = await putJob(backend, "q", { id: "a", handler: "double", args: { n: 0 } });
  assert.equal(first.ref, "q/a");
  assert.deepEqual([first.created, again.created], [true, false]);
  const result = await work(backend, ["q"], {
    handlers: { double: (args) => ({ n: (args as { n: number }).n * 2, empty: [] }) },
    drain: true,
  });
  assert.deepEqual(result, { completed: 1, failed: 0, cutShort: 0, stillRunning: 0 });
  const job = await waitForJob(backend, "q/a", { timeoutMs: 1_000 });
  assert.equal(job.state, "completed");
  assert.deepEqual(job.result, { n: 42, empty: [] });
  assert.equal(job.attempts, 1);
});

conformance(
  "a draining worker waits out an outage met while it checks its queues are empty",
  async (ctx) => {
    const backend = await ctx.open();
    await putJob(backend, "d", { id: "a", handler: "x" });
    let cut = true;
    // The job's claim and finish answer; the count that follows, which finds the queue empty,
    // meets the outage once.
    const counts: Backend["queue"]["counts"] = (queue) => {
      if (!cut) return backend.queue.counts(queue);
      cut = false;
      return Promise.reject(new BackendUnavailableError("lost the backend: connection refused"));
    };
    const events: string[] = [];
    const result = await work(
      overriding(backend, { queue: overriding(backend.queue, { counts }) }),
      [
        "d",
      ],
      {
        handlers: { x: () => {} },
        drain: true,
        onEvent: (event) => events.push(event.type),
      },
    );
    assert.deepEqual(result, { completed: 1, failed: 0, cutShort: 0, stillRunning: 0 });
    assert.deepEqual(events.filter((type) => type !== "started" && type !== "completed"), [
      "unavailable",
      "available",
    ]);
  },
);

conformance(
  "a worker that does not drain names a queue whose counts another program wrote, runs none of " +
    "its jobs, and works the other",
  async (ctx) => {
    const backend = await ctx.open();
    for (const queue of ["alien", "good"]) await putJob(backend, queue, { id: "j", handler: "x" });
    await plantForeignTotals(backend, "alien");
    // On Redis a claim reads no count: without the look before it, alien/j ran and stayed active,
    // its end refused.
    const errors = await wordBesideGoodRun(backend, ["alien", "good"], "x");
    assert.ok(errors[0].startsWith('queue "alien"'), errors[0]);
    assert.equal((await getJob(backend, "alien/j")).state, "pending", "left alone");
  },
);

conformance(
  "an outage met by one queue's look before the first claim is ridden out while the others are " +
    "worked",
  async (ctx) => {
    const backend = await ctx.open();
    for (const queue of ["down", "up"]) await putJob(backend, queue, { id: "j", handler: "x" });
    // The look at "down" meets the outage until "up"'s job runs: before, no job ran until every
    // queue's look answered.
    let cut = true;
    const ran: string[] = [];
    const worker = work(
      lookCut(backend, "down", () => cut),
      ["down", "up"],
      {
        handlers: {
          x: (_args, { job }) => {
            ran.push(job);
            cut = false;
          },
        },
        drain: true,
      },
    );
    const result = await guarded(worker, "drain", 10_000);
    assert.deepEqual(ran, ["up/j", "down/j"]);
    assert.equal(result.completed, 2);
  },
);

conformance(
  "a worker that does not drain, when the look an outage held up finds another program's data, " +
    "names that queue, leaves it and works the others",
  async (ctx) => {
    const backend = await ctx.open();
    for (const queue of ["down", "up"]) await putJob(backend, queue, { id: "j", handler: "x" });
    // The look at "down" meets the outage until "up"'s first job planted the foreign counts.
    let cut = true;
    const ran: string[] = [];
    const named = Promise.withResolvers<string>();
    const second = Promise.withResolvers<void>();
    const outage: string[] = [];
    const stop = new AbortController();
    const worker = work(lookCut(backend, "down", () => cut), ["down", "up"], {
      handlers: {
        x: async (_args, { job }) => {
          ran.push(job);
          if (job === "up/k") return second.resolve();
          await plantForeignTotals(backend, "down");
          cut = false;
        },
      },
      signal: stop.signal,
      onEvent: (event) => {
        // Told as left, not as a step retried (its line said "retrying").
        if (event.type === "error") named.resolve(event.left ? event.error : "retried");
        if (event.type === "unavailable" || event.type === "available") outage.push(event.type);
      },
    });
    try {
      // Before, the worker stopped itself and threw the refusal.
      const said = await guarded(
        Promise.race([named.promise, worker.then(() => "ended without a word")]),
        "the word on down",
      );
      assert.ok(said.startsWith('queue "down"'), said);
      await putJob(backend, "up", { id: "k", handler: "x" });
      await guarded(second.promise, "up/k's run");
    } finally {
      stop.abort();
    }
    await guarded(worker, "end of the worker");
    assert.deepEqual(ran, ["up/j", "up/k"]);
    assert.equal((await getJob(backend, "down/j")).state, "pending");
    // The look that found the data was an answer: the outage it met is over.
    assert.deepEqual(outage, ["unavailable", "available"]);
  },
);

conformance(
  "a stop by force ends a worker at once while a queue's look before its first claim is retried",
  async (ctx) => {
    const backend = await ctx.open();
    const force = new AbortController();
    let forcedAt = 0;
    await work(
      lookCut(backend, "down", () => true),
      ["down"],
      {
        drain: true,
        force: force.signal,
        onEvent: (event) => {
          if (event.type !== "unavailable") return;
          forcedAt = performance.now();
          force.abort();
        },
      },
    );
    // Before: the pause between retries (ERROR_RETRY_MS, 1 s, begun as the force came) heard
    // only the stop. Most of that pause is the margin a busy machine may take.
    const lateMs = performance.now() - forcedAt;
    assert.ok(lateMs < ERROR_RETRY_MS * 0.9, `ended ${lateMs} ms after the stop by force`);
  },
);

conformance("ids count up per queue when none is given", async (ctx) => {
  const backend = await ctx.open();
  const refs = [];
  for (let i = 0; i < 3; i++) refs.push((await putJob(backend, "n", { handler: "x" })).ref);
  assert.deepEqual(refs, ["n/1", "n/2", "n/3"]);
});

conformance("a delayed job does not start early", async (ctx) => {
  const backend = await ctx.open();
  const putAt = Date.now();
  await putJob(backend, "later", { handler: "stamp", delayMs: 400 });
  let startedAt = 0;
  assert.equal((await queueCounts(backend, ["later"]))[0].scheduled, 1);
  await work(backend, ["later"], {
    handlers: { stamp: () => (startedAt = Date.now()) },
    drain: true,
  });
  assert.ok(startedAt - putAt >= 390, `started ${startedAt - putAt} ms after put`);
});

conformance(
  "a worker waits for a delayed job by the backend's clock at the step, not by an offset",
  async (ctx) => {
    const backend = await ctx.open();
    // A backend clock an hour behind when asked apart from a step, as one that stepped forward
    // after the worker measured an offset: the job, due in 0.1 s, must not wait for the idle
    // worker's look at every queue, 2 s after its first.
    const skewed = overriding(backend, { now: async () => await backend.now() - 3_600_000 });
    const putAt = Date.now();
    await putJob(backend, "stepped", { handler: "stamp", delayMs: 100 });
    let startedAt = 0;
    await work(skewed, ["stepped"], {
      handlers: { stamp: () => (startedAt = Date.now()) },
      drain: true,
    });
    assert.ok(startedAt - putAt < 1_900, `started ${startedAt - putAt} ms after its put`);
  },
);

conformance("a failing job is retried with doubling backoff, then fails", async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "flaky", { id: "j", handler: "boom", retries: 2, backoffMs: 100 });
  const starts: number[] = [];
  const result = await work(backend, ["flaky"], {
    handlers: {
      boom: () => {
        starts.push(Date.now());
        throw new Error("kaboom");
      },
    },
    drain: true,
  });
  assert.equal(result.failed, 1);
  assert.equal(starts.length, 3);
  assert.ok(starts[1] - starts[0] >= 90, `first retry after ${starts[1] - starts[0]} ms`);
  assert.ok(starts[2] - starts[1] >= 190, `second retry after ${starts[2] - starts[1]} ms`);
  const job = await getJob(backend, "flaky/j");
  assert.deepEqual([job.state, job.attempts, job.failures, job.error], [
    "failed",
    3,
    3,
    "kaboom",
  ]);
});

conformance(
  "a retry's backoff stops doubling at 10 years: the 16th of a 10-year backoff is a job coord reads",
  async (ctx) => {
    const backend = await ctx.open();
    await putJob(backend, "slow", {
      id: "j",
      handler: "boom",
      retries: 1000,
      backoffMs: MAX_DELAY_MS,
    });
    const handlers = { boom: () => Promise.reject(new Error("again")) };
    // Doubled 15 times, the retry was due past the last date a Date holds: refused as foreign.
    for (let failures = 1; failures <= 16; failures++) {
      const stop = new AbortController();
      const onEvent = (e: { type: string }) => e.type === "retrying" && stop.abort();
      await work(backend, ["slow"], { handlers, signal: stop.signal, onEvent });
      const job = await getJob(backend, "slow/j");
      assert.equal(job.failures, failures);
      assert.ok(job.readyAt <= Date.now() + MAX_DELAY_MS + 60_000, `due at ${job.readyAt}`);
      await promoteJob(backend, "slow/j");
    }
  },
);

conformance("NonRetryableError fails a job at once", async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "fatal", { id: "j", handler: "no", retries: 5 });
  let runs = 0;
  await work(backend, ["fatal"], {
    handlers: {
      no: () => {
        runs++;
        throw new NonRetryableError("bad input");
      },
    },
    drain: true,
  });
  assert.equal(runs, 1);
  assert.equal((await getJob(backend, "fatal/j")).state, "failed");
});

conformance(
  "a handler that throws a value with no text fails its job, and the worker goes on",
  async (ctx) => {
    const backend = await ctx.open();
    const thrown: Record<string, () => unknown> = {
      bare: () => Object.create(null),
      lying: () => ({
        toString: () => {
          throw new Error("no");
        },
      }),
      wordless: () => Object.assign(new Error(), { message: Object.create(null) }),
    };
    for (const name of Object.keys(thrown)) {
      await putJob(backend, "odd", { id: name, handler: name });
    }
    await putJob(backend, "odd", { id: "after", handler: "fine" });
    const handlers: Record<string, () => unknown> = { fine: () => "ran" };
    for (const [name, value] of Object.entries(thrown)) {
      handlers[name] = () => {
        throw value();
      };
    }
    // One at a time: a run's end that threw in the worker left the next job unstarted.
    const result = await work(backend, ["odd"], { handlers, drain: true, concurrency: 1 });
    assert.deepEqual([result.completed, result.failed], [1, 3]);
    for (const name of Object.keys(thrown)) {
      const job = await getJob(backend, `odd/${name}`);
      assert.equal(job.state, "failed", name);
      assert.equal(typeof job.error, "string", name);
    }
  },
);

conformance(
  "work() counts a handler that went on after its timeout as still running",
  async (ctx) => {
    const backend = await ctx.open();
    await putJob(backend, "deaf", { id: "j", handler: "deaf", timeoutMs: 100, retries: 0 });
    await putJob(backend, "deaf", { id: "k", handler: "fine" });
    const result = await work(backend, ["deaf"], {
      handlers: { deaf: () => new Promise(() => {}), fine: () => 1 },
      drain: true,
      graceMs: 200,
    });
    assert.deepEqual(result, { completed: 1, failed: 1, cutShort: 0, stillRunning: 1 });
    assert.equal((await getJob(backend, "deaf/j")).error, "timed out after 0.1 s");
  },
);

conformance("unknown handlers and untrusted commands fail with the reason", async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "trust", { id: "h", handler: "missing", retries: 3 });
  await putJob(backend, "trust", { id: "c", command: ["echo", "hi"], retries: 3 });
  await work(backend, ["trust"], { handlers: { other: () => 1 }, drain: true });
  const handler = await getJob(backend, "trust/h");
  assert.equal(handler.state, "failed");
  assert.match(handler.error!, /unknown handler "missing"/);
  const command = await getJob(backend, "trust/c");
  assert.equal(command.attempts, 1, "not retried");
  assert.match(command.error!, /--allow-commands/);
});

conformance("names inherited from Object.prototype are unknown handlers", async (ctx) => {
  const backend = await ctx.open();
  const names = ["constructor", "toString", "hasOwnProperty", "__proto__"];
  for (const name of names) await putJob(backend, "proto", { id: name, handler: name });
  const result = await work(backend, ["proto"], { handlers: { other: () => 1 }, drain: true });
  assert.deepEqual([result.completed, result.failed], [0, names.length]);
  for (const name of names) {
    const job = await getJob(backend, `proto/${name}`);
    assert.equal(job.state, "failed", name);
    assert.match(job.error!, new RegExp(`unknown handler "${name}"`));
  }
});

conformance("a command job's result is its exit status and stdout", async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "cmd", { id: "ok", command: ["sh", "-c", "echo out; echo err >&2"] });
  await putJob(backend, "cmd", { id: "bad", command: ["sh", "-c", "echo why >&2; exit 3"] });
  await work(backend, ["cmd"], { allowCommands: true, drain: true });
  assert.deepEqual((await getJob(backend, "cmd/ok")).result, { exitCode: 0, stdout: "out\n" });
  const bad = await getJob(backend, "cmd/bad");
  assert.equal(bad.state, "failed");
  assert.equal(bad.error, "exited with status 3: why");
});

conformance("a command job knows its job and attempt, its run's fencing token", async (ctx) => {
  const backend = await ctx.open();
  const echo = 'printf "%s %s" "$COORD_JOB" "$COORD_ATTEMPT"';
  // Its first run fails: the second is attempt 2.
  await putJob(backend, "who", {
    id: "j",
    command: ["sh", "-c", `${echo} >&2; [ "$COORD_ATTEMPT" -gt 1 ] && ${echo}`],
    retries: 1,
    backoffMs: 0,
  });
  await work(backend, ["who"], { allowCommands: true, drain: true });
  const job = await getJob(backend, "who/j");
  assert.equal(job.state, "completed", job.error);
  assert.deepEqual(job.result, { exitCode: 0, stdout: "who/j 2" });
});

conformance("a command job's output cut to what is kept says it was cut", async (ctx) => {
  const backend = await ctx.open();
  // 70000 bytes: more than the 64 KiB of stdout a result keeps.
  const lots = "head -c 70000 /dev/zero | tr '\\0' x";
  await putJob(backend, "cut", { id: "long", command: ["sh", "-c", lots] });
  await putJob(backend, "cut", { id: "fits", command: ["sh", "-c", "printf %065536d 0"] });
  await putJob(backend, "cut", {
    id: "bad",
    command: ["sh", "-c", `${lots} >&2; echo why >&2; exit 3`],
  });
  await work(backend, ["cut"], { allowCommands: true, drain: true });
  const long = (await getJob(backend, "cut/long")).result as Record<string, unknown>;
  assert.deepEqual([long.truncated, (long.stdout as string).length], [true, MAX_STDOUT_BYTES]);
  const fits = (await getJob(backend, "cut/fits")).result as Record<string, unknown>;
  assert.deepEqual(Object.keys(fits), ["exitCode", "stdout"]);
  // The end of stderr, marked as its end only: not the end of its first 64 KiB.
  assert.match((await getJob(backend, "cut/bad")).error!, /^exited with status 3: …x+\s*why$/);
});

conformance("a job not started within its begin-by fails as expired", async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "late", { id: "j", handler: "x", beginByMs: 100 });
  await new Promise((r) => setTimeout(r, 250));
  let ran = false;
  const failures: WorkEvent[] = [];
  const result = await work(backend, ["late"], {
    handlers: { x: () => (ran = true) },
    drain: true,
    onEvent: (event) => event.type === "failed" && failures.push(event),
  });
  assert.equal(ran, false);
  const job = await getJob(backend, "late/j");
  assert.equal(job.state, "failed");
  assert.match(job.error!, /expired/);
  // Failed by the worker's claim: told as any failure is.
  assert.deepEqual(failures, [{
    type: "failed",
    job: "late/j",
    attempt: 0,
    error: "expired: not started by its --begin-by",
  }]);
  assert.equal(result.failed, 1);
});

conformance("a job's begin-by is shown as the instant it expires at", async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "shown", { id: "j", handler: "x", delayMs: 5_000, beginByMs: 60_000 });
  await putJob(backend, "shown", { id: "k", handler: "x" });
  const job = await getJob(backend, "shown/j");
  assert.equal(job.beginBy, job.readyAt + 60_000);
  assert.equal((await getJob(backend, "shown/k")).beginBy, undefined);
});

conformance("begin-by counts from a delayed job's start, and not for its retries", async (ctx) => {
  const backend = await ctx.open();
  // Each begin-by is shorter than the delay or backoff it must not count, and long enough for a
  // worker on a busy machine to start the job in time.
  await putJob(backend, "soon", { id: "j", handler: "x", delayMs: 3_000, beginByMs: 2_000 });
  await putJob(backend, "soon", {
    id: "r",
    handler: "flaky",
    beginByMs: 2_000,
    retries: 1,
    backoffMs: 3_000,
  });
  let runs = 0;
  await work(backend, ["soon"], {
    handlers: {
      x: () => 1,
      flaky: () => {
        if (++runs === 1) throw new Error("once");
      },
    },
    drain: true,
  });
  assert.equal((await getJob(backend, "soon/j")).state, "completed");
  assert.equal((await getJob(backend, "soon/r")).state, "completed");
});

conformance("automatic ids skip the ones taken with --id", async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "ids", { id: "1", handler: "x" });
  await putJob(backend, "ids", { id: "2", handler: "x" });
  assert.equal((await putJob(backend, "ids", { handler: "y" })).ref, "ids/3");
  assert.equal((await getJob(backend, "ids/1")).spec.handler, "x");
});

conformance("a re-claimed job fences its earlier attempt, even on the same worker", async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "fence", { id: "j", handler: "x" });
  const first = await claimJob(backend.queue, "fence", { worker: "w", leaseMs: 1 });
  await new Promise((r) => setTimeout(r, 10));
  const second = await claimJob(backend.queue, "fence", { worker: "w", leaseMs: 60_000 });
  assert.deepEqual([first.job?.attempts, second.job?.attempts], [1, 2]);
  const old = { id: "j", worker: "w", attempt: 1 };
  assert.equal(await backend.queue.renew("fence", { ...old, leaseMs: 60_000 }), false);
  const done = { outcome: "completed" as const };
  assert.equal(await backend.queue.finish("fence", { ...old, ...done, result: 1 }), false);
  assert.equal(
    await backend.queue.finish("fence", { ...old, ...done, attempt: 2, result: 2 }),
    true,
  );
  assert.equal((await getJob(backend, "fence/j")).result, 2);
});

conformance("a stalled attempt does not use up a job's retries", async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "keep", { id: "j", handler: "flaky", retries: 1, backoffMs: 10 });
  await claimJob(backend.queue, "keep", { worker: "ghost", leaseMs: 1 });
  await new Promise((r) => setTimeout(r, 10));
  let runs = 0;
  await work(backend, ["keep"], {
    handlers: {
      flaky: () => {
        if (++runs === 1) throw new Error("once");
      },
    },
    drain: true,
  });
  const job = await getJob(backend, "keep/j");
  assert.deepEqual([job.state, job.attempts, job.failures, job.stalls], ["completed", 3, 1, 1]);
});

conformance("a job whose worker stopped answering is run again after its lease", async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "stall", { id: "j", handler: "x" });
  // A worker that claims and then vanishes (as after SIGKILL).
  const claimed = await claimJob(backend.queue, "stall", { worker: "ghost", leaseMs: 300 });
  assert.equal(claimed.job?.id, "j");
  const startedAt = Date.now();
  let ranAt = 0;
  await work(backend, ["stall"], { handlers: { x: () => (ranAt = Date.now()) }, drain: true });
  assert.ok(ranAt - startedAt >= 250, `run again ${ranAt - startedAt} ms after the claim`);
  const job = await getJob(backend, "stall/j");
  assert.deepEqual([job.state, job.attempts, job.stalls], ["completed", 2, 1]);
  assert.equal(
    await backend.queue.finish("stall", {
      id: "j",
      worker: "ghost",
      attempt: 1,
      outcome: "completed",
      result: 1,
    }),
    false,
    "the ghost cannot finish it any more",
  );
});

conformance(`a job abandoned more than ${MAX_STALLS} times fails`, async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "poison", { id: "j", handler: "x" });
  for (let i = 0; i <= MAX_STALLS; i++) {
    const { job } = await claimJob(backend.queue, "poison", { worker: `ghost${i}`, leaseMs: 1 });
    assert.equal(job?.id, "j", `claim ${i}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const failures: WorkEvent[] = [];
  const result = await work(backend, ["poison"], {
    handlers: { x: () => assert.fail("an abandoned job runs no more") },
    drain: true,
    onEvent: (event) => event.type === "failed" && failures.push(event),
  });
  const job = await getJob(backend, "poison/j");
  assert.equal(job.state, "failed");
  assert.match(job.error!, /abandoned 4 times/);
  assert.deepEqual(failures, [{
    type: "failed",
    job: "poison/j",
    attempt: MAX_STALLS + 1,
    error: "abandoned 4 times by workers that stopped answering",
  }]);
  assert.deepEqual(result, { completed: 0, failed: 1, cutShort: 0, stillRunning: 0 });
  assert.deepEqual(await claimJob(backend.queue, "poison", { worker: "w", leaseMs: 1_000 }), {});
});

conformance("cancel ends a pending or an active job, not a finished one", async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "c", { id: "waiting", handler: "x", delayMs: 60_000 });
  await putJob(backend, "c", { id: "running", handler: "x" });
  const claimed = await claimJob(backend.queue, "c", { worker: "w", leaseMs: 60_000 });
  assert.equal(claimed.job?.id, "running");
  await putJob(backend, "c", { id: "done", handler: "x" });
  assert.equal((await cancelJob(backend, "c/waiting")).cancelled, true);
  assert.equal((await cancelJob(backend, "c/waiting")).cancelled, false, "once");
  assert.equal((await cancelJob(backend, "c/running")).cancelled, true);
  const counts = (await queueCounts(backend, ["c"]))[0];
  assert.deepEqual([counts.cancelled, counts.active, counts.scheduled], [2, 0, 0]);
  // The run that was cancelled can no longer finish it.
  const attempt = { id: "running", worker: "w", attempt: 1 };
  assert.equal(
    await backend.queue.finish("c", { ...attempt, outcome: "completed", result: 1 }),
    false,
  );
  assert.equal((await waitForJob(backend, "c/running", { timeoutMs: 1_000 })).state, "cancelled");
  await work(backend, ["c"], { handlers: { x: () => 1 }, drain: true });
  assert.equal((await cancelJob(backend, "c/done")).cancelled, false);
  await assert.rejects(cancelJob(backend, "c/none"), UnknownJobError);
  await assert.rejects(waitForJob(backend, "c/none", { timeoutMs: 200 }), UnknownJobError);
});

conformance("a stop by force counts the runs it cut short", async (ctx) => {
  const backend = await ctx.open();
  for (const id of ["a", "b"]) await putJob(backend, "forced", { id, handler: "long" });
  let started = 0;
  const stop = new AbortController();
  const force = new AbortController();
  const worker = work(backend, ["forced"], {
    handlers: {
      long: async (_args, { signal }) => {
        started++;
        await abortion(signal);
        throw signal.reason;
      },
    },
    concurrency: 2,
    signal: stop.signal,
    force: force.signal,
  });
  await until(() => started === 2, { what: "both jobs started" });
  stop.abort();
  force.abort();
  assert.deepEqual(await worker, { completed: 0, failed: 0, cutShort: 2, stillRunning: 0 });
  for (const id of ["a", "b"]) {
    assert.equal((await getJob(backend, `forced/${id}`)).state, "pending", id);
  }
});

conformance(
  "cancelling a running handler aborts its ctx.signal; it is not retried",
  async (ctx) => {
    const backend = await ctx.open();
    await putJob(backend, "stop", { id: "long", handler: "long", retries: 3 });
    let runs = 0;
    const aborted = Promise.withResolvers<string>();
    const worker = work(backend, ["stop"], {
      handlers: {
        long: (_args, { signal }) => {
          runs++;
          signal.addEventListener("abort", () => aborted.resolve(String(signal.reason)));
          return new Promise(() => {});
        },
      },
      drain: true,
      // It never returns: what is left of the grace period is waited for it.
      graceMs: 200,
    });
    for (;;) {
      if ((await getJob(backend, "stop/long")).state === "active") break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await cancelJob(backend, "stop/long");
    assert.match(await aborted.promise, /stop\/long was cancelled/);
    assert.deepEqual(await worker, { completed: 0, failed: 0, cutShort: 0, stillRunning: 1 });
    assert.equal(runs, 1);
    const job = await getJob(backend, "stop/long");
    assert.deepEqual([job.state, job.error], ["cancelled", "cancelled while running"]);
  },
);

conformance("three workers run 60 jobs, each exactly once", async (ctx) => {
  const putter = await ctx.open();
  for (let i = 0; i < 60; i++) await putJob(putter, "many", { handler: "run", args: i });
  const runs: number[] = [];
  const workers = await Promise.all([0, 1, 2].map(async (w) =>
    work(await ctx.open(), ["many"], {
      worker: `w${w}`,
      concurrency: 5,
      handlers: {
        run: async (args) => {
          runs.push(args as number);
          await new Promise((r) => setTimeout(r, 5));
        },
      },
      drain: true,
    })
  ));
  assert.equal(workers.reduce((sum, r) => sum + r.completed, 0), 60);
  assert.deepEqual([...runs].sort((a, b) => a - b), [...Array(60).keys()]);
});

conformance("bad input is refused and stores nothing", async (ctx) => {
  const backend = await ctx.open();
  for (
    const options of [
      {},
      { handler: "a", command: ["b"] },
      { handler: "not a name" },
      { command: [] },
      { handler: "a", retries: -1 },
      { handler: "a", delayMs: -5 },
      { command: [1, 2] as unknown as string[] },
      { handler: ["a"] as unknown as string },
      { handler: "a", timeoutMs: 2 ** 31 },
      { handler: "a", retries: 1_001 },
      { handler: "a", backoffMs: "1" as unknown as number },
    ]
  ) {
    await assert.rejects(putJob(backend, "bad", options), UsageError, JSON.stringify(options));
  }
  await assert.rejects(putJob(backend, "a/b", { handler: "x" }), UsageError);
  for (
    const options of [
      { concurrency: 0 },
      { concurrency: 10_001 },
      { leaseMs: 100 },
      {
        leaseMs: 2 ** 31,
      },
      { graceMs: -1 },
      { graceMs: 2 ** 31 },
    ]
  ) {
    await assert.rejects(work(backend, ["bad"], options), UsageError, JSON.stringify(options));
  }
  await assert.rejects(getJob(backend, "no-slash"), UsageError);
  assert.deepEqual(await backend.queue.list(), []);
});

conformance("a job holding foreign data is reported, not run", async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "alien", { id: "j", handler: "x" });
  if (isSql(backend)) {
    await runSql(backend, "UPDATE coord_queue_job SET spec = 'junk' WHERE id = 'j'");
  } else {
    const redis = backend as RedisBackend;
    const key = redis.key("queue", "alien", "jobs");
    await redis.conn.send(key, ["HSET", key, "j", "junk"]);
  }
  await assert.rejects(getJob(backend, "alien/j"), ForeignDataError);
});

conformance("a queue's id counter gone below 0 is refused, and left as it was", async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "numbered", { handler: "x" });
  // Jobs would be named numbered/-6, numbered/-5 …: another program's number, not coord's.
  const counter = isSql(backend)
    ? {
      set: () => runSql(backend, "UPDATE coord_queue_counter SET last = -7"),
      read: () => sqlValue(backend, "SELECT last FROM coord_queue_counter"),
    }
    : (() => {
      const redis = backend as RedisBackend;
      const key = redis.key("queue", "numbered", "counter");
      return {
        set: () => redis.conn.send(key, ["SET", key, "-7"]),
        read: () => redis.conn.send(key, ["GET", key]),
      };
    })();
  await counter.set();
  await assert.rejects(putJob(backend, "numbered", { handler: "x" }), ForeignDataError);
  assert.equal(Number(await counter.read()), -7);
  assert.equal((await queueCounts(backend, ["numbered"]))[0].pending, 1);
});

conformance("a command job past its timeout is stopped even if it ignores SIGTERM", async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "stuck", {
    id: "j",
    command: ["sh", "-c", 'trap "" TERM; sleep 5; echo done'],
    timeoutMs: 300,
  });
  const started = Date.now();
  await work(backend, ["stuck"], { allowCommands: true, drain: true });
  const job = await getJob(backend, "stuck/j");
  assert.equal(job.state, "failed");
  assert.match(job.error!, /timed out after 0.3 s/);
  assert.ok(Date.now() - started < 4_500, `took ${Date.now() - started} ms`);
});

conformance(
  "queue() handles: put, runUntilEmpty, result() and a failed job's error",
  async (ctx) => {
    const backend = await ctx.open();
    const reports = queue(backend, "handles");
    const ok = await reports.put({ handler: "double", args: 21 });
    const bad = await reports.put({ handler: "boom" });
    const flow = await reports.flow({ parallel: [{ handler: "double", args: 1 }] }, { id: "f" });
    await reports.runUntilEmpty({
      double: (n) => (n as number) * 2,
      boom: () => {
        throw new Error("kaboom");
      },
    });
    assert.equal(await ok.result(), 42);
    assert.deepEqual(await flow.result(), [2]);
    assert.deepEqual(await reports.job("f").result(), [2]);
    await assert.rejects(
      bad.result(),
      (e: unknown) => e instanceof JobFailedError && e.job.error === "kaboom" && e.exitCode === 1,
    );
    assert.equal((await bad.status()).state, "failed");
    assert.equal((await reports.counts()).completed, 3, "the job, the flow's part and its group");
  },
);

for (const garbage of GARBAGE) {
  conformance(
    `a job another program wrote over (${garbage}) fails with the reason; the others run`,
    async (ctx) => {
      const backend = await ctx.open();
      await plantGarbageJob(backend, "mixed", "poison", garbage);
      for (const id of ["a", "b", "c"]) await putJob(backend, "mixed", { id, handler: "ok" });
      const events: string[] = [];
      const result = await work(backend, ["mixed"], {
        handlers: { ok: () => "fine" },
        drain: true,
        onEvent: (e) => events.push(e.type === "failed" ? `${e.job} ${e.error}` : e.type),
      });
      assert.deepEqual([result.completed, result.failed], [3, 1]);
      for (const id of ["a", "b", "c"]) {
        assert.equal((await getJob(backend, `mixed/${id}`)).result, "fine");
      }
      const poison = await getJob(backend, "mixed/poison");
      assert.equal(poison.state, "failed");
      assert.match(poison.error!, /^cannot be read: queue "mixed": a job holds .* another program/);
      assert.equal(events.filter((e) => e.startsWith("mixed/poison")).length, 1, "logged once");
      assert.equal(
        (await waitForJob(backend, "mixed/poison", { timeoutMs: 1_000 })).state,
        "failed",
      );
      const counts = (await queueCounts(backend, ["mixed"]))[0];
      assert.deepEqual([counts.completed, counts.failed, counts.pending], [3, 1, 0]);
    },
    { skip: TYPED_GARBAGE.includes(garbage) ? ["postgres"] : [] },
  );
}

conformance(
  "a delayed job whose state another program wrote over is scheduled, then failed once its start comes; a draining worker ends",
  async (ctx) => {
    const backend = await ctx.open();
    // Long enough that its start is still to come when counted, whatever the load.
    await putJob(backend, "later", { id: "poison", handler: "ok", delayMs: 2_000 });
    await putJob(backend, "later", { id: "a", handler: "ok" });
    await overwriteJob(backend, "later", "poison", "state", "not coord's");
    const [counts] = await queueCounts(backend, ["later"]);
    assert.deepEqual([counts.pending, counts.scheduled], [1, 1]);
    const result = await work(backend, ["later"], {
      handlers: { ok: () => "fine" },
      drain: true,
      signal: AbortSignal.timeout(HANG_GUARD_MS),
    });
    assert.deepEqual([result.completed, result.failed], [1, 1]);
    const poison = await getJob(backend, "later/poison");
    assert.equal(poison.state, "failed");
    assert.match(poison.error!, /^cannot be read: queue "later": a job holds .* another program/);
  },
);

/** The Redis backends, for SQL's own columns: no `due` there, a lease is the active set's score. */
const REDIS_LABELS = ["redis", "cluster", "sentinel"];

conformance(
  "a job holding a priority beyond ±1000 is refused, and a worker fails it instead of running it first",
  async (ctx) => {
    const backend = await ctx.open();
    for (const id of ["poison", "a", "b"]) await putJob(backend, "ranked", { id, handler: "ok" });
    await overwritePriority(backend, "ranked", "poison", 5000);
    // SQL names the column; Redis quotes the record, as for any other value it did not write.
    const named = isSql(backend)
      ? /^job ranked\/poison: coord_queue_job holds a row coord did not write \(priority = 5000\)/
      : /\bjob poison "\{/;
    const refusal = (e: unknown) => e instanceof ForeignDataError && named.test(e.message);
    await assert.rejects(getJob(backend, "ranked/poison"), refusal);
    await assert.rejects(waitForJob(backend, "ranked/poison", { timeoutMs: 1_000 }), refusal);
    await assert.rejects(cancelJob(backend, "ranked/poison"), refusal);
    const started: string[] = [];
    const result = await work(backend, ["ranked"], {
      handlers: { ok: () => "fine" },
      drain: true,
      concurrency: 1,
      onEvent: (e) => e.type === "started" && started.push(e.job),
    });
    assert.deepEqual([result.completed, result.failed, started], [2, 1, ["ranked/a", "ranked/b"]]);
    const poison = await getJob(backend, "ranked/poison");
    assert.equal(poison.state, "failed");
    assert.match(
      poison.error!,
      isSql(backend)
        ? /^cannot be read: job ranked\/poison: .*\(priority = 5000\)/
        : /^cannot be read: queue "ranked": a job holds .* another program/,
    );
  },
);

conformance(
  "a running job's row with a lease before any clock is refused naming it, and a worker fails it",
  async (ctx) => {
    const backend = await ctx.open();
    for (const id of ["leased", "a"]) await putJob(backend, "leases", { id, handler: "ok" });
    // Taken by a worker that is gone, its lease one no clock gave.
    await runSql(
      backend,
      `UPDATE coord_queue_job SET state = 'active', worker = 'gone', attempts = 1, started_at = 1,
       lease_until = -5 WHERE id = 'leased'`,
    );
    await assert.rejects(
      getJob(backend, "leases/leased"),
      (e: unknown) =>
        e instanceof ForeignDataError &&
        e.message.startsWith(
          "job leases/leased: coord_queue_job holds a row coord did not write (lease_until = -5)",
        ),
    );
    const result = await work(backend, ["leases"], { handlers: { ok: () => "fine" }, drain: true });
    assert.deepEqual([result.completed, result.failed], [1, 1]);
    const leased = await getJob(backend, "leases/leased");
    assert.equal(leased.state, "failed");
    assert.match(leased.error!, /^cannot be read: job leases\/leased: .*\(lease_until = -5\)/);
  },
  { skip: REDIS_LABELS },
);

conformance(
  "a job row with a due coord never writes is refused, not shown waiting its turn for good",
  async (ctx) => {
    const backend = await ctx.open();
    for (const id of ["stuck", "a"]) await putJob(backend, "dues", { id, handler: "ok" });
    await runSql(backend, "UPDATE coord_queue_job SET due = 7 WHERE id = 'stuck'");
    const refusal = (e: unknown) =>
      e instanceof ForeignDataError &&
      e.message.startsWith(
        "job dues/stuck: coord_queue_job holds a row coord did not write (due = 7)",
      );
    await assert.rejects(getJob(backend, "dues/stuck"), refusal);
    await assert.rejects(cancelJob(backend, "dues/stuck"), refusal);
    // No claim looks for it: the others run, and it is left as it is. (It counts as pending: a
    // draining worker would wait for it, as for any job another program wrote out of reach.)
    const stop = new AbortController();
    const working = work(backend, ["dues"], {
      handlers: { ok: () => "fine" },
      signal: stop.signal,
    });
    await until(async () => (await getJob(backend, "dues/a")).state === "completed", {
      what: "the other job's run",
    });
    stop.abort();
    const result = await working;
    assert.deepEqual([result.completed, result.failed], [1, 0]);
    await assert.rejects(getJob(backend, "dues/stuck"), refusal);
  },
  { skip: REDIS_LABELS },
);

conformance(
  "a job another program wrote over, failed and then retried, is not failed again by a worker whose claim met it before",
  async (ctx) => {
    const backend = await ctx.open();
    await putJob(backend, "late", { id: "x", handler: "ok" });
    await overwriteJob(backend, "late", "x", "state", "not coord's");
    // Two workers' claims meet it before either fails it.
    const met = [];
    for (const worker of ["w1", "w2"]) {
      const { undecodable } = await claimJob(backend.queue, "late", { worker, leaseMs: 60_000 });
      met.push({ ...undecodable!, error: `cannot be read: ${undecodable!.reason}` });
    }
    assert.equal(await backend.queue.failUndecodable("late", met[0]), true);
    assert.equal((await retryJob(backend, "late/x")).retried, true);
    assert.equal(await backend.queue.failUndecodable("late", met[1]), false);
    const x = await getJob(backend, "late/x");
    assert.deepEqual([x.state, x.error], ["pending", undefined]);
  },
);

conformance(
  "a worker whose claim met a job another program wrote over fails neither its retried run nor, once purged, brings it back",
  async (ctx) => {
    const backend = await ctx.open();
    const met = [];
    for (const id of ["x", "y"]) {
      await putJob(backend, "stale", { id, handler: "ok" });
      await overwriteJob(backend, "stale", id, "state", "not coord's");
      for (const worker of ["w1", "w2"]) {
        const { undecodable } = await claimJob(backend.queue, "stale", { worker, leaseMs: 60_000 });
        met.push({ ...undecodable!, error: `cannot be read: ${undecodable!.reason}` });
      }
      assert.equal(await backend.queue.failUndecodable("stale", met.at(-2)!), true);
    }
    // x is retried and taken again; y is purged.
    assert.equal((await retryJob(backend, "stale/x")).retried, true);
    const { job } = await claimJob(backend.queue, "stale", { worker: "w3", leaseMs: 60_000 });
    assert.equal(job?.id, "x");
    assert.equal(await purgeJobs(backend, "stale", { state: "failed" }), 1);
    for (const late of [met[1], met[3]]) {
      assert.equal(await backend.queue.failUndecodable("stale", late), false);
    }
    const ran = { id: "x", worker: "w3", attempt: job!.attempts, outcome: "completed" as const };
    assert.equal(await backend.queue.finish("stale", { ...ran, result: 1 }), true);
    assert.equal((await getJob(backend, "stale/x")).state, "completed");
    assert.equal((await queueCounts(backend, ["stale"]))[0].failed, 0);
  },
);

conformance(
  "a pending job whose attempts another program set to the last safe integer is failed by the worker whose claim met it, and the jobs behind it run",
  async (ctx) => {
    const backend = await ctx.open();
    await putJob(backend, "edge", { id: "x", handler: "ok" });
    await putJob(backend, "edge", { id: "y", handler: "ok" });
    // Readable as stored; one more, as a claim takes it, is no safe integer.
    await runSql(
      backend,
      "UPDATE coord_queue_job SET attempts = ? WHERE namespace = ? AND queue = ? AND id = ?",
      Number.MAX_SAFE_INTEGER,
      backend.namespace,
      "edge",
      "x",
    );
    const { undecodable } = await claimJob(backend.queue, "edge", { worker: "w", leaseMs: 60_000 });
    assert.equal(undecodable?.id, "x");
    const error = `cannot be read: ${undecodable!.reason}`;
    assert.equal(await backend.queue.failUndecodable("edge", { id: "x", error }), true);
    const { job } = await claimJob(backend.queue, "edge", { worker: "w", leaseMs: 60_000 });
    assert.equal(job?.id, "y");
  },
  // Its record is one JSON value: another program's attempts there fail it as stored.
  { skip: REDIS_LABELS },
);

conformance(
  "show, wait and cancel refuse a job coord cannot read, changing nothing",
  async (ctx) => {
    const backend = await ctx.open();
    for (const garbage of garbageOn(backend)) {
      await plantGarbageJob(backend, "junk", garbage, garbage);
      const ref = `junk/${garbage}`;
      await assert.rejects(getJob(backend, ref), ForeignDataError, ref);
      await assert.rejects(waitForJob(backend, ref, { timeoutMs: 1_000 }), ForeignDataError, ref);
      await assert.rejects(cancelJob(backend, ref), ForeignDataError, ref);
    }
    // Still pending as planted: a worker takes them (and fails them) next.
    const result = await work(backend, ["junk"], { drain: true });
    assert.equal(result.failed, garbageOn(backend).length);
  },
);

conformance("a worker that is stopping takes no next job when its run finishes", async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "last", { id: "first", handler: "hold" });
  const stop = new AbortController();
  const started = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  const runs: string[] = [];
  const worker = work(backend, ["last"], {
    concurrency: 1,
    signal: stop.signal,
    handlers: {
      hold: async (_args, { job }) => {
        runs.push(job);
        started.resolve();
        await release.promise;
      },
    },
  });
  await started.promise;
  // Ready while the worker's only slot is busy: the finish would hand it the slot.
  await putJob(backend, "last", { id: "second", handler: "hold" });
  stop.abort();
  release.resolve();
  assert.deepEqual(await worker, { completed: 1, failed: 0, cutShort: 0, stillRunning: 0 });
  assert.deepEqual(runs, ["last/first"]);
  const second = await getJob(backend, "last/second");
  assert.deepEqual([second.state, second.attempts], ["pending", 0]);
});

conformance("an idle worker on many queues asks only the queue that changed", async (ctx) => {
  const backend = await ctx.open();
  // Enough queues that the worker's look at all of them comes far apart (one per 100 ms).
  const queues = Array.from({ length: 60 }, (_, i) => `many${i}`);
  const steps = backend.queue;
  const asked: string[] = [];
  const ask = steps.finishAndClaim.bind(steps);
  steps.finishAndClaim = (queue, request) => {
    asked.push(queue);
    return ask(queue, request);
  };
  const stop = new AbortController();
  let before = 0;
  let toStart: string[] = [];
  const worker = work(backend, queues, {
    signal: stop.signal,
    handlers: { h: () => void (toStart = asked.slice(before)) },
  });
  await until(() => asked.length >= queues.length, { what: "the first look at every queue" });
  before = asked.length;
  await putJob(backend, "many17", { id: "x", handler: "h" });
  await until(() => toStart.length > 0, { what: "the job's start" });
  stop.abort();
  await worker;
  assert.deepEqual(toStart, ["many17"]);
});

/**
 * Counts `backend`'s calls that take jobs: how many each asked for, and the most at once (a
 * call that only records runs' ends takes none on a worker of several queues while another
 * of them waits for a call).
 */
function countClaims(backend: Backend) {
  const steps = backend.queue;
  const calls = { asked: [] as number[], inFlight: 0, most: 0 };
  const ask = steps.finishAndClaim.bind(steps);
  steps.finishAndClaim = async (queue, request) => {
    if (request.claims === 0) return await ask(queue, request);
    calls.asked.push(request.claims);
    calls.most = Math.max(calls.most, ++calls.inFlight);
    try {
      return await ask(queue, request);
    } finally {
      calls.inFlight--;
    }
  };
  return calls;
}

/**
 * Puts `jobs` jobs into the first of `queues` one at a time, each once the last started, then
 * lets them end one at a time, on a worker of all of them; returns the calls that took jobs and
 * the most a worker that calls only when a call may find jobs makes.
 */
async function callsForJobsOneByOne(backend: Backend, queues: string[], jobs: number) {
  const calls = countClaims(backend);
  const stop = new AbortController();
  const releases: (() => void)[] = [];
  let completed = 0;
  const worker = work(backend, queues, {
    concurrency: 20,
    signal: stop.signal,
    onEvent: (event) => void (event.type === "completed" && completed++),
    handlers: { hold: () => new Promise<void>((resolve) => releases.push(resolve)) },
  });
  await until(() => calls.asked.length >= queues.length, { what: "the first look" });
  const before = calls.asked.length;
  const startedAt = performance.now();
  for (let i = 0; i < jobs; i++) {
    await putJob(backend, queues[0], { id: `j${i}`, handler: "hold" });
    await until(() => releases.length > i, { what: `job ${i}'s start` });
  }
  for (let i = 0; i < jobs; i++) {
    releases[i]();
    await until(() => completed > i, { what: `job ${i}'s end` });
  }
  const made = calls.asked.length - before;
  const elapsedMs = performance.now() - startedAt;
  stop.abort();
  await worker;
  // One call takes each job, one records each end. Every queue is looked at every 2 s besides.
  const most = 2 * jobs + queues.length * Math.ceil(elapsedMs / 2_000);
  return { made, most, what: `${made} calls for ${jobs} jobs in ${Math.round(elapsedMs)} ms` };
}

conformance(
  "a worker calls once to take each job put and once to record each run's end, no more",
  async (ctx) => {
    // A start and an end each cost a look more before: the claim's look that found nothing,
    // and the end's.
    const { made, most, what } = await callsForJobsOneByOne(await ctx.open(), ["calls"], 10);
    assert.ok(made <= most, what);
  },
);

/**
 * Puts jobs into the first of `queues` one at a time, each once the last one's end was told,
 * on a worker of all of them that is otherwise at rest; returns the calls to that queue that
 * took jobs or recorded runs' ends, and the most a worker that calls twice a job makes.
 */
async function callsAtRest(backend: Backend, queues: string[], concurrency: number) {
  const calls = await countWorkerCalls(backend, queues[0]);
  await using waiter = await backend.watch({ kind: "queue", name: queues[0] });
  const stop = new AbortController();
  const releases: (() => void)[] = [];
  const worker = work(backend, queues, {
    concurrency,
    signal: stop.signal,
    handlers: { hold: () => new Promise<void>((resolve) => releases.push(resolve)) },
  });
  await until(() => calls.n >= 1, { what: "the first look" });
  const before = calls.n;
  const startedAt = performance.now();
  const JOBS = 10;
  for (let i = 0; i < JOBS; i++) {
    await putJob(backend, queues[0], { id: `r${i}`, handler: "hold" });
    await until(() => releases.length > i, { what: `job ${i}'s start` });
    // The put was heard by the worker, so by this waiter too: that change is taken.
    await waiter.next(0);
    releases[i]();
    // The run's end, which left nothing running, as waiters hear it; the worker heard it at
    // once too, and a look it made for it has begun before any timer runs.
    await waiter.next(HANG_GUARD_MS);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const elapsedMs = performance.now() - startedAt;
  stop.abort();
  await worker;
  const made = calls.n - before;
  // Every queue is looked at every 2 s besides.
  const most = 2 * JOBS + Math.ceil(elapsedMs / 2_000);
  return { made, most, what: `${made} calls for ${JOBS} jobs in ${Math.round(elapsedMs)} ms` };
}

conformance(
  "a worker at rest calls twice a job: to take it and to record its run's end",
  async (ctx) => {
    // The end of a run that leaves the queue with nothing running is news for waiters: the
    // worker that recorded it looked again on SQLite and PostgreSQL, to find nothing.
    const { made, most, what } = await callsAtRest(await ctx.open(), ["rest"], 5);
    assert.ok(made <= most, what);
  },
);

conformance(
  "a worker of several queues at rest, one job at a time, calls twice a job",
  async (ctx) => {
    // The call that records a run's end takes for the free slot when no other queue wants it:
    // it took nothing before, and the look that followed found the queue empty.
    const queues = ["one0", "one1", "one2"];
    const { made, most, what } = await callsAtRest(await ctx.open(), queues, 1);
    assert.ok(made <= most, what);
  },
);

conformance(
  "a worker of several queues calls only the one a job was put into",
  async (ctx) => {
    // Each start and each end cost a look at every other queue before.
    const queues = Array.from({ length: 8 }, (_, i) => `callsOf${i}`);
    const { made, most, what } = await callsForJobsOneByOne(await ctx.open(), queues, 5);
    assert.ok(made <= most, what);
  },
);

conformance(
  "a job put into a quiet queue starts in its turn while another queue keeps the worker busy",
  async (ctx) => {
    const backend = await ctx.open();
    // More than the worker runs in the 2 s to that look, on any backend here.
    const BUSY = 5_000;
    await putJobs(
      backend,
      "busyQ",
      Array.from({ length: BUSY }, (_, i) => ({ handler: "h", args: i })),
    );
    const starts: string[] = [];
    const stop = new AbortController();
    const worker = work(backend, ["busyQ", "quietQ"], {
      concurrency: 1,
      signal: stop.signal,
      handlers: { h: (_args, { job }) => void starts.push(job.split("/")[0]) },
    });
    // The quiet queue was looked at, found empty, and is called again only when it changes.
    await until(() => starts.length >= 10, { what: "the busy queue's first jobs" });
    await putJob(backend, "quietQ", { id: "q", handler: "h" });
    const putAfter = starts.length;
    await until(() => starts.includes("quietQ"), { what: "the quiet queue's job" });
    stop.abort();
    await worker;
    const busyBefore = starts.indexOf("quietQ") - putAfter;
    // Its change is heard while the busy queue's claims go on, and it takes the next turn;
    // unheard, it waited for the look at every queue, 2 s of busy jobs later.
    assert.ok(busyBefore <= 50, `${busyBefore} of the busy queue's jobs started before it`);
  },
);

conformance(
  "an idle worker looks at all its queues at once, each call taking a share",
  async (ctx) => {
    const backend = await ctx.open();
    const queues = Array.from({ length: 6 }, (_, i) => `once${i}`);
    const calls = countClaims(backend);
    const stop = new AbortController();
    const worker = work(backend, queues, { concurrency: 12, signal: stop.signal, handlers: {} });
    await until(() => calls.asked.length >= queues.length, {
      what: "the first look at every queue",
    });
    stop.abort();
    await worker;
    assert.equal(calls.most, queues.length);
    assert.deepEqual(calls.asked.slice(0, queues.length), queues.map(() => 2));
  },
);

conformance(
  "an idle worker with fewer free slots than queues looks at as many at once",
  async (ctx) => {
    const backend = await ctx.open();
    const queues = Array.from({ length: 6 }, (_, i) => `slots${i}`);
    for (const queue of queues) await putJob(backend, queue, { id: "j", handler: "h" });
    const calls = countClaims(backend);
    let running = 0;
    let most = 0;
    const result = await work(backend, queues, {
      concurrency: 2,
      drain: true,
      handlers: {
        h: async () => {
          most = Math.max(most, ++running);
          await new Promise((resolve) => setTimeout(resolve, 1));
          running--;
        },
      },
    });
    assert.equal(result.completed, queues.length);
    assert.ok(most <= 2, `${most} jobs ran at once`);
    assert.equal(calls.most, 2);
    assert.deepEqual(calls.asked.slice(0, 2), [1, 1]);
  },
);

conformance(
  "an idle worker of one slot takes turns between busy queues, empty ones between them",
  async (ctx) => {
    const backend = await ctx.open();
    const queues = ["turnA", "turnE1", "turnE2", "turnE3", "turnC"];
    for (const queue of ["turnA", "turnC"]) {
      await putJobs(backend, queue, [1, 2, 3, 4].map((i) => ({ id: `j${i}`, handler: "h" })));
    }
    const runs: string[] = [];
    await work(backend, queues, {
      concurrency: 1,
      drain: true,
      handlers: { h: (_args, { job }) => void runs.push(job.split("/")[0]) },
    });
    assert.deepEqual(runs, [
      "turnA",
      "turnC",
      "turnA",
      "turnC",
      "turnA",
      "turnC",
      "turnA",
      "turnC",
    ]);
  },
);

conformance("a worker stopped by force alone, without a stop signal, ends", async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "forced", { id: "a", handler: "hold" });
  const force = new AbortController();
  const started = Promise.withResolvers<void>();
  const worker = work(backend, ["forced"], {
    force: force.signal,
    handlers: {
      hold: (_args, { signal }) => {
        started.resolve();
        return new Promise((_, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason))
        );
      },
    },
  });
  await started.promise;
  force.abort();
  const result = await guarded(worker, "end of the worker");
  assert.equal(result.completed, 0);
  const job = await getJob(backend, "forced/a");
  assert.deepEqual([job.state, job.attempts], ["pending", 1], "released for another worker");
});
