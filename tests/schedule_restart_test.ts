/** `coord schedule run` against a Redis that restarts (AOF) just as a run ends. */

import assert from "node:assert/strict";
import { redisServerAvailable, startStandalone } from "./support/redis_servers.ts";
import { redisCommand } from "./support/resp.ts";
import { spawnCoord } from "./support/cli.ts";

/** Resolves once the file has `count` lines matching `pattern`; rejects after `timeoutMs`. */
async function linesIn(
  file: string,
  pattern: RegExp,
  count: number,
  timeoutMs = 30_000,
): Promise<string[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const found = (await Deno.readTextFile(file)).split("\n").filter((l) => pattern.test(l));
    if (found.length >= count) return found;
    if (performance.now() > deadline) {
      throw new Error(`fewer than ${count} lines like ${pattern} in ${file}:\n${found.join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test({
  name: "an at-least-once tick whose run ends while Redis restarts is run once, tick after tick",
  ignore: !redisServerAvailable(),
  async fn() {
    const server = await startStandalone({ appendonly: true });
    const dir = await Deno.makeTempDir();
    let scheduler: ReturnType<typeof spawnCoord> | undefined;
    try {
      await redisCommand(server.port, "CONFIG", "SET", "appendfsync", "always");
      const log = `${dir}/log`;
      await Deno.writeTextFile(log, "");
      // Each run ends the moment Redis drops its connections (the restart's shutdown), so the
      // run's outcome is written while the server is down or coming back.
      await Deno.writeTextFile(
        `${dir}/tasks.ts`,
        `export default (app) => app.task({ name: "held", interval: "1s", lease: "5s" }, async (ctx) => {
  Deno.writeTextFileSync(${
          JSON.stringify(log)
        }, "start " + ctx.scheduledAt.toISOString() + "\\n", { append: true });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: ${server.port} });
  try {
    while (await conn.read(new Uint8Array(64)) !== null) { /* until the server goes */ }
  } finally {
    conn.close();
  }
});\n`,
      );
      scheduler = spawnCoord(["schedule", "run", `${dir}/tasks.ts`, "--instance", "only"], {
        env: { COORD_URL: server.url },
      });
      const restarts = 3;
      for (let i = 1; i <= restarts; i++) {
        await linesIn(log, /^start /, i);
        await server.restart();
      }
      // The run after the last restart: without the fix it repeats the last tick once its
      // lease (5 s) runs out; with it, the next tick runs at once.
      const starts = await linesIn(log, /^start /, restarts + 1);
      assert.equal(new Set(starts).size, starts.length, `a tick ran twice:\n${starts.join("\n")}`);
    } finally {
      scheduler?.kill("SIGKILL");
      await scheduler?.result;
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
