/**
 * A Redis that may evict keys under memory pressure (a `maxmemory` with a `maxmemory-policy`
 * other than `noeviction`) drops a job or a lock's line without a word: `coord doctor` says so on
 * an `evicts` line and on stderr, on one server, each master of a Cluster, and a Sentinel's
 * master; `queue work` and `schedule run` warn once as they start. One that cannot evict gets
 * no such line. One at its `maxmemory` under `noeviction` refuses writes (`OOM`): an outage that
 * ends when memory is freed, not a bug in coord.
 */

import assert from "node:assert/strict";
import {
  redisServerAvailable,
  startCluster,
  startSentinel,
  startStandalone,
} from "./support/redis_servers.ts";
import { redisCommand } from "./support/resp.ts";
import { runCoord, spawnCoord } from "./support/cli.ts";
import { tempDir } from "./support/temp.ts";
import { HANG_GUARD_MS } from "./support/wait.ts";

const ignore = !redisServerAvailable();

/** Sets a server's memory limit and eviction policy, as an operator would. */
async function evicting(port: number, maxmemory: string, policy: string): Promise<void> {
  assert.equal(await redisCommand(port, "CONFIG", "SET", "maxmemory", maxmemory), "+OK\r\n");
  assert.equal(await redisCommand(port, "CONFIG", "SET", "maxmemory-policy", policy), "+OK\r\n");
}

const WARNING =
  /^coord: warning: \S+ evicts keys under memory pressure \(maxmemory 100\.00M, maxmemory-policy (\S+)(?: on (\d) of (\d) masters)?\): (.*) would vanish without a word — set maxmemory-policy noeviction$/m;

Deno.test({
  name: "doctor on a server that may evict says so, and says nothing where it cannot",
  ignore,
  async fn() {
    await using server = await startStandalone();
    const doctor = () => runCoord(["doctor", "--url", server.url]);
    for (const [maxmemory, policy] of [["0", "allkeys-lru"], ["100mb", "noeviction"]]) {
      await evicting(server.port, maxmemory, policy);
      const quiet = await doctor();
      assert.equal(quiet.code, 0, quiet.stderr);
      assert.doesNotMatch(quiet.stdout, /evicts/);
      assert.equal(quiet.stderr, "");
    }
    for (const policy of ["allkeys-lru", "volatile-ttl"]) {
      await evicting(server.port, "100mb", policy);
      const warned = await doctor();
      assert.equal(warned.code, 0, warned.stderr);
      assert.match(
        warned.stdout,
        new RegExp(`^evicts +maxmemory 100\\.00M, maxmemory-policy ${policy}$`, "m"),
      );
      const [, said, , , lost] = WARNING.exec(warned.stderr) ?? [];
      assert.equal(said, policy, warned.stderr);
      // A volatile-* policy evicts only keys with a time to live: of coord's, a barrier's.
      assert.match(lost, policy.startsWith("allkeys-") ? /a job, a lock's line/ : /a barrier's/);
      assert.equal(warned.stderr.trim().split("\n").length, 1, "one line");
      const json = await runCoord(["doctor", "--url", server.url, "--json"]);
      assert.equal(
        JSON.parse(json.stdout).evicts,
        `maxmemory 100.00M, maxmemory-policy ${policy}`,
      );
    }
    const quieted = await runCoord(["doctor", "--url", server.url, "--quiet"]);
    assert.equal(quieted.stderr, "");
  },
});

Deno.test({
  name: "doctor on a Cluster names how many masters may evict, and on Sentinel reads the master",
  ignore,
  async fn() {
    const cluster = await startCluster();
    try {
      await evicting(cluster.ports[1], "100mb", "allkeys-random");
      const fromCluster = await runCoord(["doctor", "--url", cluster.url]);
      assert.equal(fromCluster.code, 0, fromCluster.stderr);
      assert.match(
        fromCluster.stdout,
        /^evicts +maxmemory 100\.00M, maxmemory-policy allkeys-random on 1 of 3 masters$/m,
      );
      assert.deepEqual(WARNING.exec(fromCluster.stderr)?.slice(1, 4), ["allkeys-random", "1", "3"]);
    } finally {
      await cluster.stop();
    }
    const sentinel = await startSentinel();
    try {
      const before = await runCoord(["doctor", "--url", sentinel.url]);
      assert.doesNotMatch(before.stdout, /evicts/);
      await evicting(sentinel.masterPort, "100mb", "volatile-lru");
      const fromSentinel = await runCoord(["doctor", "--url", sentinel.url]);
      assert.equal(fromSentinel.code, 0, fromSentinel.stderr);
      assert.match(
        fromSentinel.stdout,
        /^evicts +maxmemory 100\.00M, maxmemory-policy volatile-lru$/m,
      );
    } finally {
      await sentinel.stop();
    }
  },
});

