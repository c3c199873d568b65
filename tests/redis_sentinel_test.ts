/**
 * coord on Redis Sentinel connects to the master the sentinel names, and follows it through a
 * failover: on a private master/replica/sentinel group, so the shared one stays as it is.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { BackendUnavailableError } from "../lib/errors.ts";
import { lock } from "../lib/lock/lock.ts";
import { putJob } from "../lib/queue/queue.ts";
import { sleep } from "../lib/time.ts";
import {
  redisServerAvailable,
  SENTINEL_MASTER_NAME,
  startSentinel,
} from "./support/redis_servers.ts";
import { bulkStrings, infoField, redisCommand } from "./support/resp.ts";
import { runCoord, spawnCoord } from "./support/cli.ts";
import { BACKENDS, freshNamespace } from "./support/backends.ts";
import { silentServer } from "./support/silent_server.ts";
import { tempDir } from "./support/temp.ts";
import { guarded, until } from "./support/wait.ts";

/** Hang guard for a failover: sentinel promotes the replica within a few seconds. */
const FAILOVER_GUARD_MS = 60_000;

/** The master's port as the sentinel names it. */
async function masterPort(sentinelPort: number): Promise<number> {
  const reply = await redisCommand(
    sentinelPort,
    "SENTINEL",
    "get-master-addr-by-name",
    SENTINEL_MASTER_NAME,
  );
  return Number(bulkStrings(reply)[1]);
}

/**
 * Asks the sentinel for a failover until it takes it, and returns the hang guard's end (a
 * `performance.now()`) for the failover: the sentinel learns of the replica from the master's
 * INFO, some seconds after start.
 */
async function startFailover(sentinelPort: number): Promise<number> {
  const guard = performance.now() + FAILOVER_GUARD_MS;
  for (;;) {
    const reply = await redisCommand(sentinelPort, "SENTINEL", "FAILOVER", SENTINEL_MASTER_NAME);
    if (reply === "+OK\r\n") return guard;
    assert.match(reply, /^-NOGOODSLAVE/);
    assert.ok(performance.now() < guard, "the sentinel never found the replica");
    await sleep(200);
  }
}

/** Runs `step` until it stops failing with a backend outage; the guard only stops a hang. */
async function throughOutage<T>(step: () => Promise<T>): Promise<T> {
  const guard = performance.now() + FAILOVER_GUARD_MS;
  for (;;) {
    try {
      return await step();
    } catch (e) {
      if (!(e instanceof BackendUnavailableError) || performance.now() > guard) throw e;
      await sleep(100);
    }
  }
}

Deno.test({
  name: "a sentinel backend moves as the sentinels switch the master, not when the old one turns",
  ignore: !redisServerAvailable(),
  async fn() {
    const group = await startSentinel();
    try {
      await using backend = await connect({ url: group.url, namespace: "sw", env: {} });
      await backend.now();
      // A connection that lives subscribes to the sentinel's switches (after half a second).
      await until(
        async () => /\bsub=1\b/.test(await redisCommand(group.sentinelPort, "CLIENT", "LIST")),
        { what: "coord's subscription on the sentinel" },
      );
      const guard = await startFailover(group.sentinelPort);
      await until(async () => await masterPort(group.sentinelPort) === group.replicaPort, {
        what: "the switch",
      });
      // The old master takes writes until the sentinel turns it into a replica, seconds later,
      // and drops them then: before, every put of that window was acknowledged, and lost.
      for (let i = 0;; i++) {
        const oldRole = infoField(
          await redisCommand(group.masterPort, "INFO", "replication"),
          "role",
        );
        await throughOutage(() => putJob(backend, "q", { id: `p${i}`, handler: "h" }));
        const key = "sw:{queue:q}:jobs";
        if (await redisCommand(group.replicaPort, "HEXISTS", key, `p${i}`) === ":1\r\n") {
          assert.equal(
            oldRole,
            "master",
            `put ${i} reached the new master only once the old turned`,
          );
          break;
        }
        assert.ok(performance.now() < guard, "no put reached the new master");
      }
    } finally {
      await group.stop();
    }
  },
});

Deno.test({
  name: "a sentinel backend follows the master through a failover, subscriptions included",
  ignore: !redisServerAvailable(),
  async fn() {
    const group = await startSentinel();
    try {
      await using backend = await connect({ url: group.url, namespace: "fo", env: {} });
      await using other = await connect({ url: group.url, namespace: "fo", env: {} });
      const events = new AbortController();
      const stream = await backend.events("lock", undefined, events.signal);
      {
        await using _held = await lock(backend, "before", { label: "t" });
      }
      const guard = await startFailover(group.sentinelPort);
      // Until the old master is turned into a replica it still takes writes, which the
      // failover then drops: that window is Sentinel's, so the test waits it out.
      while (
        await masterPort(group.sentinelPort) !== group.replicaPort ||
        infoField(await redisCommand(group.masterPort, "INFO", "replication"), "role") !== "slave"
      ) {
        assert.ok(performance.now() < guard, "the failover did not finish");
        await sleep(100);
      }
      // Both connections still point at the old master, which is now a replica.
      await throughOutage(async () => {
        await using _held = await lock(other, "after", { label: "t" });
      });
      const key = "fo:{lock:after}:tickets";
      assert.equal(await redisCommand(group.replicaPort, "EXISTS", key), ":1\r\n");
      // The stream, subscribed before the failover, hears events published on the new master.
      await throughOutage(() => backend.lock.list());
      await throughOutage(async () => {
        await using _held = await lock(other, "after", { label: "t" });
      });
      const seen: string[] = [];
      const hang = setTimeout(() => events.abort(), FAILOVER_GUARD_MS);
      for await (const { name } of stream) {
        seen.push(name);
        if (name === "after") break;
      }
      clearTimeout(hang);
      events.abort();
      assert.ok(seen.includes("after"), `events heard: ${seen}`);
    } finally {
      await group.stop();
    }
  },
});

