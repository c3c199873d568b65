/**
 * Redis states coord cannot work with end in one line and a documented exit code, never in
 * 70 (internal error): data a script cannot read, a cluster node that serves no slots.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";
import { redisServerAvailable } from "./support/redis_servers.ts";
import { redisCommand } from "./support/resp.ts";
import { BACKENDS, freshNamespace } from "./support/backends.ts";
import { runCoord } from "./support/cli.ts";

for (const { label, url } of BACKENDS.filter((b) => b.label !== "sqlite")) {
  Deno.test(`a lock whose waiting ticket has no lease: lock run exits 65, one line [${label}]`, async () => {
    const env = { COORD_URL: (await url())!, COORD_NAMESPACE: freshNamespace() };
    await using backend = await connect({
      url: env.COORD_URL,
      namespace: env.COORD_NAMESPACE,
      env: {},
    }) as RedisBackend;
    // Ticket 7 waits first in the queue, but another program wrote it: it has no lease.
    const queue = backend.key("lock", "alien", "queue");
    await backend.conn.send(queue, ["ZADD", queue, "0", "7"]);
    const r = await runCoord(["lock", "run", "alien", "--wait", "30", "--", "true"], { env });
    assert.equal(r.code, 65, r.stderr);
    assert.match(
      r.stderr,
      /^coord: lock "alien": its keys hold data coord cannot read \(.*\) — another program wrote there; remove the keys or use another --namespace\n$/,
    );
  });
}

Deno.test({
  name: "a cluster URL naming a node that serves no slots exits 69 with one line",
  ignore: !redisServerAvailable(),
  async fn() {
    await using node = await startEmptyClusterNode();
    for (const args of [["doctor"], ["turn", "status"], ["lock", "run", "x", "--", "true"]]) {
      const r = await runCoord(args, {
        env: { COORD_URL: `redis+cluster://127.0.0.1:${node.port}` },
      });
      assert.equal(r.code, 69, `${args.join(" ")}: ${r.stderr}`);
      assert.match(
        r.stderr,
        /^coord: cannot reach redis\+cluster:\/\/127\.0\.0\.1:\d+: it has no node serving hash slots — set the cluster up \(redis-cli --cluster create\) or check --url\n$/,
      );
    }
  },
});

/** A redis-server with cluster mode on that was never given slots, as a fresh node is. */
async function startEmptyClusterNode() {
  const dir = await Deno.makeTempDir({ prefix: "coord-empty-cluster-" });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  const child = new Deno.Command("redis-server", {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "no",
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      `${dir}/nodes.conf`,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const stop = async () => {
    child.kill("SIGKILL");
    await child.status;
    await Deno.remove(dir, { recursive: true });
  };
  // Ready when it answers; the bound is a hang guard.
  for (let tries = 0;; tries++) {
    const reply = await redisCommand(port, "PING").catch(() => "");
    if (reply === "+PONG\r\n") break;
    if (tries > 400) {
      await stop();
      throw new Error(`redis-server on ${port} did not answer`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, [Symbol.asyncDispose]: stop };
}
