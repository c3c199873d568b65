/** `coord schedule run` against a PostgreSQL server that restarts just as each run ends. */

import assert from "node:assert/strict";
import { openClient } from "./support/postgres_client.ts";
import { spawnCoord } from "./support/cli.ts";
import { postgresBinDir, startPostgres } from "./support/postgres_server.ts";
import { tempDir } from "./support/temp.ts";
import { until } from "./support/wait.ts";

/** How many coord processes hold their LISTEN connection to the server at `url`. */
async function listening(url: string): Promise<number> {
  const client = await openClient(url);
  try {
    const { rows } = await client.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity " +
        "WHERE application_name = 'coord' AND query LIKE 'LISTEN %'",
    );
    return (rows[0] as { n: number }).n;
  } finally {
    await client.end();
  }
}

/** The lines of `file` matching `pattern`, once there are `count` of them. */
async function linesIn(file: string, pattern: RegExp, count: number): Promise<string[]> {
  let found: string[] = [];
  await until(async () => {
    found = (await Deno.readTextFile(file)).split("\n").filter((l) => pattern.test(l));
    return found.length >= count;
  }, { what: `${count} lines like ${pattern} in ${file}` });
  return found;
}

Deno.test({
  name: "two coord schedule run instances ride out Postgres restarts: ticks resume, none twice",
  ignore: postgresBinDir() === undefined,
  async fn() {
    const server = await startPostgres();
    await using temp = await tempDir("coord-test-");
    const log = `${temp.path}/log`;
    await Deno.writeTextFile(log, "");
    // Each run holds a socket to the server and ends when the server drops it (the restart's
    // immediate stop), so the run's outcome is written while the server is down or coming back.
    // The lease outlasts a restart on a loaded machine: one that ran out first would let the
    // other instance run the tick again, as at-least-once says (seen once with 5 s under CI).
    await Deno.writeTextFile(
      `${temp.path}/tasks.ts`,
      `export default (app) => app.task({ name: "held", interval: "1s", lease: "30s" }, async (ctx) => {
  Deno.writeTextFileSync(${
        JSON.stringify(log)
      }, "start " + ctx.scheduledAt.toISOString() + " " + ctx.instance + "\\n", { append: true });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: ${server.port} });
  try {
    while (await conn.read(new Uint8Array(64)) !== null) { /* until the server goes */ }
  } finally {
    conn.close();
  }
});\n`,
    );
    const instances = ["a", "b"].map((id) =>
      spawnCoord(["schedule", "run", `${temp.path}/tasks.ts`, "--instance", id], {
        env: { COORD_URL: server.url },
      })
    );
    try {
      // Both connected before the first restart: an instance that a busy machine starts only
      // while the server is down exits 69, as it should, and would not be riding anything out.
      await until(async () => await listening(server.url) >= 2, { what: "both instances up" });
      const restarts = 3;
      for (let i = 1; i <= restarts; i++) {
        await linesIn(log, /^start /, i);
        await server.restart();
      }
      // A tick whose outcome was lost would run again once its lease (30 s) ran out; a scheduler
      // the restart broke would run nothing more.
      const starts = (await linesIn(log, /^start /, restarts + 1)).map((l) => l.split(" ")[1]);
      assert.equal(new Set(starts).size, starts.length, `a tick ran twice:\n${starts.join("\n")}`);
      // Every run holds the server's socket until the next restart, so the instances are ended
      // without waiting for a run; both must still be running (137), not ended by the restarts.
      for (const p of instances) {
        try {
          p.kill("SIGKILL");
        } catch {
          // It ended by itself: its exit code and output below say why.
        }
      }
      for (const p of instances) {
        const { code, stdout, stderr } = await p.result;
        // A connection lost while checked out of the pool must not surface as an uncaught error.
        assert.doesNotMatch(stdout + stderr, /Uncaught/);
        assert.equal(code, 137, stdout + stderr);
      }
    } finally {
      await Promise.all(instances.map((p) => p[Symbol.asyncDispose]()));
      await server.stop();
    }
  },
});
