import assert from "node:assert/strict";
import { foreignValue } from "./record_values.ts";

Deno.test("foreignValue names a field that is not there as missing, not as nothing", () => {
  const record = { type: "task", spec: "@daily", next: 1, runs: 0, failures: 0 };
  assert.equal(foreignValue(record, "task"), undefined);
  assert.equal(
    foreignValue({ ...record, lease: { owner: "a", until: 5 } }, "task"),
    "lease.tick = missing",
  );
  assert.equal(foreignValue({ ...record, runs: undefined }, "task"), "runs = missing");
});
