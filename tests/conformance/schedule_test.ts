/** `Scheduler` and its backend steps, in-process, on every backend. */

import assert from "node:assert/strict";
import type { Backend } from "../../lib/backend/types.ts";
import { ForeignDataError, LeaseLostError } from "../../lib/errors.ts";
import { Scheduler, type SchedulerOptions } from "../../lib/schedule/scheduler.ts";
import type { TaskContext, TaskOptions } from "../../lib/schedule/task.ts";
import { scheduleStatus, type TaskStatus } from "../../lib/schedule/status.ts";
import { conformance } from "../support/backends.ts";
import { dueNow } from "../support/schedule.ts";
import { until } from "../support/wait.ts";

/** One run as a test sees it. */
interface Run {
  tick: number;
  instance: string;
  at: number;
}

/** Starts `count` schedulers, each on its own connection, running `setup`'s tasks. */
async function instances(
  open: () => Promise<Backend>,
  count: number,
  setup: (app: Scheduler, index: number) => void,
  options: SchedulerOptions = {},
) {
  const stop = new AbortController();
  const apps: Scheduler[] = [];
  for (let i = 0; i < count; i++) {
    const app = new Scheduler({ backend: await open(), instance: `i${i}`, ...options });
    setup(app, i);
    apps.push(app);
  }
  const running = apps.map((app) => app.run({ signal: stop.signal }));
  return {
    apps,
    /** Stops every instance and waits for them to end. */
    stop: async () => {
      stop.abort();
      return await Promise.all(running);
    },
  };
}

const recorder = (runs: Run[]) => (ctx: TaskContext) => {
  runs.push({ tick: ctx.scheduledAt.getTime(), instance: ctx.instance, at: Date.now() });
};

conformance("schedule steps replace a record only at the version they read", async (ctx) => {
  const { schedule } = await ctx.open();
  const before = Date.now();
  const empty = await schedule.read("cas");
  assert.equal(empty.stored, undefined);
  assert.ok(Math.abs(empty.now - before) < 1_000, "read returns the backend's clock");
  assert.equal(await schedule.write("cas", { expect: 1, value: "{}" }), false);
  assert.equal(await schedule.write("cas", { expect: 0, value: '{"a":1}' }), true);
  assert.equal(await schedule.write("cas", { expect: 0, value: '{"a":2}' }), false);
  assert.deepEqual((await schedule.read("cas")).stored, { version: 1, value: '{"a":1}' });
  assert.equal(await schedule.write("cas", { expect: 1, value: '{"a":3}' }), true);
  assert.deepEqual(await schedule.list(), ["cas"]);
  assert.equal(await schedule.write("cas", { expect: 2, value: null }), true);
  assert.deepEqual(await schedule.list(), []);
});

conformance("three instances run each tick of a task exactly once", async (ctx) => {
  const runs: Run[] = [];
  const { stop } = await instances(ctx.open, 3, (app) => {
    app.task({ name: "every200", interval: "200ms" }, recorder(runs));
  });
  await until(() => runs.length >= 8, { what: "8 runs" });
  await stop();
  const ticks = runs.map((r) => r.tick);
  assert.equal(new Set(ticks).size, ticks.length, `a tick ran twice: ${ticks}`);
  for (let i = 1; i < ticks.length; i++) assert.equal(ticks[i] - ticks[i - 1], 200, "no gaps");
  for (const run of runs) {
    assert.ok(run.at - run.tick < 500, `tick ran ${run.at - run.tick} ms late`);
  }
});

conformance("a failed tick with failure mode none is retried once its lease ends", async (ctx) => {
  const runs: Run[] = [];
  const { stop } = await instances(ctx.open, 2, (app) => {
    app.task({ name: "flaky", interval: "1h", lease: "600ms" }, (c) => {
      recorder(runs)(c);
      if (runs.length === 1) throw new Error("first attempt fails");
    });
  }, {});
  // An hourly task has no tick soon: claim the current one by moving `next` back.
  await dueNow(await ctx.open(), "flaky");
  await until(() => runs.length >= 2, { what: "the retry" });
  await stop();
  assert.equal(runs[1].tick, runs[0].tick, "the same tick again");
  assert.ok(runs[1].at - runs[0].at >= 550, `retried after ${runs[1].at - runs[0].at} ms`);
  const [status] = await scheduleStatus(await ctx.open(), ["flaky"]) as TaskStatus[];
  assert.equal(status.failures, 1);
  assert.equal(status.last?.outcome, "success");
});

