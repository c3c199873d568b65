import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import {
  checkTaskName,
  DEFAULT_LEASE_MS,
  DEFAULT_RETRY_DELAY_MS,
  defineTask,
  type ExecutionMode,
  type FailureMode,
  type TaskHandler,
  type TaskOptions,
  type TemplateOptions,
} from "./task.ts";

const handler: TaskHandler = () => {};

function assertUsageError(
  options: TaskOptions | TemplateOptions,
  message: RegExp,
  body: TaskHandler = handler,
): void {
  assert.throws(() => defineTask(options, body), (e) => {
    assert.ok(e instanceof UsageError, `a UsageError, not ${e}`);
    assert.equal(e.exitCode, 64);
    assert.match(e.message, message);
    return true;
  });
}

Deno.test("defineTask() fills in the defaults", () => {
  const task = defineTask({ name: "report", cron: "0 9 * * *" }, handler);
  assert.equal(task.name, "report");
  assert.equal(task.executionMode, "at-least-once");
  assert.equal(task.failureMode, "none");
  assert.equal(task.leaseMs, 60_000);
  assert.equal(task.retryDelayMs, 1_000);
  assert.deepEqual(task.catchUp, { policy: "all" });
  assert.equal(task.maxRetries, 3);
  assert.equal(task.handler, handler);
  assert.equal(task.timing?.spec, "cron 0 9 * * * UTC");
});

Deno.test("defineTask()'s default lease and retry delay are the exported ones", () => {
  assert.equal(DEFAULT_LEASE_MS, 60_000);
  assert.equal(DEFAULT_RETRY_DELAY_MS, 1_000);
});

Deno.test("defineTask() reads the lease and retry delay as durations", () => {
  const task = defineTask(
    { name: "report", interval: "1m", lease: "5m", retryDelay: 250, fastForward: true },
    handler,
  );
  assert.equal(task.leaseMs, 300_000);
  assert.equal(task.retryDelayMs, 250);
  assert.deepEqual(task.catchUp, { policy: "latest" }, "fastForward is catchUp latest");
});

Deno.test("defineTask() keeps the modes it is given", () => {
  const task = defineTask(
    { name: "report", cron: "@hourly", executionMode: "at-least-once", failureMode: "unlock" },
    handler,
  );
  assert.equal(task.executionMode, "at-least-once");
  assert.equal(task.failureMode, "unlock");
  assert.equal(
    defineTask({ name: "b", cron: "@hourly", executionMode: "best-effort" }, handler).executionMode,
    "best-effort",
  );
  const commit = defineTask({ name: "c", cron: "@hourly", failureMode: "commit" }, handler);
  assert.equal(commit.failureMode, "commit");
});

Deno.test("defineTask() refuses a best-effort task options only at-least-once ones use", () => {
  for (
    const [option, value] of [
      ["failureMode", "unlock"],
      ["lease", "5m"],
      ["retryDelay", 250],
      ["maxRetries", 0],
      ["overlap", "allow"],
    ] as const
  ) {
    for (const executionMode of ["best-effort", "at-most-once"] as const) {
      assert.throws(
        () => defineTask({ name: "r", cron: "@hourly", executionMode, [option]: value }, handler),
        {
          name: "UsageError",
          message: `task "r": ${option} applies to at-least-once tasks only: with ` +
            `executionMode "${executionMode}" a tick is never run again` +
            (option === "overlap"
              ? ` and runs overlap (for one at a time: executionMode "at-least-once")`
              : ""),
        },
      );
    }
  }
});

Deno.test("defineTask() stores at-most-once as its alias best-effort", () => {
  const task = defineTask(
    { name: "report", cron: "@hourly", executionMode: "at-most-once" },
    handler,
  );
  assert.equal(task.executionMode, "best-effort");
});

Deno.test("defineTask() gives a dynamic template no timing", () => {
  const template = defineTask({ name: "mail", dynamic: true }, handler);
  assert.equal(template.timing, undefined);
  assert.equal(template.executionMode, "at-least-once");
});

Deno.test("defineTask() refuses a name holding /", () => {
  assertUsageError({ name: "mail/42", cron: "@hourly" }, /task name "mail\/42" holds "\/"/);
  assert.throws(() => checkTaskName("a/b"), UsageError);
});

Deno.test("defineTask() refuses an empty name", () => {
  assertUsageError({ name: "", cron: "@hourly" }, /task name is empty/);
});

Deno.test("checkTaskName() gives back a usable name", () => {
  assert.equal(checkTaskName("nightly report: {eu}"), "nightly report: {eu}");
});

Deno.test("defineTask() refuses an unknown executionMode, naming the task", () => {
  assertUsageError(
    { name: "report", cron: "@hourly", executionMode: "exactly-once" as ExecutionMode },
    /^task "report": executionMode "exactly-once" is unknown — use at-least-once, best-effort/,
  );
});

