/** A Postgres schema an earlier coord made gets the queue's new columns when coord connects. */

import { connect } from "../lib/backend/connect.ts";
import { runsOldAndNewJobs } from "./support/queue_upgrade.ts";
import type { PgClient } from "../lib/backend/postgres/client.ts";
import { openClient } from "./support/postgres_client.ts";
import { schemaIdentifier } from "../lib/backend/postgres/sql_store.ts";
import assert from "node:assert/strict";
import { QUEUE_ADDED_COLUMNS, QUEUE_RETIRED_INDEXES } from "../lib/backend/sql/queue.ts";
import { freshNamespace } from "./support/backends.ts";
import { sharedPostgresUrl } from "./support/postgres_shared.ts";
import { RowHolder } from "./support/postgres_row_holder.ts";
import { guarded } from "./support/wait.ts";

const sharedUrl = await sharedPostgresUrl();

Deno.test({
  name: "a queue schema from before progress, priorities, --keep and groups is upgraded",
  ignore: sharedUrl === undefined,
  async fn() {
    const namespace = freshNamespace();
    {
      // Every table there, as an earlier coord left them: without the columns it did not have.
      await using _made = await connect({ url: sharedUrl, namespace, env: {} });
    }
    const client = await openClient(sharedUrl!);
    try {
      const schema = schemaIdentifier(namespace);
      for (const { table, column } of QUEUE_ADDED_COLUMNS) {
        await client.query(`ALTER TABLE ${schema}.${table} DROP COLUMN ${column}`);
      }
      await client.query(
        `INSERT INTO ${schema}.coord_queue_job (namespace, queue, id, state, ready_at, attempts,
         stalls, spec, created_at) VALUES ($1, 'q', 'old', 'pending', 0, 0, 0, $2, 0)`,
        [namespace, JSON.stringify({ handler: "h", retries: 0, backoffMs: 0 })],
      );
    } finally {
      await client.end();
    }
    await using backend = await connect({ url: sharedUrl, namespace, env: {} });
    await runsOldAndNewJobs(backend);
  },
});

Deno.test({
  name: "a schema with indexes since retired, and without those added since, gets today's",
  ignore: sharedUrl === undefined,
  async fn() {
    const namespace = freshNamespace();
    const indexes = async (client: PgClient) =>
      (await client.query(
        "SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexname NOT LIKE '%_pkey'",
        [namespace],
      )).rows.map((r) => (r as { indexname: string }).indexname).sort();
    const client = await openClient(sharedUrl!);
    try {
      {
        await using _made = await connect({ url: sharedUrl, namespace, env: {} });
      }
      const today = await indexes(client);
      assert.ok(today.includes("coord_queue_job_upcoming"));
      const schema = schemaIdentifier(namespace);
      // As an earlier coord left it: the upcoming index not made yet, the retired ones there.
      await client.query(`DROP INDEX ${schema}.coord_queue_job_upcoming`);
      for (const name of QUEUE_RETIRED_INDEXES) {
        await client.query(`CREATE INDEX ${name} ON ${schema}.coord_queue_job (namespace, queue)`);
      }
      {
        await using _upgraded = await connect({ url: sharedUrl, namespace, env: {} });
      }
      assert.deepEqual(await indexes(client), today);
    } finally {
      await client.end();
    }
  },
});

Deno.test({
  name: "an upgrade that waits for a table in use lets others through, then ends once it is free",
  ignore: sharedUrl === undefined,
  async fn() {
    const namespace = freshNamespace();
    const schema = schemaIdentifier(namespace);
    {
      await using _made = await connect({ url: sharedUrl, namespace, env: {} });
    }
    const client = await openClient(sharedUrl!);
    try {
      // An earlier coord's schema, and a long transaction that read the job table.
      await client.query(`DROP INDEX ${schema}.coord_queue_job_upcoming`);
      await using reader = await RowHolder.open(
        sharedUrl!,
        `SELECT 1 FROM ${schema}.coord_queue_job LIMIT 1`,
      );
      const upgrading = connect({ url: sharedUrl, namespace, env: {} });
      await reader.blocked();
      // Behind an upgrade that waited on, this read would wait for the long transaction too.
      await guarded(
        client.query(`SELECT count(*) FROM ${schema}.coord_queue_job`),
        "read of the job table while an upgrade waits",
      );
      await reader.release();
      await using _upgraded = await upgrading;
      const { rows } = await client.query(
        "SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = 'coord_queue_job_upcoming'",
        [namespace],
      );
      assert.equal(rows.length, 1);
    } finally {
      await client.end();
    }
  },
});
