/** `Scheduler` and its backend steps, in-process, on every backend. */

import assert from "node:assert/strict";
import type { Backend } from "../../lib/backend/types.ts";
import {
  BackendUnavailableError,
  ForeignDataError,
  LeaseLostError,
  oneLine,
  UsageError,
} from "../../lib/errors.ts";
import { commandHandler } from "../../lib/schedule/command_task.ts";
import type { ScheduleEvent } from "../../lib/schedule/runner.ts";
import { Scheduler, type SchedulerOptions } from "../../lib/schedule/scheduler.ts";
import type { TaskContext, TaskOptions } from "../../lib/schedule/task.ts";
import { scheduleStatus, type TaskStatus } from "../../lib/schedule/status.ts";
import { abortion } from "../../lib/time.ts";
// From the package, as README shows them to a program.
import {
  MAX_TEMPLATE_INSTANCES,
  pauseTask,
  removeTask,
  resumeTask,
  TemplateFullError,
  triggerTask,
} from "../../lib/mod.ts";
import { type DynamicTaskSpec, startingRecord } from "../../lib/schedule/record.ts";
import { parseTiming, storedTiming } from "../../lib/schedule/timing.ts";
import type { RedisBackend } from "../../lib/backend/redis/backend.ts";
import { conformance } from "../support/backends.ts";
import { isSql, runSql, sqlRows } from "../support/sql.ts";
import { counting, overriding } from "../support/overriding.ts";
import { currentHourlyTick, dueNow } from "../support/schedule.ts";
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

