/**
 * Following lock events on Postgres, where event ids are taken before their step commits; the
 * events a step carries to its waiters in its NOTIFY; and which queue steps announce at all.
 */

import { ENDED } from "../lib/backend/news.ts";
import { claimJob } from "../lib/queue/claim_job.ts";
import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { openClient } from "./support/postgres_client.ts";
import {
  CHANGE_CHANNEL,
  changePayload,
  schemaIdentifier,
} from "../lib/backend/postgres/sql_store.ts";
import type { PostgresBackend } from "../lib/backend/postgres/backend.ts";
import { freshNamespace } from "./support/backends.ts";
import { sharedPostgresUrl } from "./support/postgres_shared.ts";
import { guarded, HANG_GUARD_MS } from "./support/wait.ts";
import { putJobs } from "../lib/queue/bulk.ts";
import type { Backend, ChangeWatcher, NamedEvent } from "../lib/backend/types.ts";

const url = await sharedPostgresUrl();

Deno.test({
  name: "an event that commits after a later one was followed is still followed",
  ignore: url === undefined,
  async fn() {
    const namespace = freshNamespace();
    await using backend = await connect({ url, namespace, env: {} });
    const controller = new AbortController();
    const events = (await backend.events("lock", undefined, controller.signal))[
      Symbol.asyncIterator
    ]();
    const next = async (): Promise<NamedEvent> =>
      (await guarded(events.next(), "lock event")).value as NamedEvent;

    const step = await openClient(url!);
    try {
      // A step on resource "slow" takes the lower id and has not committed yet…
      await step.query("BEGIN");
      await step.query(
        `INSERT INTO ${schemaIdentifier(namespace)}.coord_lock_event (namespace, name, event)
         VALUES ($1, 'slow', $2)`,
        [namespace, JSON.stringify({ event: "reset" })],
      );
      await step.query("SELECT pg_notify($1, $2)", [
        CHANGE_CHANNEL,
        changePayload(namespace, { kind: "lock", name: "slow" }),
      ]);
      // …while steps on "fast" commit events with higher ids, and the follower reads them.
      const taken = await backend.lock.enqueue("fast", {
        label: "fast",
        limit: 1,
        expireMs: 60_000,
        request: crypto.randomUUID(),
      });
      assert.equal(taken.outcome, "queued");
      assert.deepEqual((await next()).event, { event: "assigned", ticket: 1, label: "fast" });
      assert.deepEqual((await next()).event, {
        event: "granted",
        ticket: 1,
        token: String((taken as { token: number }).token),
      });
      await step.query("COMMIT");
      assert.deepEqual(await next(), { name: "slow", event: { event: "reset" } });
    } finally {
      controller.abort();
      await events.return?.();
      await step.end();
    }
  },
});

/** Takes a ticket of `name`. */
async function enqueue(backend: Backend, name: string, label: string) {
  const taken = await backend.lock.enqueue(name, {
    label,
    limit: 1,
    expireMs: 60_000,
    request: crypto.randomUUID(),
  });
  assert.equal(taken.outcome, "queued");
  return taken as typeof taken & { ticket: number };
}

/** What `watcher` hears until `done` holds of it; every wake-up must carry events. */
async function hearUntil(
  watcher: ChangeWatcher,
  done: (heard: unknown[]) => boolean,
): Promise<unknown[]> {
  const heard: unknown[] = [];
  while (!done(heard)) {
    const events = await watcher.next(HANG_GUARD_MS);
    assert.ok(events.length > 0, `a wake-up without events, after ${JSON.stringify(heard)}`);
    heard.push(...events);
  }
  return heard;
}

Deno.test({
  name: "a lock waiter hears, in the NOTIFY, the events of the release that granted its ticket",
  ignore: url === undefined,
  async fn() {
    await using backend = await connect({ url, namespace: freshNamespace(), env: {} });
    await using watcher = await backend.watch({ kind: "lock", name: "r" });
    const first = await enqueue(backend, "r", "first");
    const second = await enqueue(backend, "r", "second");
    const isAssigned = (e: unknown) =>
      (e as { event?: string; ticket?: number })?.event === "assigned" &&
      (e as { ticket: number }).ticket === second.ticket;
    await hearUntil(watcher, (heard) => heard.some(isAssigned));
    assert.equal(
      await backend.lock.release("r", { ticket: first.ticket, unlessGranted: false }),
      "released",
    );
    const heard = await hearUntil(watcher, (heard) => heard.length > 0);
    assert.deepEqual(heard, [
      { event: "completed", ticket: first.ticket, label: "first" },
      { event: "granted", ticket: second.ticket, token: String(second.token) },
    ]);
  },
});

Deno.test({
  name: "a change whose events do not fit in a NOTIFY still wakes its waiters, who must ask",
  ignore: url === undefined,
  async fn() {
    await using backend = await connect({ url, namespace: freshNamespace(), env: {} });
    const topic = { kind: "lock", name: "big" } as const;
    await using watcher = await backend.watch(topic);
    const events = [{ event: "assigned", ticket: 1, label: "x".repeat(9_000) }];
    await (backend as PostgresBackend).sql.write((tx) => tx.notify(topic, events));
    assert.deepEqual(await watcher.next(HANG_GUARD_MS), [null]);
  },
});

Deno.test({
  name: "a queue's claims announce nothing, and its finishes only once nothing is left running",
  ignore: url === undefined,
  async fn() {
    const namespace = freshNamespace();
    await using backend = await connect({ url, namespace, env: {} });
    const listener = await openClient(url!);
    try {
      // Every NOTIFY of this namespace, in commit order (one connection hears them in that
      // order): other tests' steps on the server announce theirs on the same channel, and the
      // backend's own listener proves its LISTEN with a probe, whenever it gets to it.
      const heard: string[] = [];
      const ours = `${JSON.stringify([namespace]).slice(0, -1)},`;
      let marked = Promise.withResolvers<void>();
      listener.on("notification", (msg) => {
        if (msg.payload === "marker") marked.resolve();
        else if (msg.payload?.startsWith(ours)) heard.push(msg.payload);
      });
      await listener.query(`LISTEN ${CHANGE_CHANNEL}`);
      /** What was announced since the last call: all of it, as a later NOTIFY came after. */
      const announced = async () => {
        marked = Promise.withResolvers<void>();
        await listener.query(`SELECT pg_notify('${CHANGE_CHANNEL}', 'marker')`);
        await guarded(marked.promise, "the marker's NOTIFY");
        return heard.splice(0);
      };
      const steps = backend.queue;
      await putJobs(backend, "q", [{ id: "a", handler: "h" }, { id: "b", handler: "h" }]);
      const change = changePayload(namespace, { kind: "queue", name: "q" });
      assert.deepEqual(await announced(), [change]);
      const worker = { worker: "w", leaseMs: 60_000 };
      assert.equal((await claimJob(steps, "q", worker)).job?.id, "a");
      assert.equal((await claimJob(steps, "q", worker)).job?.id, "b");
      assert.deepEqual(await announced(), []);
      const end = { worker: "w", attempt: 1, outcome: "completed" as const, result: null };
      assert.equal(await steps.finish("q", { ...end, id: "a" }), true);
      assert.deepEqual(await announced(), [], "b still runs: its worker is busy, none to wake");
      assert.equal(await steps.finish("q", { ...end, id: "b" }), true);
      // News for waiters only, which a worker's watcher sleeps through.
      const ended = changePayload(namespace, { kind: "queue", name: "q" }, [ENDED]);
      assert.deepEqual(await announced(), [ended]);
    } finally {
      await listener.end();
    }
  },
});
