import { deepStrictEqual } from "node:assert/strict";
import { commandsPer } from "./redis_info.ts";

Deno.test("commandsPer() divides calls by the units, most frequent first", () => {
  const calls = new Map([["get", 3], ["evalsha", 6], ["type", 1]]);
  const { total, byName } = commandsPer(calls, 3);
  deepStrictEqual(total, 3.33);
  deepStrictEqual(Object.entries(byName), [["evalsha", 2], ["get", 1], ["type", 0.33]]);
});