conformance("of concurrent writes at one version, exactly one lands", async (ctx) => {
  // Several connections, each with several steps in flight: writers that all read one version.
  const steps = await Promise.all([1, 2, 3].map(async () => (await ctx.open()).schedule));
  const race = async (expect: number, value: (i: number) => string | null) => {
    const writes = steps.flatMap((s, b) =>
      [0, 1, 2, 3].map((i) => s.write("race", { expect, value: value(b * 4 + i) }))
    );
    const landed = (await Promise.all(writes)).flatMap((ok, i) => ok ? [i] : []);
    assert.equal(landed.length, 1, `writers ${landed} all landed at version ${expect}`);
    return landed[0];
  };
  const created = await race(0, (i) => `{"by":${i}}`);
  assert.deepEqual((await steps[0].read("race")).stored, {
    version: 1,
    value: `{"by":${created}}`,
  });
  const replaced = await race(1, (i) => `{"by":${i}}`);
  assert.deepEqual((await steps[1].read("race")).stored, {
    version: 2,
    value: `{"by":${replaced}}`,
  });
  await race(2, () => null);
  assert.equal((await steps[2].read("race")).stored, undefined);
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
  // An hourly task has no tick soon: claim the current one by moving `next` back. The lease
  // counts from the claim, which comes after this moment: the first run may start late on a
  // busy machine, so the retry is measured from here, not from the first run.
  const due = Date.now();
  await dueNow(await ctx.open(), "flaky");
  await until(() => runs.length >= 2, { what: "the retry" });
  await stop();
  assert.equal(runs[1].tick, runs[0].tick, "the same tick again");
  assert.ok(runs[1].at - due >= 590, `retried ${runs[1].at - due} ms after the tick was due`);
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

conformance(
  "a tick failing past maxRetries is recorded as failed, the task moves on",
  async (ctx) => {
    const runs: Run[] = [];
    const seen: ScheduleEvent[] = [];
    const { stop } = await instances(ctx.open, 2, (app) => {
      app.task(
        {
          name: "hopeless",
          interval: "1h",
          failureMode: "unlock",
          retryDelay: "50ms",
          maxRetries: 2,
        },
        (c) => {
          recorder(runs)(c);
          throw new Error("always fails");
        },
      );
    }, { onEvent: (e) => seen.push(e) });
    await dueNow(await ctx.open(), "hopeless");
    const status = async () =>
      (await scheduleStatus(await ctx.open(), ["hopeless"]))[0] as TaskStatus;
    await until(async () => (await status()).next! > runs[0]?.tick, { what: "the next tick" });
    await stop();
    assert.deepEqual(runs.map((r) => r.tick), [runs[0].tick, runs[0].tick, runs[0].tick]);
    const final = await status();
    assert.deepEqual([final.runs, final.failures, final.consecutiveFailures], [3, 3, 3]);
    assert.equal(final.last?.outcome, "failure");
    assert.equal(final.lease, undefined, "nothing holds the tick");
    const failed = seen.filter((e) => e.type === "failed");
    assert.deepEqual(failed.map((e) => e.type === "failed" && e.givenUp), [false, false, true]);
  },
);

conformance("a failed tick with failure mode none is retried 3 times by default", async (ctx) => {
  const runs: Run[] = [];
  const { stop } = await instances(ctx.open, 1, (app) => {
    app.task({ name: "stubborn", interval: "1h", lease: "300ms" }, (c) => {
      recorder(runs)(c);
      throw new Error("always fails");
    });
  });
  await dueNow(await ctx.open(), "stubborn");
  const status = async () =>
    (await scheduleStatus(await ctx.open(), ["stubborn"]))[0] as TaskStatus;
  await until(async () => (await status()).next! > runs[0]?.tick, { what: "the next tick" });
  await stop();
  assert.equal(runs.length, 4, "the first run and 3 retries");
  assert.equal((await status()).consecutiveFailures, 4);
});

conformance("a run past its timeout has its signal aborted and counts as failed", async (ctx) => {
  const seen: ScheduleEvent[] = [];
  let aborted: unknown;
  const { stop } = await instances(ctx.open, 1, (app) => {
    app.task(
      { name: "slowpoke", interval: "1h", timeout: "200ms", failureMode: "commit" },
      async (c) => {
        await abortion(c.signal);
        aborted = c.signal.reason;
      },
    );
  }, { onEvent: (e) => seen.push(e) });
  await dueNow(await ctx.open(), "slowpoke");
  await until(() => seen.some((e) => e.type === "failed"), { what: "the failure" });
  await stop();
  const failed = seen.find((e) => e.type === "failed")!;
  assert.ok(failed.type === "failed" && failed.durationMs >= 190, JSON.stringify(failed));
  assert.match(failed.type === "failed" ? failed.error : "", /^timed out after 0\.2 s$/);
  assert.match(String(aborted), /timed out/);
  const [status] = await scheduleStatus(await ctx.open(), ["slowpoke"]) as TaskStatus[];
  assert.equal(status.last?.outcome, "failure");
  assert.ok(status.next! > failed.tick, "committed: the task moved on");
});

// Alone, the instance running the tick replaces it itself; with another, either may.
for (const count of [1, 2]) {
  conformance(
    `overlap replace stops a run outlasting its period for the next tick, ${count} instances`,
    async (ctx) => {
      const runs: Run[] = [];
      const seen: ScheduleEvent[] = [];
      let reason: unknown;
      const { stop } = await instances(ctx.open, count, (app) => {
        app.task({ name: "replaced", interval: "300ms", overlap: "replace" }, async (c) => {
          recorder(runs)(c);
          if (runs.length > 1) return;
          await abortion(c.signal);
          reason = c.signal.reason;
        });
      }, { onEvent: (e) => seen.push(e) });
      await until(() => runs.length >= 3, { what: "runs after the replaced one" });
      await stop();
      assert.match(String(reason), /a later tick replaced it/);
      const [first, second] = runs;
      assert.equal(second.tick, first.tick + 300, "the next tick replaced it");
      assert.ok(second.at - first.at < 2_000, `replaced after ${second.at - first.at} ms`);
      const lost = seen.find((e) => e.type === "lost");
      assert.ok(lost?.type === "lost" && lost.replaced && lost.tick === first.tick);
      assert.equal(new Set(runs.map((r) => r.tick)).size, runs.length, "no tick twice");
    },
  );
}

conformance(
  "overlap allow: a 1.5-s run every 500 ms runs 3 at once, no tick twice",
  async (ctx) => {
    const runs: Run[] = [];
    let concurrent = 0;
    let most = 0;
    const { stop } = await instances(ctx.open, 3, (app) => {
      app.task({ name: "allowed", interval: "500ms", overlap: "allow" }, async (c) => {
        recorder(runs)(c);
        most = Math.max(most, ++concurrent);
        await new Promise((r) => setTimeout(r, 1_500));
        concurrent--;
      });
    });
    await until(() => runs.length >= 6, { what: "6 runs" });
    await stop();
    assert.ok(most >= 3, `at most ${most} ran at once`);
    const ticks = runs.map((r) => r.tick).sort((a, b) => a - b);
    assert.equal(new Set(ticks).size, ticks.length, `a tick ran twice: ${ticks}`);
    for (let i = 1; i < ticks.length; i++) assert.equal(ticks[i] - ticks[i - 1], 500, "no gaps");
    const status = await statusOf(await ctx.open(), "allowed");
    assert.equal(status.last?.outcome, "success");
    const { stored } = await (await ctx.open()).schedule.read("allowed");
    assert.equal(JSON.parse(stored!.value).overlapping, undefined, "every lease let go");
  },
);

conformance(
  "overlap allow: a run whose instance died is run again after its lease",
  async (ctx) => {
    const backend = await ctx.open();
    const now = Date.now();
    const died = Math.floor(now / 3_600_000) * 3_600_000 - 3_600_000;
    const record = {
      type: "task",
      spec: "every 3600000ms",
      next: Math.ceil(now / 3_600_000) * 3_600_000,
      runs: 1,
      failures: 0,
      aliveAt: now,
      overlapping: [{ owner: "dead", tick: died, until: now + 300, claim: "the dead one's" }],
    };
    await backend.schedule.write("survivor", { expect: 0, value: JSON.stringify(record) });
    const runs: Run[] = [];
    const { stop } = await instances(ctx.open, 2, (app) => {
      app.task({ name: "survivor", interval: "1h", overlap: "allow" }, recorder(runs));
    });
    await until(
      async () => {
        const { stored } = await backend.schedule.read("survivor");
        return JSON.parse(stored!.value).overlapping === undefined;
      },
      { what: "the tick done" },
    );
    await stop();
    assert.deepEqual(runs.map((r) => r.tick), [died]);
    assert.ok(runs[0].at >= now + 250, "not before the lease ran out");
    const status = await statusOf(backend, "survivor");
    assert.deepEqual([status.runs, status.next], [2, record.next], "the timing did not move");
  },
);

conformance(
  "overlap allow: a failed tick is retried on its own lease, maxRetries times",
  async (ctx) => {
    const runs: Run[] = [];
    const { stop } = await instances(ctx.open, 2, (app) => {
      app.task({
        name: "allowedflaky",
        interval: "1h",
        overlap: "allow",
        failureMode: "unlock",
        retryDelay: "100ms",
        maxRetries: 1,
      }, (c) => {
        recorder(runs)(c);
        throw new Error("always fails");
      });
    });
    await dueNow(await ctx.open(), "allowedflaky");
    const backend = await ctx.open();
    await until(
      async () => {
        const { stored } = await backend.schedule.read("allowedflaky");
        return runs.length > 0 && JSON.parse(stored!.value).overlapping === undefined;
      },
      { what: "the tick given up" },
    );
    await stop();
    assert.deepEqual(runs.map((r) => r.tick), [runs[0].tick, runs[0].tick]);
    assert.equal((await statusOf(backend, "allowedflaky")).failures, 2);
  },
);

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

for (
  const [how, failing, events] of [
    ["a success is reported once, not as lost", false, ["started", "succeeded"]],
    ["a failure is counted once", true, ["started", "failed"]],
  ] as const
) {
  conformance(`a run's outcome whose write lands but whose reply is lost: ${how}`, async (ctx) => {
    const runs: Run[] = [];
    const seen: ScheduleEvent[] = [];
    const app = new Scheduler({
      backend: replyLostOnce(await ctx.open(), (value) => value.includes('"finishedAt"')),
      onEvent: (event) => seen.push(event),
    });
    app.task({ name: "unheard", interval: "1h", lease: "10s" }, (c) => {
      recorder(runs)(c);
      if (failing) throw new Error("fails");
    });
    const stop = new AbortController();
    const running = app.run({ signal: stop.signal });
    await dueNow(await ctx.open(), "unheard");
    await until(() => seen.some((e) => e.type !== "started"), { what: "the outcome" });
    stop.abort();
    await running;
    // The lost reply is an outage too, told apart from the run's outcome.
    const outage = (e: ScheduleEvent) => e.type === "unavailable" || e.type === "available";
    assert.deepEqual(seen.filter((e) => !outage(e)).map((e) => e.type), events);
    assert.deepEqual(seen.filter(outage).map((e) => e.type), ["unavailable", "available"]);
    assert.equal(runs.length, 1);
    const [status] = await scheduleStatus(await ctx.open(), ["unheard"]) as TaskStatus[];
    assert.deepEqual([status.runs, status.failures], [1, failing ? 1 : 0]);
    assert.equal(status.last?.outcome, failing ? "failure" : "success");
  });
}

conformance(
  "a task whose record this instance made tells of no overdue tick, even one moved back at once",
  async (ctx) => {
    const seen: ScheduleEvent[] = [];
    const real = await ctx.open();
    let made = false;
    // Between the record's making and the loop's next read, its tick is moved an hour back,
    // as dueNow() may do on a busy machine: a tick made due, not one a downtime left.
    const backend = withScheduleWrite(real, async (write, name, request) => {
      const written = await write(name, request);
      if (made || !written) return written;
      made = true;
      const { stored } = await real.schedule.read(name);
      const record = JSON.parse(stored!.value);
      record.next = currentHourlyTick() - 3_600_000;
      const value = JSON.stringify(record);
      assert.ok(await real.schedule.write(name, { expect: stored!.version, value }));
      return written;
    });
    const app = new Scheduler({ backend, onEvent: (event) => seen.push(event) });
    app.task({ name: "madedue", interval: "1h" }, () => {});
    const stop = new AbortController();
    const running = app.run({ signal: stop.signal });
    await until(() => seen.some((e) => e.type === "succeeded"), { what: "the tick run" });
    stop.abort();
    await running;
    assert.deepEqual(seen.filter((e) => e.type === "overdue"), []);
  },
);

conformance(
  "a run whose renewals fail is stopped while the backend still holds its lease",
  async (ctx) => {
    let cut = false;
    const observer = await ctx.open();
    const seen = Promise.withResolvers<{ now: number; until: number }>();
    const app = new Scheduler({ backend: writesCut(await ctx.open(), () => cut) });
    app.task({ name: "cutoff", interval: "1h", lease: "3s" }, async (c) => {
      cut = true; // every renewal from now on fails as an outage
      await abortion(c.signal);
      const { now, stored } = await observer.schedule.read("cutoff");
      seen.resolve({ now, until: JSON.parse(stored!.value).lease.until });
    });
    const stop = new AbortController();
    const running = app.run({ signal: stop.signal });
    await dueNow(await ctx.open(), "cutoff");
    const { now, until } = await seen.promise;
    // The last third of the lease is the run's to stop in: another instance may claim the tick
    // only once it is over.
    assert.ok(now < until, `stopped ${now - until} ms after the backend's lease ran out`);
    cut = false;
    stop.abort();
    await running;
  },
);

conformance(
  "an overlapping run whose end is recorded only after its lease ran out is not run again",
  async (ctx) => {
    const leaseMs = 6_000;
    let first: number | undefined;
    let pastLease = false;
    const backend = withScheduleWrite(await ctx.open(), (write, name, request) => {
      const last = request.value === null ? undefined : JSON.parse(request.value).last;
      first ??= last?.tick;
      // A claim of a tick after the first run's lease ran out: the loop has read its record
      // with that lease over.
      if (last?.outcome === "running" && last.tick >= first! + leaseMs + 1_000) pastLease = true;
      // The first run's end meets an outage until then (well within its 10 s of trying).
      if (last !== undefined && last.tick === first && last.outcome !== "running" && !pastLease) {
        throw new BackendUnavailableError("lost the backend: connection refused");
      }
      return write(name, request);
    });
    const starts: number[] = [];
    const app = new Scheduler({ backend });
    app.task({ name: "overlaps", interval: "1s", lease: `${leaseMs}ms`, overlap: "allow" }, (c) => {
      starts.push(c.scheduledAt.getTime());
    });
    const stop = new AbortController();
    const running = app.run({ signal: stop.signal });
    try {
      await until(() => pastLease && starts.some((tick) => tick > first! + leaseMs + 2_000), {
        what: "runs after the first one's end was recorded",
      });
    } finally {
      stop.abort();
      await running;
    }
    assert.equal(starts.filter((tick) => tick === first).length, 1, `starts: ${starts}`);
  },
);

conformance(
  "a stop by force while a run that ended waits out an outage cuts nothing short",
  async (ctx) => {
    let cut = false;
    const events: ScheduleEvent[] = [];
    const app = new Scheduler({
      backend: writesCut(await ctx.open(), () => cut),
      onEvent: (event) => events.push(event),
    });
    app.task({ name: "ending", interval: "1h", lease: "60s" }, () => {
      cut = true; // its end, from now on, meets an outage
    });
    const stop = new AbortController();
    const force = new AbortController();
    const running = app.run({ signal: stop.signal, force: force.signal });
    try {
      await dueNow(await ctx.open(), "ending");
      await until(() => events.some((event) => event.type === "unavailable"), {
        what: "the run's end meeting the outage",
      });
      stop.abort();
      force.abort();
      assert.deepEqual(await running, { cutShort: 0 });
    } finally {
      cut = false;
      stop.abort();
      force.abort();
      await running.catch(() => {});
    }
    const lost = events.find((event) => event.type === "lost");
    assert.deepEqual(lost && { ...lost, tick: 0 }, {
      type: "lost",
      task: "ending",
      tick: 0,
      replaced: false,
      unrecorded: "no answer",
    });
  },
);

conformance(
  "a command ignoring SIGTERM whose renewals fail is SIGKILLed while the backend holds its lease",
  async (ctx) => {
    let cut = false;
    const observer = await ctx.open();
    const seen = Promise.withResolvers<{ ended: string; now: number; until: number }>();
    const app = new Scheduler({ backend: writesCut(await ctx.open(), () => cut) });
    const command = commandHandler("trap '' TERM; sleep 1000", () => {});
    // A fixed 1 s grace would overrun this lease's last third (800 ms) clearly: its sixth does not.
    app.task({ name: "stubborn", interval: "1h", lease: "2400ms" }, async (c) => {
      cut = true; // every renewal from now on fails as an outage
      const ended = await Promise.resolve(command(c)).then(() => "exited", (e) => oneLine(e));
      const { now, stored } = await observer.schedule.read("stubborn");
      seen.resolve({ ended, now, until: JSON.parse(stored!.value).lease.until });
    });
    const stop = new AbortController();
    const running = app.run({ signal: stop.signal });
    try {
      await dueNow(await ctx.open(), "stubborn");
      const { ended, now, until } = await seen.promise;
      assert.match(ended, /killed by SIGKILL/);
      // Its grace is the lease's (README, Commands coord runs): the group is gone before
      // another instance may claim the tick.
      assert.ok(now < until, `gone ${now - until} ms after the backend's lease ran out`);
    } finally {
      cut = false;
      stop.abort();
      await running;
    }
  },
);

conformance(
  "a best-effort task's runs overlap: a slow run does not hold the next tick",
  async (ctx) => {
    const runs: Run[] = [];
    const ended: number[] = [];
    const { promise: released, resolve: release } = Promise.withResolvers<void>();
    const app = new Scheduler({ backend: await ctx.open() });
    app.task({ name: "slow", interval: "1s", executionMode: "best-effort" }, async (c) => {
      recorder(runs)(c);
      await released;
      ended.push(c.scheduledAt.getTime());
    });
    const stop = new AbortController();
    const running = app.run({ signal: stop.signal });
    // Every run is still going on: one instance claimed the following ticks all the same.
    await until(() => runs.length >= 3, { what: "3 runs started while the first goes on" });
    stop.abort();
    release();
    await running;
    const ticks = runs.map((r) => r.tick);
    assert.deepEqual(ticks.slice(1, 3), [ticks[0] + 1_000, ticks[0] + 2_000]);
    assert.equal(ended.length, runs.length, "run() returned after every run ended");
  },
);

conformance(
  "a best-effort run that lasts is shown running past its first mark, then its outcome",
  async (ctx) => {
    const backend = await ctx.open();
    const { promise: released, resolve: release } = Promise.withResolvers<void>();
    let started = 0;
    const app = new Scheduler({ backend });
    app.task({ name: "long", interval: "1h", executionMode: "best-effort" }, async () => {
      started = performance.now();
      await released;
    });
    const stop = new AbortController();
    const running = app.run({ signal: stop.signal });
    await dueNow(backend, "long");
    const outcome = async () => (await scheduleStatus(backend, ["long"]))[0] as TaskStatus;
    await until(() => started > 0, { what: "the run started" });
    // Its instance marks it alive (a mark lasts 10 s): a run killed with its instance is shown
    // abandoned once the mark is out (see schedule_cli_test), one going on is not.
    await until(() => performance.now() - started > 12_000, { what: "12 s of the run" });
    assert.equal((await outcome()).last?.outcome, "running");
    release();
    await until(async () => (await outcome()).last?.outcome === "success", { what: "success" });
    stop.abort();
    await running;
  },
);

conformance(
  "status shows a best-effort run abandoned once its mark is out, running without one",
  async (ctx) => {
    const backend = await ctx.open();
    const app = new Scheduler({ backend });
    let ran = false;
    app.task({ name: "once", interval: "1h", executionMode: "best-effort" }, () => {
      ran = true;
    });
    const stop = new AbortController();
    const running = app.run({ signal: stop.signal });
    await dueNow(backend, "once");
    await until(async () => ran && (await scheduleStatus(backend, ["once"]))[0] !== undefined, {
      what: "a run",
    });
    stop.abort();
    await running;
    const outcomeWith = async (aliveUntil: number | undefined) => {
      const { stored } = await backend.schedule.read("once");
      const record = JSON.parse(stored!.value);
      record.last = { ...record.last, outcome: "running", aliveUntil };
      const value = JSON.stringify(record);
      assert.ok(await backend.schedule.write("once", { expect: stored!.version, value }));
      return ((await scheduleStatus(backend, ["once"]))[0] as TaskStatus).last;
    };
    const abandoned = await outcomeWith(Date.now() - 60_000);
    assert.equal(abandoned?.outcome, "abandoned");
    assert.equal(abandoned?.aliveUntil, undefined, "the mark is not shown");
    assert.equal((await outcomeWith(Date.now() + 60_000))?.outcome, "running");
    // Started by an older coord, which marks nothing: status cannot tell, so it says running.
    assert.equal((await outcomeWith(undefined))?.outcome, "running");
  },
);

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
  // Cleanup after the yield, without `finally`, as pytest and pyncette fixtures are written:
  // it was skipped (the generator was closed by `return()`).
  app.fixture("plain", async function* () {
    yield "plain";
    log.push("plain teardown");
  });
  app.task({ name: "slow", interval: "200ms" }, async (c) => {
    log.push(`start with ${c.fixtures.resource}`);
    stop.abort();
    await new Promise((r) => setTimeout(r, 300));
    log.push("end");
  });
  const result = await app.run({ signal: stop.signal });
  assert.deepEqual(log, [
    "setup",
    "start with the resource",
    "end",
    "plain teardown",
    "teardown",
  ]);
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

conformance(
  "a run that ignores its signal is recorded interrupted and its tick let go",
  async (ctx) => {
    const events: ScheduleEvent[] = [];
    const stop = new AbortController();
    const backend = await ctx.open();
    const app = new Scheduler({ backend, graceMs: 100, onEvent: (e) => events.push(e) });
    const ignoring = Promise.withResolvers<void>();
    app.task({ name: "deaf", interval: "1h", lease: "1m" }, async () => {
      stop.abort();
      await ignoring.promise;
    });
    const running = app.run({ signal: stop.signal });
    await dueNow(backend, "deaf");
    const result = await running;
    try {
      assert.equal(result.cutShort, 1);
      const interrupted = events.find((e) => e.type === "interrupted");
      assert.ok(interrupted?.type === "interrupted", JSON.stringify(events.map((e) => e.type)));
      assert.equal(interrupted.runAgain, true);
      const [status] = await scheduleStatus(backend, ["deaf"]) as TaskStatus[];
      // Left running until its lease ran out, a minute on: another instance waited that long.
      assert.equal(status.last?.outcome, "interrupted");
      assert.equal(status.lease, undefined, "the tick is let go at once");
      assert.equal(status.failures, 0);
    } finally {
      ignoring.resolve();
    }
  },
);

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

for (const [way, skewMs] of [["behind", -3_600_000], ["ahead", 3_600_000]] as const) {
  conformance(
    `a backend clock stepped ${way} after the offset was measured: no tick late, no spin`,
    async (ctx) => {
      const backend = await ctx.open();
      // The offset's readings (apart from a step) an hour off, the steps' own clock not: a
      // clock stepped right after the offset was measured. Behind, every wait overshot its tick
      // by the hour (a tick waited for the 60 s re-read); ahead, each ended at once (a spin).
      let skewed = 5;
      let reads = 0;
      const stepped = overriding(backend, {
        now: async (topic) => await backend.now(topic) + (skewed-- > 0 ? skewMs : 0),
        schedule: counting(backend.schedule, () => reads++, "read"),
      });
      const runs: Run[] = [];
      const app = new Scheduler({ backend: stepped, instance: "i0" });
      app.task({ name: "stepped", interval: "200ms" }, recorder(runs));
      const stop = new AbortController();
      const running = app.run({ signal: stop.signal });
      await until(() => runs.length >= 4, { what: "4 runs" });
      stop.abort();
      await running;
      for (const run of runs) {
        assert.ok(run.at - run.tick < 500, `tick ran ${run.at - run.tick} ms late`);
      }
      assert.ok(reads < 20 * runs.length, `${reads} reads of the record for ${runs.length} runs`);
    },
  );
}

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

conformance(
  "a best-effort task runs the ticks it missed one by one, not all at once",
  async (ctx) => {
    const runs: Run[] = [];
    let running = 0;
    let most = 0;
    const task: TaskOptions = { name: "behind", interval: "250ms", executionMode: "best-effort" };
    const body = async (c: TaskContext) => {
      recorder(runs)(c);
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 50));
      running--;
    };
    let app = await instances(ctx.open, 1, (a) => a.task(task, body));
    await until(() => runs.length >= 1, { what: "a first run" });
    await app.stop();
    const lastBefore = runs.at(-1)!.tick;
    most = 0;
    await new Promise((r) => setTimeout(r, 1_500)); // 6 ticks missed
    app = await instances(ctx.open, 1, (a) => a.task(task, body));
    await until(() => runs.filter((r) => r.tick > lastBefore).length >= 6, { what: "the missed" });
    await app.stop();
    // Two at most: a run may still end just as the next tick is due on a busy machine.
    assert.ok(most <= 2, `${most} runs at once while catching up`);
  },
);

