import assert from "node:assert/strict";
import { redisServerAvailable, SENTINEL_MASTER_NAME, startStandalone } from "./redis_servers.ts";
import { bulkStrings, infoField, redisCommand, redisCommandWith } from "./resp.ts";
import { sharedRedisUrl } from "./shared_servers.ts";

// Under CI a missing redis-server must fail loudly (sharedRedisUrl throws), never skip.
const ignore = !redisServerAvailable() && Deno.env.get("CI") !== "true";

/** Ports of a `redis+cluster://h:p,h:p,…` or `redis://h:p` URL. */
function portsOf(url: string): number[] {
  const hosts = url.replace(/^[a-z+]+:\/\//, "").replace(/\/.*$/, "").replace(/^.*@/, "");
  return hosts.split(",").map((host) => Number(host.split(":")[1]));
}

async function sharedUrl(kind: "redis" | "cluster" | "sentinel"): Promise<string> {
  const url = await sharedRedisUrl(kind);
  assert.ok(url !== undefined, `no shared ${kind} server although redis-server is installed`);
  return url;
}

Deno.test({
  name: "startStandalone() serves PING on its port and restart() keeps the port",
  ignore,
  async fn() {
    const server = await startStandalone();
    try {
      assert.equal(server.url, `redis://127.0.0.1:${server.port}`);
      assert.equal(await redisCommand(server.port, "PING"), "+PONG\r\n");
      const firstPid = server.pid;
      await server.restart();
      assert.notEqual(server.pid, firstPid);
      assert.equal(await redisCommand(server.port, "PING"), "+PONG\r\n");
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "startStandalone({ appendonly: true }) keeps data across restart()",
  ignore,
  async fn() {
    const server = await startStandalone({ appendonly: true });
    try {
      assert.equal(await redisCommand(server.port, "SET", "ticket", "42"), "+OK\r\n");
      await server.restart();
      assert.equal(await redisCommand(server.port, "GET", "ticket"), "$2\r\n42\r\n");
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "startStandalone({ password }) refuses commands without AUTH and puts it in the url",
  ignore,
  async fn() {
    const server = await startStandalone({ password: "p@ss word" });
    try {
      assert.equal(server.url, `redis://:p%40ss%20word@127.0.0.1:${server.port}`);
      assert.match(await redisCommand(server.port, "PING"), /^-NOAUTH/);
      const reply = await redisCommandWith({ port: server.port, password: "p@ss word" }, "PING");
      assert.equal(reply, "+PONG\r\n");
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "stop() ends the process and removes the directory",
  ignore,
  async fn() {
    const server = await startStandalone();
    await server.stop();
    await server.stop(); // A second stop is harmless.
    await assert.rejects(Deno.stat(server.dir), Deno.errors.NotFound);
    await assert.rejects(redisCommand(server.port, "PING"));
  },
});

Deno.test({
  name: "the shared cluster is ok on every node and hash tags share a slot",
  ignore,
  async fn() {
    const url = await sharedUrl("cluster");
    assert.match(url, /^redis\+cluster:\/\//);
    const ports = portsOf(url);
    assert.equal(ports.length, 3);
    for (const port of ports) {
      const info = await redisCommand(port, "CLUSTER", "INFO");
      assert.equal(infoField(info, "cluster_state"), "ok", `node ${port}: ${info}`);
      assert.equal(infoField(info, "cluster_slots_assigned"), "16384");
    }
    const slotOf = (key: string) => redisCommand(ports[0], "CLUSTER", "KEYSLOT", key);
    assert.equal(await slotOf("{a}x"), await slotOf("{a}y"));
    assert.notEqual(await slotOf("ax"), await slotOf("ay"));
  },
});

Deno.test({
  name: "the shared sentinel names the master, which has the replica attached",
  ignore,
  async fn() {
    const url = await sharedUrl("sentinel");
    assert.match(url, new RegExp(`^redis\\+sentinel://.*/${SENTINEL_MASTER_NAME}$`));
    const [sentinelPort] = portsOf(url);
    const [host, masterPort] = bulkStrings(
      await redisCommand(sentinelPort, "SENTINEL", "get-master-addr-by-name", SENTINEL_MASTER_NAME),
    );
    assert.equal(host, "127.0.0.1");
    const replication = await redisCommand(Number(masterPort), "INFO", "replication");
    assert.equal(infoField(replication, "role"), "master");
    assert.equal(infoField(replication, "connected_slaves"), "1");
  },
});

Deno.test({
  name: "the shared standalone server answers PING",
  ignore,
  async fn() {
    const url = await sharedUrl("redis");
    assert.match(url, /^redis:\/\//);
    assert.equal(await redisCommand(portsOf(url)[0], "PING"), "+PONG\r\n");
  },
});
