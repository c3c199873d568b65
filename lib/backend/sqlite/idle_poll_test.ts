import assert from "node:assert/strict";
import { type HintSource, IdlePoll } from "./idle_poll.ts";

/**
 * A file whose version and topic counters the test moves, counting the poll's looks, and a
 * poll on it that looks every `periodMs` (hinted or not).
 */
function polledFile(periodMs: number, hints: HintSource[] = []) {
  const file = { version: 0, counters: new Map<number, number>(), versionReads: 0 };
  const poll = new IdlePoll({
    readVersion: () => (file.versionReads++, file.version),
    readCounters: () => new Map(file.counters),
    periodMs,
    unhintedPeriodMs: periodMs,
    hints,
  });
  return { file, poll };
}

const never = new Promise<void>(() => {});

Deno.test("IdlePoll looks once a period for all of its sleepers", async () => {
  const { file, poll } = polledFile(20);
  const stop = new AbortController();
  const sleepers = Array.from(
    { length: 100 },
    (_, bucket) =>
      poll.sleep(30_000, stop.signal, never, { bucket, seen: 0, version: 0 }).catch(() => {}),
  );
  // Each sleeper polling for itself would read the version 100 times a period.
  while (file.versionReads < 5) await new Promise((r) => setTimeout(r, 20));
  assert.ok(file.versionReads < 20, `${file.versionReads} reads`);
  stop.abort();
  await Promise.all(sleepers);
});

Deno.test("IdlePoll wakes only the sleepers whose topic changed, at once on a hint", async () => {
  let hint = () => {};
  const source: HintSource = (listener) => {
    hint = listener;
    return { listening: true, stop: () => (hint = () => {}) };
  };
  // A period no test waits for: only the hint can bring the look.
  const { file, poll } = polledFile(60_000, [source]);
  const stop = new AbortController();
  let otherWoke = false;
  const other = poll.sleep(30_000, stop.signal, never, { bucket: 2, seen: 0, version: 0 })
    .then(() => (otherWoke = true), () => {});
  const mine = poll.sleep(30_000, stop.signal, never, { bucket: 1, seen: 0, version: 0 });
  file.version++;
  file.counters.set(1, 1);
  hint();
  // What woke it, so that the sleeper need not read the same again.
  assert.deepEqual(await mine, { version: 1, changes: 1 });
  assert.equal(otherWoke, false);
  stop.abort();
  await other;
});

Deno.test("IdlePoll leaves no timer nor listener behind once its sleepers are gone", async () => {
  let listening = 0;
  const source: HintSource = () => (listening++, { listening: true, stop: () => listening-- });
  const { poll } = polledFile(20, [source]);
  const stop = new AbortController();
  const sleeping = poll.sleep(30_000, stop.signal, never, { seen: 0, version: 0 });
  assert.equal(listening, 1);
  stop.abort(new Error("done"));
  await assert.rejects(sleeping, /done/);
  assert.equal(listening, 0);
  // The test sanitizer fails the test if the poll's interval is still running.
});

Deno.test("IdlePoll tells a sleeper what woke it only when its look did", async () => {
  const { file, poll } = polledFile(10);
  // Woken by its caller: it must look itself.
  const woken = poll.sleep(30_000, undefined, Promise.resolve(), {
    bucket: 1,
    seen: 0,
    version: 0,
  });
  assert.equal(await woken, undefined);
  // A sleeper without a topic wakes for any change to the file.
  const anyChange = poll.sleep(30_000, undefined, never, { seen: 0, version: 0 });
  file.version = 7;
  assert.deepEqual(await anyChange, { version: 7 });
});

Deno.test("IdlePoll wakes a sleeper without a topic only for a version newer than its own", async () => {
  const { file, poll } = polledFile(10);
  const stop = new AbortController();
  // The poll starts from this sleeper's version; a commit comes before the next one sleeps.
  const first = poll.sleep(30_000, stop.signal, never, { bucket: 1, seen: 0, version: 0 })
    .catch(() => {});
  file.version = 1;
  let woke = false;
  const later = poll.sleep(30_000, stop.signal, never, { seen: 0, version: 1 })
    .then((sight) => (woke = true, sight));
  const reads = file.versionReads;
  while (file.versionReads < reads + 3) await new Promise((r) => setTimeout(r, 10));
  assert.equal(woke, false, "woken for the commit it had seen");
  file.version = 2;
  assert.deepEqual(await later, { version: 2 });
  stop.abort();
  await first;
});
