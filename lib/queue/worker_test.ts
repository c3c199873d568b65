import assert from "node:assert/strict";
import { connect } from "../backend/connect.ts";
import { UsageError } from "../errors.ts";
import { type JobHandler, work } from "./worker.ts";
import { getJob, putJob, queueCounts } from "./queue.ts";
import { putJobs } from "./bulk.ts";
import { commandHandler } from "../schedule/command_task.ts";
import { overriding } from "../../tests/support/overriding.ts";
import { guarded } from "../../tests/support/wait.ts";
import { countingTimers } from "../../tests/support/live_timers.ts";
import { lookCut } from "../../tests/support/look_cut.ts";

Deno.test("work() names its options as a program gives them, not as the CLI's flags", async () => {
  await using backend = await connect({ url: "sqlite::memory:" });
  for (
    const [options, message] of [
      [
        { concurrency: 0 },
        /^UsageError: concurrency must be a whole number from 1 to 10000, got 0$/,
      ],
      [{ leaseMs: 100 }, /^UsageError: leaseMs must be .*300.*, got 100$/],
      [{ graceMs: -1 }, /^UsageError: graceMs must be .*, got -1$/],
    ] as const
  ) {
    await assert.rejects(work(backend, ["q"], options), message);
  }
});

Deno.test("work() refuses passEnv without allowCommands, and takes no job", async () => {
  await using backend = await connect({ url: "sqlite::memory:" });
  const { ref } = await putJob(backend, "q", { command: ["env"] });
  await assert.rejects(
    work(backend, ["q"], { passEnv: ["COORD_URL"], drain: true }),
    new UsageError(
      "passEnv is for command jobs, which a worker runs only with allowCommands — give both, " +
        "or neither",
    ),
  );
  assert.equal((await getJob(backend, ref)).state, "pending");
});

Deno.test("work() and commandHandler() refuse a passEnv name coord does not withhold", async () => {
  await using backend = await connect({ url: "sqlite::memory:" });
  const { ref } = await putJob(backend, "q", { command: ["env"] });
  // A typo of COORD_URL: it would pass nothing, silently, as --pass-env COORD_ULR exits 64.
  const refusal = new UsageError(
    'passEnv takes COORD_URL, COORD_PASSWORD, PGPASSWORD, COORD_UI_PASSWORD, got "COORD_ULR" — other variables ' +
      "reach the command anyway",
  );
  await assert.rejects(
    work(backend, ["q"], { allowCommands: true, passEnv: ["COORD_ULR"], drain: true }),
    refusal,
  );
  assert.equal((await getJob(backend, ref)).state, "pending");
  assert.throws(() => commandHandler("true", () => {}, { passEnv: ["COORD_ULR"] }), refusal);
});

Deno.test("handlers that name their arguments' type are taken as they are", async () => {
  await using backend = await connect({ url: "sqlite::memory:" });
  const email: JobHandler<{ to: string }> = ({ to }) => ({ sent: to });
  // Before, `JobHandler` took `unknown`: each handler had to cast its arguments.
  const handlers: Record<string, JobHandler> = { email, size: (args: { px: number }) => args.px };
  await putJob(backend, "q", { id: "a", handler: "email", args: { to: "ann" } });
  await putJob(backend, "q", { id: "b", handler: "size", args: { px: 3 } });
  assert.equal((await work(backend, ["q"], { handlers, drain: true })).completed, 2);
  assert.deepEqual((await getJob(backend, "q/a")).result, { sent: "ann" });
  assert.equal((await getJob(backend, "q/b")).result, 3);
});

Deno.test("a worker sets no timer a run: 200 jobs drain on a few, their leases on one", async () => {
  // A run's lease keeper made and cleared a timer of its own for every job, thousands a
  // second, most ending long before their first renewal: the largest part of its cost per job.
  await using backend = await connect({ url: "sqlite::memory:" });
  const jobs = 200;
  await putJobs(
    backend,
    "q",
    Array.from({ length: jobs }, (_, i) => ({ handler: "echo", args: i })),
  );
  await countingTimers(async (_live, made) => {
    const result = await work(backend, ["q"], {
      handlers: { echo: (n) => n },
      concurrency: 50,
      drain: true,
    });
    assert.equal(result.completed, jobs);
    assert.ok(made() < jobs / 4, `${made()} timers for ${jobs} jobs`);
  });
});

Deno.test("a handler that stops its own worker by force before its first await is stopped too", async () => {
  // The run was listed only once its first, synchronous part had run: the stop by force went by
  // it, and a handler that never settles was left running, its lease still renewed.
  await using backend = await connect({ url: "sqlite::memory:" });
  await putJob(backend, "q", { handler: "h" });
  const force = new AbortController();
  let signal: AbortSignal | undefined;
  const result = await work(backend, ["q"], {
    handlers: {
      h: (_args, ctx) => {
        force.abort(new Error("stopped by force"));
        signal = ctx.signal;
        return new Promise(() => {});
      },
    },
    drain: true,
    force: force.signal,
    graceMs: 0,
  });
  assert.equal(signal?.aborted, true);
  assert.equal(result.cutShort, 1);
  assert.equal(result.stillRunning, 1);
});

