/**
 * A PostgreSQL server that stops answering while its connections stay open (a partition, a
 * stopped VM), through a pausable proxy: node-postgres would wait for its replies for ever.
 * Each query is an outage after the connect timeout, and all works again once it answers.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { BackendUnavailableError } from "../lib/errors.ts";
import { lock } from "../lib/lock/lock.ts";
import { getJob, putJob } from "../lib/queue/queue.ts";
import { freshNamespace } from "./support/backends.ts";
import { guarded } from "./support/wait.ts";
import { assertWaiterExitsWhileSilent } from "./support/lock.ts";
import { sharedPostgresUrl } from "./support/postgres_shared.ts";
import { startProxy } from "./support/proxy.ts";

const url = await sharedPostgresUrl();

Deno.test({
  name: "a silent Postgres makes a put and a lock an outage after the connect timeout, not a hang",
  ignore: url === undefined,
  async fn() {
    const server = new URL(url!);
    await using proxy = startProxy(Number(server.port));
    server.port = String(proxy.port);
    await using backend = await connect({
      url: server.href,
      namespace: freshNamespace(),
      connectTimeoutMs: 1_000,
      env: {},
    });
    await putJob(backend, "q", { id: "before", handler: "h" });
    proxy.pause();
    try {
      for (
        const [what, call] of [
          ["put", () => putJob(backend, "q", { id: "during", handler: "h" })],
          ["lock", () => lock(backend, "frozen", { expireMs: 1_000 })],
        ] as [string, () => Promise<unknown>][]
      ) {
        await assert.rejects(guarded(call(), what), (e: Error) => {
          assert.ok(e instanceof BackendUnavailableError, `${what}: ${e}`);
          assert.match(e.message, /: no (answer|connection) within --connect-timeout\)?$/);
          return true;
        });
      }
    } finally {
      proxy.resume();
    }
    await putJob(backend, "q", { id: "after", handler: "h" });
    assert.equal((await getJob(backend, "q/after")).state, "pending");
    assert.equal((await getJob(backend, "q/before")).state, "pending");
  },
});

Deno.test({
  name: "a lock run waiting on a Postgres that stops answering exits 69 while it is silent",
  ignore: url === undefined,
  async fn() {
    const server = new URL(url!);
    await using proxy = startProxy(Number(server.port));
    const namespace = freshNamespace();
    await using backend = await connect({ url: url!, namespace, env: {} });
    server.port = String(proxy.port);
    await assertWaiterExitsWhileSilent(
      backend,
      { COORD_URL: server.href, COORD_NAMESPACE: namespace },
      { silence: () => proxy.pause(), answer: () => proxy.resume() },
      /^coord: lock "y": gave up its place in line after 2(\.\d)? s without the backend \((lost )?postgres:\/\/\S+: no (answer|connection) within --connect-timeout\)\n$/,
    );
  },
});
