import assert from "node:assert/strict";
import { LeaseTimer } from "./lease_timer.ts";
import { countingTimers } from "../tests/support/live_timers.ts";

Deno.test("a lease timer calls each callback at its own instant, in order, on one timer", async () => {
  await countingTimers(async (live) => {
    const timer = new LeaseTimer();
    const start = performance.now();
    const calls: [string, number][] = [];
    const done = Promise.withResolvers<void>();
    const at = (name: string, ms: number) => {
      const fire = () => {
        calls.push([name, performance.now() - start]);
        if (calls.length === 3) done.resolve();
      };
      timer.set(fire, start + ms);
      return fire;
    };
    at("late", 60);
    at("early", 20);
    timer.clear(at("cleared", 10));
    at("middle", 40);
    assert.equal(live(), 1);
    await done.promise;
    assert.deepEqual(calls.map(([name]) => name), ["early", "middle", "late"]);
    for (const [name, ms] of calls) {
      assert.ok(ms >= { early: 20, middle: 40, late: 60 }[name]!, `${name} came at ${ms} ms`);
    }
    assert.equal(live(), 0);
  });
});

Deno.test("a lease timer set again moves its callback, and none is left once all are cleared", async () => {
  await countingTimers(async (live) => {
    const timer = new LeaseTimer();
    let calls = 0;
    const fire = () => void calls++;
    timer.set(fire, performance.now() + 60_000);
    const again = Promise.withResolvers<void>();
    timer.set(() => again.resolve(), performance.now());
    await again.promise;
    timer.set(fire, performance.now() + 30_000);
    assert.equal(live(), 1);
    timer.clear(fire);
    assert.equal(live(), 0);
    assert.equal(calls, 0);
  });
});
