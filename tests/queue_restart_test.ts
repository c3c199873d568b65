/** Jobs survive a Redis restart (AOF) while workers run them, and none is lost. */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { putJob, queueCounts } from "../lib/queue/queue.ts";
import { redisServerAvailable, startStandalone } from "./support/redis_servers.ts";
import { spawnCoord } from "./support/cli.ts";

Deno.test({
  name: "restarting redis-server (AOF) mid-run loses no job",
  ignore: !redisServerAvailable(),
  async fn() {
    const server = await startStandalone({ appendonly: true });
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
        for (let i = 0; i < 300; i++) {
          await putJob(backend, "durable", { handler: "tick", args: i });
        }
      }
      const env = { COORD_URL: server.url };
      const workers = [0, 1].map((w) =>
        spawnCoord(
          [
            "queue",
            "work",
            "durable",
            "--module",
            `${dir}/h.ts`,
            "--concurrency",
            "4",
            "--lease",
            "2",
            "--drain",
            "--worker",
            `w${w}`,
          ],
          { env },
        )
      );
      while ((await Deno.readTextFile(log)).split("\n").length < 60) {
        await new Promise((r) => setTimeout(r, 20));
      }
      await server.restart();
      for (const w of workers) {
        const { code, stderr } = await w.result;
        assert.equal(code, 0, stderr);
      }
      const done = new Set((await Deno.readTextFile(log)).trim().split("\n").map(Number));
      assert.equal(done.size, 300, "every job ran");
      await using backend = await connect({ url: server.url, env: {} });
      const [counts] = await queueCounts(backend, ["durable"]);
      assert.deepEqual([counts.completed, counts.failed, counts.pending], [300, 0, 0]);
    } finally {
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
