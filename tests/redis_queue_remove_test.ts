/**
 * `queue remove` on Redis reads a queue's jobs for those another program wrote over a page a
 * script: one script over every job held the server for the whole read (a million jobs: 13 s,
 * every other client waiting, and the command itself, past its wait for an answer, exited 69).
 * Seen in the server's SLOWLOG on a private server, which logs each command a script runs (client
 * "?:0") before the script's own entry.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";
import { putJobs } from "../lib/queue/bulk.ts";
import { removeQueue } from "../lib/queue/retention.ts";
import { ForeignDataError } from "../lib/errors.ts";
import { redisServerAvailable, startStandalone } from "./support/redis_servers.ts";
import { overwriteJob, storedJobs } from "./support/queue.ts";

/** SLOWLOG GET's entries, oldest first: the command's name and key, and its client. */
async function slowlog(backend: RedisBackend): Promise<{ command: string; client: string }[]> {
  const entries = await backend.conn.send(undefined, ["SLOWLOG", "GET", "100000"]) as [
    number,
    number,
    number,
    string[],
    string,
  ][];
  return entries.reverse().map(([, , , args, client]) => ({
    command: String(args[0]).toUpperCase(),
    client: String(client),
  }));
}

Deno.test({
  name:
    "remove on Redis reads a queue's jobs one HSCAN page a script, and its removing step reads none",
  ignore: !redisServerAvailable(),
  async fn() {
    await using server = await startStandalone();
    const backend = await connect({ url: server.url, env: {} }) as RedisBackend;
    try {
      // Three pages of records and three of specs, at least.
      await putJobs(backend, "big", Array.from({ length: 2_500 }, () => ({ handler: "h" })));
      await backend.conn.send(undefined, ["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
      await backend.conn.send(undefined, ["CONFIG", "SET", "slowlog-max-len", "100000"]);
      await backend.conn.send(undefined, ["SLOWLOG", "RESET"]);
      assert.deepEqual(await removeQueue(backend, "big", { force: true }), {
        removed: true,
        jobs: 2_500,
        unfinished: 2_500,
        running: 0,
      });
      // The HSCANs of each script the command ran, in order.
      const scripts: number[] = [];
      let scans = 0;
      for (const { command, client } of await slowlog(backend)) {
        if (client === "?:0") {
          if (command === "HSCAN") scans++;
        } else if (command.startsWith("EVAL")) {
          scripts.push(scans);
          scans = 0;
        }
      }
      assert.ok(scripts.reduce((a, b) => a + b, 0) >= 6, `scans by script: ${scripts}`);
      assert.ok(scripts.every((n) => n <= 1), `scans by script: ${scripts}`);
      assert.equal(scripts.at(-1), 0, "the removing step reads no job");
    } finally {
      await backend.close();
    }
  },
});

Deno.test({
  name:
    "remove on Redis refuses a queue holding values of megabytes another program wrote, naming the least id, and no reply of its pages carries them whole",
  ignore: !redisServerAvailable(),
  async fn() {
    await using server = await startStandalone();
    const backend = await connect({ url: server.url, env: {} }) as RedisBackend;
    try {
      await putJobs(backend, "huge", Array.from({ length: 5 }, () => ({ handler: "h" })));
      const huge = "x".repeat(5_000_000);
      for (const id of ["4", "2", "5"]) await overwriteJob(backend, "huge", id, "spec", huge);
      // Each reply the backend gets, measured as it comes.
      const send = backend.conn.send;
      let biggest = 0;
      backend.conn.send = async (key, args) => {
        const reply = await send(key, args);
        biggest = Math.max(biggest, JSON.stringify(reply).length);
        return reply;
      };
      await assert.rejects(removeQueue(backend, "huge", { force: true }), (e: Error) => {
        assert.ok(e instanceof ForeignDataError);
        assert.match(e.message, /: 3 jobs coord cannot read \(huge\/2: .*"xxxx.* and 2 more\)/);
        return true;
      });
      assert.ok(biggest < 10_000, `a reply of ${biggest} characters`);
      backend.conn.send = send;
      assert.equal(await storedJobs(backend, "huge"), 5, "none removed");
    } finally {
      await backend.close();
    }
  },
});