Deno.test({
  name: "after the master dies and its replica takes over, coord exits once its command ends, " +
    "and turn follow hears the new master",
  ignore: !redisServerAvailable(),
  async fn() {
    const group = await startSentinel();
    await using dir = await tempDir("coord-test-failover-");
    const env = { COORD_URL: group.url, COORD_NAMESPACE: freshNamespace() };
    try {
      // The master counts as down after half a second without an answer (30 s by default).
      await redisCommand(
        group.sentinelPort,
        "SENTINEL",
        "SET",
        SENTINEL_MASTER_NAME,
        "down-after-milliseconds",
        "500",
      );
      // The sentinel learns of the replica from the master's INFO, some seconds after start.
      await until(
        async () =>
          (await redisCommand(group.sentinelPort, "SENTINEL", "REPLICAS", SENTINEL_MASTER_NAME))
            .startsWith("*1"),
        { what: "the sentinel to know the replica" },
      );
      await using follower = spawnCoord(["turn", "follow"], { env });
      // It listens once it hears a lock's events.
      await until(async () => {
        assert.equal((await runCoord(["lock", "run", "warm", "--", "true"], { env })).code, 0);
        return await follower.stdoutLine(/^warm: \d+ completed/, 2_000).then(
          () => true,
          () => false,
        );
      }, { what: "turn follow to hear a lock's events" });
      const release = `${dir.path}/release`;
      await using holder = spawnCoord([
        "lock",
        "run",
        "held",
        "--expire",
        "30",
        "--",
        "sh",
        "-c",
        `while [ ! -e '${release}' ]; do sleep 0.05; done`,
      ], { env });
      await follower.stdoutLine(/^held: 1 granted$/);
      const pid = infoField(await redisCommand(group.masterPort, "INFO", "server"), "process_id");
      Deno.kill(Number(pid), "SIGKILL");
      await until(async () => await masterPort(group.sentinelPort) === group.replicaPort, {
        what: "the replica's promotion",
      });
      await Deno.writeTextFile(release, "");
      // Before, a subscriber left on the dead master reconnected to it forever: no exit.
      const { code, stderr } = await guarded(holder.result, "exit of the holder");
      assert.equal(code, 0, stderr);
      assert.equal((await runCoord(["lock", "run", "after", "--", "true"], { env })).code, 0);
      await follower.stdoutLine(/^after: 1 completed/);
    } finally {
      await group.stop();
    }
  },
});

Deno.test({
  name: "a sentinel that monitors no such master exits 69 with one line naming it",
  ignore: !redisServerAvailable(),
  async fn() {
    const group = await startSentinel();
    try {
      const url = `redis+sentinel://127.0.0.1:${group.sentinelPort}/nosuch`;
      const r = await runCoord(["doctor"], { env: { COORD_URL: url } });
      assert.equal(r.code, 69, r.stderr);
      assert.match(
        r.stderr,
        /^coord: cannot reach .*: sentinel 127\.0\.0\.1:\d+ monitors no master named "nosuch" — check the name after the last \/ of the URL\n$/,
      );
    } finally {
      await group.stop();
    }
  },
});

/** Runs coord to the end, killed if it outlives `guardMs` (a hang guard, not a bound). */
async function guardedRun(args: string[], url: string, guardMs: number) {
  const process = spawnCoord(args, { env: { COORD_URL: url, COORD_NAMESPACE: freshNamespace() } });
  const guard = setTimeout(() => process.kill("SIGKILL"), guardMs);
  const result = await process.result;
  clearTimeout(guard);
  return result;
}

const sentinelCase = BACKENDS.find((b) => b.label === "sentinel" && b.available);
const sentinelUrl = sentinelCase && (await sentinelCase.use()).url;

Deno.test({
  name: "a sentinel that accepts connections but never answers does not keep coord from the next",
  ignore: !sentinelUrl,
  async fn() {
    await using hole = silentServer();
    // The silent sentinel first: coord must not wait for it before asking the real one.
    const url = sentinelUrl!.replace(
      "redis+sentinel://",
      `redis+sentinel://127.0.0.1:${hole.port},`,
    );
    const r = await guardedRun(["lock", "run", "through-second", "--", "true"], url, 60_000);
    assert.equal(r.code, 0, `${r.signal} ${r.stderr}`);
  },
});

Deno.test({
  name: "a sentinel URL whose only sentinel never answers exits 69 with one line",
  ignore: !redisServerAvailable(),
  async fn() {
    await using hole = silentServer();
    const url = `redis+sentinel://127.0.0.1:${hole.port}/coordmaster`;
    const timeout = ["--connect-timeout", "2"];
    // A lock waiter tries once with --wait 0 (else it waits for the backend up to --expire).
    const lock = ["lock", "run", "x", "--wait", "0", ...timeout, "--", "true"];
    for (const args of [["doctor", ...timeout], lock]) {
      const r = await guardedRun(args, url, 30_000);
      assert.equal(r.code, 69, `${args.join(" ")}: ${r.signal} ${r.stderr}`);
      assert.match(
        r.stderr,
        /^coord: cannot reach redis\+sentinel:\/\/\S+: no answer within 2 s — is the server up\?.*\n$/,
      );
    }
  },
});
