/** `coord queue work` living through a PostgreSQL outage with every slot busy. */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { putJob } from "../lib/queue/queue.ts";
import { spawnCoord } from "./support/cli.ts";
import { postgresBinDir, startPostgres } from "./support/postgres_server.ts";
import { tempDir } from "./support/temp.ts";
import { until } from "./support/wait.ts";

/** How long each job runs: the server stays down until both ended, so about this long. */
const JOB_MS = 5_000;
/**
 * The report's clock may start up to a cancel check (0.4 s) after the server went, and a busy
 * machine adds to that; a worker that heard of the outage only from a run's end missed most of
 * it.
 */
const MARGIN_MS = 1_500;

Deno.test({
  name: "a postgres worker with every slot busy says an outage when it begins, and its length",
  ignore: postgresBinDir() === undefined,
  async fn() {
    const server = await startPostgres();
    await using temp = await tempDir("coord-test-");
    const log = `${temp.path}/ended`;
    await Deno.writeTextFile(log, "");
    await Deno.writeTextFile(
      `${temp.path}/h.ts`,
      `export async function slow() {
  await new Promise((r) => setTimeout(r, ${JOB_MS}));
  Deno.writeTextFileSync(${JSON.stringify(log)}, "ended\\n", { append: true });
}\n`,
    );
    {
      await using backend = await connect({ url: server.url, env: {} });
      for (const id of ["a", "b"]) await putJob(backend, "busy", { id, handler: "slow" });
    }
    // Two slots, two jobs: the worker sends no claim while they run.
    const worker = spawnCoord([
      "queue",
      "work",
      "busy",
      "--module",
      `${temp.path}/h.ts`,
      "--concurrency",
      "2",
      "--verbose",
      "--url",
      server.url,
    ]);
    try {
      await worker.stderrLine(/^coord: busy\/a started/);
      await worker.stderrLine(/^coord: busy\/b started/);
      let saidAt: number | undefined;
      const said = worker.stderrLine(/^coord: backend unavailable/).then(() =>
        saidAt = performance.now()
      );
      said.catch(() => {}); // Awaited below; a test that fails first must not leave it unhandled.
      await server.halt("fast");
      const downAt = performance.now();
      // Down while the jobs run out: their ends wait for the server, as in the outage seen.
      await until(async () => (await Deno.readTextFile(log)).split("\n").length > 2, {
        what: "both jobs to end",
      });
      const upAt = performance.now();
      assert.ok(saidAt !== undefined, "the outage was said before the server came back");
      await server.start();
      const back = await worker.stderrLine(/^coord: backend back after /);
      await said;
      const reportedMs = Number(/back after ([\d.]+) s/.exec(back)![1]) * 1000;
      assert.ok(
        reportedMs >= upAt - downAt - MARGIN_MS,
        `${back}, though the server was down for ${((upAt - downAt) / 1000).toFixed(1)} s`,
      );
      await worker.stderrLine(/^coord: busy\/b completed/);
      await worker.stderrLine(/^coord: busy\/a completed/);
    } finally {
      await worker[Symbol.asyncDispose]();
      await server.stop();
    }
  },
});