/**
 * When the restarted instances decided what to catch up: the backend's clock at their first
 * schedule read (`from`) and at the latest read before the first run began (`to`). The decision
 * was made in between, however late a busy machine let them start.
 */
interface Resumed {
  from: number;
  to: number;
}

/** After a restart: the ticks run, when the instances resumed, and the status. */
type CatchUpCheck = (ticks: number[], resumed: Resumed, status: TaskStatus) => void;

const consecutive = (ticks: number[]) => {
  for (let i = 1; i < ticks.length; i++) assert.equal(ticks[i] - ticks[i - 1], 200, `${ticks}`);
};

/** Ticks in order, none twice; a policy that skips may skip ticks a busy machine ran late. */
const aligned = (ticks: number[]) => {
  for (let i = 1; i < ticks.length; i++) {
    const gap = ticks[i] - ticks[i - 1];
    assert.ok(gap > 0 && gap % 200 === 0, `${ticks}`);
  }
};

for (
  const [policy, options, check] of [
    ["all", {}, (ticks, _, status) => {
      consecutive(ticks);
      assert.equal(status.missed, 0);
    }],
    ["latest (fastForward)", { fastForward: true }, (ticks, { from }, status) => {
      assert.ok(ticks[0] >= from - 200, `resumed at ${ticks[0] - from}`);
      aligned(ticks);
      assert.ok(status.missed >= 3, `missed ${status.missed}`);
    }],
    ["none", { catchUp: "none" }, (ticks, { from }, status) => {
      // The grace of none: half the period.
      assert.ok(ticks[0] >= from - 100, `resumed at ${ticks[0] - from}`);
      assert.ok(status.missed >= 4, `missed ${status.missed}`);
    }],
    ["within=800ms", { catchUp: { within: "800ms" } }, (ticks, { from, to }, status) => {
      assert.ok(ticks[0] >= from - 800, `resumed at ${ticks[0] - from}`);
      // 4 ticks fell in the 800 ms before the decision; latest or none would run one of them.
      // Each is 800 ms young when its own run comes, and on a busy machine the last of them
      // may not be (CI, at load 10 beside a CPU stressor: 2 ran): more than one ran is the
      // policy's mark.
      const caughtUp = ticks.filter((t) => t < to).length;
      assert.ok(caughtUp >= 2, `${caughtUp} of the missed ticks younger than 800 ms ran`);
      aligned(ticks);
      assert.ok(status.missed >= 1, `missed ${status.missed}`);
    }],
  ] as [string, Partial<TaskOptions>, CatchUpCheck][]
) {
  conformance(`catch-up ${policy} after every instance stopped for 5 ticks`, async (ctx) => {
    const runs: Run[] = [];
    const task: TaskOptions = { name: "downtime", interval: "200ms", ...options };
    let app = await instances(ctx.open, 2, (a) => a.task(task, recorder(runs)));
    await until(() => runs.length >= 2, { what: "runs" });
    await app.stop();
    const lastBefore = runs.at(-1)!.tick;
    await new Promise((r) => setTimeout(r, 1_000)); // down for 5 ticks
    const reads = { from: Infinity, to: -Infinity };
    let resumed: Resumed | undefined;
    const record = recorder(runs);
    app = await instances(() => readClocks(ctx.open(), reads), 2, (a) =>
      a.task(task, (c) => {
        resumed ??= { ...reads };
        record(c);
      }));
    await until(() => resumed !== undefined && runs.some((r) => r.tick >= resumed!.to + 400), {
      what: "runs again",
    });
    await app.stop();
    const ticks = runs.map((r) => r.tick).filter((t) => t > lastBefore);
    assert.equal(new Set(runs.map((r) => r.tick)).size, runs.length, "no tick twice");
    check(ticks, resumed!, await statusOf(await ctx.open(), "downtime"));
  });
}

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

