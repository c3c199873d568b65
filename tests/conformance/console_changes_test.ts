/**
 * A live console hears every kind's changes as they happen, not at its slow re-read: SQLite and
 * PostgreSQL keep events of locks only, and the console watches every instance of the other
 * kinds (`watchKind`).
 */

import assert from "node:assert/strict";
import { followChanges, Pulse } from "../../commands/ui/changes.ts";
import { barrier } from "../../lib/barrier/barrier.ts";
import { PROGRESS } from "../../lib/backend/news.ts";
import type { Backend } from "../../lib/backend/types.ts";
import { claimJob } from "../../lib/queue/claim_job.ts";
import { putJob } from "../../lib/queue/queue.ts";
import { conformance } from "../support/backends.ts";
import { guarded, HANG_GUARD_MS } from "../support/wait.ts";

/** Longer than any test: a pulse seen came from a change, not from the console's timer. */
const NO_RE_READ_MS = 3_600_000;

/**
 * A second connection, once the first one hears changes as they come: PostgreSQL's watchers
 * poll until its LISTEN is proven (`info()` waits for that), and a poll would pass for a change.
 */
async function listening(ctx: { open(): Promise<Backend> }): Promise<[Backend, Backend]> {
  const [watching, other] = [await ctx.open(), await ctx.open()];
  await watching.info();
  return [watching, other];
}

for (
  const [what, change] of [
    ["a put into a queue made after it started", (b) => putJob(b, "fresh", { handler: "h" })],
    ["a barrier's arrival", (b) => barrier(b, "gate", 1, { delayMs: 0 })],
  ] as const satisfies [string, (b: Backend) => Promise<unknown>][]
) {
  // It heard queues, schedules and barriers only at its re-read, every 5 s, but on Redis.
  conformance(`the console hears ${what} as it happens`, async (ctx) => {
    const [consoleSide, other] = await listening(ctx);
    const pulse = new Pulse();
    const stop = new AbortController();
    try {
      await followChanges(consoleSide, pulse, stop.signal, NO_RE_READ_MS);
      const seen = pulse.count;
      await change(other);
      await guarded(pulse.after(seen, stop.signal), `pulse after ${what}`);
    } finally {
      stop.abort();
    }
  });
}

// PostgreSQL's progress step told no one: its console showed a running job's progress only at
// its re-read.
conformance("a console's watch of every queue hears a running job's progress", async (ctx) => {
  const [consoleSide, other] = await listening(ctx);
  await putJob(other, "p", { id: "1", handler: "h" });
  const { job } = await claimJob(other.queue, "p", { worker: "w", leaseMs: HANG_GUARD_MS });
  await using watcher = await consoleSide.watchKind("queue");
  const progress = { id: "1", worker: "w", attempt: job!.attempts, progress: "1" };
  assert.equal(await other.queue.progress("p", progress), true);
  // Redis and PostgreSQL carry the step's word (the claim's may come first); SQLite tells of
  // every commit, without words, and must wake before the hang guard.
  const deadline = performance.now() + HANG_GUARD_MS;
  for (;;) {
    const events = await watcher.next(Math.max(0, deadline - performance.now()));
    assert.ok(performance.now() < deadline, "no progress heard");
    if (consoleSide.kind === "sqlite" || events.includes(PROGRESS)) break;
  }
});
