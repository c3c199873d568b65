/**
 * A long run of a flow's parts cancelled before their turn, on Redis: one part's end counts
 * them all in its step (a Lua script), by a loop. Counted by a call each, a serial group of
 * 9,000 parts, or of thousands of groups each ending so, overflowed Lua's stack halfway through the
 * step: the run that ended was counted and its record left active, its flow never ending.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { putFlow } from "../lib/queue/flow.ts";
import { cancelJob, getJob } from "../lib/queue/queue.ts";
import { work } from "../lib/queue/worker.ts";
import type { Backend } from "../lib/backend/types.ts";
import { freshNamespace, REDIS_BACKENDS } from "./support/backends.ts";

/** Cancels `refs`, a few hundred at a time. */
async function cancelAll(db: Backend, refs: string[]): Promise<void> {
  for (let i = 0; i < refs.length; i += 500) {
    const outcomes = await Promise.all(refs.slice(i, i + 500).map((ref) => cancelJob(db, ref)));
    assert.ok(outcomes.every((o) => o.cancelled));
  }
}

/** Runs the queue's jobs (the flow's first part) until none is left. */
async function drain(db: Backend, queue: string): Promise<number> {
  const result = await work(db, [queue], { handlers: { h: () => 1 }, drain: true });
  return result.completed;
}

for (const backend of REDIS_BACKENDS.filter((b) => b.label === "redis")) {
  const test = (name: string, fn: (db: Backend) => Promise<void>) =>
    Deno.test(`${name} [${backend.label}]`, async () => {
      await using target = await backend.use();
      await using db = await connect({ url: target.url, namespace: freshNamespace(), env: {} });
      await fn(db);
    });

  test("a serial group's 9,997 parts cancelled before their turn are counted by its first part's end", async (db) => {
    const parts = 9_998;
    const serial = Array.from({ length: parts }, () => ({ handler: "h" }));
    const { ref } = await putFlow(db, "long", { serial, continueOnFailure: true }, { id: "s" });
    await cancelAll(db, Array.from({ length: parts - 1 }, (_, i) => `long/s.${parts - 1 - i}`));
    assert.equal(await drain(db, "long"), 1);
    const flow = await getJob(db, ref);
    assert.equal(flow.state, "completed");
    assert.deepEqual((flow.result as unknown[]).slice(0, 3), [1, null, null]);
    assert.equal((flow.result as unknown[]).length, parts);
  });

  test("a serial group of 4,998 groups whose parts were cancelled before their turn ends them all in one step", async (db) => {
    const groups = 4_998;
    const serial = [
      { handler: "h" },
      ...Array.from({ length: groups }, () => ({ serial: [{ handler: "h" }] })),
    ];
    const { ref } = await putFlow(db, "nested", { serial, continueOnFailure: true }, { id: "s" });
    await cancelAll(db, Array.from({ length: groups }, (_, i) => `nested/s.${i + 1}.0`));
    assert.equal(await drain(db, "nested"), 1);
    const flow = await getJob(db, ref);
    assert.equal(flow.state, "completed");
    assert.equal((await getJob(db, `nested/s.${groups}`)).state, "failed");
  });
}