conformance(
  "a run whose record the backend lost is stopped once another instance makes it again",
  async (ctx) => {
    const seen: ScheduleEvent[] = [];
    const running = Promise.withResolvers<void>();
    let aborted: boolean | undefined;
    const backend = await ctx.open();
    // The running instance's renewal finding no record: only then does the other instance
    // come, as one whose wait ends later would.
    let forgotten = false;
    const missed = Promise.withResolvers<void>();
    const watched = overriding(backend, {
      schedule: overriding(backend.schedule, {
        read: async (name) => {
          const read = await backend.schedule.read(name);
          if (forgotten && !read.stored) missed.resolve();
          return read;
        },
      }),
    });
    const define = (app: Scheduler) =>
      app.task({ name: "amnesia", interval: "1h", lease: "1500ms" }, async (c) => {
        running.resolve();
        // Bounded for the failure's sake only: a renewal (every 0.5 s) finds the record made
        // again well before.
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([abortion(c.signal), new Promise((r) => timer = setTimeout(r, 5_000))]);
        clearTimeout(timer);
        aborted = c.signal.aborted;
      });
    const { stop } = await instances(() => Promise.resolve(watched), 1, define, {
      onEvent: (e) => seen.push(e),
    });
    await dueNow(await ctx.open(), "amnesia");
    await running.promise;
    forgotten = true;
    await forgetTask(backend, "amnesia"); // as a restart without persistence would
    await missed.promise;
    const other = await instances(ctx.open, 1, define);
    await until(() => aborted !== undefined, { what: "the run's end" });
    await other.stop();
    await stop();
    assert.equal(aborted, true);
    assert.deepEqual(seen.filter((e) => e.type === "lost").map((e) => e.task), ["amnesia"]);
  },
);

conformance(
  "a run whose record the backend lost, with no other instance, runs its tick once and says its end went unrecorded",
  async (ctx) => {
    const runs: Run[] = [];
    const seen: ScheduleEvent[] = [];
    const backend = await ctx.open();
    let forgotten = false;
    const missed = Promise.withResolvers<void>();
    const watched = overriding(backend, {
      schedule: overriding(backend.schedule, {
        read: async (name) => {
          const read = await backend.schedule.read(name);
          if (forgotten && !read.stored) missed.resolve();
          return read;
        },
      }),
    });
    const { stop } = await instances(() => Promise.resolve(watched), 1, (app) => {
      app.task({ name: "alone", interval: "1h", lease: "1500ms" }, async (c) => {
        recorder(runs)(c);
        if (runs.length > 1) return;
        forgotten = true;
        await forgetTask(backend, "alone"); // as a restart without persistence would
        // A renewal (every 0.5 s) finds it gone; the run goes on to its end.
        await missed.promise;
      });
    }, { onEvent: (e) => seen.push(e) });
    const tick = await dueNow(await ctx.open(), "alone");
    // Made again by the loop once the run ended: from the tick after the one the run held.
    await until(async () => {
      const { stored } = await backend.schedule.read("alone");
      return stored !== undefined && JSON.parse(stored.value).next > tick;
    }, { what: "the record made again past the run's tick" });
    await stop();
    assert.deepEqual(runs.map((r) => r.tick), [tick]);
    assert.deepEqual(
      seen.filter((e) => e.type === "lost" || e.type === "succeeded").map((e) => e.type),
      ["lost"],
    );
    const lost = seen.find((e) => e.type === "lost");
    assert.equal(lost?.type === "lost" && lost.unrecorded, "gone");
  },
);

