import assert from "node:assert/strict";
import { estimateClockOffset } from "./clock.ts";
import { localNow, sleep } from "./time.ts";

Deno.test("estimateClockOffset() finds a known offset from the fastest sample", async () => {
  let call = 0;
  // Slow samples lie (their reading is skewed); the fast one tells the truth.
  const clock = {
    async now() {
      const slow = call++ % 2 === 0;
      if (slow) await sleep(20);
      return localNow() + 1000 + (slow ? 15 : 0);
    },
  };
  const { offsetMs, rttMs } = await estimateClockOffset(clock, { samples: 6 });
  assert.ok(Math.abs(offsetMs - 1000) < 3, `offset ${offsetMs}`);
  assert.ok(rttMs < 10, `rtt ${rttMs}`);
});

Deno.test("sleep() rejects with the signal's reason when aborted", async () => {
  const controller = new AbortController();
  const slept = sleep(10_000, controller.signal);
  controller.abort(new Error("stop"));
  await assert.rejects(slept, /stop/);
});

Deno.test("sleep() ends early when woken", async () => {
  const started = performance.now();
  await sleep(10_000, undefined, Promise.resolve());
  assert.ok(performance.now() - started < 1000);
});
