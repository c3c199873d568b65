import assert from "node:assert/strict";
import { PeriodicChecks } from "./periodic_checks.ts";

/** Resolves with the `performance.now()` of each of `check`'s first `count` runs. */
function runs(checks: PeriodicChecks, count: number): { times: Promise<number[]>; remove(): void } {
  const times: number[] = [];
  const done = Promise.withResolvers<number[]>();
  const remove = checks.add(() => {
    times.push(performance.now());
    if (times.length === count) done.resolve(times);
  });
  return { times: done.promise, remove };
}

Deno.test("each check runs every period from when it was added, not before", async () => {
  const checks = new PeriodicChecks(50);
  const addedAt = performance.now();
  const first = runs(checks, 3);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const laterAt = performance.now();
  const later = runs(checks, 2);
  const [firstTimes, laterTimes] = await Promise.all([first.times, later.times]);
  first.remove();
  later.remove();
  // Timers fire late on a busy host, never early: the k-th run comes k periods after the check
  // was added, or later. (Counted from the add, not from the run before: that one may have been
  // called a few ms after its timer fired, on a busy host, and the next is due from the timer.)
  const notEarly = (from: number, times: number[]) =>
    times.forEach((t, k) => assert.ok(t - from >= (k + 1) * 50, `run ${k + 1}: ${t - from} ms`));
  notEarly(addedAt, firstTimes);
  notEarly(laterAt, laterTimes);
});

Deno.test("a removed check runs no more, and the last removal leaves no timer", async () => {
  // The test's sanitizer fails it if a timer is still pending at its end.
  const checks = new PeriodicChecks(30);
  let removedRuns = 0;
  const removeEarly = checks.add(() => removedRuns++);
  const kept = runs(checks, 3);
  removeEarly();
  await kept.times;
  kept.remove();
  assert.equal(removedRuns, 0);
});

Deno.test("a check added after all were removed is timed again", async () => {
  const checks = new PeriodicChecks(20);
  checks.add(() => {})();
  const again = runs(checks, 1);
  await again.times;
  again.remove();
});