conformance(
  "a record the backend lost is made again from the tick it had reached: none is skipped",
  async (ctx) => {
    const runs: Run[] = [];
    const backend = await ctx.open();
    // Lost as the loop reads it with its next tick due, to claim it: the claim finds it gone.
    let forgetNextRead = false;
    const watched = overriding(backend, {
      schedule: overriding(backend.schedule, {
        read: async (name) => {
          const read = await backend.schedule.read(name);
          const due = read.stored && read.now >= JSON.parse(read.stored.value).next;
          if (forgetNextRead && due) {
            forgetNextRead = false;
            await forgetTask(backend, name); // as a restart without persistence would
          }
          return read;
        },
      }),
    });
    const { stop } = await instances(() => Promise.resolve(watched), 1, (app) => {
      app.task({ name: "reborn", interval: "1s" }, recorder(runs));
    }, { onEvent: (e) => forgetNextRead ||= e.type === "succeeded" && runs.length === 1 });
    await until(() => runs.length >= 2, { what: "two runs" });
    await stop();
    assert.equal(runs[1].tick - runs[0].tick, 1_000, "the tick after the first one ran");
  },
);

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
  // The one-off is listed until it has run: a busy machine may take over 150 ms to list.
  const listed = Object.keys(await apps[0].list("remind")).sort();
  assert.deepEqual(listed.filter((id) => id !== "once"), ["ana"]);
  if (!listed.includes("once")) {
    assert.ok(runs.some((r) => r.task === "remind/once"), "unlisted before it ran");
  }
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

/** Every schedule record's value, by name: what a refused call must leave as it was. */
async function storedValues(backend: Backend): Promise<Record<string, string | undefined>> {
  const values: Record<string, string | undefined> = {};
  for (const name of await backend.schedule.list()) {
    values[name] = (await backend.schedule.read(name)).stored?.value;
  }
  return values;
}

conformance(
  "schedule() refuses args JSON cannot hold or over 1 MiB as JSON (64), nothing stored",
  async (ctx) => {
    const backend = await ctx.open();
    const app = new Scheduler({ backend });
    app.task({ name: "remind", dynamic: true }, () => {});
    await app.schedule("remind", "ana", { interval: "1h", args: { to: "ana" } });
    const before = await storedValues(backend);
    // A string of 1,048,575 characters is 1,048,577 bytes as JSON: a byte over, with its quotes.
    const refused = [NaN, 1e400, 10n, () => {}, { to: NaN }, "x".repeat(1_048_575)];
    for (const args of refused) {
      for (const id of ["ana", "bob"]) {
        await assert.rejects(
          app.schedule("remind", id, { interval: "1m", args }),
          (e) =>
            e instanceof UsageError &&
            /hold NaN|hold Infinity|not JSON|over the 1 MiB .* a dynamic task instance/.test(
              e.message,
            ),
          `args ${typeof args} for ${id}`,
        );
      }
    }
    assert.deepEqual(await storedValues(backend), before);
    // A byte less is taken.
    await app.schedule("remind", "bob", { interval: "1h", args: "x".repeat(1_048_574) });
    assert.equal((await app.get("remind", "bob"))?.args, "x".repeat(1_048_574));
  },
);

/** A template record as coord writes it, listing `ids` (their specs in their own records). */
function listingTemplate(ids: string[]): string {
  const instances = Object.fromEntries(ids.map((id) => [id, { revision: "planted0" }]));
  return JSON.stringify({ type: "template", instances });
}

conformance(
  "a template refuses a new instance once it holds 10,000 or lists them in over 1 MiB " +
    "(TemplateFullError, 64), nothing stored; one unscheduled makes room",
  async (ctx) => {
    const backend = await ctx.open();
    const app = new Scheduler({ backend });
    app.task({ name: "full", dynamic: true }, () => {});
    app.task({ name: "long", dynamic: true }, () => {});
    const ids = Array.from({ length: MAX_TEMPLATE_INSTANCES }, (_, i) => `i${i}`);
    await backend.schedule.write("full", { expect: 0, value: listingTemplate(ids) });
    // 8,000 ids of 110 characters take 1.1 MB listed.
    const longIds = Array.from({ length: 8_000 }, (_, i) => `${i}`.padStart(110, "x"));
    await backend.schedule.write("long", { expect: 0, value: listingTemplate(longIds) });
    const before = await storedValues(backend);
    await assert.rejects(
      app.schedule("full", "new", { interval: "1h" }),
      (e) =>
        e instanceof TemplateFullError && e.exitCode === 64 &&
        /"full" holds 10000 instances, the most a template may hold/.test(e.message),
    );
    await assert.rejects(
      app.schedule("long", "new", { interval: "1h" }),
      (e) =>
        e instanceof TemplateFullError &&
        /"long" would list its instances in \d+ bytes as JSON, over the 1 MiB/.test(e.message),
    );
    assert.deepEqual(await storedValues(backend), before, "nothing stored");
    // An instance it holds may change; one removed makes room for another.
    await app.schedule("full", "i7", { interval: "1h", args: 7 });
    assert.equal((await app.get("full", "i7"))?.args, 7);
    assert.equal(await app.unschedule("full", "i8"), true);
    await app.schedule("full", "new", { interval: "1h" });
    assert.deepEqual(await app.get("full", "new"), { interval: "1h" });
  },
);

conformance(
  "schedule() writes an instance's spec to its own record, and lists it in the template by id",
  async (ctx) => {
    const backend = await ctx.open();
    const app = new Scheduler({ backend });
    app.task({ name: "remind", dynamic: true }, () => {});
    const args = { text: "x".repeat(1_000) };
    for (let i = 0; i < 5; i++) await app.schedule("remind", `id${i}`, { interval: "1h", args });
    const template = JSON.parse((await backend.schedule.read("remind")).stored!.value);
    assert.ok(!JSON.stringify(template).includes("xxx"), "no args in the template");
    assert.deepEqual(Object.keys(template.instances), ["id0", "id1", "id2", "id3", "id4"]);
    const record = JSON.parse((await backend.schedule.read("remind/id3")).stored!.value);
    assert.deepEqual(record.instance, { interval: "1h", args });
  },
);

/**
 * Writes instance `id` of `template` as an earlier coord's schedule() did: its record, then its
 * spec in the template's.
 */
async function scheduleAsBefore(
  backend: Backend,
  template: string,
  id: string,
  spec: DynamicTaskSpec,
): Promise<void> {
  const read = await backend.schedule.read(template);
  const record = startingRecord(parseTiming(spec), read.now);
  assert.ok(
    await backend.schedule.write(`${template}/${id}`, {
      expect: 0,
      value: JSON.stringify(record),
    }),
  );
  const instances = read.stored ? JSON.parse(read.stored.value).instances : {};
  assert.ok(
    await backend.schedule.write(template, {
      expect: read.stored?.version ?? 0,
      value: JSON.stringify({ type: "template", instances: { ...instances, [id]: spec } }),
    }),
  );
}

conformance(
  "a template an earlier coord wrote (specs inside) runs, and moves them to the instances' " +
    "records at its next write; entries such a coord adds beside run too, none twice",
  async (ctx) => {
    const backend = await ctx.open();
    await scheduleAsBefore(backend, "remind", "ana", { interval: "100ms", args: { who: "ana" } });
    const runs: { task: string; tick: number; args: unknown }[] = [];
    const { apps, stop } = await instances(ctx.open, 2, (app) => {
      app.task({ name: "remind", dynamic: true }, (c) => {
        runs.push({ task: c.task, tick: c.scheduledAt.getTime(), args: c.args });
      });
    });
    const ran = (task: string, count: number) =>
      until(() => runs.filter((r) => r.task === task).length >= count, { what: `${task} runs` });
    await ran("remind/ana", 2);
    await apps[0].schedule("remind", "bob", { interval: "100ms", args: { who: "bob" } });
    const template = JSON.parse((await backend.schedule.read("remind")).stored!.value);
    assert.equal(typeof template.instances.ana.revision, "string", "ana is listed");
    assert.equal(template.instances.ana.interval, undefined, "its spec moved out");
    const ana = JSON.parse((await backend.schedule.read("remind/ana")).stored!.value);
    assert.deepEqual(ana.instance, { interval: "100ms", args: { who: "ana" } });
    await scheduleAsBefore(backend, "remind", "carl", { interval: "100ms", args: { who: "carl" } });
    const anaRuns = runs.filter((r) => r.task === "remind/ana").length;
    await ran("remind/bob", 2);
    await ran("remind/carl", 2);
    await ran("remind/ana", anaRuns + 2);
    assert.deepEqual(await apps[1].list("remind"), {
      ana: { interval: "100ms", args: { who: "ana" } },
      bob: { interval: "100ms", args: { who: "bob" } },
      carl: { interval: "100ms", args: { who: "carl" } },
    });
    await stop();
    for (const who of ["ana", "bob", "carl"]) {
      const mine = runs.filter((r) => r.task === `remind/${who}`);
      assert.ok(mine.every((r) => (r.args as { who: string }).who === who), `${who}'s args`);
      assert.equal(new Set(mine.map((r) => r.tick)).size, mine.length, `no tick of ${who} twice`);
    }
  },
);

