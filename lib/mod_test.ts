/** What the library's entry point exports. */

import assert from "node:assert/strict";
import * as coord from "./mod.ts";

Deno.test("every error class a library user can meet is exported by coord", () => {
  const names = [
    "CoordError",
    "UsageError",
    "BackendClosedError",
    "BackendDamagedError",
    "BackendUnavailableError",
    "BackendUnreachableError",
    "BackendRefusedError",
    "WaitTimeoutError",
    "BarrierTimeoutError",
    "BarrierAbortedError",
    "BrokenBuildError",
    "LockTimeoutError",
    "LeaseLostError",
    "InterruptedError",
    "TooLateError",
    "ForeignDataError",
    "NewerDataError",
    "JobFailedError",
    "JobRemovedError",
    "UnknownJobError",
    "NonRetryableError",
    "JobCancelledError",
    "CommandFailedError",
    "TaskRunningError",
  ];
  const exported = coord as Record<string, unknown>;
  for (const name of names) {
    assert.equal(typeof exported[name], "function", `${name} is not exported`);
  }
});
