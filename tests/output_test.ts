/** How commands print things for people. */

import assert from "node:assert/strict";
import { ageText } from "../commands/output.ts";

Deno.test("ageText() gives seconds, then minutes, hours and days, two units at most", () => {
  assert.equal(ageText(12_345), "12.3 s");
  assert.equal(ageText(5 * 60_000 + 3_000), "5m 3s");
  assert.equal(ageText(3 * 3_600_000 + 12 * 60_000), "3h 12m");
  assert.equal(ageText(8 * 86_400_000 + 60_000), "8d 0h");
  assert.equal(ageText(-5), "0.0 s", "a clock a little behind is no negative age");
});