conformance(
  "a template an earlier coord wrote over 1 MiB (args inside) takes a new instance: its ids fit",
  async (ctx) => {
    const backend = await ctx.open();
    const spec = (i: number) => ({ interval: "1h", args: `${i}`.repeat(60_000) });
    for (let i = 0; i < 20; i++) await scheduleAsBefore(backend, "big", `i${i}`, spec(i));
    const app = new Scheduler({ backend });
    app.task({ name: "big", dynamic: true }, () => {});
    await app.schedule("big", "new", { interval: "1h" });
    const template = (await backend.schedule.read("big")).stored!.value;
    assert.ok(template.length < 2_000, `the template takes ${template.length} characters`);
    assert.equal(Object.keys(await app.list("big")).length, 21);
    assert.deepEqual(await app.get("big", "i7"), spec(7));
  },
);

conformance(
  "a one-off scheduled again (a new executeAt) as its run ends is kept, and runs again",
  async (ctx) => {
    const backend = await ctx.open();
    const other = new Scheduler({ backend: await ctx.open() });
    other.task({ name: "once", dynamic: true }, () => {});
    let again: Promise<void> | undefined;
    // The loop reads the record its run ended (next null) and finds the one-off done: the
    // schedule() lands between that read and the instance's removal.
    const racing = overriding(backend, {
      schedule: overriding(backend.schedule, {
        read: async (name) => {
          const read = await backend.schedule.read(name);
          if (name === "once/x" && !again && JSON.parse(read.stored?.value ?? "{}").next === null) {
            again = other.schedule("once", "x", {
              executeAt: new Date(Date.now() + 300),
              args: 2,
            });
            await again;
          }
          return read;
        },
      }),
    });
    const runs: unknown[] = [];
    const { apps, stop } = await instances(() => Promise.resolve(racing), 1, (app) => {
      app.task({ name: "once", dynamic: true }, (c) => {
        runs.push(c.args);
      });
    });
    await apps[0].schedule("once", "x", { executeAt: new Date(), args: 1 });
    // Removed before its second run, it never has one.
    await until(
      async () =>
        runs.length === 2 || (again !== undefined && (await other.get("once", "x")) === undefined),
      { what: "the second run, or the removal" },
    );
    await stop();
    assert.deepEqual(runs, [1, 2]);
  },
);

conformance(
  "a template entry or an instance's spec another program wrote is refused (65), left as it is",
  async (ctx) => {
    const backend = await ctx.open();
    const app = new Scheduler({ backend });
    app.task({ name: "remind", dynamic: true }, () => {});
    await app.schedule("remind", "ana", { interval: "1h" });
    const template = '{"type":"template","instances":{"ana":{"revision":5}}}';
    const good = (await backend.schedule.read("remind")).stored!;
    await backend.schedule.write("remind", { expect: good.version, value: template });
    await assert.rejects(app.schedule("remind", "bob", { interval: "1h" }), ForeignDataError);
    await assert.rejects(app.unschedule("remind", "ana"), ForeignDataError);
    assert.equal((await backend.schedule.read("remind")).stored!.value, template);
    assert.equal((await backend.schedule.read("remind/bob")).stored, undefined);
    await backend.schedule.write("remind", { expect: good.version + 1, value: good.value });
    const task = (await backend.schedule.read("remind/ana")).stored!;
    const record = { ...JSON.parse(task.value), instance: "1h" };
    await backend.schedule.write("remind/ana", {
      expect: task.version,
      value: JSON.stringify(record),
    });
    const stored = (await backend.schedule.read("remind/ana")).stored!.value;
    await assert.rejects(app.get("remind", "ana"), ForeignDataError);
    await assert.rejects(app.schedule("remind", "ana", { interval: "1m" }), ForeignDataError);
    assert.equal((await backend.schedule.read("remind/ana")).stored!.value, stored);
  },
);

conformance(
  "an instance's spec no scheduler can run ({}, a bad cron) is another program's (65)",
  async (ctx) => {
    const backend = await ctx.open();
    const app = new Scheduler({ backend });
    app.task({ name: "remind", dynamic: true }, () => {});
    await app.schedule("remind", "ana", { interval: "1h" });
    for (const instance of [{}, { cron: "not a cron" }, { interval: "soon" }]) {
      const task = (await backend.schedule.read("remind/ana")).stored!;
      const value = JSON.stringify({ ...JSON.parse(task.value), instance });
      await backend.schedule.write("remind/ana", { expect: task.version, value });
      await assert.rejects(
        app.get("remind", "ana"),
        (e) => e instanceof ForeignDataError && /instance = /.test(e.message),
        JSON.stringify(instance),
      );
    }
  },
);

conformance(
  "unschedule() refuses an instance whose record another program wrote (65), still listed",
  async (ctx) => {
    const backend = await ctx.open();
    const app = new Scheduler({ backend });
    app.task({ name: "remind", dynamic: true }, () => {});
    await app.schedule("remind", "ana", { interval: "1h" });
    const task = (await backend.schedule.read("remind/ana")).stored!;
    await backend.schedule.write("remind/ana", { expect: task.version, value: "not coord's" });
    const template = (await backend.schedule.read("remind")).stored!.value;
    await assert.rejects(app.unschedule("remind", "ana"), ForeignDataError);
    assert.equal((await backend.schedule.read("remind")).stored!.value, template);
    assert.equal((await backend.schedule.read("remind/ana")).stored!.value, "not coord's");
  },
);

conformance(
  "an earlier coord's entry whose record another program wrote stays as it is; the template's " +
    "other instances still change",
  async (ctx) => {
    const backend = await ctx.open();
    await scheduleAsBefore(backend, "remind", "ana", { interval: "1h", args: "ana" });
    await scheduleAsBefore(backend, "remind", "bob", { interval: "1h", args: "bob" });
    const task = (await backend.schedule.read("remind/ana")).stored!;
    await backend.schedule.write("remind/ana", { expect: task.version, value: "not coord's" });
    const app = new Scheduler({ backend });
    app.task({ name: "remind", dynamic: true }, () => {});
    await app.schedule("remind", "carl", { interval: "1h" });
    assert.equal(await app.unschedule("remind", "carl"), true);
    const { instances } = JSON.parse((await backend.schedule.read("remind")).stored!.value);
    assert.deepEqual(instances.ana, { interval: "1h", args: "ana" }, "ana's entry as it was");
    assert.equal(typeof instances.bob.revision, "string", "bob's moved");
    assert.deepEqual(Object.keys(instances), ["ana", "bob"]);
    assert.equal((await backend.schedule.read("remind/ana")).stored!.value, "not coord's");
  },
);

conformance(
  "an earlier coord's entry with a timing this coord refuses stays as it is, and can still be " +
    "unscheduled",
  async (ctx) => {
    const backend = await ctx.open();
    await scheduleAsBefore(backend, "remind", "old", { interval: "1h" });
    // What an earlier coord took, and this one refuses (30 days: past what a timer holds).
    const refused = { interval: "30d", args: "old" };
    assert.ok(storedTiming(refused) instanceof Error);
    const { version } = (await backend.schedule.read("remind")).stored!;
    await backend.schedule.write("remind", {
      expect: version,
      value: JSON.stringify({ type: "template", instances: { old: refused } }),
    });
    const app = new Scheduler({ backend });
    app.task({ name: "remind", dynamic: true }, () => {});
    // The template's next write moves what it can, and leaves this one.
    await app.schedule("remind", "bob", { interval: "1h" });
    const { instances } = JSON.parse((await backend.schedule.read("remind")).stored!.value);
    assert.deepEqual(instances.old, refused);
    assert.deepEqual(Object.keys(await app.list("remind")).sort(), ["bob", "old"]);
    assert.equal(await app.unschedule("remind", "old"), true);
    assert.deepEqual(Object.keys(await app.list("remind")), ["bob"]);
  },
);

type TimingEvent = Extract<ScheduleEvent, { type: "timing" }>;

/**
 * Starts one scheduler running `split` every `interval`, as instance `instance`; each run is
 * recorded as it starts, then `andThen` runs.
 */
async function splitInstance(
  open: () => Promise<Backend>,
  instance: string,
  interval: string,
  andThen: (run: number) => Promise<void> | void = () => {},
) {
  const runs: Run[] = [];
  const timings: (TimingEvent & { at: number })[] = [];
  const stop = new AbortController();
  const app = new Scheduler({
    backend: await open(),
    instance,
    onEvent: (e) => e.type === "timing" && timings.push({ ...e, at: Date.now() }),
  });
  const record = recorder(runs);
  app.task({ name: "split", interval }, async (ctx) => {
    record(ctx);
    await andThen(runs.length);
  });
  const running = app.run({ signal: stop.signal });
  return { runs, timings, stop: () => (stop.abort(), running) };
}

