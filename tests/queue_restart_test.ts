/** Jobs and their waiters survive a Redis restart (AOF): none is lost, every waiter answers. */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { putJob } from "../lib/queue/queue.ts";
import { redisServerAvailable, startStandalone } from "./support/redis_servers.ts";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";
import { runCoord, spawnCoord } from "./support/cli.ts";
import { restartMidRun } from "./support/queue_restart.ts";
import { redisCommand } from "./support/resp.ts";

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

/** A handlers module whose `untilGone` runs until redis-server on `port` drops it. */
async function untilServerGoes(dir: string, port: number): Promise<string> {
  const module = `${dir}/handlers.ts`;
  await Deno.writeTextFile(
    module,
    `export async function untilGone() {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: ${port} });
  try {
    while (await conn.read(new Uint8Array(64)) !== null) { /* until the server goes */ }
  } finally {
    conn.close();
  }
}\n`,
  );
  return module;
}

Deno.test({
  name: "queue work says an outage once and when it ends, and times a job without it",
  ignore: !redisServerAvailable(),
  async fn() {
    const server = await startStandalone({ appendonly: true });
    const dir = await Deno.makeTempDir();
    let worker: ReturnType<typeof spawnCoord> | undefined;
    try {
      await redisCommand(server.port, "CONFIG", "SET", "appendfsync", "always");
      const module = await untilServerGoes(dir, server.port);
      await using backend = await connect({ url: server.url, env: {} });
      await putJob(backend, "one", { id: "j", handler: "untilGone" });
      worker = spawnCoord(
        ["queue", "work", "one", "two", "three", "--module", module, "--verbose"],
        {
          env: { COORD_URL: server.url },
        },
      );
      await worker.stderrLine(/^coord: one\/j started/, 30_000);
      // Down long enough that every queue's lane retries several times (each every second).
      await server.restart(3_000);
      const completed = await worker.stderrLine(/^coord: one\/j completed in /, 30_000);
      await worker.stderrLine(/^coord: backend back after /, 30_000);
      worker.kill("SIGTERM");
      const { stderr } = await worker.result;
      const lines = stderr.split("\n").filter((line) => line !== "");
      assert.equal(
        lines.filter((line) => /unavailable|lost|refused|offline/i.test(line)).length,
        1,
        stderr,
      );
      assert.match(
        lines.find((line) => /unavailable/.test(line)) ?? "",
        /^coord: backend unavailable \(.*127\.0\.0\.1.*\) — retrying every second until it answers$/,
      );
      assert.equal(lines.filter((line) => /^coord: backend back after /.test(line)).length, 1);
      // The job ended as the server went: its 3 s outage is not its run's time.
      const seconds = Number(completed.match(/completed in ([\d.]+) s/)![1]);
      assert.ok(seconds < 3, completed);
    } finally {
      await worker?.[Symbol.asyncDispose]();
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "queue work says a job it ran is gone after a restart that lost the data",
  ignore: !redisServerAvailable(),
  async fn() {
    const server = await startStandalone();
    const dir = await Deno.makeTempDir();
    let worker: ReturnType<typeof spawnCoord> | undefined;
    try {
      const module = await untilServerGoes(dir, server.port);
      {
        await using backend = await connect({ url: server.url, env: {} });
        await putJob(backend, "one", { id: "j", handler: "untilGone" });
      }
      worker = spawnCoord(["queue", "work", "one", "--module", module, "--verbose"], {
        env: { COORD_URL: server.url },
      });
      await worker.stderrLine(/^coord: one\/j started/, 30_000);
      await server.restart();
      await worker.stderrLine(
        /^coord: one\/j is gone from the backend; its end was not recorded$/,
        30_000,
      );
      worker.kill("SIGTERM");
      const { stderr } = await worker.result;
      assert.doesNotMatch(stderr, /runs again/);
    } finally {
      await worker?.[Symbol.asyncDispose]();
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