Deno.test({
  name: "queue work and schedule run warn once as they start on a server that may evict",
  ignore,
  async fn() {
    await using server = await startStandalone();
    await using temp = await tempDir("coord-eviction-");
    const crontab = `${temp.path}/jobs.cron`;
    await Deno.writeTextFile(crontab, "@hourly tick true\n");
    const env = { COORD_URL: server.url };
    const calm = await runCoord(["queue", "work", "q", "--drain"], { env });
    assert.equal(calm.code, 0, calm.stderr);
    assert.doesNotMatch(calm.stderr, /evicts/);

    await evicting(server.port, "100mb", "allkeys-lru");
    const drained = await runCoord(["queue", "work", "q", "--drain"], { env });
    assert.equal(drained.code, 0, drained.stderr);
    assert.equal(WARNING.exec(drained.stderr)?.[1], "allkeys-lru", drained.stderr);
    assert.equal(drained.stderr.match(/evicts/g)?.length, 1);

    await using scheduler = spawnCoord(["schedule", "run", crontab], { env });
    await scheduler.stderrLine(WARNING, HANG_GUARD_MS);
    scheduler.kill("SIGTERM");
    const { code, stderr } = await scheduler.result;
    assert.equal(code, 0, stderr);
    assert.equal(stderr.match(/evicts/g)?.length, 1);
  },
});

/**
 * A server past a 1 MB `maxmemory` under `noeviction`: it refuses every write that may grow.
 * (`DEBUG POPULATE` would do it in one command, but Redis 7 refuses `DEBUG` by default.)
 */
async function fullServer() {
  const server = await startStandalone();
  await fill(server.port);
  return server;
}

/** Fills the server with 2 MB of keys of its own, then limits it to 1 MB. */
async function fill(port: number): Promise<void> {
  const script = "for i=1,20000 do redis.call('SET','filler:'..i,string.rep('x',100)) end";
  assert.equal(await redisCommand(port, "EVAL", script, "0"), "$-1\r\n");
  await evicting(port, "1mb", "noeviction");
  const info = await redisCommand(port, "INFO", "memory");
  const used = Number(/^used_memory:(\d+)/m.exec(info)?.[1]);
  assert.ok(used > 1024 * 1024, `used_memory ${used}`);
}

const OUT_OF_MEMORY =
  /is out of memory: it refuses writes at its maxmemory until memory is freed or maxmemory is raised/;

Deno.test({
  name: "a Redis out of memory refuses a barrier and a lock as an outage (69, 75), not as a bug",
  ignore,
  async fn() {
    await using server = await fullServer();
    const env = { COORD_URL: server.url };
    const arrival = await runCoord(["barrier", "b", "1"], { env });
    assert.equal(arrival.code, 69, arrival.stderr);
    assert.match(arrival.stderr, OUT_OF_MEMORY);
    assert.equal(arrival.stderr.trim().split("\n").length, 1, arrival.stderr);
    const held = await runCoord(["lock", "run", "x", "--wait", "1", "--", "true"], { env });
    assert.equal(held.code, 75, held.stderr);
    assert.match(held.stderr, OUT_OF_MEMORY);
    assert.doesNotMatch(held.stderr + arrival.stderr, /a bug in coord/);
  },
});

Deno.test({
  name: "a worker rides out a Redis out of memory and runs the job once memory is there again",
  ignore,
  async fn() {
    await using server = await startStandalone();
    const env = { COORD_URL: server.url };
    const put = await runCoord(["queue", "put", "q", "--", "true"], { env });
    assert.equal(put.code, 0, put.stderr);
    await fill(server.port);
    await using worker = spawnCoord(["queue", "work", "q", "--allow-commands", "--drain"], { env });
    await worker.stderrLine(OUT_OF_MEMORY, HANG_GUARD_MS);
    await redisCommand(server.port, "CONFIG", "SET", "maxmemory", "0");
    const { code, stderr } = await worker.result;
    assert.equal(code, 0, stderr);
    assert.match(stderr, /backend back after/);
    assert.match((await runCoord(["queue", "status", "q"], { env })).stdout, /^q +0 +0 +0 +0 +1 /m);
  },
});

Deno.test({
  name: "an ACL user denied INFO memory still gets doctor's report and a worker's start",
  ignore,
  async fn() {
    await using server = await startStandalone();
    await evicting(server.port, "100mb", "allkeys-lru");
    const acl = ["ACL", "SETUSER", "team", "on", ">secret", "~*", "&*", "+@all", "-info"];
    assert.equal(await redisCommand(server.port, ...acl, "+info|server"), "+OK\r\n");
    const env = { COORD_URL: server.url.replace("redis://", "redis://team:secret@") };
    const doctor = await runCoord(["doctor"], { env });
    assert.equal(doctor.code, 0, doctor.stderr);
    assert.doesNotMatch(doctor.stdout + doctor.stderr, /evicts/);
    const drained = await runCoord(["queue", "work", "q", "--drain"], { env });
    assert.equal(drained.code, 0, drained.stderr);
    assert.doesNotMatch(drained.stderr, /evicts/);
  },
});