Deno.test("jobs a claim took with the one whose handler stops the worker by force are released, not run", async () => {
  // The claim's other jobs started after the stop by force: each handler was called all the
  // same, its job then released to run again elsewhere (its side effects twice); and the
  // handler that returned before its run was listed was counted cut short as well as completed.
  await using backend = await connect({ url: "sqlite::memory:" });
  await putJobs(backend, "q", [1, 2, 3].map((i) => ({ id: `j${i}`, handler: "h" })));
  const force = new AbortController();
  const ran: string[] = [];
  const result = await work(backend, ["q"], {
    handlers: {
      h: (_args, { job }) => {
        ran.push(job);
        force.abort(new Error("stopped by force"));
        return "done";
      },
    },
    concurrency: 3,
    drain: true,
    force: force.signal,
    graceMs: 0,
  });
  assert.deepEqual(ran, ["q/j1"]);
  assert.equal(result.completed, 1);
  assert.equal(result.cutShort, 2);
  const [counts] = await queueCounts(backend, ["q"]);
  assert.deepEqual([counts.completed, counts.pending], [1, 2]);
});

Deno.test("a worker of one slot whose ends are slow to record takes turns and asks for no job it cannot take", async () => {
  // A handler that returns at once ends its run before the claim that took it has answered
  // the worker: the next claim goes out while the end is recorded. A claim the lane held back
  // for that end was sent as the end was answered, when the run still held its slot: it asked
  // for nothing (a call for naught), and the queue lost its turn (on PostgreSQL: A, C, A, A…).
  await using real = await connect({ url: "sqlite::memory:" });
  const queues = ["turnA", "turnE1", "turnE2", "turnE3", "turnC"];
  for (const queue of ["turnA", "turnC"]) {
    await putJobs(real, queue, [1, 2, 3, 4].map((i) => ({ id: `j${i}`, handler: "h" })));
  }
  // An end is answered only once a call to another queue is under way, as a slow write is: the
  // worker has by then run the other queue's job and asked this queue for its next.
  let held: { queue: string; answer: () => void }[] = [];
  const calls: string[] = [];
  const steps = real.queue;
  const backend = overriding(real, {
    queue: overriding(steps, {
      finishAndClaim: async (queue, request) => {
        calls.push(`${queue}: ${request.finishes.length} ends, ${request.claims} claims`);
        // Answered after this turn of the event loop: whatever this call starts runs first.
        for (const end of held.filter((h) => h.queue !== queue)) setTimeout(end.answer, 0);
        held = held.filter((h) => h.queue === queue);
        const answer = await steps.finishAndClaim(queue, request);
        if (request.finishes.length > 0) {
          const answered = Promise.withResolvers<void>();
          held.push({ queue, answer: answered.resolve });
          await answered.promise;
        }
        return answer;
      },
    }),
  });
  const runs: string[] = [];
  await guarded(
    work(backend, queues, {
      concurrency: 1,
      drain: true,
      handlers: { h: (_args, { job }) => void runs.push(job.split("/")[0]) },
    }),
    "end of the worker",
  );
  assert.deepEqual(runs, ["turnA", "turnC", "turnA", "turnC", "turnA", "turnC", "turnA", "turnC"]);
  assert.deepEqual(calls.filter((call) => call.endsWith(": 0 ends, 0 claims")), []);
});

Deno.test("a worker of several busy queues goes round them after its first look took from two at once", async () => {
  // The first look calls the queues at once, a slot each: the turn went past the first queue
  // that took, not the last, so the second took again before the third had any (A, B, B, C…).
  await using backend = await connect({ url: "sqlite::memory:" });
  const queues = ["roundA", "roundB", "roundC"];
  for (const queue of queues) {
    await putJobs(backend, queue, [1, 2, 3].map((i) => ({ id: `j${i}`, handler: "h" })));
  }
  const total = queues.length * 3;
  const starts: string[] = [];
  // Each start lets the oldest run end: one slot frees at a time, and each call takes one job.
  const runs: PromiseWithResolvers<void>[] = [];
  await guarded(
    work(backend, queues, {
      concurrency: 2,
      drain: true,
      handlers: {
        h: (_args, { job }) => {
          starts.push(job.split("/")[0]);
          runs.push(Promise.withResolvers());
          const run = runs.at(-1)!.promise;
          if (starts.length === total) runs.splice(0).forEach((r) => r.resolve());
          else if (runs.length === 2) runs.shift()!.resolve();
          return run;
        },
      },
    }),
    "end of the worker",
  );
  // The first look's two calls answer in either order.
  const [first, second, ...after] = starts;
  assert.deepEqual([first, second].sort(), ["roundA", "roundB"], starts.join(" "));
  assert.deepEqual(after, ["roundC", "roundA", "roundB", "roundC", "roundA", "roundB", "roundC"]);
});

Deno.test("a worker whose every queue's look before its first claim meets an outage sleeps between the looks", async () => {
  // With no queue to call, the look at every queue was due for ever: from 2 s after the start the
  // loop slept 0 ms at a time until a look answered, ≈450 turns a second (5 % of a core).
  await using real = await connect({ url: "sqlite::memory:" });
  const looks = Array.from({ length: 4 }, () => Promise.withResolvers<void>());
  let looked = 0;
  const backend = lookCut(real, "down", () => (looks[looked++]?.resolve(), true));
  await countingTimers(async (_live, made) => {
    const stop = new AbortController();
    const worker = work(backend, ["down"], { signal: stop.signal });
    // One look a second: the third is sent as the look at every queue comes due.
    await looks[2].promise;
    const before = made();
    await looks[3].promise;
    const timers = made() - before;
    stop.abort();
    await guarded(worker, "end of the worker");
    assert.ok(timers <= 5, `${timers} timers from one look to the next`);
  });
});
