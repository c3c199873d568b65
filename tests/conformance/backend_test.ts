/** What every backend must do before any primitive runs on it. */

import assert from "node:assert/strict";
import { estimateClockOffset } from "../../lib/clock.ts";
import { localNow } from "../../lib/time.ts";
import { conformance, plantForeignData, touchTopic } from "../support/backends.ts";

const topic = { kind: "barrier", name: "a {b}: c" } as const;

conformance("the backend's clock agrees with this host's, all being local", async ({ open }) => {
  const backend = await open();
  const before = localNow();
  const now = await backend.now();
  assert.ok(Math.abs(now - before) < 1000, `backend ${now}, local ${before}`);
  const { offsetMs, rttMs } = await estimateClockOffset(backend);
  assert.ok(Math.abs(offsetMs) < 50, `offset ${offsetMs} ms`);
  assert.ok(rttMs >= 0 && rttMs < 100, `rtt ${rttMs} ms`);
});

conformance("info() names the engine and its version", async ({ open, label }) => {
  const info = await (await open()).info();
  const engines: Record<string, string> = { sqlite: "sqlite", postgres: "postgresql" };
  assert.equal(info.engine, engines[label] ?? "redis");
  assert.match(info.version, /^\d+\.\d+/);
});

conformance("a fresh namespace holds no foreign data", async ({ open }) => {
  assert.deepEqual(await (await open()).findForeignData(), []);
});

conformance("data coord did not write is reported as foreign", async ({ open }) => {
  const backend = await open();
  const where = await plantForeignData(backend);
  const found = await (await open()).findForeignData();
  assert.deepEqual(found.map((f) => f.where), [where]);
});

conformance("a watcher returns after maxWaitMs when nothing changes", async ({ open }) => {
  await using watcher = await (await open()).watch(topic);
  const started = performance.now();
  await watcher.next(60);
  const waited = performance.now() - started;
  assert.ok(waited >= 55 && waited < 1000, `waited ${waited} ms`);
});

conformance("a watcher stops at once when its signal aborts", async ({ open }) => {
  await using watcher = await (await open()).watch(topic);
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error("stop waiting")), 20);
  await assert.rejects(watcher.next(30_000, controller.signal), /stop waiting/);
});

conformance("a watcher wakes when another connection changes its topic", async ({ open }) => {
  const [waiter, writer] = [await open(), await open()];
  await using watcher = await waiter.watch(topic);
  const started = performance.now();
  setTimeout(() => touchTopic(writer, topic), 50);
  await watcher.next(30_000);
  const waited = performance.now() - started;
  assert.ok(waited >= 45 && waited < 5000, `woke after ${waited} ms`);
});

conformance("a watcher sleeps through other topics' changes", async ({ open }) => {
  const [waiter, writer] = [await open(), await open()];
  await using watcher = await waiter.watch(topic);
  const woke = watcher.next(30_000).then(() => performance.now());
  // Changes elsewhere, each seen by a polling waiter within a few ms, and by an idle one within
  // its idle poll (250 ms): a watcher they woke would return before its own topic changed.
  for (let i = 0; i < 5; i++) {
    await touchTopic(writer, { kind: "barrier", name: `other ${i}` });
    await touchTopic(waiter, { kind: "lock", name: topic.name });
    await new Promise((r) => setTimeout(r, 100));
  }
  const touchedAt = performance.now();
  await touchTopic(writer, topic);
  assert.ok(await woke >= touchedAt, "it woke for another topic's change");
});

conformance("a watcher remembers a change made before it waited", async ({ open }) => {
  const [waiter, writer] = [await open(), await open()];
  await using watcher = await waiter.watch(topic);
  await touchTopic(writer, topic);
  // Give a pub/sub message time to arrive before waiting: it must not be lost.
  await new Promise((r) => setTimeout(r, 50));
  const started = performance.now();
  await watcher.next(30_000);
  assert.ok(performance.now() - started < 1000);
});

conformance("a watcher wakes for a change made through its own connection", async ({ open }) => {
  const backend = await open();
  await using watcher = await backend.watch(topic);
  setTimeout(() => touchTopic(backend, topic), 30);
  const started = performance.now();
  await watcher.next(30_000);
  assert.ok(performance.now() - started < 5000);
});
