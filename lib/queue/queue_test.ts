import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import {
  checkJobId,
  checkQueueName,
  FLAG_NAMES,
  getJob,
  putRequestOf,
  queueCounts,
  queueReports,
  waitForJob,
} from "./queue.ts";
import { flowNodes, putFlow } from "./flow.ts";
import { listJobs } from "./list.ts";
import { configureQueue, purgeJobs } from "./retention.ts";
import { connect } from "../backend/connect.ts";
import { scheduleReports, scheduleStatus } from "../schedule/status.ts";

Deno.test("putRequestOf() refuses a beginByMs of 0 or less, naming beginByMs", () => {
  for (const beginByMs of [0, -1]) {
    assert.throws(
      () => putRequestOf({ handler: "h", beginByMs }),
      (e) => e instanceof UsageError && /beginByMs must be/.test(e.message),
    );
  }
  assert.equal(putRequestOf({ handler: "h", beginByMs: 1 }).beginByMs, 1);
});

Deno.test("putRequestOf() refuses an at further ahead than the longest delay", () => {
  const far = new Date(Date.now() + 11 * 365 * 86_400_000);
  assert.throws(() => putRequestOf({ handler: "h", at: far }), /more than 10 years ahead/);
  const near = new Date(Date.now() + 86_400_000);
  assert.equal(putRequestOf({ handler: "h", at: near }).at, near.getTime());
});

Deno.test("putRequestOf() refuses delayMs and at together, naming both", () => {
  assert.throws(
    () => putRequestOf({ handler: "h", delayMs: 1_000, at: new Date() }),
    (e) => e instanceof UsageError && /delayMs/.test(e.message) && /\bat\b/.test(e.message),
  );
});

Deno.test("putRequestOf() refuses args JSON cannot hold, with a UsageError", () => {
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  for (const args of [1n, cycle, () => 1, Symbol("s")]) {
    assert.throws(
      () => putRequestOf({ handler: "h", args }),
      (e) => e instanceof UsageError && /^args are not JSON/.test(e.message),
      String(typeof args),
    );
  }
  assert.deepEqual(putRequestOf({ handler: "h", args: { a: [1, "x", null] } }).spec.args, {
    a: [1, "x", null],
  });
});

Deno.test("a queue name holds no comma, which would read as a list of queues", () => {
  assert.throws(
    () => checkQueueName("emails,reports"),
    (e) =>
      e instanceof UsageError &&
      e.message === 'queue name "emails,reports" holds ","; a command that takes several ' +
          "queues takes each as its own argument: emails reports",
  );
  assert.equal(checkJobId("a,b"), "a,b");
});

Deno.test("queue names and job ids may not be . or ..", () => {
  for (const name of [".", ".."]) {
    assert.throws(() => checkQueueName(name), UsageError);
    assert.throws(() => checkJobId(name), UsageError);
    assert.throws(() => putRequestOf({ handler: "h", id: name }), UsageError);
  }
  assert.equal(checkJobId("..."), "...");
  assert.equal(checkQueueName(".hidden"), ".hidden");
});

Deno.test("putFlow() refuses a flow id of ..", async () => {
  await using backend = await connect({ url: "sqlite::memory:", env: {} });
  await assert.rejects(
    () => putFlow(backend, "q", { serial: [{ handler: "h" }] }, { id: ".." }),
    UsageError,
  );
});

Deno.test("queueCounts() of every queue still counts one named .. stored before the rule", async () => {
  await using backend = await connect({ url: "sqlite::memory:", env: {} });
  // The backend's step, as an older coord called it: no name check.
  await backend.queue.put("..", { spec: { handler: "h", retries: 0, backoffMs: 0 }, delayMs: 0 });
  assert.deepEqual((await queueCounts(backend)).map((c) => [c.queue, c.pending]), [["..", 1]]);
  assert.throws(() => checkQueueName(".."), UsageError);
});

