/**
 * What lock and queue steps cost in round trips on Postgres: a handoff waits for the releasing
 * step's (and for any step ahead of it on the resource's lock: a new waiter's enqueue), every lock
 * step holds the resource's lock for all but its first, and a queue worker's
 * claims and finishes run one after another on its pool's few connections.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { PostgresSqlStore } from "../lib/backend/postgres/sql_store.ts";
import { SqlLockSteps } from "../lib/backend/sql/lock.ts";
import type { EnqueueResult } from "../lib/lock/steps.ts";
import { SqlQueueSteps } from "../lib/backend/sql/queue.ts";
import { putJobs } from "../lib/queue/bulk.ts";
import { freshNamespace } from "./support/backends.ts";
import { sharedPostgresUrl } from "./support/postgres_shared.ts";
import { recordingPool } from "./support/postgres_recording_pool.ts";

const url = await sharedPostgresUrl();

Deno.test({
  name:
    "a lock enqueue, check or release is two round trips: its first read, then its writes and commit",
  ignore: url === undefined,
  async fn() {
    const namespace = freshNamespace();
    await (await connect({ url, namespace, env: {} })).close(); // creates the schema
    const { pool, trips } = await recordingPool(url!);
    try {
      const steps = new SqlLockSteps(new PostgresSqlStore(pool, namespace, "postgres://test"));
      const tripsOf = async <T>(step: () => Promise<T>): Promise<[T, number]> => {
        const before = trips();
        const result = await step();
        return [result, trips() - before];
      };
      // The resource's first ticket also reads what it has no counter to read with.
      const [taken] = await tripsOf(() =>
        steps.enqueue("r", { label: "a", limit: 1, expireMs: 60_000, request: "a" })
      );
      assert.equal(taken.outcome, "queued");
      const { ticket } = taken as { ticket: number };
      const [queued, enqueueTrips] = await tripsOf(() =>
        steps.enqueue("r", { label: "b", limit: 1, expireMs: 60_000, request: "b" })
      );
      assert.equal(queued.outcome, "queued");
      assert.equal(enqueueTrips, 2);
      const [again, retriedTrips] = await tripsOf(() =>
        steps.enqueue("r", { label: "b", limit: 1, expireMs: 60_000, request: "b" })
      );
      const ticketOf = (r: EnqueueResult) => r.outcome === "queued" && [r.ticket, r.token];
      assert.deepEqual(ticketOf(again), ticketOf(queued), "a retried enqueue gets its ticket");
      assert.equal(retriedTrips, 2);
      const [state, checkTrips] = await tripsOf(() =>
        steps.check("r", { ticket, expireMs: 60_000, renew: true, starting: true })
      );
      assert.deepEqual(state, { state: "granted" });
      assert.equal(checkTrips, 2);
      const [outcome, releaseTrips] = await tripsOf(() =>
        steps.release("r", { ticket, unlessGranted: false })
      );
      assert.equal(outcome, "released");
      assert.equal(releaseTrips, 2);
    } finally {
      await pool.end();
    }
  },
});

Deno.test({
  name: "a process trims the lock event table in its first and every 16th step that emits events",
  ignore: url === undefined,
  async fn() {
    const namespace = freshNamespace();
    await (await connect({ url, namespace, env: {} })).close(); // creates the schema
    const { pool, texts } = await recordingPool(url!);
    try {
      const steps = new SqlLockSteps(new PostgresSqlStore(pool, namespace, "postgres://test"));
      // Each round is three steps that emit: assigned and granted, started, completed.
      for (let round = 0; round < 8; round++) {
        const request = `r${round}`;
        const taken = await steps.enqueue("r", { label: "a", limit: 1, expireMs: 60_000, request });
        const { ticket } = taken as { ticket: number };
        await steps.check("r", { ticket, expireMs: 60_000, renew: true, starting: true });
        await steps.release("r", { ticket, unlessGranted: false });
      }
      const statements = texts.flatMap((text) => text.split("; "));
      const trim = /^DELETE FROM coord_lock_event\b/;
      // The trim goes out as text, then prepared (PREPARE name AS …), then as EXECUTE name(…).
      const names = statements.flatMap((s) => {
        const [, name, sql] = /^PREPARE (\w+) AS (.*)$/s.exec(s) ?? [];
        return name && trim.test(sql) ? [name] : [];
      });
      const trims = statements.filter((s) =>
        trim.test(s) || names.some((name) => s.startsWith(`EXECUTE ${name}(`))
      );
      assert.equal(trims.length, 2, "the 1st and the 17th of 24 steps");
    } finally {
      await pool.end();
    }
  },
});

Deno.test({
  name: "a queue claim, a finish, and a finish that takes the next job are three round trips each",
  ignore: url === undefined,
  async fn() {
    const namespace = freshNamespace();
    {
      await using backend = await connect({ url, namespace, env: {} });
      await putJobs(backend, "q", [1, 2, 3, 4].map((i) => ({ id: `j${i}`, handler: "h" })));
    }
    const { pool, trips } = await recordingPool(url!);
    try {
      const steps = new SqlQueueSteps(new PostgresSqlStore(pool, namespace, "postgres://test"));
      const tripsOf = async <T>(step: () => Promise<T>): Promise<[T, number]> => {
        const before = trips();
        const result = await step();
        return [result, trips() - before];
      };
      const worker = { worker: "w", leaseMs: 60_000 };
      // The first claim also moves the jobs whose start came into the run order.
      const first = (await steps.claim("q", worker)).job!;
      const [claimed, claimTrips] = await tripsOf(() => steps.claim("q", worker));
      assert.equal(claimed.job?.id, "j2");
      assert.equal(claimTrips, 3);
      const end = { worker: "w", outcome: "completed" as const, result: null };
      const [next, finishAndClaimTrips] = await tripsOf(() =>
        steps.finishAndClaim("q", { ...end, id: first.id, attempt: 1, leaseMs: 60_000 })
      );
      assert.deepEqual([next.recorded, next.next.job?.id], [true, "j3"]);
      assert.equal(finishAndClaimTrips, 3);
      const [finished, finishTrips] = await tripsOf(() =>
        steps.finish("q", { ...end, id: "j2", attempt: 1 })
      );
      assert.equal(finished, true);
      assert.equal(finishTrips, 3);
    } finally {
      await pool.end();
    }
  },
});
