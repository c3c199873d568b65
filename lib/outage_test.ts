import assert from "node:assert/strict";
import { BackendReplacedError, BackendUnavailableError } from "./errors.ts";
import { Outage } from "./outage.ts";

Deno.test("an outage is ridden out within its limit, a replaced SQLite file is not", async () => {
  const outage = new Outage(60_000);
  assert.equal(
    await outage.attempt(() => Promise.reject(new BackendUnavailableError("lost redis://h:1"))),
    undefined,
  );
  // No retry reaches the file the others now open: thrown at once, not waited out.
  await assert.rejects(
    outage.attempt(() => Promise.reject(new BackendReplacedError("sqlite:/tmp/x.db"))),
    BackendReplacedError,
  );
});
