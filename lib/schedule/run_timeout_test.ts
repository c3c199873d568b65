import assert from "node:assert/strict";
import { connect } from "../backend/connect.ts";
import type { ScheduleEvent } from "./runner.ts";
import { Scheduler } from "./scheduler.ts";
import { scheduleStatus, type TaskStatus } from "./status.ts";

Deno.test("a run that ignores its signal past its timeout is left behind as failed", async () => {
  await using backend = await connect({ url: "sqlite::memory:" });
  const failed = Promise.withResolvers<Extract<ScheduleEvent, { type: "failed" }>>();
  const hung = Promise.withResolvers<void>();
  const stop = new AbortController();
  const app = new Scheduler({
    backend,
    graceMs: 0,
    onEvent: (e) => e.type === "failed" && failed.resolve(e),
  });
  // Its first run never returns; the timeout still lets the task record it and move on.
  let runs = 0;
  app.task({ name: "deaf", interval: "100ms", timeout: "100ms", maxRetries: 0 }, () => {
    if (++runs === 1) return hung.promise;
  });
  const running = app.run({ signal: stop.signal });
  const event = await failed.promise;
  assert.match(event.error, /timed out after 0\.1 s \(did not stop/);
  const [status] = await scheduleStatus(backend, ["deaf"]) as TaskStatus[];
  assert.ok(status.next! > event.tick, "the task moved on");
  stop.abort();
  hung.resolve();
  await running;
});
