/** What `Backend.events` streams on SQLite: the lock's events table, nothing else. */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { UsageError } from "../lib/errors.ts";

Deno.test("SQLite refuses events of a kind it keeps none of, naming the one it keeps", async () => {
  await using backend = await connect({ url: "sqlite::memory:" });
  const signal = AbortSignal.timeout(60_000);
  for (const kind of ["barrier", "schedule", "queue"] as const) {
    await assert.rejects(
      backend.events(kind, undefined, signal),
      (error) =>
        error instanceof UsageError && /^\w+ events are not kept on sqlite: — only the lock's/
          .test(error.message),
    );
  }
});

Deno.test("SQLite streams a lock's events", async () => {
  await using backend = await connect({ url: "sqlite::memory:" });
  const stop = new AbortController();
  const events = await backend.events("lock", ["r"], stop.signal);
  await backend.lock.enqueue("r", { label: "me", limit: 1, expireMs: 10_000, request: "a" });
  for await (const { name, event } of events) {
    assert.equal(name, "r");
    assert.deepEqual(event, { event: "assigned", ticket: 1, label: "me" });
    break;
  }
  stop.abort();
});
