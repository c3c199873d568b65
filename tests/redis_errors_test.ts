/**
 * Redis states coord cannot work with end in one line and a documented exit code, never in
 * 70 (internal error): data a script cannot read, a cluster node that serves no slots. A
 * script's own failure is the one 70: it must not be blamed on the user's data.
 */

import { claimJob } from "../lib/queue/claim_job.ts";
import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";
import { QUEUE_KEY_TYPES } from "../lib/backend/redis/queue.ts";
import { LuaScript } from "../lib/backend/redis/script.ts";
import { BackendUnavailableError, CoordError, ExitCode, ForeignDataError } from "../lib/errors.ts";
import { redisServerAvailable, startStandalone } from "./support/redis_servers.ts";
import { redisCommand } from "./support/resp.ts";
import { freshNamespace, onRedis, REDIS_BACKENDS } from "./support/backends.ts";
import { FOREIGN_SETTINGS, plantForeignSetting, plantGarbageJob } from "./support/queue.ts";
import { cancelJob, getJob, putJob } from "../lib/queue/queue.ts";
import { configureQueue } from "../lib/queue/retention.ts";
import { putJobs } from "../lib/queue/bulk.ts";
import { runCoord, spawnCoord } from "./support/cli.ts";
import { guarded } from "./support/wait.ts";
import { cp } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "./support/host.ts";

/**
 * Each plant puts data coord never writes into lock `alien`'s keys. Values where coord keeps a
 * whole number: a word in the state made `lock run` exit 70 (its refusal came back as a plain
 * reply) and `turn status` crash, a fraction of a counter was called a bug in coord, a
 * negative counter or token was used, and a reset of a lock whose last token was a word
 * deleted its state and left the word.
 */
const PLANTS: Record<string, (backend: RedisBackend) => string[]> = {
  "a field in its state": (b) => ["HSET", b.key("lock", "alien", "state"), "owner", "app"],
  "a user without a ticket": (b) => ["HSET", b.key("lock", "alien", "users"), "9", "{}"],
  "a ticket without a lease": (b) => ["ZADD", b.key("lock", "alien", "queue"), "0", "7"],
  "a word for its turn": (b) => ["HSET", b.key("lock", "alien", "state"), "indicator", "zzz"],
  "a fraction for its turn": (b) => ["HSET", b.key("lock", "alien", "state"), "indicator", "1.5"],
  "a limit of 0": (b) => ["HSET", b.key("lock", "alien", "state"), "limit", "0"],
  "a fraction of a ticket count": (b) => ["SET", b.key("lock", "alien", "tickets"), "1.5"],
  "a negative ticket count": (b) => ["SET", b.key("lock", "alien", "tickets"), "-3"],
  "a word for its last token": (b) => ["SET", b.key("lock", "alien", "tokens"), "abc"],
  "a negative last token": (b) => ["SET", b.key("lock", "alien", "tokens"), "-5"],
  // Its next would be written, then refused by every step: the lock stuck for good.
  "a last token with no safe one after it": (
    b,
  ) => ["SET", b.key("lock", "alien", "tokens"), String(Number.MAX_SAFE_INTEGER)],
};

