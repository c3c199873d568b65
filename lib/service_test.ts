import assert from "node:assert/strict";
import { Shutdown } from "./service.ts";

Deno.test("drain() waits for work that ends within the grace period, and forces nothing", async () => {
  using shutdown = new Shutdown();
  const work = Promise.withResolvers<void>();
  const drained = shutdown.drain(work.promise, 60_000);
  work.resolve();
  assert.equal(await drained, false);
  assert.equal(shutdown.forced.aborted, false);
});

Deno.test("drain() forces the stop when the grace period ends first", async () => {
  using shutdown = new Shutdown();
  assert.equal(await shutdown.drain(new Promise(() => {}), 50), true);
  assert.match(shutdown.forced.reason.message, /grace period is over/);
});

Deno.test("the caller's force signal cuts the grace period short, with its reason", async () => {
  const force = new AbortController();
  using shutdown = new Shutdown({ force: force.signal });
  const drained = shutdown.drain(new Promise(() => {}), 60_000);
  force.abort(new Error("second signal"));
  assert.equal(await drained, true);
  assert.equal(shutdown.forced.reason.message, "second signal");
});

Deno.test("settle() leaves work that ignores a forced stop behind", async () => {
  const force = new AbortController();
  force.abort();
  using shutdown = new Shutdown({ force: force.signal });
  assert.equal(shutdown.forced.aborted, true);
  await shutdown.settle(new Promise(() => {})); // would hang the test if it waited
});

Deno.test("settle() waits for work to the end while the stop is not forced", async () => {
  using shutdown = new Shutdown();
  let ended = false;
  await shutdown.settle(new Promise<void>((resolve) => setTimeout(resolve, 10)).then(() => {
    ended = true;
  }));
  assert.equal(ended, true);
});
