/** `coord schedule pause|resume` of several tasks: every one checked before any changes. */

import assert from "node:assert/strict";
import { conformance, envOf } from "../support/backends.ts";
import { runCoord } from "../support/cli.ts";
import { Scheduler } from "../../lib/schedule/scheduler.ts";
import { scheduleStatus } from "../../lib/schedule/status.ts";
import { until } from "../support/wait.ts";

conformance(
  "pause and resume naming a task with no record, or no task name, exit 64 and change none",
  async (ctx) => {
    const backend = await ctx.open();
    const app = new Scheduler({ backend });
    app.task({ name: "real", interval: "1h" }, () => {});
    const stop = new AbortController();
    const running = app.run({ signal: stop.signal });
    await until(async () => (await backend.schedule.list()).includes("real"), {
      what: "the task's record",
    });
    stop.abort();
    await running;
    const paused = async () => {
      const [task] = await scheduleStatus(backend, ["real"]);
      return "paused" in task && task.paused === true;
    };
    const env = envOf(ctx);
    for (const verb of ["pause", "resume"]) {
      for (const other of ["typo", ""]) {
        const r = await runCoord(["schedule", verb, "real", other], { env });
        assert.equal(r.code, 64, r.stderr);
        assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
        // Before: "real" was paused (or resumed) before "typo" was found to have no record.
        assert.equal(await paused(), verb === "resume", `${verb} real ${JSON.stringify(other)}`);
      }
      const done = await runCoord(["schedule", verb, "real"], { env });
      assert.equal(done.code, 0, done.stderr);
      assert.equal(await paused(), verb === "pause");
    }
  },
);
