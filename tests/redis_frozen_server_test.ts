/**
 * A Redis server that stops answering (SIGSTOP, a partition) but keeps its sockets open: node-redis
 * would wait for its replies for ever. Each command is an outage after the connect timeout, so a
 * library call ends and a waiting CLI process exits 69, and all works again once it answers.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";
import { BackendUnavailableError } from "../lib/errors.ts";
import { lock } from "../lib/lock/lock.ts";
import { getJob, putJob } from "../lib/queue/queue.ts";
import { freshNamespace } from "./support/backends.ts";
import { guarded, HANG_GUARD_MS } from "./support/wait.ts";
import { spawnCoord } from "./support/cli.ts";
import { redisServerAvailable, startStandalone } from "./support/redis_servers.ts";

Deno.test({
  name: "a stopped Redis makes a put and a lock an outage after the connect timeout, not a hang",
  ignore: !redisServerAvailable(),
  async fn() {
    const server = await startStandalone();
    try {
      await using backend = await connect({
        url: `redis://127.0.0.1:${server.port}`,
        namespace: freshNamespace(),
        connectTimeoutMs: 1_000,
        env: {},
      }) as RedisBackend;
      await putJob(backend, "q", { id: "before", handler: "h" });
      Deno.kill(server.pid, "SIGSTOP");
      try {
        for (
          const [what, call] of [
            ["put", () => putJob(backend, "q", { id: "during", handler: "h" })],
            ["lock", () => lock(backend, "frozen", { expireMs: 1_000 })],
          ] as [string, () => Promise<unknown>][]
        ) {
          await assert.rejects(guarded(call(), what), (e: Error) => {
            assert.ok(e instanceof BackendUnavailableError, `${what}: ${e}`);
            assert.match(e.message, /no answer within 1 s/);
            return true;
          });
        }
      } finally {
        Deno.kill(server.pid, "SIGCONT");
      }
      // The connection goes on: a command sent once the server answers again pairs with its reply.
      await putJob(backend, "q", { id: "after", handler: "h" });
      assert.equal((await getJob(backend, "q/after")).state, "pending");
      assert.equal((await getJob(backend, "q/before")).state, "pending");
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "a lock run waiting on a Redis that stops answering exits 69, naming the silence",
  ignore: !redisServerAvailable(),
  async fn() {
    const server = await startStandalone();
    const url = `redis://127.0.0.1:${server.port}`;
    try {
      const env = { COORD_URL: url, COORD_NAMESPACE: freshNamespace() };
      await using backend = await connect({
        url,
        namespace: env.COORD_NAMESPACE,
        env: {},
      }) as RedisBackend;
      const queue = backend.key("lock", "y", "queue");
      const queued = async (tickets: number) => {
        const giveUpAt = Date.now() + HANG_GUARD_MS;
        while (Number(await backend.conn.send(queue, ["ZCARD", queue])) < tickets) {
          assert.ok(Date.now() < giveUpAt, `never ${tickets} tickets in the queue`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      // The holder first, so the waiter waits behind it.
      await using holder = spawnCoord(["lock", "run", "y", "--", "sleep", "600"], { env });
      await queued(1);
      await using waiter = spawnCoord(
        ["lock", "run", "y", "--expire", "2", "--connect-timeout", "1", "--", "true"],
        { env },
      );
      await queued(2);
      Deno.kill(server.pid, "SIGSTOP");
      try {
        const { code, stderr } = await guarded(waiter.result, "the waiter");
        assert.equal(code, 69, stderr);
        assert.match(stderr, /^coord: lost redis:\/\/\S+: no answer within 1 s\n$/);
      } finally {
        Deno.kill(server.pid, "SIGCONT");
      }
      holder.kill("SIGTERM");
      await holder.result;
    } finally {
      await server.stop();
    }
  },
});
