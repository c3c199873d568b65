/**
 * The index of names each namespace keeps on Redis (standalone, cluster, sentinel), which
 * listing commands read instead of SCAN.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { indexKey } from "../lib/backend/keys.ts";
import { RedisBackend } from "../lib/backend/redis/backend.ts";
import { loadScript } from "../lib/backend/redis/script.ts";
import { lock } from "../lib/lock/lock.ts";
import { onRedis } from "./support/backends.ts";
import { redisServerAvailable, startCluster, startStandalone } from "./support/redis_servers.ts";
import { infoField } from "./support/resp.ts";

const send = (backend: RedisBackend, ...args: string[]) => backend.conn.send(args[1], args);

/** Takes and releases lock `resource`, and lets the index tidy it may have started end. */
async function useLock(backend: RedisBackend, resource: string): Promise<void> {
  {
    await using _held = await lock(backend, resource, { label: "test" });
  }
  await backend.indexTidied();
}

onRedis("a lock is listed from the index after its first use", async (backend) => {
  await useLock(backend, "a {b}");
  await send(backend, "SET", indexKey(backend.namespace, "lock", "scanned"), "1");
  assert.deepEqual(await backend.lock.list(), ["a {b}"]);
});

/** Writes lock `resource` when the index of locks is due for tidying, as a minute later. */
async function useLockWhenDue(backend: RedisBackend, resource: string): Promise<void> {
  await send(backend, "DEL", indexKey(backend.namespace, "lock", "tidied"));
  // Another process: this one touched the index entries it wrote lately, and skips them.
  const other = new RedisBackend(backend.conn, backend.kind, backend.displayUrl, backend.namespace);
  await useLock(other, resource);
}

onRedis(
  "locks written before there was an index are listed, and adopted by a write",
  async (backend) => {
    await useLock(backend, "old");
    for (const part of ["names", "scanned"] as const) {
      await send(backend, "DEL", indexKey(backend.namespace, "lock", part));
    }
    const names = indexKey(backend.namespace, "lock", "names");
    // A listing finds them by SCAN, and only looks.
    assert.deepEqual(await backend.lock.list(), ["old"]);
    assert.equal(await send(backend, "EXISTS", names), 0);
    // A write of a lock adopts them, once.
    await useLockWhenDue(backend, "new");
    assert.notEqual(await send(backend, "ZSCORE", names, "old"), null);
    // Of every kind: a listing of a kind nobody writes here needs no SCAN either.
    for (const kind of ["lock", "queue"] as const) {
      assert.equal(await send(backend, "GET", indexKey(backend.namespace, kind, "scanned")), "1");
    }
    assert.deepEqual(await backend.lock.list(), ["new", "old"]);
  },
);

onRedis(
  "a name whose keys are gone is not listed, and pruned by a write once its grace passed",
  async (backend) => {
    await useLock(backend, "recent");
    await useLock(backend, "stale");
    await useLock(backend, "kept");
    for (const resource of ["recent", "stale"]) {
      await send(backend, "DEL", backend.key("lock", resource, "state"));
    }
    const names = indexKey(backend.namespace, "lock", "names");
    // As if "stale" was last touched long ago; "recent" may still be in its creator's step.
    await send(backend, "ZADD", names, "XX", "1", "stale");
    assert.deepEqual(await backend.lock.list(), ["kept"]);
    assert.equal(Number(await send(backend, "ZSCORE", names, "stale")), 1, "a listing only looks");
    await useLockWhenDue(backend, "kept");
    assert.equal(await send(backend, "ZSCORE", names, "stale"), null);
    assert.notEqual(await send(backend, "ZSCORE", names, "recent"), null);
  },
);

onRedis("queues and scheduled tasks are listed from the index too", async (backend) => {
  await backend.queue.put("jobs", {
    spec: { command: ["true"], retries: 0, backoffMs: 0 },
    delayMs: 0,
  });
  await backend.schedule.write("nightly", { expect: 0, value: '{"type":"task"}' });
  for (const kind of ["queue", "schedule"] as const) {
    await send(backend, "SET", indexKey(backend.namespace, kind, "scanned"), "1");
  }
  assert.deepEqual(await backend.queue.list(), ["jobs"]);
  assert.deepEqual(await backend.schedule.list(), ["nightly"]);
});

onRedis("doctor counts the index as coord's own keys", async (backend) => {
  await useLock(backend, "x");
  await backend.lock.list();
  assert.deepEqual(await backend.findForeignData(), []);
});

