import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { type Fixture, Scheduler } from "./scheduler.ts";
import type { Middleware } from "./task.ts";

Deno.test("Scheduler refuses a fixture or a middleware that is no function, as it does a handler", () => {
  // Before: taken, then every run's set-up failed as a bug (exit 70: "fixture is not a function").
  const app = new Scheduler();
  assert.throws(
    () => app.fixture("db", 5 as unknown as Fixture),
    (e) => e instanceof UsageError && /^fixture "db" is not a function/.test(e.message),
  );
  assert.throws(
    () => app.use({} as unknown as Middleware),
    (e) => e instanceof UsageError && /^a middleware is not a function/.test(e.message),
  );
  app.fixture("db", function* () {
    yield 1;
  });
});