for (const { label, use } of REDIS_BACKENDS) {
  for (const [plant, command] of Object.entries(PLANTS)) {
    Deno.test(`a lock with ${plant}: lock run, turn status and reset exit 65, keys untouched, doctor names it [${label}]`, async () => {
      const env = { COORD_URL: (await use()).url, COORD_NAMESPACE: freshNamespace() };
      await using backend = await connect({
        url: env.COORD_URL,
        namespace: env.COORD_NAMESPACE,
        env: {},
      }) as RedisBackend;
      assert.equal((await runCoord(["lock", "run", "alien", "--", "true"], { env })).code, 0);
      const planted = command(backend);
      await backend.conn.send(planted[1], planted);
      const before = await dump(backend);
      for (
        const args of [
          ["lock", "run", "alien", "--wait", "30", "--", "true"],
          ["turn", "status", "alien"],
          ["turn", "reset", "alien"],
          ["turn", "reset", "alien", "--force"],
        ]
      ) {
        const r = await runCoord(args, { env });
        assert.equal(r.code, 65, `${args.join(" ")}: ${r.stderr}`);
        assert.match(
          r.stderr,
          /^coord: lock "alien": .* — another program wrote there; remove the key or use another --namespace\n$/,
        );
      }
      assert.deepEqual(await dump(backend), before);
      // Doctor reads every lock as turn status does.
      const doctor = await runCoord(["doctor", "--json"], { env });
      const [found] = JSON.parse(doctor.stdout).foreign;
      assert.equal(found.where, 'lock "alien"', doctor.stdout);
    });
  }

  Deno.test(`a FOREIGN error a script raises is foreign data (65) [${label}]`, async () => {
    await using backend = await connect({
      url: (await use()).url,
      namespace: freshNamespace(),
      env: {},
    }) as RedisBackend;
    // Raised with error() as lock.lua and the queue scripts do: Redis appends where it was raised.
    const script = new LuaScript("error({ err = 'FOREIGN ' .. KEYS[1] .. ' holds \"x\"' })");
    await assert.rejects(
      backend.runStep(script, { kind: "lock", name: "odd" }, ["queue"], []),
      (e: Error) => {
        assert.ok(e instanceof ForeignDataError, String(e));
        assert.match(e.message, /^lock "odd": \S+:queue holds "x" — another program wrote there/);
        return true;
      },
    );
  });

  Deno.test(`any other error inside a script is a bug in coord (70), not foreign data [${label}]`, async () => {
    await using backend = await connect({
      url: (await use()).url,
      namespace: freshNamespace(),
      env: {},
    }) as RedisBackend;
    const scripts = {
      "a command's error": "return redis.call('ZRANGE', KEYS[1], 0, 'x')",
      "a Lua runtime error": "local missing = nil; return missing.field",
    };
    for (const [what, source] of Object.entries(scripts)) {
      await assert.rejects(
        backend.runStep(new LuaScript(source), { kind: "lock", name: "odd" }, ["queue"], []),
        (e: Error) => {
          assert.ok(e instanceof CoordError && !(e instanceof ForeignDataError), `${what}: ${e}`);
          assert.equal(e.exitCode, ExitCode.internal, what);
          assert.match(e.message, /^lock "odd": a coord script failed \(.+\) — a bug in coord/);
          assert.doesNotMatch(e.message, /remove the key|script: [0-9a-f]{40}/);
          return true;
        },
      );
    }
  });

  // Every call meets it again: the worker logged it once and retried for ever (finish.lua),
  // claimed jobs and lost each lease (renew.lua), or never said it (announce.lua).
  for (
    const [script, job] of [
      ["finish", undefined],
      ["renew", "sleep 30"],
      ["announce", undefined],
    ] as const
  ) {
    Deno.test(`a script that does not compile (${script}.lua) ends a worker at once (70) with one line naming it [${label}]`, async () => {
      const env = { COORD_URL: (await use()).url, COORD_NAMESPACE: freshNamespace() };
      if (job) {
        const put = await runCoord(["queue", "put", "q", "--", ...job.split(" ")], { env });
        assert.equal(put.code, 0, put.stderr);
      }
      await using worker = spawnCoord(["queue", "work", "q", "--allow-commands", "--lease", "1"], {
        env,
        main: await brokenBuild(script),
      });
      const { code, stderr } = await guarded(worker.result, "exit of the worker");
      assert.equal(code, ExitCode.internal, stderr);
      assert.match(
        stderr,
        new RegExp(
          `^coord: queue "q": coord's script queue/${script}\\.lua does not compile ` +
            `\\(queue/${script}\\.lua:\\d+: function at queue/${script}\\.lua has more than 200 ` +
            "local variables\\) — " +
            "a bug in this build of coord, not in your data: please report it with this line\n$",
        ),
      );
    });
  }
}

const broken = new Map<string, Promise<string>>();
/**
 * The `main.ts` of a copy of coord's tree whose queue script `SCRIPT.lua` declares more locals
 * than Lua compiles: a build of coord that grew one too many. Made once per module and script,
 * removed as it ends.
 */
