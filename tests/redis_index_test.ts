/**
 * The index of names each namespace keeps on Redis (standalone, cluster, sentinel), which
 * listing commands read instead of SCAN.
 */

import assert from "node:assert/strict";
import { indexKey } from "../lib/backend/keys.ts";
import { RedisBackend } from "../lib/backend/redis/backend.ts";
import { lock } from "../lib/lock/lock.ts";
import { onRedis } from "./support/backends.ts";

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
      // The index script's `add` (after its keys and channel), not a writer's tidying.
      if (key?.endsWith(":names") && args[Number(args[2]) + 4] === "add") {
        touched.push(`${key.split(":{index:")[1].split("}")[0]}`);
      }
      return send.call(backend.conn, key, args);
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
  await other.indexName("lock", "fresh");
  // The tidy needs further round trips after the touch's reply: with 5,000 names, 0.2-0.35 s
  // the write (a lock handoff, a put) waited out once a minute.
  assert.notEqual(await send(backend, "ZSCORE", names, "gone"), null, "the tidy had not ended");
  await other.indexTidied();
  assert.equal(await send(backend, "ZSCORE", names, "gone"), null);
});
