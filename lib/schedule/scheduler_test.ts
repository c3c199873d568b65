import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import type { Backend } from "../backend/types.ts";
import { Scheduler } from "./scheduler.ts";

/** A scheduler with a dynamic template `remind`, whose backend fails the test when used. */
function untouched(): Scheduler {
  const backend = new Proxy({}, {
    get(_, key) {
      if (key === "then") return undefined; // not a promise: Promise.resolve() asks
      throw new Error(`the backend was touched (${String(key)})`);
    },
  }) as Backend;
  return new Scheduler().useBackend(backend).task({ name: "remind", dynamic: true }, () => {});
}

Deno.test("Scheduler.schedule() refuses an id no name could be, before touching the backend", async () => {
  const app = untouched();
  for (
    const [id, message] of [
      ["", /dynamic task id is empty/],
      ["a\tb", /dynamic task id "a\\tb" holds a control character/],
      ["line\nbreak", /dynamic task id "line\\nbreak" holds a control character/],
      ["nul\0", /dynamic task id "nul\\u0000" holds NUL/],
      ["x".repeat(510), /task name is 517 characters; at most 512/],
    ] as const
  ) {
    await assert.rejects(
      app.schedule("remind", id, { interval: "1h" }),
      (e) => e instanceof UsageError && message.test(e.message),
      JSON.stringify(id),
    );
    await assert.rejects(app.unschedule("remind", id), UsageError, JSON.stringify(id));
  }
});