Deno.test("defineTask() refuses an unknown failureMode, naming the task", () => {
  assertUsageError(
    { name: "report", cron: "@hourly", failureMode: "retry" as FailureMode },
    /^task "report": failureMode "retry" is unknown — use none, unlock, commit/,
  );
});

Deno.test("defineTask() refuses a handler that is not a function", () => {
  assertUsageError(
    { name: "report", cron: "@hourly" },
    /^task "report": its handler is not a function/,
    "./report.sh" as unknown as TaskHandler,
  );
});

Deno.test("defineTask() refuses a task without a timing, naming the task", () => {
  assertUsageError({ name: "report" } as TaskOptions, /^task "report": a task needs a timing/);
});

Deno.test("defineTask() refuses a lease or retry delay that is not a positive duration", () => {
  assertUsageError({ name: "report", cron: "@hourly", lease: "0s" }, /^task "report": lease "0s"/);
  assertUsageError(
    { name: "report", cron: "@hourly", retryDelay: -1 },
    /^task "report": retryDelay -1 is not a positive duration/,
  );
});

Deno.test("defineTask() refuses a lease under 0.3 s, as lock() refuses such an expireMs", () => {
  for (const lease of ["299ms", 200, "0.1s"]) {
    assertUsageError(
      { name: "report", cron: "@hourly", lease },
      new RegExp(`^task "report": lease .* is less than 0\\.3 s, the shortest lease coord`),
    );
  }
  assert.equal(defineTask({ name: "report", cron: "@hourly", lease: 300 }, handler).leaseMs, 300);
});

Deno.test("defineTask() refuses a lease, retry delay or timeout longer than 24 days", () => {
  for (const option of ["lease", "retryDelay", "timeout"]) {
    assertUsageError(
      { name: "report", cron: "@hourly", [option]: "25d" },
      new RegExp(`^task "report": ${option} "25d" is more than 24 days`),
    );
  }
});

Deno.test("defineTask() refuses a maxRetries that is not a whole number ≥ 0", () => {
  for (const maxRetries of [-1, 1.5, NaN]) {
    assertUsageError(
      { name: "report", cron: "@hourly", maxRetries },
      /^task "report": maxRetries .* is not a whole number ≥ 0/,
    );
  }
});

Deno.test("defineTask() reads a timeout as a duration, and has none by default", () => {
  assert.equal(
    defineTask({ name: "a", cron: "@hourly", timeout: "1m30s" }, handler).timeoutMs,
    90_000,
  );
  assert.equal(defineTask({ name: "a", cron: "@hourly" }, handler).timeoutMs, undefined);
  assertUsageError({ name: "a", cron: "@hourly", timeout: "soon" }, /^task "a": timeout "soon"/);
});

Deno.test("defineTask() reads the catch-up policies", () => {
  const catchUp = (c: TaskOptions["catchUp"]) =>
    defineTask({ name: "a", cron: "@hourly", catchUp: c }, handler).catchUp;
  assert.deepEqual(catchUp("none"), { policy: "none" });
  assert.deepEqual(catchUp("latest"), { policy: "latest" });
  assert.deepEqual(catchUp({ within: "10m" }), { policy: "within", withinMs: 600_000 });
  assertUsageError(
    { name: "a", cron: "@hourly", catchUp: "some" as "all" },
    /^task "a": catchUp "some" is unknown — use all, latest, none or \{ within: DURATION \}/,
  );
  assertUsageError(
    { name: "a", cron: "@hourly", catchUp: "none", fastForward: true },
    /fastForward means catchUp "latest", not "none"/,
  );
});

Deno.test("defineTask() reads overlap skip (default), allow and replace", () => {
  assert.equal(defineTask({ name: "a", cron: "@hourly" }, handler).overlap, "skip");
  assert.equal(
    defineTask({ name: "a", cron: "@hourly", overlap: "allow" }, handler).overlap,
    "allow",
  );
  assert.equal(
    defineTask({ name: "a", cron: "@hourly", overlap: "replace" }, handler).overlap,
    "replace",
  );
  assertUsageError(
    { name: "a", cron: "@hourly", overlap: "twice" as "skip" },
    /^task "a": overlap "twice" is unknown — use skip, allow, replace/,
  );
});

Deno.test("defineTask() refuses an option it does not know, naming it", () => {
  for (const key of ["timeZone", "catchup", "bogus"]) {
    assert.throws(
      () => defineTask({ name: "t", cron: "0 9 * * *", [key]: 1 } as never, handler),
      new RegExp(`^UsageError: task "t": unknown option "${key}" — use name, cron, `),
    );
  }
});
