/** A barrier waiter against a Redis that restarts or goes away (its own server per test). */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { arrivals } from "./support/barrier.ts";
import { redisServerAvailable, startStandalone } from "./support/redis_servers.ts";
import { runCoord, spawnCoord } from "./support/cli.ts";

const ignore = !redisServerAvailable();

async function waitForArrivals(url: string, name: string, count: number): Promise<void> {
  await using backend = await connect({ url, env: {} });
  await arrivals(backend, name, count);
}

Deno.test({
  name: "a waiting coord rides out a Redis restart and still meets the newcomer",
  ignore,
  async fn() {
    const server = await startStandalone({ appendonly: true });
    try {
      const env = { COORD_URL: server.url };
      const first = spawnCoord(["barrier", "restart", "2", "--json", "--delay", "0.3"], { env });
      await waitForArrivals(server.url, "restart", 1);
      await server.restart();
      const second = await runCoord(["barrier", "restart", "2", "--json", "--delay", "0.3"], {
        env,
      });
      const firstResult = await first.result;
      assert.equal(second.code, 0, second.stderr);
      assert.equal(firstResult.code, 0, firstResult.stderr);
      assert.equal(JSON.parse(firstResult.stdout).release_at, JSON.parse(second.stdout).release_at);
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "a waiter that loses Redis for longer than its lease exits 69",
  ignore,
  async fn() {
    const server = await startStandalone();
    let stopped = false;
    try {
      const waiter = spawnCoord(["barrier", "gone", "2", "--lease", "1"], {
        env: { COORD_URL: server.url },
      });
      await waitForArrivals(server.url, "gone", 1);
      await server.stop();
      stopped = true;
      const started = performance.now();
      const result = await waiter.result;
      assert.equal(result.code, 69, result.stderr);
      // Why, in words: the reconnect's refusal, not node-redis's "The client is offline".
      assert.match(
        result.stderr.trim(),
        /^coord: barrier "gone": gave up its arrival after 1 s without the backend \(lost redis:\/\/127\.0\.0\.1:\d+: connection refused\)$/,
      );
      assert.ok(performance.now() - started < 5000);
    } finally {
      if (!stopped) await server.stop();
    }
  },
});
