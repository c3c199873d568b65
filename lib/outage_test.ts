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

Deno.test("a step unanswered by the caller's deadline counts as an outage", async () => {
  const outage = new Outage(60_000);
  const never = () => new Promise<never>(() => {});
  assert.equal(await outage.attempt(never, performance.now() + 20), undefined);
  assert.match(outage.cause?.message ?? "", /^no answer within \d+ ms$/);
  assert.equal(await outage.attempt(() => Promise.resolve("held")), "held");
  assert.equal(outage.cause, undefined, "an answer ends the outage");
});