onRedis(
  "a process touches a name's index entry once, not at every put or lock",
  async (backend) => {
    const touched: string[] = [];
    const send = backend.conn.send;
    backend.conn.send = (key, args) => {
      const keys = args.slice(3, 3 + Number(args[2]));
      const argv = args.slice(3 + keys.length);
      // The index script's `add` (after its keys and channel), not a writer's tidying; or a step
      // given the index beside its keys and a name to index in it (prelude.lua).
      const names = keys.find((k) => k.endsWith(":names") && k.includes(":{index:"));
      const touch = names && (argv[1] === "add" || keys[0] !== names && argv.at(-2) !== "");
      // Counted once answered: an EVALSHA the server did not know yet (NOSCRIPT) is sent again.
      return send.call(backend.conn, key, args).then((reply) => {
        if (touch) touched.push(`${names.split(":{index:")[1].split("}")[0]}`);
        return reply;
      });
    };
    const spec = { command: ["true"], retries: 0, backoffMs: 0 };
    for (const queue of ["q", "q", "q", "other"]) {
      await backend.queue.put(queue, { spec, delayMs: 0 });
    }
    for (let i = 0; i < 3; i++) await useLock(backend, "r");
    backend.conn.send = send;
    // One for each queue and one for the lock, not one for every step that may create.
    assert.deepEqual(touched.sort(), ["lock", "queue", "queue"]);
    assert.deepEqual(await backend.queue.list(), ["other", "q"]);
    assert.deepEqual(await backend.lock.list(), ["r"]);
  },
);

onRedis("the write that comes due for the index's tidy does not wait for it", async (backend) => {
  const names = indexKey(backend.namespace, "lock", "names");
  await useLock(backend, "kept");
  // A name long gone, which the tidy prunes (its keys never existed).
  await send(backend, "ZADD", names, "1", "gone");
  await send(backend, "DEL", indexKey(backend.namespace, "lock", "tidied"));
  const other = new RedisBackend(backend.conn, backend.kind, backend.displayUrl, backend.namespace);
  {
    await using _held = await lock(other, "fresh", { label: "test" });
  }
  // The tidy needs further round trips after the touch's reply: with 5,000 names, 0.2-0.35 s
  // the write (a lock handoff, a put) waited out once a minute.
  assert.notEqual(await send(backend, "ZSCORE", names, "gone"), null, "the tidy had not ended");
  await other.indexTidied();
  assert.equal(await send(backend, "ZSCORE", names, "gone"), null);
});

/** A put now of a job that runs `command`. */
const job = (...command: string[]) => ({
  spec: { command, retries: 0, backoffMs: 0 },
  delayMs: 0,
});

/**
 * The script calls `backend` answers while `fn` runs, each named by its keys' tag, an index's by
 * its op too (`{index:queue} add`): an EVALSHA the server did not know yet (NOSCRIPT), sent
 * again, counted once.
 */
async function scriptCalls(backend: RedisBackend, fn: () => Promise<unknown>): Promise<string[]> {
  const calls: string[] = [];
  const send = backend.conn.send;
  backend.conn.send = async (key, args) => {
    const reply = await send.call(backend.conn, key, args);
    if (args[0] === "EVALSHA" || args[0] === "EVAL") {
      const keys = args.slice(3, 3 + Number(args[2]));
      const [tag, ...besides] = [...new Set(keys.map((k) => /\{[^}]*\}/.exec(k)?.[0]))];
      const op = tag?.startsWith("{index:") ? ` ${args[4 + keys.length]}` : "";
      calls.push([`${tag}${op}`, ...besides].join(" and "));
    }
    return reply;
  };
  try {
    await fn();
  } finally {
    backend.conn.send = send;
  }
  return calls;
}

onRedis(
  "a name's first creating step in a process indexes it in the step's own call, where the index is on its node",
  async (backend) => {
    // Tidied lately: no writer tidies it now, which would add calls of its own.
    await send(backend, "SET", indexKey(backend.namespace, "queue", "tidied"), "1", "PX", "60000");
    const calls = await scriptCalls(backend, () => backend.queue.put("q", job("true")));
    assert.notEqual(
      await send(backend, "ZSCORE", indexKey(backend.namespace, "queue", "names"), "q"),
      null,
    );
    // One call, which no end of the process between a step and a touch of its own can cut in
    // two; on a Cluster, where the index is in another slot, the touch before the step.
    assert.deepEqual(
      calls,
      backend.kind === "redis-cluster"
        ? ["{index:queue} add", "{queue:q}"]
        : ["{queue:q} and {index:queue}"],
    );
  },
);

