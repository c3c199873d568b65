/** Following lock events on Postgres, where event ids are taken before their step commits. */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { importPg, type PgClient } from "../lib/backend/postgres/client.ts";
import {
  CHANGE_CHANNEL,
  changePayload,
  schemaIdentifier,
} from "../lib/backend/postgres/sql_store.ts";
import type { NamedEvent } from "../lib/backend/types.ts";
import { freshNamespace } from "./support/backends.ts";
import { sharedPostgresUrl } from "./support/postgres_shared.ts";
import { guarded } from "./support/wait.ts";

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

    const pg = await importPg();
    const step = new pg.Client({ connectionString: url } as never) as PgClient;
    await step.connect();
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
      assert.deepEqual((await next()).event, { event: "granted", ticket: 1 });
      await step.query("COMMIT");
      assert.deepEqual(await next(), { name: "slow", event: { event: "reset" } });
    } finally {
      controller.abort();
      await events.return?.();
      await step.end();
    }
  },
});