conformance("a failed tick with failure mode unlock is retried after retryDelay", async (ctx) => {
  const runs: Run[] = [];
  const { stop } = await instances(ctx.open, 1, (app) => {
    app.task(
      { name: "unlocked", interval: "1h", failureMode: "unlock", retryDelay: "150ms" },
      (c) => {
        recorder(runs)(c);
        if (runs.length < 3) throw new Error("fails twice");
      },
    );
  });
  await dueNow(await ctx.open(), "unlocked");
  await until(() => runs.length >= 3, { what: "two retries" });
  await stop();
  assert.deepEqual(runs.map((r) => r.tick), [runs[0].tick, runs[0].tick, runs[0].tick]);
  for (let i = 1; i < 3; i++) {
    const gap = runs[i].at - runs[i - 1].at;
    assert.ok(gap >= 120 && gap < 1_000, `retry ${i} after ${gap} ms`);
  }
});

conformance("a failed tick with failure mode commit is not retried", async (ctx) => {
  const runs: Run[] = [];
  const { stop } = await instances(ctx.open, 1, (app) => {
    app.task({ name: "committed", interval: "200ms", failureMode: "commit" }, (c) => {
      recorder(runs)(c);
      throw new Error("always fails");
    });
  });
  await until(() => runs.length >= 3, { what: "3 runs" });
  await stop();
  const ticks = runs.map((r) => r.tick);
  assert.equal(new Set(ticks).size, ticks.length, "each tick once");
  const [status] = await scheduleStatus(await ctx.open(), ["committed"]) as TaskStatus[];
  assert.equal(status.failures, status.runs);
});

conformance("fixtures are torn down only after running tasks finish", async (ctx) => {
  const log: string[] = [];
  const stop = new AbortController();
  const app = new Scheduler({ backend: await ctx.open(), graceMs: 5_000 });
  app.fixture("resource", async function* () {
    log.push("setup");
    try {
      yield "the resource";
    } finally {
      log.push("teardown");
    }
  });
  app.task({ name: "slow", interval: "200ms" }, async (c) => {
    log.push(`start with ${c.fixtures.resource}`);
    stop.abort();
    await new Promise((r) => setTimeout(r, 300));
    log.push("end");
  });
  const result = await app.run({ signal: stop.signal });
  assert.deepEqual(log, ["setup", "start with the resource", "end", "teardown"]);
  assert.equal(result.cutShort, 0);
});

conformance("a run outliving the grace period is aborted, then fixtures go", async (ctx) => {
  const log: string[] = [];
  const stop = new AbortController();
  const app = new Scheduler({ backend: await ctx.open(), graceMs: 100 });
  app.fixture("f", function* () {
    try {
      yield 1;
    } finally {
      log.push("teardown");
    }
  });
  app.task({ name: "stubborn", interval: "200ms" }, async (c) => {
    stop.abort();
    await new Promise((resolve) => c.signal.addEventListener("abort", resolve));
    log.push("aborted");
  });
  const result = await app.run({ signal: stop.signal });
  assert.deepEqual(log, ["aborted", "teardown"]);
  assert.equal(result.cutShort, 1);
});

conformance("middlewares wrap every run, the first added outermost", async (ctx) => {
  const log: string[] = [];
  const stop = new AbortController();
  const app = new Scheduler({ backend: await ctx.open() });
  app.use(async (c, next) => {
    log.push(`outer ${c.task}`);
    await next();
    log.push("outer done");
  });
  app.use(async (_, next) => {
    log.push("inner");
    await next();
  });
  app.task({ name: "wrapped", interval: "100ms" }, () => {
    log.push("task");
    stop.abort();
  });
  await app.run({ signal: stop.signal });
  assert.deepEqual(log, ["outer wrapped", "inner", "task", "outer done"]);
});

