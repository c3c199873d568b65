/**
 * The queue's durability check, for every server a test can restart: two `coord queue work`
 * processes run 300 jobs while the server restarts, and every job runs.
 *
 * @module
 */

import assert from "node:assert/strict";
import { connect } from "../../lib/backend/connect.ts";
import { putJobs } from "../../lib/queue/bulk.ts";
import { putJob, queueCounts } from "../../lib/queue/queue.ts";
import { spawnCoord } from "./cli.ts";
import { until } from "./wait.ts";

/** A server of the test's own. */
export interface RestartableServer {
  url: string;
  restart(): Promise<void>;
}

/** Options of {@link restartMidRun}. */
export interface RestartMidRunOptions {
  /**
   * Jobs put (and acknowledged) just before the restart, which must run too: for a server that
   * makes a write durable before it answers (not Redis' AOF, which syncs once a second).
   */
  putJustBefore?: number;
}

/**
 * Puts 300 jobs, starts two workers (`--lease 2 --drain`), restarts `server` once 60 jobs ran,
 * and checks that every job ran, both workers ended with 0 and the queue counts them completed.
 */
export async function restartMidRun(
  server: RestartableServer,
  { putJustBefore = 0 }: RestartMidRunOptions = {},
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const log = `${dir}/log`;
    await Deno.writeTextFile(log, "");
    await Deno.writeTextFile(
      `${dir}/h.ts`,
      `export async function tick(n: number) {
  await new Promise((r) => setTimeout(r, 20));
  Deno.writeTextFileSync(${JSON.stringify(log)}, n + "\\n", { append: true });
}\n`,
    );
    {
      await using backend = await connect({ url: server.url, env: {} });
      const jobs = Array.from({ length: 300 }, (_, i) => ({ handler: "tick", args: i }));
      await putJobs(backend, "durable", jobs);
    }
    const env = { COORD_URL: server.url };
    const workers = [0, 1].map((w) =>
      spawnCoord(
        ["queue", "work", "durable", "--module", `${dir}/h.ts`, "--concurrency", "4"].concat(
          ["--lease", "2", "--drain", "--worker", `w${w}`],
        ),
        { env },
      )
    );
    const ran = async () => (await Deno.readTextFile(log)).trim().split("\n").length;
    await until(async () => await ran() >= 60, { what: "60 jobs to run" });
    {
      await using backend = await connect({ url: server.url, env: {} });
      for (let i = 300; i < 300 + putJustBefore; i++) {
        await putJob(backend, "durable", { handler: "tick", args: i });
      }
    }
    await server.restart();
    for (const w of workers) {
      const { code, stderr } = await w.result;
      assert.equal(code, 0, stderr);
    }
    const total = 300 + putJustBefore;
    const done = new Set((await Deno.readTextFile(log)).trim().split("\n").map(Number));
    assert.equal(done.size, total, "every acknowledged job ran");
    await using backend = await connect({ url: server.url, env: {} });
    const [counts] = await queueCounts(backend, ["durable"]);
    assert.deepEqual([counts.completed, counts.failed, counts.pending], [total, 0, 0]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
