/** `coord queue work` living through a PostgreSQL outage with every slot busy. */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { putJob } from "../lib/queue/queue.ts";
import { spawnCoord } from "./support/cli.ts";
import { postgresBinDir, startPostgres } from "./support/postgres_server.ts";
import { tempDir } from "./support/temp.ts";
import { until } from "./support/wait.ts";
import { sleep } from "../lib/time.ts";

/**
 * The report's clock may start up to a cancel check (0.4 s) after the server went, and a busy
 * machine adds to that; a worker that heard of the outage only from a run's end missed most of
 * it (it said "back after 1.0 s" of 4.8).
 */
const MARGIN_MS = 2_500;

Deno.test({
  name: "a postgres worker with every slot busy says an outage when it begins, and its length",
  ignore: postgresBinDir() === undefined,
  async fn() {
    const server = await startPostgres();
    await using temp = await tempDir("coord-test-");
    const log = `${temp.path}/ended`;
    const go = `${temp.path}/go`;
    await Deno.writeTextFile(log, "");
    // The jobs run until the test lets them end: once the outage was said, a while into it.
    await Deno.writeTextFile(
      `${temp.path}/h.ts`,
      `export async function slow() {
  while (true) {
    try {
      Deno.statSync(${JSON.stringify(go)});
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
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
      await server.halt("fast");
      const downAt = performance.now();
      // Said while every slot is busy: before, only a run's end, long after, told of it.
      await worker.stderrLine(/^coord: backend unavailable/);
      // Down a while longer, and while the jobs end: their ends wait for the server.
      await sleep(3_000);
      await Deno.writeTextFile(go, "");
      await until(async () => (await Deno.readTextFile(log)).split("\n").length > 2, {
        what: "both jobs to end",
      });
      const upAt = performance.now();
      await server.start();
      const back = await worker.stderrLine(/^coord: backend back after /);
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
