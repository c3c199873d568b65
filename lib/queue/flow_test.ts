import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { flowNodes } from "./flow.ts";

Deno.test("flowNodes() names a group's priority out of range as the flow's field, not as --priority", () => {
  // Before: `flow: --priority must be …`, for a flow file that never mentioned the flag.
  assert.throws(
    () => flowNodes({ parallel: [{ handler: "h" }], priority: 1.5 }, "f"),
    (e) =>
      e instanceof UsageError &&
      e.message === "flow: priority must be a whole number from -1000 to 1000, got 1.5",
  );
  assert.equal(flowNodes({ parallel: [{ handler: "h" }], priority: 5 }, "f")[1].priority, 5);
});
