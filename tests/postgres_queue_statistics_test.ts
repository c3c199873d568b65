/**
 * The planner's view of a queue on Postgres after a bulk put: without statistics that know the
 * queue's jobs, it takes the queue for a row or so, and looks a worker step's batch of jobs up
 * by reading every job of the queue (each step then costs as much as the queue is long: a
 * worker drained 10,000 jobs at 360 a second, 2,500 with statistics).
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { schemaIdentifier } from "../lib/backend/postgres/sql_store.ts";
import { putJobs } from "../lib/queue/bulk.ts";
import { putFlow } from "../lib/queue/flow.ts";
import type { Backend } from "../lib/backend/types.ts";
import type { PgClient } from "../lib/backend/postgres/client.ts";
import { openClient } from "./support/postgres_client.ts";
import { freshNamespace } from "./support/backends.ts";
import { sharedPostgresUrl } from "./support/postgres_shared.ts";
import { RowHolder } from "./support/postgres_row_holder.ts";
import { guarded } from "./support/wait.ts";

const url = await sharedPostgresUrl();

/** Jobs a test puts in one queue, in one bulk put. */
const JOBS = 2_000;

/**
 * How many of the queue's jobs the planner thinks there are, on a schema whose table autovacuum
 * leaves alone: from the statistics coord made, or none. The estimate is what decides whether
 * a batch of jobs is found by id (one index probe a job) or by reading every job of the queue.
 */
async function estimatedJobs(namespace: string, queue: string): Promise<number> {
  const { rows: [row] } = await onServer((client) =>
    client.query(
      `EXPLAIN (FORMAT JSON) SELECT id FROM ${schemaIdentifier(namespace)}.coord_queue_job
       WHERE namespace = $1 AND queue = $2`,
      [namespace, queue],
    )
  );
  return (row["QUERY PLAN"] as { Plan: { "Plan Rows": number } }[])[0].Plan["Plan Rows"];
}

/** Puts `count` jobs into `queue` in one bulk put, with ids QUEUE0, QUEUE1, …. */
function putNumbered(backend: Backend, queue: string, count: number) {
  return putJobs(
    backend,
    queue,
    Array.from({ length: count }, (_, i) => ({ id: `${queue}${i}`, handler: "h" })),
  );
}

/** `fn` on a connection of its own to the server. */
async function onServer<T>(fn: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await openClient(url!);
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Opens the namespace's schema with autovacuum off on the job table. */
async function withoutAutovacuum(namespace: string) {
  const backend = await connect({ url, namespace, env: {} });
  await onServer((client) =>
    client.query(
      `ALTER TABLE ${schemaIdentifier(namespace)}.coord_queue_job SET (autovacuum_enabled = false)`,
    )
  );
  return backend;
}

Deno.test({
  name: "after a bulk put into a new table, the planner knows how many jobs the queue holds",
  ignore: url === undefined,
  async fn() {
    const namespace = freshNamespace();
    await using backend = await withoutAutovacuum(namespace);
    await putNumbered(backend, "a", JOBS);
    const estimate = await estimatedJobs(namespace, "a");
    assert.ok(estimate >= JOBS / 2, `the planner expects ${estimate} jobs of ${JOBS}`);
  },
});

Deno.test({
  name:
    "after a bulk put into a queue the statistics do not know, the planner knows how many it holds",
  ignore: url === undefined,
  async fn() {
    const namespace = freshNamespace();
    await using backend = await withoutAutovacuum(namespace);
    for (const queue of ["a", "b"]) {
      await putNumbered(backend, queue, JOBS);
      const estimate = await estimatedJobs(namespace, queue);
      assert.ok(estimate >= JOBS / 2, `queue ${queue}: the planner expects ${estimate} of ${JOBS}`);
    }
  },
});

Deno.test({
  name: "a queue whose jobs are gone as fast as they come does not have the table analyzed",
  ignore: url === undefined,
  async fn() {
    const namespace = freshNamespace();
    await using backend = await withoutAutovacuum(namespace);
    const table = `${schemaIdentifier(namespace)}.coord_queue_job`;
    // Statistics that know queue "big" only.
    await putNumbered(backend, "big", JOBS);
    const analyzed = () =>
      onServer(async (client) =>
        Number(
          (await client.query(
            "SELECT analyze_count FROM pg_stat_user_tables WHERE relid = $1::regclass",
            [table],
          )).rows[0].analyze_count,
        )
      );
    const before = await analyzed();
    // As retention would: the queue's jobs removed before its 1,000th is put.
    await putNumbered(backend, "small", 999);
    await onServer((client) => client.query(`DELETE FROM ${table} WHERE queue = 'small'`));
    await putJobs(backend, "small", [{ id: "last", handler: "h" }]);
    assert.equal(await analyzed(), before);
  },
});

Deno.test({
  name: "a bulk put is not held up by a table lock its statistics would wait for, nor fails on it",
  ignore: url === undefined,
  async fn() {
    const namespace = freshNamespace();
    await using backend = await withoutAutovacuum(namespace);
    // What a VACUUM holds, and ANALYZE waits for; puts do not.
    await using _vacuum = await RowHolder.open(
      url!,
      `LOCK TABLE ${schemaIdentifier(namespace)}.coord_queue_job IN SHARE UPDATE EXCLUSIVE MODE`,
    );
    const put = putNumbered(backend, "a", JOBS);
    assert.equal((await guarded(put, "end of the put while a table lock is held")).length, JOBS);
  },
});

Deno.test({
  name:
    "after a flow of 2,000 parts is put into a new table, the planner knows the queue holds them",
  ignore: url === undefined,
  async fn() {
    const namespace = freshNamespace();
    await using backend = await withoutAutovacuum(namespace);
    await putFlow(backend, "a", {
      parallel: Array.from({ length: JOBS }, (_, i) => ({ handler: "h", args: i })),
    });
    const estimate = await estimatedJobs(namespace, "a");
    assert.ok(estimate >= JOBS / 2, `the planner expects ${estimate} jobs of ${JOBS}`);
  },
});