conformance("the committed tick survives a restart: no tick repeats", async (ctx) => {
  const runs: Run[] = [];
  const task: TaskOptions = { name: "persisted", interval: "150ms" };
  let first = await instances(ctx.open, 1, (app) => app.task(task, recorder(runs)));
  await until(() => runs.length >= 2, { what: "2 runs" });
  await first.stop();
  const before = runs.length;
  await new Promise((r) => setTimeout(r, 400));
  first = await instances(ctx.open, 1, (app) => app.task(task, recorder(runs)));
  await until(() => runs.length >= before + 4, { what: "runs after the restart" });
  await first.stop();
  const ticks = runs.map((r) => r.tick);
  assert.equal(new Set(ticks).size, ticks.length, "no tick ran twice");
  for (let i = 1; i < ticks.length; i++) {
    assert.equal(ticks[i] - ticks[i - 1], 150, "ticks missed while down are run afterwards");
  }
});

conformance("fastForward runs only the latest tick missed while down", async (ctx) => {
  const runs: Run[] = [];
  const task: TaskOptions = { name: "ff", interval: "100ms", fastForward: true };
  let app = await instances(ctx.open, 1, (a) => a.task(task, recorder(runs)));
  await until(() => runs.length >= 1, { what: "a run" });
  await app.stop();
  const lastBefore = runs.at(-1)!.tick;
  await new Promise((r) => setTimeout(r, 600));
  app = await instances(ctx.open, 1, (a) => a.task(task, recorder(runs)));
  await until(() => runs.length >= 3, { what: "runs after the restart" });
  await app.stop();
  const resumed = runs.find((r) => r.tick > lastBefore)!;
  assert.ok(resumed.tick - lastBefore >= 500, `resumed at +${resumed.tick - lastBefore} ms`);
});

conformance("ctx.heartbeat() reports a lease taken over, and ctx.signal aborts", async (ctx) => {
  let observed: unknown;
  let aborted = false;
  const done = Promise.withResolvers<void>();
  const thief = await ctx.open();
  const { stop } = await instances(ctx.open, 1, (app) => {
    app.task({ name: "stolen", interval: "1h" }, async (c) => {
      await stealLease(thief, "stolen");
      try {
        await c.heartbeat();
      } catch (e) {
        observed = e;
      }
      aborted = c.signal.aborted;
      done.resolve();
    });
  });
  await dueNow(await ctx.open(), "stolen");
  await done.promise;
  await stop();
  assert.ok(observed instanceof LeaseLostError, String(observed));
  assert.equal(aborted, true);
});

conformance("dynamic task instances added by one instance run on another", async (ctx) => {
  const runs: { task: string; args: unknown }[] = [];
  const { apps, stop } = await instances(ctx.open, 2, (app) => {
    app.task({ name: "remind", dynamic: true }, (c) => {
      runs.push({ task: c.task, args: c.args });
    });
  });
  const adder = new Scheduler({ backend: await ctx.open() });
  adder.task({ name: "remind", dynamic: true }, () => {});
  await adder.schedule("remind", "ana", { interval: "100ms", args: { who: "ana" } });
  await adder.schedule("remind", "once", { executeAt: new Date(Date.now() + 150), args: 1 });
  assert.deepEqual(Object.keys(await apps[0].list("remind")).sort(), ["ana", "once"]);
  await until(() => runs.filter((r) => r.task === "remind/ana").length >= 3, { what: "ana runs" });
  await until(() => runs.some((r) => r.task === "remind/once"), { what: "the one-off run" });
  assert.deepEqual(runs.find((r) => r.task === "remind/ana")?.args, { who: "ana" });
  await until(async () => (await adder.get("remind", "once")) === undefined);
  assert.equal(await adder.unschedule("remind", "ana"), true);
  await new Promise((r) => setTimeout(r, 400));
  const count = runs.length;
  await new Promise((r) => setTimeout(r, 400));
  await stop();
  assert.equal(runs.length, count, "no runs after unschedule");
  assert.equal(runs.filter((r) => r.task === "remind/once").length, 1, "a one-off runs once");
  assert.equal(await adder.unschedule("remind", "ana"), false);
});

