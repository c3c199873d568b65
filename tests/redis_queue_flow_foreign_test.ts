/**
 * A flow's parts on Redis whose records another program deleted: the steps that move the flow
 * on meet an id with no record. Each step is left whole (a script is not undone: one that
 * stopped on a missing record after it wrote kept half its writes), and the flow still ends.
 */

import assert from "node:assert/strict";
import { putFlow } from "../lib/queue/flow.ts";
import { queueCounts, waitForJob } from "../lib/queue/queue.ts";
import { work } from "../lib/queue/worker.ts";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";
import { onRedis } from "./support/backends.ts";
import { HANG_GUARD_MS } from "./support/wait.ts";

async function deleteRecord(backend: RedisBackend, queue: string, id: string) {
  const key = backend.key("queue", queue, "jobs");
  await backend.conn.send(key, ["HDEL", key, id]);
}

onRedis(
  "a flow's waiting part whose record another program deleted joins the run order at its release, is failed by the worker that meets it, and its flow goes on",
  async (backend) => {
    const { ref } = await putFlow(backend, "gone", {
      serial: [{ handler: "one" }, { handler: "one" }, { handler: "one" }],
      continueOnFailure: true,
    }, { id: "fl" });
    await deleteRecord(backend, "gone", "fl.1");
    const result = await work(backend, ["gone"], {
      handlers: { one: () => 1 },
      drain: true,
      signal: AbortSignal.timeout(HANG_GUARD_MS),
    });
    assert.deepEqual([result.completed, result.failed], [2, 1]);
    const flow = await waitForJob(backend, ref, { timeoutMs: HANG_GUARD_MS });
    assert.deepEqual([flow.state, flow.result], ["completed", [1, null, 1]]);
    const [counts] = await queueCounts(backend, ["gone"]);
    assert.deepEqual([counts.waiting, counts.pending, counts.failed], [0, 0, 1]);
  },
);