function brokenBuild(script: string): Promise<string> {
  let main = broken.get(script);
  if (main) return main;
  main = (async () => {
    const root = new URL("..", import.meta.url).pathname;
    const dir = await Deno.makeTempDir({ prefix: "coord-broken-" });
    globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
    for (const entry of ["main.ts", "commands", "lib", "deno.json", "deno.lock"]) {
      await cp(join(root, entry), join(dir, entry), { recursive: true });
    }
    const file = join(dir, `lib/backend/redis/queue/${script}.lua`);
    const locals = Array.from({ length: 201 }, (_, i) => `local unused_${i} = ${i}\n`).join("");
    await Deno.writeTextFile(file, locals + await Deno.readTextFile(file));
    return join(dir, "main.ts");
  })();
  broken.set(script, main);
  return main;
}

onRedis(
  "a job's record, a job's spec and a queue's setting another program wrote are refused in one wording",
  async (backend) => {
    await plantGarbageJob(backend, "junk", "record", "json");
    await plantGarbageJob(backend, "junk", "spec", "spec");
    await putJob(backend, "set", { handler: "h" });
    await plantForeignSetting(backend, "set", FOREIGN_SETTINGS[0]);
    // Each as the lock's `…:state has indicator "zzz"`: the hash, the field, the value quoted.
    const refusals: [() => Promise<unknown>, string, string, string][] = [
      [() => getJob(backend, "junk/record"), "junk:jobs", "job record", "junk"],
      [() => cancelJob(backend, "junk/spec"), "junk:specs", "job spec", "junk"],
      [() => configureQueue(backend, "set"), "set:config", "paused", "maybe"],
    ];
    for (const [refused, key, field, value] of refusals) {
      const [queue, part] = key.split(":");
      await assert.rejects(refused, (e: Error) => {
        assert.ok(e instanceof ForeignDataError, String(e));
        assert.equal(
          e.message,
          `queue "${queue}": ${backend.key("queue", queue, part)} has ${field} "${value}" — ` +
            "another program wrote there; remove the key or use another --namespace",
        );
        return true;
      });
    }
  },
);

/** A value of another type than coord keeps in `part` of queue `alien`. */
function foreignPlant(backend: RedisBackend, part: keyof typeof QUEUE_KEY_TYPES): string[] {
  const key = backend.key("queue", "alien", part);
  return QUEUE_KEY_TYPES[part] === "string"
    ? ["HSET", key, "owner", "app"]
    : ["SET", key, "not coord's"];
}

/**
 * Every key of queue `alien`, by content (a hash's DUMP follows its table's order, which a
 * read may change while the table is rehashed).
 */
async function dumpQueue(backend: RedisBackend): Promise<Record<string, unknown>> {
  const read: Record<string, (key: string) => string[]> = {
    hash: (key) => ["HGETALL", key],
    zset: (key) => ["ZRANGE", key, "0", "-1", "WITHSCORES"],
    string: (key) => ["GET", key],
  };
  const entries = await Promise.all(
    Object.keys(QUEUE_KEY_TYPES).map(async (part) => {
      const key = backend.key("queue", "alien", part);
      const type = String(await backend.conn.send(key, ["TYPE", key]));
      const value = read[type] ? await backend.conn.send(key, read[type](key)) : null;
      return [part, type === "hash" ? Object.entries(value as object).sort() : value];
    }),
  );
  return Object.fromEntries(entries);
}

