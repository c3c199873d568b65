/**
 * A backend used after it was closed: every call rejects at once with `BackendClosedError`, and
 * what waited on it (a watcher, a lock waiter, a worker) ends with that error, on every backend.
 */

import assert from "node:assert/strict";
import { barrier } from "../../lib/barrier/barrier.ts";
import { BackendClosedError, UsageError } from "../../lib/errors.ts";
import { lock } from "../../lib/lock/lock.ts";
import { ticketLines } from "../../lib/lock/console.ts";
import { getJob, putJob, queueCounts, waitForJob } from "../../lib/queue/queue.ts";
import { work } from "../../lib/queue/worker.ts";
import { Scheduler } from "../../lib/schedule/scheduler.ts";
import { abortion } from "../../lib/time.ts";
import { conformance } from "../support/backends.ts";
import { guarded, until } from "../support/wait.ts";

/** Rejects like a closed backend should: a `BackendClosedError` (a `UsageError`) naming it. */
async function rejectsClosed(call: () => Promise<unknown>, what: string): Promise<void> {
  await assert.rejects(guarded(call(), what), (e) => {
    assert.ok(e instanceof BackendClosedError, `${what}: ${e}`);
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /was closed/);
    return true;
  });
}

conformance("every call on a closed backend rejects with BackendClosedError", async (ctx) => {
  const backend = await ctx.open();
  await putJob(backend, "q", { id: "a", handler: "h" });
  await backend.close();
  await rejectsClosed(() => backend.now(), "now()");
  await rejectsClosed(() => backend.info(), "info()");
  await rejectsClosed(() => backend.watch({ kind: "queue", name: "q" }), "watch()");
  await rejectsClosed(() => backend.watchKind("queue"), "watchKind()");
  await rejectsClosed(() => putJob(backend, "q", { handler: "h" }), "putJob()");
  await rejectsClosed(() => getJob(backend, "q/a"), "getJob()");
  await rejectsClosed(() => queueCounts(backend, ["q"]), "queueCounts()");
  await rejectsClosed(() => waitForJob(backend, "q/a"), "waitForJob()");
  await rejectsClosed(() => lock(backend, "r"), "lock()");
  await rejectsClosed(() => ticketLines(backend, ["r"]), "ticketLines()");
  await rejectsClosed(() => barrier(backend, "b", 2), "barrier()");
  await rejectsClosed(() => work(backend, ["q"], { handlers: { h: () => 1 } }), "work()");
  await backend.close(); // closing again is no error
});

for (const kindWide of [false, true]) {
  const which = kindWide ? "watchKind()" : "watch()";
  conformance(`a watcher (${which}) waiting when its backend closes rejects`, async (ctx) => {
    const backend = await ctx.open();
    await using watcher = kindWide
      ? await backend.watchKind("queue")
      : await backend.watch({ kind: "queue", name: "q" });
    const waiting = rejectsClosed(() => watcher.next(3_600_000), "the watcher's wait");
    await backend.close();
    await waiting;
  });
}

conformance("a lock waiter whose backend closes under it rejects", async (ctx) => {
  const [holder, waiter] = [await ctx.open(), await ctx.open()];
  await using _held = await lock(holder, "r");
  let queued!: () => void;
  const inLine = new Promise<void>((resolve) => queued = resolve);
  const waiting = rejectsClosed(
    () => lock(waiter, "r", { onProgress: ({ ahead }) => void (ahead > 0 && queued()) }),
    "the lock waiter",
  );
  await inLine;
  await waiter.close();
  await waiting;
});

conformance("a barrier participant whose backend closes under it rejects", async (ctx) => {
  const backend = await ctx.open();
  let arrived!: () => void;
  const inBarrier = new Promise<void>((resolve) => arrived = resolve);
  const waiting = rejectsClosed(
    () => barrier(backend, "b", 2, { onProgress: () => arrived() }),
    "the barrier wait",
  );
  await inBarrier;
  await backend.close();
  await waiting;
});

conformance("waitForJob() whose backend closes under it rejects", async (ctx) => {
  const [backend, observer] = [await ctx.open(), await ctx.open()];
  await putJob(backend, "q", { id: "a", handler: "h" });
  const waiting = rejectsClosed(() => waitForJob(backend, "q/a"), "the job wait");
  // Its first look is taken before the close or rejects with it: either way it must end.
  await getJob(observer, "q/a");
  await backend.close();
  await waiting;
});

conformance("work() whose backend closes under it ends with BackendClosedError", async (ctx) => {
  const backend = await ctx.open();
  const errors: string[] = [];
  let started!: () => void;
  const running = new Promise<void>((resolve) => started = resolve);
  await putJob(backend, "q", { id: "slow", handler: "slow" });
  const working = rejectsClosed(() =>
    work(backend, ["q"], {
      handlers: {
        slow: (_, { signal }) => {
          started();
          return new Promise((_, reject) => signal.addEventListener("abort", reject));
        },
      },
      onEvent: (e) => void (e.type === "error" && errors.push(e.error)),
    }), "work()");
  await running;
  await backend.close();
  await working;
  assert.deepEqual(errors, []);
});

conformance("an idle work() whose backend closes under it ends at once", async (ctx) => {
  const [backend, observer] = [await ctx.open(), await ctx.open()];
  const errors: string[] = [];
  const working = rejectsClosed(() =>
    work(backend, ["q"], {
      onEvent: (e) => void (e.type === "error" && errors.push(e.error)),
    }), "work()");
  // It announced itself; the queue is empty, so it is about to wait for a change.
  await until(async () => (await queueCounts(observer, ["q"]))[0].workers.length === 1);
  await backend.close();
  await working;
  assert.deepEqual(errors, []);
});

conformance(
  "a Scheduler whose backend closes under it ends with BackendClosedError",
  async (ctx) => {
    const backend = await ctx.open();
    const errors: string[] = [];
    const app = new Scheduler({
      backend,
      onEvent: (e) =>
        void ((e.type === "error" || e.type === "unavailable") && errors.push(JSON.stringify(e))),
    });
    const started = {
      long: Promise.withResolvers<void>(),
      reminder: Promise.withResolvers<void>(),
    };
    let stoppedWith: unknown;
    app.task({ name: "long", interval: "100ms" }, async ({ signal }) => {
      started.long.resolve();
      await abortion(signal);
      stoppedWith = signal.reason;
    });
    app.task({ name: "remind", dynamic: true }, () => started.reminder.resolve());
    await app.schedule("remind", "ana", { interval: "100ms" });
    const stop = new AbortController();
    const running = rejectsClosed(() => app.run({ signal: stop.signal }), "Scheduler.run()");
    await guarded(Promise.all([started.long.promise, started.reminder.promise]), "the tasks' runs");
    await backend.close();
    await running;
    stop.abort();
    assert.ok(
      stoppedWith instanceof BackendClosedError,
      `the running task stopped: ${stoppedWith}`,
    );
    assert.deepEqual(errors, []);
  },
);
