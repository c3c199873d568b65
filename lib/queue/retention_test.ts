import assert from "node:assert/strict";
import { parseKeep } from "./retention.ts";

Deno.test("parseKeep() reads a count, a duration, both, or forever", () => {
  assert.deepEqual(parseKeep("keep-completed", "1000"), { count: 1000 });
  assert.deepEqual(parseKeep("keep-completed", "24h"), { ageMs: 86_400_000 });
  assert.deepEqual(parseKeep("keep-completed", "1000,24h"), { count: 1000, ageMs: 86_400_000 });
  assert.deepEqual(parseKeep("keep-completed", "forever"), {});
});

Deno.test("parseKeep() says what a keep is when given neither a count nor a duration", () => {
  // "10x" starts with a digit, but is no duration: it was called a duration that is not positive.
  for (const text of ["10x", "24x", "lots", "5,5", "1h,2h"]) {
    assert.throws(() => parseKeep("keep-failed", text), {
      name: "UsageError",
      message: `--keep-failed ${JSON.stringify(text)} is not what to keep — give a count ` +
        `(1000), a duration (24h), both (1000,24h) or forever`,
    });
  }
  assert.throws(() => parseKeep("keep-failed", "0s"), /"0s" is not a positive duration/);
});
