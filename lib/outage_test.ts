import assert from "node:assert/strict";
import { BackendReplacedError, BackendUnavailableError } from "./errors.ts";
import { Outage } from "./outage.ts";

Deno.test("an outage is ridden out within its limit, a replaced SQLite file is not", async () => {
  const outage = new Outage(60_000);
  assert.equal(
    await outage.attempt(() => Promise.reject(new BackendUnavailableError("lost redis://h:1"))),
    undefined,
  );
  // No retry reaches the file the others now open: thrown at once, not waited out.
  await assert.rejects(
    outage.attempt(() => Promise.reject(new BackendReplacedError("sqlite:/tmp/x.db"))),
    BackendReplacedError,
  );
});

Deno.test("an outage is counted from its first failed step's start, and said as measured", async () => {
  const outage = new Outage(100, `lock "r": gave up its place in line`);
  // A silent server: the step fails only at the connect timeout, here 300 ms, past the limit.
  const silent = () =>
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new BackendUnavailableError("lost redis://h:1: no answer")), 300)
    );
  await assert.rejects(outage.attempt(silent), (e) => {
    assert.ok(e instanceof BackendUnavailableError);
    const [, ms] =
      /^lock "r": gave up its place in line after (\d+) ms without the backend \(lost redis:\/\/h:1: no answer\)$/
        .exec(e.message) ?? [];
    assert.ok(Number(ms) >= 300, e.message);
    return true;
  });
});

Deno.test("in an outage, a step unanswered by the caller's deadline counts as one more failure", async () => {
  const outage = new Outage(60_000);
  const lost = new BackendUnavailableError("lost redis://h:1: connection refused");
  assert.equal(await outage.attempt(() => Promise.reject(lost)), undefined);
  const never = () => new Promise<never>(() => {});
  assert.equal(await outage.attempt(never, performance.now() + 20), undefined);
  assert.equal(outage.cause, lost, "the failure that says which server stays the cause");
  assert.equal(await outage.attempt(() => Promise.resolve("held")), "held");
  assert.equal(outage.cause, undefined, "an answer ends the outage");
});

Deno.test("a slow step of a backend that answers is not cut at the caller's deadline", async () => {
  const outage = new Outage(60_000);
  // A server busy for a moment, a file or row another process holds: cut, the step would be
  // carried out all the same (a ticket taken) and left behind.
  const slow = () => new Promise<string>((resolve) => setTimeout(() => resolve("taken"), 50));
  assert.equal(await outage.attempt(slow, performance.now() + 5), "taken");
});

Deno.test("a step is sent, however long the outage was, and ends it when answered", async () => {
  const outage = new Outage(100);
  const lost = new BackendUnavailableError("lost redis://h:1: connection refused");
  assert.equal(await outage.attempt(() => Promise.reject(lost)), undefined);
  // A pause longer than the limit (a barrier's recheck against a 0.1 s lease): the next step
  // still goes, and its answer is what counts.
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(await outage.attempt(() => Promise.resolve("waiting")), "waiting");
});
