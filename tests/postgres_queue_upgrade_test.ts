/** A Postgres schema an earlier coord made gets the queue's new columns when coord connects. */

import { connect } from "../lib/backend/connect.ts";
import { runsOldAndNewJobs } from "./support/queue_upgrade.ts";
import { importPg, type PgClient } from "../lib/backend/postgres/client.ts";
import { schemaIdentifier } from "../lib/backend/postgres/sql_store.ts";
import { QUEUE_ADDED_COLUMNS } from "../lib/backend/sql/queue.ts";
import { freshNamespace } from "./support/backends.ts";
import { sharedPostgresUrl } from "./support/postgres_shared.ts";

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
    const pg = await importPg();
    const client = new pg.Client({ connectionString: sharedUrl } as never) as PgClient;
    await client.connect();
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
