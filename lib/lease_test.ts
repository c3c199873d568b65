import assert from "node:assert/strict";
import process from "node:process";
import { BackendUnavailableError, BrokenBuildError } from "./errors.ts";
import { LeaseKeeper, type Renewal } from "./lease.ts";
import { LeaseTimer } from "./lease_timer.ts";
import { until } from "../tests/support/wait.ts";
import { countingTimers } from "../tests/support/live_timers.ts";

const lostReason = () => new Error("lost");

/** Resolves when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve()));
}

Deno.test("a lease whose renewals never answer is lost 2/3 of a lease after the claim", async () => {
  const heldSince = performance.now();
  let renewals = 0;
  const keeper = new LeaseKeeper({
    leaseMs: 300,
    heldSince,
    renew: () => (renewals++, new Promise<Renewal>(() => {})),
    lostReason,
  });
  // The last third is the holder's to stop its work before the backend hands the lease on.
  assert.equal(keeper.deadline, heldSince + 200);
  await aborted(keeper.signal);
  assert.ok(performance.now() - heldSince >= 200, "lost before 2/3 of its lease");
  assert.ok(renewals >= 1, "never tried to renew");
  assert.equal(keeper.signal.reason.message, "lost");
  await assert.rejects(keeper.renew(), /lost/);
});

Deno.test("answered renewals keep a lease held past many leases", async () => {
  let renewals = 0;
  const sixth = Promise.withResolvers<void>();
  const keeper = new LeaseKeeper({
    leaseMs: 1_500,
    heldSince: performance.now(),
    renew: () => {
      if (++renewals === 6) sixth.resolve();
      return Promise.resolve("held");
    },
    lostReason,
  });
  await keeper.renew(); // a heartbeat renews besides the timer
  await sixth.promise;
  assert.equal(keeper.lost, false);
  keeper.stop();
});

Deno.test("a renewal lost to an outage is tried again before the lease is lost", async () => {
  const heldSince = performance.now();
  const answered = Promise.withResolvers<void>();
  let renewals = 0;
  const keeper = new LeaseKeeper({
    leaseMs: 3_000,
    heldSince,
    renew: () => {
      if (++renewals === 1) return Promise.reject(new BackendUnavailableError("restarting"));
      answered.resolve();
      return Promise.resolve("held");
    },
    lostReason,
  });
  await answered.promise;
  // Tried again soon after the failure, not a third later (which is the deadline itself).
  await until(() => keeper.lost || keeper.deadline > heldSince + 2_000, { what: "the retry" });
  assert.equal(keeper.lost, false);
  await keeper.stop();
});

Deno.test("stop() resolves once the renewal under way has answered", async () => {
  const answer = Promise.withResolvers<Renewal>();
  let settled = false;
  const keeper = new LeaseKeeper({
    leaseMs: 60_000,
    heldSince: performance.now(),
    renew: () => answer.promise.finally(() => settled = true),
    lostReason,
  });
  const renewing = keeper.renew();
  const stopped = keeper.stop();
  answer.resolve("held");
  await stopped;
  assert.equal(settled, true);
  await renewing;
});

Deno.test("a renewal that finds another holder loses the lease at once", async () => {
  using keeper = new LeaseKeeper({
    leaseMs: 60_000,
    heldSince: performance.now(),
    renew: () => Promise.resolve("lost"),
    lostReason,
  });
  await assert.rejects(keeper.renew(), /lost/);
  assert.equal(keeper.lost, true);
});

Deno.test("a renewal that finds nothing left to hold ends keeping without a loss", async () => {
  let renewals = 0;
  using keeper = new LeaseKeeper({
    leaseMs: 60_000,
    heldSince: performance.now(),
    renew: () => (renewals++, Promise.resolve("gone")),
    lostReason,
  });
  await keeper.renew();
  await keeper.renew();
  assert.equal(renewals, 1);
  assert.equal(keeper.lost, false);
});

// Retried to the deadline, it was lost as any outage: a worker took leases it could never keep.
Deno.test("a renewal that fails for good loses the lease at once, with that error", async () => {
  const heldSince = performance.now();
  const broken = new BrokenBuildError("coord's script queue/renew.lua does not compile");
  let renewals = 0;
  const keeper = new LeaseKeeper({
    leaseMs: 3_000,
    heldSince,
    renew: () => (renewals++, Promise.reject(broken)),
    lostReason,
  });
  await aborted(keeper.signal);
  assert.equal(keeper.signal.reason, broken);
  assert.equal(renewals, 1);
  assert.ok(performance.now() < keeper.deadline, "lost at the deadline, not at once");
});

Deno.test("lose() aborts the signal with the reason given", () => {
  const keeper = new LeaseKeeper({
    leaseMs: 60_000,
    heldSince: performance.now(),
    renew: () => Promise.resolve("held"),
    lostReason,
  });
  keeper.lose(new Error("replaced"));
  assert.equal(keeper.signal.reason.message, "replaced");
});

Deno.test("a keeper times its renewal and its loss with one timer, and none once stopped", async () => {
  // A queue worker makes a keeper per job: each timer more is a cost per job.
  await countingTimers(async (live) => {
    const keeper = new LeaseKeeper({
      leaseMs: 60_000,
      heldSince: performance.now(),
      renew: () => Promise.resolve("held"),
      lostReason,
    });
    assert.equal(live(), 1);
    await keeper.stop();
    assert.equal(live(), 0);
  });
});

Deno.test("a lease already past its deadline is lost at once, with no timer warning", async () => {
  // Deno's timers print a TimeoutNegativeWarning on stderr for a negative delay: a user of
  // `coord queue work` saw one break the one-line error output when a grace period ran out.
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.name);
  process.on("warning", onWarning);
  try {
    const keeper = new LeaseKeeper({
      leaseMs: 300,
      heldSince: performance.now() - 1_000,
      renew: () => new Promise<Renewal>(() => {}),
      lostReason,
    });
    await aborted(keeper.signal);
    // A warning is emitted on the next turn of the event loop.
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(warnings, []);
  } finally {
    process.off("warning", onWarning);
  }
});

Deno.test("keepers on one timer are each lost at their own deadline, told by onLost", async () => {
  // A queue worker's jobs share a timer: a job whose renewals go unanswered must be lost at its
  // own deadline, and one whose renewals answer held, however the timer is shared.
  const timer = new LeaseTimer();
  const heldSince = performance.now();
  const lost = Promise.withResolvers<Error>();
  const silent = new LeaseKeeper({
    leaseMs: 600,
    heldSince,
    renew: () => new Promise<Renewal>(() => {}),
    lostReason,
    onLost: lost.resolve,
    timer,
  });
  let renewals = 0;
  const held = new LeaseKeeper({
    leaseMs: 600,
    heldSince,
    renew: () => (renewals++, Promise.resolve("held")),
    lostReason,
    timer,
  });
  assert.equal((await lost.promise).message, "lost");
  assert.ok(performance.now() - heldSince >= 400, "lost before 2/3 of its lease");
  assert.equal(silent.lost, true);
  assert.equal(silent.signal.reason.message, "lost"); // made after the loss, aborted already
  await until(() => renewals >= 3, { what: "three renewals of the other" });
  assert.equal(held.lost, false);
  await held.stop();
});

Deno.test("a lost lease aborts the keeper's signal even when its holder's callback throws", () => {
  const keeper = new LeaseKeeper({
    leaseMs: 60_000,
    heldSince: performance.now(),
    renew: () => Promise.resolve("held"),
    lostReason,
    onLost: () => {
      throw new Error("the holder's own stop failed");
    },
  });
  const signal = keeper.signal;
  assert.throws(() => keeper.lose(), /the holder's own stop failed/);
  assert.equal(signal.aborted, true);
});