Deno.test({
  name:
    "a put that stores its job indexes its queue in the same call, also one the server's memory fills up at",
  ignore: !redisServerAvailable(),
  async fn() {
    // A server of its own, whose maxmemory this sets.
    await using server = await startStandalone();
    await using opened = await connect({ url: server.url, namespace: "full", env: {} });
    const backend = opened as RedisBackend;
    await backend.queue.put("warm", job("true"));
    await backend.indexTidied();
    const used = Number(infoField(String(await send(backend, "INFO", "memory")), "used_memory"));
    // Too little room for the job: Redis lets the script that stores it, begun below its
    // maxmemory, end above it, then refuses every write until memory is freed. A touch of the
    // index of its own after the step failed so: the put was told failed (69) with its job
    // stored, and the queue left out of the index for good.
    await send(backend, "CONFIG", "SET", "maxmemory", String(used + 300_000));
    const put = await backend.queue.put("q", job("echo", "x".repeat(900_000)));
    assert.ok(put.created);
    await assert.rejects(send(backend, "SET", backend.key("queue", "q", "probe"), "1"), /memory/);
    const names = indexKey(backend.namespace, "queue", "names");
    assert.notEqual(await send(backend, "ZSCORE", names, "q"), null);
    await send(backend, "CONFIG", "SET", "maxmemory", "0");
  },
});

Deno.test({
  name:
    "on a Cluster, every queue that holds a job is listed, also when the index's node refused a write",
  ignore: !redisServerAvailable(),
  async fn() {
    // A cluster of its own, one of whose nodes this fills up.
    const cluster = await startCluster();
    try {
      await using opened = await connect({ url: cluster.url, namespace: "apart", env: {} });
      const backend = opened as RedisBackend;
      const names = indexKey(backend.namespace, "queue", "names");
      const node = (key: string) => backend.conn.send(key, ["CLUSTER", "MYID"]);
      await backend.queue.put("warm", job("true"));
      await backend.indexTidied();
      // A queue on another node than the index, whose node then refuses every write: a touch
      // after the step failed so, and left the queue out of the index for good (the one SCAN
      // that adopts names had run), its job stored.
      let queue = "q";
      for (let i = 0; await node(backend.key("queue", queue, "jobs")) === await node(names); i++) {
        queue = `q${i}`;
      }
      await backend.conn.send(names, ["CONFIG", "SET", "maxmemory", "1"]);
      await backend.queue.put(queue, job("true")).catch(() => {});
      await backend.conn.send(names, ["CONFIG", "SET", "maxmemory", "0"]);
      // A fresh process, which writes and tidies the index.
      await send(backend, "DEL", indexKey(backend.namespace, "queue", "tidied"));
      await using other = await connect({ url: cluster.url, namespace: "apart", env: {} });
      await (other as RedisBackend).queue.put("other", job("true"));
      await (other as RedisBackend).indexTidied();
      const holding = [];
      for (const name of ["other", queue, "warm"]) {
        if (await send(backend, "HLEN", backend.key("queue", name, "jobs")) !== 0) {
          holding.push(name);
        }
      }
      assert.deepEqual(await backend.indexedNames("queue"), holding);
    } finally {
      await cluster.stop();
    }
  },
});

onRedis(
  "a name two writers add in one millisecond stays indexed when the first one's step is refused",
  async (backend) => {
    // On a Cluster a name is added before its step, and taken out after a refusal only if its
    // score is still the one that add set. Scored by the millisecond, the second writer's add
    // set the same score, and the first one's unadd took out the name the second one stored.
    const index = await loadScript(new URL("../lib/backend/redis/index.lua", import.meta.url));
    const keys = (["names", "scanned", "tidied"] as const).map((part) =>
      indexKey(backend.namespace, "queue", part)
    );
    const op = (...args: string[]) => index.run(backend.conn, keys, ["", ...args]);
    // Loaded first: a script the server lacks is sent again, which would part the two adds.
    await op("list");
    for (let attempt = 0; attempt < 100; attempt++) {
      const name = `q${attempt}`;
      // Sent together, as two processes' adds can come: run one after the other, at once.
      const [first, second] = await Promise.all([
        op("add", name, "60000"),
        op("add", name, "60000"),
      ]);
      const [due, added] = (first as unknown[]).map(String);
      assert.equal(String((second as unknown[])[1]), "0", "the second add found the name there");
      const score = await send(backend, "ZSCORE", keys[0], name) as string;
      // The two adds fell in two milliseconds: no race to show; try again.
      if (Math.floor(Number(score)) !== Math.floor(Number(added))) continue;
      await op("unadd", name, added, due);
      assert.notEqual(await send(backend, "ZSCORE", keys[0], name), null, `${added} ${score}`);
      return;
    }
    assert.fail("no two adds fell in one millisecond in 100 tries");
  },
);
