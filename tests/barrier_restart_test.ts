/** A barrier waiter against a Redis that restarts or goes away (its own server per test). */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { arrivals } from "./support/barrier.ts";
import {
  type RedisServer,
  redisServerAvailable,
  startStandalone,
} from "./support/redis_servers.ts";
import { runCoord, spawnCoord } from "./support/cli.ts";
import { guarded } from "./support/wait.ts";

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
        /^coord: barrier "gone": gave up its arrival after 1(\.\d)? s without the backend \(lost redis:\/\/127\.0\.0\.1:\d+: connection refused\)$/,
      );
      // At its lease, not riding the outage out: a busy machine's second or two aside.
      assert.ok(performance.now() - started < 15_000);
    } finally {
      if (!stopped) await server.stop();
    }
  },
});

/**
 * A participant with `--timeout 8` loses its Redis (`outage.begin`) while it waits, with
 * `--lease 600`: it must give up at its timeout (75), not ride the outage out for its lease as it
 * did (69 once the outage outlasted the lease), and say that its arrival was not withdrawn. The
 * timeout counts from the command's start: 8 s leave a busy machine's start-up and the server's
 * stop well inside it (CI saw a 4 s one run out before the stop, and the arrival withdrawn).
 */
async function assertWaiterGivesUpAtItsTimeout(
  outage: { begin(server: RedisServer): Promise<void>; end(server: RedisServer): void },
): Promise<void> {
  await using server = await startStandalone();
  await using waiter = spawnCoord(
    ["barrier", "late", "2", "--timeout", "8", "--lease", "600"],
    { env: { COORD_URL: server.url } },
  );
  await waitForArrivals(server.url, "late", 1);
  await outage.begin(server);
  try {
    // The hang guard stands in for "before its lease": the waiter gave up after 600 s.
    const line = await guarded(waiter.stderrLine(/^coord: /), "the waiter's line");
    // The arrival is seen as soon as its step wrote it, whose answer may still be on its way
    // when the server stops: then the arrival itself is unanswered.
    assert.match(
      line,
      /^coord: barrier "late": timed out after 8 s (with 1\/2 arrived, and this arrival|before its arrival was answered, and an arrival it may have made) was not withdrawn: the backend did not answer \(.+\) — it leaves when its lease runs out, within 600 s$/,
    );
    const result = await guarded(waiter.result, "the waiter's exit");
    assert.equal(result.code, 75, result.stderr);
  } finally {
    outage.end(server);
  }
}

Deno.test({
  name: "a waiter whose Redis stops answering gives up at its --timeout, its arrival left to lapse",
  ignore,
  fn: () =>
    assertWaiterGivesUpAtItsTimeout({
      begin: (server) => Promise.resolve(Deno.kill(server.pid, "SIGSTOP")),
      end: (server) => Deno.kill(server.pid, "SIGCONT"),
    }),
});

Deno.test({
  name: "a waiter whose Redis goes away gives up at its --timeout, its arrival left to lapse",
  ignore,
  fn: () => assertWaiterGivesUpAtItsTimeout({ begin: (server) => server.stop(), end: () => {} }),
});