Deno.test("a flow's job takes backoffMs and timeoutMs as putJob does, or seconds, not both", () => {
  const specOf = (job: Record<string, unknown>) => flowNodes({ serial: [job] }, "f")[1].spec;
  const inMs = specOf({ handler: "h", backoffMs: 1_500, timeoutMs: 2_000 });
  assert.deepEqual([inMs?.backoffMs, inMs?.timeoutMs], [1_500, 2_000]);
  const inS = specOf({ handler: "h", backoff: 1.5, timeout: 2 });
  assert.deepEqual([inS?.backoffMs, inS?.timeoutMs], [1_500, 2_000]);
  assert.throws(
    () => specOf({ handler: "h", timeout: 2, timeoutMs: 2_000 }),
    (e) => e instanceof UsageError && /timeout \(seconds\) or timeoutMs, not both/.test(e.message),
  );
});

Deno.test("putRequestOf() names a library option in ms, the CLI's flag in seconds", () => {
  assert.throws(
    () => putRequestOf({ handler: "h", delayMs: -1 }),
    /^UsageError: delayMs must be a number of milliseconds from 0 to \d+, got -1$/,
  );
  assert.throws(
    () => putRequestOf({ handler: "h", timeoutMs: 0 }),
    /timeoutMs must be a number of milliseconds from 1 to/,
  );
  assert.throws(() => putRequestOf({ handler: "h", retries: 1.5 }), /^UsageError: retries must/);
  assert.throws(
    () => putRequestOf({ handler: "h", delayMs: -1 }, FLAG_NAMES),
    /--delay must be a number of seconds from 0 to \d+, got -0.001/,
  );
  assert.throws(
    () => putRequestOf({ handler: "h", dedupeForMs: 1 }, FLAG_NAMES),
    /--dedupe-for goes with --dedupe/,
  );
});

Deno.test("waitForJob() names timeoutMs in ms", async () => {
  await using backend = await connect({ url: "sqlite::memory:" });
  await assert.rejects(
    waitForJob(backend, "q/1", { timeoutMs: -5 }),
    /timeoutMs must be a number of milliseconds ≥ 0, got -5/,
  );
});

Deno.test("configureQueue(), purgeJobs() and listJobs() name their options as a program gives them", async () => {
  await using backend = await connect({ url: "sqlite::memory:" });
  const cases: [() => Promise<unknown>, RegExp][] = [
    [
      () => configureQueue(backend, "q", { keepCompleted: { count: -1 } }),
      /^UsageError: keepCompleted\.count must be a whole number from 0/,
    ],
    [
      () => configureQueue(backend, "q", { keepFailed: { ageMs: 0 } }),
      /^UsageError: keepFailed\.ageMs must be a number of milliseconds from 1/,
    ],
    [() => configureQueue(backend, "q", { groupLimit: 0 }), /^UsageError: groupLimit must be/],
    [
      () => purgeJobs(backend, "q", { state: "failed", olderThanMs: -1 }),
      /^UsageError: olderThanMs must be a number of milliseconds/,
    ],
    [() => listJobs(backend, "q", { limit: 0 }), /^UsageError: limit must be a whole number/],
    [
      () => connect({ url: "sqlite::memory:", connectTimeoutMs: 0 }),
      /^UsageError: connectTimeoutMs must be a positive number of milliseconds, got 0$/,
    ],
  ];
  for (const [call, message] of cases) await assert.rejects(call(), message);
});

Deno.test("queueCounts() and the status calls given one name as a string ask for a list", async () => {
  await using backend = await connect({ url: "sqlite::memory:" });
  const asked = /^UsageError: give a list of (queue|task) names \(e\.g\. \["q"\]\), not "q"$/;
  const lists = [
    () => queueCounts(backend, "q" as unknown as string[]),
    () => queueReports(backend, "q" as unknown as string[]),
    () => scheduleStatus(backend, "q" as unknown as string[]),
    () => scheduleReports(backend, "q" as unknown as string[]),
  ];
  for (const call of lists) await assert.rejects(call, (e) => asked.test(String(e)));
  await assert.rejects(
    () => queueCounts(backend, [7 as unknown as string]),
    /^UsageError: the queue name must be a string, not 7$/,
  );
});

Deno.test("a flow's part whose id is longer than a name given is found by its reference", async () => {
  await using backend = await connect({ url: "sqlite::memory:" });
  const root = "f".repeat(512);
  await putFlow(backend, "q", { serial: [{ handler: "h" }] }, { id: root });
  // A part's id is its root's and more (513 characters here): not refused as too long.
  assert.equal((await getJob(backend, `q/${root}.0`)).id, `${root}.0`);
  await assert.rejects(getJob(backend, "q/a\u001bb"), /holds a control character/);
});
