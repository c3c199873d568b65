import assert from "node:assert/strict";
import { ExitCode, LeaseLostError, LockTimeoutError, WaitTimeoutError } from "./errors.ts";

Deno.test("a lost lease exits as a timeout does, but is no wait that gave up", () => {
  const lost = new LeaseLostError("lost the lease on x");
  assert.equal(lost.exitCode, ExitCode.timedOut);
  assert.ok(!(lost instanceof WaitTimeoutError));
  assert.ok(new LockTimeoutError("x") instanceof WaitTimeoutError);
});