for (const { label, use } of REDIS_BACKENDS) {
  // The steps each job takes check only some keys' types: a key of another type anywhere must
  // still stop a step before it writes anything.
  Deno.test(`a queue key of another type: each job's steps refuse (65) and write nothing [${label}]`, async () => {
    const url = (await use()).url;
    for (const part of Object.keys(QUEUE_KEY_TYPES) as (keyof typeof QUEUE_KEY_TYPES)[]) {
      await using backend = await connect({
        url,
        namespace: freshNamespace(),
        env: {},
      }) as RedisBackend;
      const q = backend.queue;
      const spec = { handler: "h", args: [], retries: 0, backoffMs: 0 };
      await q.configure("alien", { keepCompleted: { count: 1 } });
      for (const id of ["a", "b", "c"]) await q.put("alien", { id, spec, delayMs: 0 });
      const worker = "w";
      const a = await claimJob(q, "alien", { worker, leaseMs: 60_000 });
      await q.finish("alien", {
        id: a.job!.id,
        worker,
        attempt: 1,
        outcome: "completed",
        result: 1,
      });
      const b = (await claimJob(q, "alien", { worker, leaseMs: 60_000 })).job!;
      const running = { id: b.id, worker, attempt: 1 };
      const planted = foreignPlant(backend, part);
      await backend.conn.send(planted[1], ["DEL", planted[1]]);
      await backend.conn.send(planted[1], planted);
      const steps: Record<string, () => Promise<unknown>> = {
        finish: () => q.finish("alien", { ...running, outcome: "completed", result: 2 }),
        put: () => q.put("alien", { id: "d", spec, delayMs: 0 }),
        // A job of a group reads the group limit in config after it has written the job.
        putGrouped: () => q.put("alien", { id: "g", spec, delayMs: 0, groupKey: "x" }),
        putMany: () => q.putMany("alien", [{ id: "e", spec, delayMs: 0 }]),
        claim: () => claimJob(q, "alien", { worker, leaseMs: 60_000 }),
        // A worker's batch: a run of its own and one no longer its own, and the free slots.
        finishAndClaim: () =>
          q.finishAndClaim("alien", {
            finishes: [
              { ...running, outcome: "completed", result: 2 },
              { id: "a", worker, attempt: 1, outcome: "failed", error: "late" },
            ],
            worker,
            leaseMs: 60_000,
            claims: 5,
          }),
        renew: () => q.renew("alien", { ...running, leaseMs: 60_000 }),
        progress: () => q.progress("alien", { ...running, progress: "1" }),
      };
      let refusals = 0;
      for (const [name, step] of Object.entries(steps)) {
        const before = await dumpQueue(backend);
        try {
          await step();
        } catch (e) {
          refusals++;
          assert.ok(e instanceof ForeignDataError, `${part}, ${name}: ${e}`);
          assert.match(e.message, new RegExp(`:${part} holds a \\w+ where coord keeps a`));
          assert.deepEqual(await dumpQueue(backend), before, `${part}, ${name} wrote`);
        }
      }
      // Only announce and counts, a worker's and status' steps, touch the workers.
      if (part !== "workers") assert.ok(refusals > 0, `${part}: no step refused`);
    }
  });
}

for (const { label, use } of REDIS_BACKENDS) {
  Deno.test(`an index of names of another type: a put exits 65 with one line, the key untouched [${label}]`, async () => {
    const url = (await use()).url;
    const namespace = freshNamespace();
    await using backend = await connect({ url, namespace, env: {} }) as RedisBackend;
    // Refused by the put's own step where the index is on its node, by the index's add before
    // the step on a Cluster: the job is not stored either way.
    const names = `${namespace}:{index:queue}:names`;
    await backend.conn.send(names, ["SET", names, "foreign"]);
    const r = await runCoord(["queue", "put", "q", "--id", "b", "--", "true"], {
      env: { COORD_URL: url, COORD_NAMESPACE: namespace },
    });
    assert.equal(r.code, 65, r.stderr);
    assert.match(
      r.stderr,
      /^coord: (the index of queue names|queue "q"): \S+:names holds a string where coord keeps a zset — another program wrote there; remove the key or use another --namespace\n$/,
    );
    assert.equal(await backend.conn.send(names, ["GET", names]), "foreign");
    assert.equal(await backend.queue.get("q", "b"), undefined, "the job is not stored");
  });
}

