import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { checkCount } from "./limits.ts";

Deno.test("checkCount() names a number JSON has no spelling for as itself", () => {
  assert.throws(
    () => checkCount({ name: "concurrency", unit: "ms" }, NaN, 1, 100),
    (e) => e instanceof UsageError && /got NaN$/.test(e.message),
  );
  assert.equal(checkCount("retries", 3, 0, 10), 3);
});
