/** Jobs and their waiters survive a Redis restart (AOF): none is lost, every waiter answers. */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { putJob } from "../lib/queue/queue.ts";
import { redisServerAvailable, startStandalone } from "./support/redis_servers.ts";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";
import { runCoord, spawnCoord } from "./support/cli.ts";
import { restartMidRun } from "./support/queue_restart.ts";

Deno.test({
  name: "restarting redis-server (AOF) mid-run loses no job",
  ignore: !redisServerAvailable(),
  async fn() {
    const server = await startStandalone({ appendonly: true });
    try {
      await restartMidRun(server);
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "queue wait rides out a Redis restart and prints the job's real outcome",
  ignore: !redisServerAvailable(),
  async fn() {
    const server = await startStandalone({ appendonly: true });
    try {
      const env = { COORD_URL: server.url };
      await using backend = await connect({ url: server.url, env: {} });
      await putJob(backend, "outage", { id: "j", command: ["echo", "done"] });
      const waiters = Array.from(
        { length: 12 },
        () => spawnCoord(["queue", "wait", "outage/j", "--timeout", "120"], { env }),
      );
      // Every waiter is subscribed to the queue's changes: they are all waiting.
      const channel = (backend as RedisBackend).channel({ kind: "queue", name: "outage" });
      const subscribers = async () => {
        const reply = await (backend as RedisBackend).conn.send(channel, [
          "PUBSUB",
          "NUMSUB",
          channel,
        ]) as [string, number];
        return Number(reply[1]);
      };
      const exited = Promise.race(waiters.map((w) => w.result));
      const hangGuard = Date.now() + 60_000;
      while (await subscribers() < waiters.length) {
        const early = await Promise.race([exited, new Promise((r) => setTimeout(r, 20))]);
        assert.equal(early, undefined, `a waiter exited early: ${JSON.stringify(early)}`);
        assert.ok(Date.now() < hangGuard, `only ${await subscribers()} waiters subscribed`);
      }
      await server.restart();
      await server.restart();
      const worker = await runCoord(["queue", "work", "outage", "--allow-commands", "--drain"], {
        env,
      });
      assert.equal(worker.code, 0, worker.stderr);
      for (const waiter of waiters) {
        const { code, stdout, stderr } = await waiter.result;
        assert.equal(code, 0, stderr);
        assert.deepEqual(JSON.parse(stdout), { exitCode: 0, stdout: "done\n" });
      }
    } finally {
      await server.stop();
    }
  },
});
