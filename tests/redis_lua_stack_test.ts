/**
 * Redis steps over many members at once: Lua's stack takes ≈ 8,000 values in one call, so a
 * step that spread a barrier's arrivals into one command failed past that, and left its state
 * as it was for good (each try failed the same way). A flow's group of 9,000 parts is a
 * conformance case (tests/conformance/queue_flow_test.ts).
 */

import assert from "node:assert/strict";
import { barrier } from "../lib/barrier/barrier.ts";
import { onRedis } from "./support/backends.ts";

/** Past what one `unpack` takes. */
const WIDE = 9_000;

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