conformance("of two timings of one task, the instance started last runs it", async (ctx) => {
  const old = await splitInstance(ctx.open, "old", "150ms");
  try {
    await until(() => old.runs.length > 0, { what: "the old timing's first run" });
    const later = await splitInstance(ctx.open, "new", "200ms");
    try {
      await until(() => old.timings.length > 0, { what: "the old instance standing by" });
      await until(() => later.runs.length >= 3, { what: "the new timing's runs" });
      const standingBy = old.timings[0];
      assert.deepEqual(
        old.timings.map(({ outcome, theirs, ours }) => ({ outcome, theirs, ours })),
        [{ outcome: "standing by", theirs: "every 200ms", ours: "every 150ms" }],
        "the old instance says once that it stands by, and stays so",
      );
      assert.deepEqual(later.timings.map((e) => e.outcome), ["replaced"]);
      assert.deepEqual(
        old.runs.filter((run) => run.at > standingBy.at),
        [],
        "the old instance runs nothing once it stands by",
      );
      const { stored } = await (await ctx.open()).schedule.read("split");
      assert.equal(JSON.parse(stored!.value).spec, "every 200ms");
    } finally {
      await later.stop();
    }
  } finally {
    await old.stop();
  }
});

conformance(
  "an instance standing by does not take over from a later one whose run is long",
  async (ctx) => {
    const old = await splitInstance(ctx.open, "old", "150ms");
    try {
      await until(() => old.runs.length > 0, { what: "the old timing's first run" });
      // Its first run outlasts the period by more than the takeover's wait: its end commits a
      // tick long due, which a single look took for one nobody runs.
      const later = await splitInstance(ctx.open, "new", "100ms", async (run) => {
        if (run === 1) await new Promise((r) => setTimeout(r, 10_500));
      });
      try {
        await until(() => later.runs.length >= 5, { what: "the runs after the long one" });
      } finally {
        await later.stop();
      }
      assert.deepEqual(old.timings.map((e) => e.outcome), ["standing by"]);
    } finally {
      await old.stop();
    }
  },
);

/** Stores `split` as an instance started after every other left it, with timing `spec`. */
async function storeLaterTiming(backend: Backend, next: number) {
  const record = {
    type: "task",
    spec: "every 5000ms",
    specSince: Date.now() + 3_600_000,
    next,
    runs: 1,
    failures: 0,
  };
  assert.ok(await backend.schedule.write("split", { expect: 0, value: JSON.stringify(record) }));
}

conformance("an instance started earlier leaves another timing's record as it is", async (ctx) => {
  const backend = await ctx.open();
  await storeLaterTiming(backend, Date.now() + 3_600_000);
  const old = await splitInstance(ctx.open, "old", "150ms");
  try {
    await until(() => old.timings.length > 0, { what: "the instance standing by" });
    // A rewrite would follow at once: the loop reads the record again on its next step.
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    await old.stop();
  }
  assert.deepEqual(old.timings.map((e) => e.outcome), ["standing by"]);
  assert.deepEqual(old.runs, []);
  const { stored } = await backend.schedule.read("split");
  assert.equal(stored!.version, 1, "the record is not rewritten");
});

conformance(
  "an instance standing by takes the task over when the other timing goes unrun",
  async (ctx) => {
    await storeLaterTiming(await ctx.open(), Date.now() - 60_000);
    const old = await splitInstance(ctx.open, "old", "150ms");
    try {
      await until(() => old.runs.length > 0, { what: "the old timing's run" });
    } finally {
      await old.stop();
    }
    assert.deepEqual(
      old.timings.map(({ outcome, theirs }) => ({ outcome, theirs })),
      [
        { outcome: "standing by", theirs: "every 5000ms" },
        { outcome: "taken over", theirs: "every 5000ms" },
      ],
    );
  },
);

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

conformance(
  "a task record at version 0 or below, as another program left it, is refused by every step " +
    "(65), the record left as it is",
  async (ctx) => {
    const backend = await ctx.open();
    const app = new Scheduler({ backend });
    app.task({ name: "low", interval: "1h" }, () => {});
    const stop = new AbortController();
    const running = app.run({ signal: stop.signal });
    await statusOf(backend, "low");
    stop.abort();
    await running;
    const [, value] = await storedSchedule(backend, "low");
    for (const version of [0, -1]) {
      await setScheduleVersion(backend, "low", version);
      const again = new Scheduler({ backend });
      again.task({ name: "low", interval: "1h" }, () => {});
      // Before, on SQL: read as no record, inserted, found there, read… for good.
      await assert.rejects(again.run(), ForeignDataError);
      await assert.rejects(scheduleStatus(backend, ["low"]), ForeignDataError);
      await assert.rejects(pauseTask(backend, "low"), ForeignDataError);
      await assert.rejects(triggerTask(backend, "low"), ForeignDataError);
      await assert.rejects(removeTask(backend, "low", { force: true }), ForeignDataError);
      assert.deepEqual(await storedSchedule(backend, "low"), [version, value]);
    }
  },
);

/** Sets the version of task `name`'s record as another program might. */
async function setScheduleVersion(backend: Backend, name: string, version: number): Promise<void> {
  if (isSql(backend)) {
    await runSql(
      backend,
      "UPDATE coord_schedule SET version = ? WHERE namespace = ? AND name = ?",
      version,
      backend.namespace,
      name,
    );
    return;
  }
  const redis = backend as RedisBackend;
  const key = redis.key("schedule", name, "state");
  await redis.conn.send(key, ["HSET", key, "version", String(version)]);
}

/** Task `name`'s record as stored, read around coord's checks. */
async function storedSchedule(backend: Backend, name: string): Promise<[number, string]> {
  if (isSql(backend)) {
    const [row] = await sqlRows(
      backend,
      "SELECT version, value FROM coord_schedule WHERE namespace = ? AND name = ?",
      backend.namespace,
      name,
    );
    return [Number(row.version), String(row.value)];
  }
  const redis = backend as RedisBackend;
  const key = redis.key("schedule", name, "state");
  const [version, value] = await redis.conn.send(key, [
    "HMGET",
    key,
    "version",
    "value",
  ]) as string[];
  return [Number(version), value];
}

/** The task's status, once an instance has made its record. */
async function statusOf(backend: Backend, name: string): Promise<TaskStatus> {
  let status: TaskStatus | undefined;
  await until(
    async () => {
      [status] = await scheduleStatus(backend, [name]) as TaskStatus[];
      return status !== undefined;
    },
    { what: `${name}'s record` },
  );
  return status!;
}

conformance(
  "a trigger runs once across 3 instances, with its args, timing unmoved",
  async (ctx) => {
    const runs: { args: unknown; tick: number }[] = [];
    const { stop } = await instances(ctx.open, 3, (app) => {
      app.task({ name: "adhoc", interval: "1h" }, (c) => {
        runs.push({ args: c.args, tick: c.scheduledAt.getTime() });
      });
    });
    const backend = await ctx.open();
    const before = await statusOf(backend, "adhoc");
    for (const n of [1, 2]) {
      const asked = Date.now();
      const id = await triggerTask(backend, "adhoc", { args: { n } });
      await until(
        async () => {
          const { triggered } = await statusOf(backend, "adhoc");
          return triggered?.trigger === id && triggered.outcome === "success";
        },
        { what: `trigger ${n}'s run` },
      );
      assert.ok(Math.abs(runs.at(-1)!.tick - asked) < 1_000, "scheduledAt: when it was asked");
    }
    await stop();
    assert.deepEqual(runs.map((r) => r.args), [{ n: 1 }, { n: 2 }]);
    const after = await statusOf(backend, "adhoc");
    assert.equal(after.next, before.next, "the timing did not move");
    assert.deepEqual([after.runs, after.triggers], [2, 0]);
  },
);

conformance(
  "pause stops a task's ticks; resume skips them, or runs them with catchUp",
  async (ctx) => {
    const runs: Run[] = [];
    const backend = await ctx.open();
    const { stop } = await instances(ctx.open, 2, (app) => {
      app.task({ name: "pausable", interval: "100ms" }, recorder(runs));
    });
    await until(() => runs.length >= 1, { what: "a run" });
    assert.equal(await pauseTask(backend, "pausable"), true);
    assert.equal(await pauseTask(backend, "pausable"), false, "paused already");
    const pausedAt = Date.now();
    // Ticks pass while paused (only time shows that none runs).
    await new Promise((r) => setTimeout(r, 500));
    const resumedAt = Date.now();
    assert.equal(await resumeTask(backend, "pausable"), true);
    await until(() => runs.some((r) => r.tick >= resumedAt), { what: "a run after resume" });
    const skipped = runs.filter((r) => r.tick > pausedAt && r.tick < resumedAt);
    assert.deepEqual(skipped, [], "no tick of the pause ran");
    assert.ok((await statusOf(backend, "pausable")).missed >= 4, "the skipped ticks are counted");

    await pauseTask(backend, "pausable");
    const pausedAgain = Date.now();
    await new Promise((r) => setTimeout(r, 500));
    const resumedAgain = Date.now();
    await resumeTask(backend, "pausable", { catchUp: true });
    await until(() => runs.some((r) => r.tick >= resumedAgain), { what: "caught up" });
    await stop();
    const ticks = runs.map((r) => r.tick).filter((t) => t > pausedAgain - 100);
    for (let i = 1; i < ticks.length; i++) assert.equal(ticks[i] - ticks[i - 1], 100, "no gap");
    assert.equal(new Set(runs.map((r) => r.tick)).size, runs.length, "no tick twice");
  },
);

