import assert from "node:assert/strict";
import { LeaseKeeper, type Renewal } from "./lease.ts";

const lostReason = () => new Error("lost");

/** Resolves when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve()));
}

Deno.test("a lease whose renewals never answer is lost a whole lease after the claim", async () => {
  const heldSince = performance.now();
  let renewals = 0;
  const keeper = new LeaseKeeper({
    leaseMs: 300,
    heldSince,
    renew: () => (renewals++, new Promise<Renewal>(() => {})),
    lostReason,
  });
  await aborted(keeper.signal);
  assert.ok(performance.now() - heldSince >= 300, "lost before its lease was over");
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