// Retention walks a finished flow's parts: a record whose group is not one coord writes is
// unreadable, left as it is (another program's, as on SQL), and must not stop the steps of
// every worker.
onRedis(
  "a finished record with a group coord never writes is left by retention as unreadable",
  async (backend) => {
    const q = backend.queue;
    const spec = { handler: "h", retries: 0, backoffMs: 0 };
    const lease = { worker: "w", leaseMs: 60_000 };
    const groups = { "a string": "x", "children not a list": { children: "x", done: 0 } };
    for (const [what, group] of Object.entries(groups)) {
      const queue = what.replaceAll(" ", "-");
      await q.configure(queue, { keepCompleted: { count: 1 } });
      await q.put(queue, { id: "a", spec, delayMs: 0 });
      const [a] = (await q.finishAndClaim(queue, { finishes: [], ...lease, claims: 1 })).jobs;
      await q.finishAndClaim(queue, {
        finishes: [{ id: "a", worker: "w", attempt: a.attempts, outcome: "completed", result: 1 }],
        ...lease,
        claims: 0,
      });
      const jobsKey = backend.key("queue", queue, "jobs");
      const record = JSON.parse(String(await backend.conn.send(jobsKey, ["HGET", jobsKey, "a"])));
      await backend.conn.send(jobsKey, [
        "HSET",
        jobsKey,
        "a",
        JSON.stringify({ ...record, group }),
      ]);
      // The next finish goes past the queue's count of 1: retention passes over a.
      await q.put(queue, { id: "b", spec, delayMs: 0 });
      const [b] = (await q.finishAndClaim(queue, { finishes: [], ...lease, claims: 1 })).jobs;
      const r = await q.finishAndClaim(queue, {
        finishes: [{ id: "b", worker: "w", attempt: b.attempts, outcome: "completed", result: 2 }],
        ...lease,
        claims: 1,
      });
      assert.deepEqual(r.recorded, [true], what);
      assert.equal(await backend.conn.send(jobsKey, ["HEXISTS", jobsKey, "a"]), 1, what);
      assert.equal((await q.get(queue, "b"))?.state, "completed", what);
    }
  },
);

Deno.test({
  name: "a script refused as a replica's write (a failover) stays an outage, not a bug",
  ignore: !redisServerAvailable(),
  async fn() {
    const server = await startStandalone();
    try {
      // A replica of a port nobody listens on: read-only, as an old master after a failover.
      assert.equal(await redisCommand(server.port, "REPLICAOF", "127.0.0.1", "1"), "+OK\r\n");
      await using backend = await connect({
        url: `redis://127.0.0.1:${server.port}`,
        namespace: freshNamespace(),
        env: {},
      }) as RedisBackend;
      const script = new LuaScript("return redis.call('SET', KEYS[1], 'x')");
      await assert.rejects(
        backend.runStep(script, { kind: "lock", name: "ro" }, ["state"], []),
        (e: Error) => {
          assert.ok(e instanceof BackendUnavailableError, String(e));
          assert.match(e.message, /READONLY/);
          return true;
        },
      );
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name:
    "a queue counter another program set past the numbers a job can have is refused (65), never holding the server",
  ignore: !redisServerAvailable(),
  async fn() {
    // Its own server: the code before looped in the script for good, the server BUSY.
    const server = await startStandalone();
    try {
      await using backend = await connect({
        url: `redis://127.0.0.1:${server.port}`,
        namespace: freshNamespace(),
        env: {},
      }) as RedisBackend;
      const counter = backend.key("queue", "q", "counter");
      for (const last of ["9007199254740991", "99999999999999999999"]) {
        await backend.conn.send(counter, ["SET", counter, last]);
        for (
          const put of [
            () => putJob(backend, "q", { handler: "ok" }),
            () => putJobs(backend, "q", Array.from({ length: 500 }, () => ({ handler: "ok" }))),
          ]
        ) {
          await assert.rejects(put(), (e: Error) => {
            assert.ok(e instanceof ForeignDataError, String(e));
            assert.match(e.message, new RegExp(`holds "${last}"`));
            return true;
          });
        }
        assert.equal(await backend.conn.send(counter, ["GET", counter]), last);
      }
      // Just below, a bulk put takes what numbers remain, then refuses.
      await backend.conn.send(counter, ["SET", counter, "9007199254740989"]);
      const [one] = await putJobs(backend, "q", [{ handler: "ok" }]);
      assert.equal(one.ref, "q/9007199254740990");
    } finally {
      await server.stop();
    }
  },
});

/** Every key of lock `alien`, serialized, to compare before and after. */
async function dump(backend: RedisBackend): Promise<Record<string, unknown>> {
  const parts = ["state", "queue", "presence", "users", "holders", "tickets", "tokens"];
  const entries = await Promise.all(parts.map(async (part) => {
    const key = backend.key("lock", "alien", part);
    return [part, String(await backend.conn.send(key, ["DUMP", key]))];
  }));
  return Object.fromEntries(entries);
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
  const port = freePort();
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
