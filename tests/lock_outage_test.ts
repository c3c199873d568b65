/** A lock holder against a Redis that goes away (its own server per test). */

import assert from "node:assert/strict";
import { redisServerAvailable, startStandalone } from "./support/redis_servers.ts";
import { spawnCoord } from "./support/cli.ts";

Deno.test({
  name: "a holder that loses Redis for most of its lease stops its command and exits 75",
  ignore: !redisServerAvailable(),
  async fn() {
    const server = await startStandalone();
    let stopped = false;
    try {
      const holder = spawnCoord(
        [
          "lock",
          "gone",
          "--expire",
          "1",
          "--",
          "sh",
          "-c",
          "trap 'echo TERM; kill $!; exit 0' TERM; echo ready >&2; sleep 20 & wait",
        ],
        { env: { COORD_URL: server.url } },
      );
      await holder.stderrLine(/^ready$/);
      await server.stop();
      stopped = true;
      const started = performance.now();
      const result = await holder.result;
      assert.equal(result.code, 75, result.stderr);
      assert.equal(result.stdout.trim(), "TERM");
      assert.match(result.stderr, /lost the lease of ticket 1 .* sent SIGTERM to sh/);
      assert.ok(performance.now() - started < 5000);
    } finally {
      if (!stopped) await server.stop();
    }
  },
});
