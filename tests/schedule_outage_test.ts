/** `coord schedule run` against a Redis that goes away mid-run (its own server per test). */

import assert from "node:assert/strict";
import { redisServerAvailable, startStandalone } from "./support/redis_servers.ts";
import { spawnCoord } from "./support/cli.ts";
import { dueNow } from "./support/schedule.ts";
import { connect } from "../lib/backend/connect.ts";

Deno.test({
  name: "a run that loses Redis for most of its lease is stopped, and its line says why",
  ignore: !redisServerAvailable(),
  async fn() {
    const server = await startStandalone();
    const dir = await Deno.makeTempDir();
    let stopped = false;
    try {
      const file = `${dir}/tasks.cron`;
      await Deno.writeTextFile(file, "@every 1h name=cut lease=1500ms  echo ready; sleep 30\n");
      await using scheduler = spawnCoord(["schedule", "run", file, "--instance", "only"], {
        env: { COORD_URL: server.url },
      });
      {
        await using backend = await connect({ url: server.url });
        await dueNow(backend, "cut");
      }
      await scheduler.stdoutLine(/ready$/);
      await server.stop();
      stopped = true;
      const line = await scheduler.stderrLine(/lost its lease/);
      assert.match(line, /lost its lease \(no renewal answered for 2\/3 of it\); the run was stop/);
    } finally {
      if (!stopped) await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
