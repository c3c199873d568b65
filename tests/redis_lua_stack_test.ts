/**
 * Redis steps over many members at once: Lua's stack takes ≈ 8,000 values in one call, so a
 * step that spread a flow's parts or a barrier's arrivals into one command failed past that,
 * and left its state as it was for good (each try failed the same way).
 */

import assert from "node:assert/strict";
import { barrier } from "../lib/barrier/barrier.ts";
import { putFlow } from "../lib/queue/flow.ts";
import { getJob, queueCounts } from "../lib/queue/queue.ts";
import { NonRetryableError, work } from "../lib/queue/worker.ts";
import { onRedis } from "./support/backends.ts";

/** Past what one `unpack` takes. */
const WIDE = 9_000;

onRedis(
  "a failed part of a group of 9,000 cancels the 8,999 others, and its flow fails",
  async (backend) => {
    const parts = Array.from({ length: WIDE }, (_, i) => ({ handler: i === 0 ? "boom" : "never" }));
    const { ref } = await putFlow(backend, "wide", { parallel: parts }, { id: "wide" });
    let never = 0;
    await work(backend, ["wide"], {
      handlers: {
        boom: () => {
          throw new NonRetryableError("kaboom");
        },
        never: () => never++,
      },
      // The failing part alone runs: the step that ends it cancels the others.
      concurrency: 1,
      drain: true,
    });
    assert.equal((await getJob(backend, ref)).state, "failed");
    assert.equal(never, 0);
    const [counts] = await queueCounts(backend, ["wide"]);
    assert.deepEqual([counts.pending, counts.active, counts.cancelled], [0, 0, WIDE - 1]);
  },
);

onRedis(
  "a barrier's 9,000 arrivals whose leases ran out are dropped at the next arrival, which goes on",
  async (backend) => {
    const ids = Array.from({ length: WIDE }, (_, i) => `crashed-${i}`);
    // Participants that crashed long ago (their leases ended at 1 ms past the epoch).
    const leases = backend.key("barrier", "wide", "leases");
    const arrivals = backend.key("barrier", "wide", "arrivals");
    await backend.conn.send(leases, ["ZADD", leases, ...ids.flatMap((id) => ["1", id])]);
    await backend.conn.send(arrivals, ["HSET", arrivals, ...ids.flatMap((id) => [id, "{}"])]);
    const met = await barrier(backend, "wide", 1, { delayMs: 0, timeoutMs: 60_000 });
    assert.equal(met.participants, 1);
  },
);