conformance("trigger, pause and resume refuse a task without a record", async (ctx) => {
  const backend = await ctx.open();
  for (const act of [triggerTask, pauseTask, resumeTask]) {
    await assert.rejects(
      act(backend, "ghost"),
      (e) => e instanceof UsageError && /no task "ghost"/.test(e.message),
    );
  }
  assert.deepEqual(await backend.schedule.list(), [], "nothing stored");
});

conformance(
  "run() with only force given ends once force aborts, its run cut short",
  async (ctx) => {
    const app = new Scheduler({ backend: await ctx.open() });
    let started = false;
    app.task({ name: "held", interval: "1h" }, async (c) => {
      started = true;
      await abortion(c.signal);
    });
    const force = new AbortController();
    const running = app.run({ force: force.signal });
    await dueNow(await ctx.open(), "held");
    await until(() => started, { what: "the run started" });
    force.abort();
    assert.deepEqual(await running, { cutShort: 1 });
  },
);

conformance("a task no instance ran for a day is orphaned, until one runs it", async (ctx) => {
  const backend = await ctx.open();
  const twoDaysAgo = Date.now() - 2 * 86_400_000;
  const stale = {
    type: "task",
    spec: "every 3600000ms",
    next: Math.ceil(Date.now() / 3_600_000) * 3_600_000,
    runs: 1,
    failures: 0,
    last: { tick: twoDaysAgo, owner: "gone", outcome: "success", startedAt: twoDaysAgo },
  };
  await backend.schedule.write("stale", { expect: 0, value: JSON.stringify(stale) });
  assert.equal((await statusOf(backend, "stale")).orphaned, true, "from its last run");
  const { stop } = await instances(ctx.open, 1, (app) => {
    app.task({ name: "stale", interval: "1h" }, () => {});
  });
  await until(async () => !(await statusOf(backend, "stale")).orphaned, { what: "not orphaned" });
  await stop();
});

conformance(
  "a per-second task down for a day is counted and skipped without stalling the others",
  async (ctx) => {
    const backend = await ctx.open();
    const second = 1_000;
    const dayAgo = Math.ceil((Date.now() - 86_400_000) / second) * second;
    const record = {
      type: "task",
      spec: "cron * * * * * * UTC",
      next: dayAgo,
      runs: 0,
      failures: 0,
    };
    await backend.schedule.write("secondly", { expect: 0, value: JSON.stringify(record) });
    const events: ScheduleEvent[] = [];
    const beats: Run[] = [];
    const secondly: Run[] = [];
    const { stop } = await instances(ctx.open, 1, (app) => {
      app.onEvent = (event) => events.push(event);
      app.task({ name: "secondly", cron: "* * * * * *", catchUp: "none" }, recorder(secondly));
      app.task({ name: "beat", interval: "100ms" }, recorder(beats));
    });
    await until(() => secondly.length >= 1 && beats.length >= 10, { what: "runs of both" });
    await stop();
    // Counting 86,400 ticks through a time zone once held every task up for 11–25 s; a busy
    // machine delays a beat by a second or so.
    for (const run of beats) {
      assert.ok(run.at - run.tick < 5_000, `a beat ran ${run.at - run.tick} ms late`);
    }
    const overdue = events.find((e) => e.type === "overdue" && e.task === "secondly");
    assert.ok(overdue && overdue.type === "overdue" && overdue.ticks > 1_000, "told overdue");
    assert.ok(secondly[0].tick > Date.now() - 60_000, "the day's ticks were skipped");
  },
);

conformance("removeTask() removes a template with its instances, not foreign data", async (ctx) => {
  const backend = await ctx.open();
  const app = new Scheduler({ backend });
  app.task({ name: "remind", dynamic: true }, () => {});
  await app.schedule("remind", "ana", { interval: "1h" });
  assert.deepEqual(await backend.schedule.list(), ["remind", "remind/ana"]);
  assert.equal(await removeTask(backend, "remind"), true);
  assert.deepEqual(await backend.schedule.list(), []);
  assert.equal(await removeTask(backend, "remind"), false);
  await backend.schedule.write("alien", { expect: 0, value: "not a coord record" });
  await assert.rejects(removeTask(backend, "alien", { force: true }), ForeignDataError);
  assert.equal((await backend.schedule.read("alien")).stored?.value, "not a coord record");
});

conformance(
  "pause, resume and trigger of a dynamic template name its instances (64), not foreign data",
  async (ctx) => {
    const backend = await ctx.open();
    const app = new Scheduler({ backend });
    app.task({ name: "remind", dynamic: true }, () => {});
    await app.schedule("remind", "ana", { interval: "1h" });
    const stored = (await backend.schedule.read("remind")).stored!.value;
    for (const change of [pauseTask, resumeTask, triggerTask]) {
      // Before: "the stored record is not a coord task … another program wrote there" (65).
      await assert.rejects(
        change(backend, "remind"),
        (e) => e instanceof UsageError && /dynamic template.*"remind\/ana"/.test(e.message),
      );
    }
    assert.equal((await backend.schedule.read("remind")).stored!.value, stored);
    // Its instance is a task.
    assert.equal(await pauseTask(backend, "remind/ana"), true);
  },
);

/** Hands a running tick's lease to another instance, as a lease running out would. */
/**
 * Removes a task's record behind coord's back, announcing nothing, as a backend restarted
 * without persistence forgets it: no instance hears of it until it looks.
 */
async function forgetTask(backend: Backend, name: string): Promise<void> {
  if (isSql(backend)) {
    const sql = "DELETE FROM coord_schedule WHERE namespace = ? AND name = ?";
    return await runSql(backend, sql, backend.namespace, name);
  }
  const redis = backend as RedisBackend;
  const key = redis.key("schedule", name, "state");
  await redis.conn.send(key, ["DEL", key]);
}

async function stealLease(backend: Backend, name: string): Promise<void> {
  for (;;) {
    const { stored } = await backend.schedule.read(name);
    const record = JSON.parse(stored!.value);
    record.lease = { ...record.lease, owner: "thief", claim: "the thief's" };
    const value = JSON.stringify(record);
    if (await backend.schedule.write(name, { expect: stored!.version, value })) return;
  }
}

/**
 * The backend with one schedule write's reply lost: the first write whose value matches is
 * stored, then reported as a dropped connection, as when Redis restarts right after it.
 */
function replyLostOnce(backend: Backend, matches: (value: string) => boolean): Backend {
  let lost = false;
  return withScheduleWrite(backend, async (write, name, request) => {
    const written = await write(name, request);
    if (lost || request.value === null || !matches(request.value)) return written;
    lost = true;
    throw new BackendUnavailableError("lost the backend: connection closed");
  });
}

/** The backend with its schedule writes failing as unreachable while `cut()` says so. */
function writesCut(backend: Backend, cut: () => boolean): Backend {
  return withScheduleWrite(backend, (write, name, request) => {
    if (cut()) throw new BackendUnavailableError("lost the backend: connection refused");
    return write(name, request);
  });
}

type ScheduleWrite = Backend["schedule"]["write"];

/** The backend with its schedule writes going through `write` (given the real one). */
function withScheduleWrite(
  backend: Backend,
  write: (real: ScheduleWrite, ...args: Parameters<ScheduleWrite>) => ReturnType<ScheduleWrite>,
): Backend {
  const { schedule } = backend;
  return overriding(backend, {
    schedule: overriding(schedule, {
      write: (name, request) => write((n, r) => schedule.write(n, r), name, request),
    }),
  });
}

/** The backend, with the clock of its schedule reads widening `reads` (earliest, latest). */
async function readClocks(
  opening: Promise<Backend>,
  reads: { from: number; to: number },
): Promise<Backend> {
  const backend = await opening;
  const { schedule } = backend;
  return overriding(backend, {
    schedule: overriding(schedule, {
      async read(name) {
        const read = await schedule.read(name);
        reads.from = Math.min(reads.from, read.now);
        reads.to = Math.max(reads.to, read.now);
        return read;
      },
    }),
  });
}
