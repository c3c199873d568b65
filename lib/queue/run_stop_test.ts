import assert from "node:assert/strict";
import { RunStop } from "./run_stop.ts";

Deno.test("a run's stop keeps its first reason, also for a signal asked for later", () => {
  const stop = new RunStop();
  const early = stop.signal;
  assert.equal(stop.stop(new Error("timed out")), true);
  // Stopped already, and running on: it had not ended.
  assert.equal(stop.stop(new Error("lost")), true);
  assert.equal((stop.reason as Error).message, "timed out");
  assert.equal(early.reason.message, "timed out");
  assert.equal(new RunStop().signal.aborted, false);
  const late = new RunStop();
  late.stop(new Error("cancelled"));
  assert.equal(late.signal.reason.message, "cancelled");
});

Deno.test("a run's race rejects with the stop's reason, or settles as its work does", async () => {
  const stop = new RunStop();
  const never = new Promise<never>(() => {});
  const racing = stop.race(never);
  stop.stop(new Error("forced"));
  await assert.rejects(racing, /forced/);
  await assert.rejects(stop.race(Promise.resolve(1)), /forced/);
  assert.equal(await new RunStop().race(Promise.resolve(2)), 2);
});

Deno.test("a stop after the run ended leaves its signal as it was", () => {
  const stop = new RunStop();
  const signal = stop.signal;
  stop.end();
  assert.equal(stop.stop(new Error("forced")), false);
  assert.equal(signal.aborted, false);
  assert.equal(stop.stopped, false);
});