conformance("two timings of one task are reported, not rewritten in a hot loop", async (ctx) => {
  const errors: string[] = [];
  const stop = new AbortController();
  const apps = [];
  for (const interval of ["1h", "2h"]) {
    const app = new Scheduler({
      backend: await ctx.open(),
      onEvent: (e) => e.type === "error" && errors.push(e.error),
    });
    app.task({ name: "split", interval }, () => {});
    apps.push(app.run({ signal: stop.signal }));
  }
  await until(() => errors.length > 0, { what: "the conflict reported" });
  // A hot loop would rewrite the record many times over in this second.
  await new Promise((r) => setTimeout(r, 1_000));
  stop.abort();
  await Promise.all(apps);
  const { stored } = await (await ctx.open()).schedule.read("split");
  assert.ok(stored!.version <= 4, `the record was written ${stored!.version} times`);
  assert.match(errors[0] ?? "", /another instance runs it with timing "every (3600000|7200000)ms"/);
});

conformance("a dynamic instance removed while it runs finishes its run", async (ctx) => {
  const events: string[] = [];
  let aborted: boolean | undefined;
  const running = Promise.withResolvers<void>();
  const { apps, stop } = await instances(ctx.open, 1, (app) => {
    // The run outlives its lease, so renewals go on after the removal; a lease of 1 s leaves
    // them room on a busy machine (at 300 ms, a late renewal lost it).
    app.task({ name: "job", dynamic: true, lease: "1s" }, async (c) => {
      running.resolve();
      await new Promise((r) => setTimeout(r, 2_500));
      aborted = c.signal.aborted;
    });
  }, { onEvent: (e) => events.push(e.type) });
  await apps[0].schedule("job", "one", { executeAt: new Date() });
  await running.promise;
  assert.equal(await apps[0].unschedule("job", "one"), true);
  await until(() => aborted !== undefined, { what: "the run's end" });
  await stop();
  assert.equal(aborted, false);
  assert.deepEqual(events, ["started", "succeeded"]);
});

conformance(
  "a run that ends after its timing changed does not commit the old timing's tick",
  async (ctx) => {
    const ticks: number[] = [];
    const running = Promise.withResolvers<void>();
    const { apps, stop } = await instances(ctx.open, 1, (app) => {
      app.task({ name: "moving", dynamic: true }, async (c) => {
        ticks.push(c.scheduledAt.getTime());
        running.resolve();
        await new Promise((r) => setTimeout(r, 500));
      });
    });
    await apps[0].schedule("moving", "x", { interval: "200ms" });
    await running.promise;
    await apps[0].schedule("moving", "x", { interval: "1h" });
    await new Promise((r) => setTimeout(r, 1_200));
    await stop();
    assert.equal(ticks.length, 1, `ran at ${ticks.map((t) => new Date(t).toISOString())}`);
    const [status] = await scheduleStatus(await ctx.open(), ["moving/x"]) as TaskStatus[];
    assert.equal(status.next! % 3_600_000, 0, "the next tick is on the new timing");
  },
);

conformance("a task whose name holds foreign data is refused, the data left alone", async (ctx) => {
  const backend = await ctx.open();
  await backend.schedule.write("alien", { expect: 0, value: "not a coord record" });
  const app = new Scheduler({ backend });
  app.task({ name: "alien", interval: "1s" }, () => {});
  await assert.rejects(app.run(), ForeignDataError);
  assert.equal((await backend.schedule.read("alien")).stored?.value, "not a coord record");
  await assert.rejects(scheduleStatus(backend, ["alien"]), ForeignDataError);
});

/** Hands a running tick's lease to another instance, as a lease running out would. */
async function stealLease(backend: Backend, name: string): Promise<void> {
  for (;;) {
    const { stored } = await backend.schedule.read(name);
    const record = JSON.parse(stored!.value);
    record.lease = { ...record.lease, owner: "thief", claim: "the thief's" };
    const value = JSON.stringify(record);
    if (await backend.schedule.write(name, { expect: stored!.version, value })) return;
  }
}
