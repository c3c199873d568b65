/**
 * `coord queue` given a job or a queue that does not exist (a typo, or data the backend lost):
 * it says so at once, and creates nothing, on every backend.
 */

import assert from "node:assert/strict";
import { putJob } from "../../lib/queue/queue.ts";
import { work } from "../../lib/queue/worker.ts";
import { conformance, envOf } from "../support/backends.ts";
import { runCoord } from "../support/cli.ts";

conformance("wait checks that every job exists before it waits for any", async (ctx) => {
  const env = envOf(ctx);
  const backend = await ctx.open();
  await putJob(backend, "q", { id: "done", handler: "one" });
  await work(backend, ["q"], { handlers: { one: () => 1 }, drain: true });
  await putJob(backend, "q", { id: "w1", handler: "one" });
  // The unknown one after a pending one: wait gave up on w1 (75) before it looked at nope.
  // The --timeout is a hang guard: the answer comes before any wait.
  for (const refs of [["q/done", "q/nope"], ["q/w1", "q/nope"], ["q/nope", "q/w1"]]) {
    const r = await runCoord(["queue", "wait", ...refs, "--timeout", "60"], { env });
    assert.equal(r.code, 64, `${refs}: ${r.stderr}`);
    assert.equal(r.stdout, "", "no result printed before the unknown job was found");
    assert.match(r.stderr, /^coord: no job q\/nope /);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});
