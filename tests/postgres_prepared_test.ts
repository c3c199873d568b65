/**
 * Prepared statements on Postgres: a statement a store sends again is parsed and planned once per
 * connection, and a connection whose prepared statements are not what the store thinks (a
 * pooler in transaction mode moves sessions between server connections) costs a step nothing
 * but a second try.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { PostgresSqlStore } from "../lib/backend/postgres/sql_store.ts";
import { SqlLockSteps } from "../lib/backend/sql/lock.ts";
import { SqlQueueSteps } from "../lib/backend/sql/queue.ts";
import type { SqlTransaction } from "../lib/backend/sql/transaction.ts";
import { freshNamespace } from "./support/backends.ts";
import { sharedPostgresUrl } from "./support/postgres_shared.ts";
import { recordingPool } from "./support/postgres_recording_pool.ts";

const url = await sharedPostgresUrl();
const CHECK = { expireMs: 60_000, renew: true, starting: true };

/** The statements of `texts`, each simple-query text split where one statement ends. */
function statements(texts: string[]): string[] {
  return texts.flatMap((text) => text.split("; ")).map((s) => s.trim().split(/\s+/)[0]);
}

/** A namespace with its schema, and a ticket granted in it on lock `r`. */
async function grantedTicket(steps: SqlLockSteps): Promise<number> {
  const taken = await steps.enqueue("r", { label: "a", limit: 1, expireMs: 60_000, request: "a" });
  assert.equal(taken.outcome, "queued");
  return (taken as { ticket: number }).ticket;
}

async function schema(): Promise<string> {
  const namespace = freshNamespace();
  await (await connect({ url, namespace, env: {} })).close();
  return namespace;
}

/** Runs `fn` with a store on a fresh namespace, through a pool recording the texts it sends. */
async function withRecordedStore(
  fn: (store: PostgresSqlStore, texts: string[]) => Promise<void>,
): Promise<void> {
  const namespace = await schema();
  const { pool, texts } = await recordingPool(url!);
  try {
    await fn(new PostgresSqlStore(pool, namespace, "postgres://test"), texts);
  } finally {
    await pool.end();
  }
}

Deno.test({
  name:
    "a lock step sent before goes out as EXECUTEs: the server parses its SQL once per connection",
  ignore: url === undefined,
  async fn() {
    const namespace = await schema();
    const { pool, texts } = await recordingPool(url!);
    try {
      const steps = new SqlLockSteps(new PostgresSqlStore(pool, namespace, "postgres://test"));
      const ticket = await grantedTicket(steps);
      await steps.check("r", { ticket, ...CHECK }); // sent as text
      await steps.check("r", { ticket, ...CHECK }); // prepared
      const from = texts.length;
      assert.deepEqual(await steps.check("r", { ticket, ...CHECK }), { state: "granted" });
      const sent = statements(texts.slice(from));
      assert.deepEqual(
        sent.filter((s) => !["BEGIN", "SET", "EXECUTE", "COMMIT"].includes(s)),
        [],
        `only EXECUTEs besides BEGIN, SET LOCAL and COMMIT: ${texts.slice(from).join(" | ")}`,
      );
      assert.ok(sent.includes("EXECUTE"));
    } finally {
      await pool.end();
    }
  },
});

Deno.test({
  name: "a step whose connection lost its prepared statements runs again with plain statements",
  ignore: url === undefined,
  async fn() {
    const namespace = await schema();
    const { pool, texts } = await recordingPool(url!);
    try {
      const steps = new SqlLockSteps(new PostgresSqlStore(pool, namespace, "postgres://test"));
      const ticket = await grantedTicket(steps);
      await steps.check("r", { ticket, ...CHECK });
      await steps.check("r", { ticket, ...CHECK });
      // What a pooler does when it hands the session another server connection.
      const client = await pool.connect();
      await client.query("DEALLOCATE ALL");
      client.release();
      assert.deepEqual(await steps.check("r", { ticket, ...CHECK }), { state: "granted" });
      const from = texts.length;
      assert.equal(await steps.release("r", { ticket, unlessGranted: false }), "released");
      assert.ok(!statements(texts.slice(from)).includes("EXECUTE"), texts.slice(from).join(" | "));
    } finally {
      await pool.end();
    }
  },
});

Deno.test({
  name: "a statement another client prepared under the same name on the connection fails no step",
  ignore: url === undefined,
  async fn() {
    const namespace = await schema();
    const { pool } = await recordingPool(url!);
    try {
      // Two stores on one server connection: two processes behind a pooler.
      const first = new SqlLockSteps(new PostgresSqlStore(pool, namespace, "postgres://test"));
      const second = new SqlLockSteps(new PostgresSqlStore(pool, namespace, "postgres://test"));
      const ticket = await grantedTicket(first);
      for (const steps of [first, first, second, second, second]) {
        assert.deepEqual(await steps.check("r", { ticket, ...CHECK }), { state: "granted" });
      }
    } finally {
      await pool.end();
    }
  },
});

Deno.test({
  name: "a statement the server will not prepare (a parameter of no known type) runs as text",
  ignore: url === undefined,
  fn: () =>
    withRecordedStore(async (store, texts) => {
      for (const value of ["a", null, "c"]) {
        const rows = await store.write((tx) => tx.all("SELECT ? IS NULL AS v", value));
        assert.deepEqual(rows, [{ v: value === null }]);
      }
      assert.ok(texts.at(-2)?.includes("SELECT 'c' IS NULL AS v"), texts.join(" | "));
    }),
});

Deno.test({
  name: "a number SQL cannot take is refused before it is sent, as a parameter as well as text",
  ignore: url === undefined,
  fn: () =>
    withRecordedStore(async (store, texts) => {
      // Seen once (a parameter, once the transaction's BEGIN has gone), then again (prepared,
      // as text): refused both times.
      for (const value of [NaN, Infinity, NaN]) {
        await assert.rejects(
          store.read(async (tx) => {
            await tx.all("SELECT 1 AS one");
            return await tx.all("SELECT ?::float8 AS refused", value);
          }),
          RangeError,
        );
      }
      assert.deepEqual(texts.filter((text) => text.includes("refused")), []);
    }),
});

Deno.test({
  name: "a statement held back twice in a step is prepared once, and the store goes on preparing",
  ignore: url === undefined,
  fn: () =>
    withRecordedStore(async (store, texts) => {
      let runs = 0;
      // As a step sends a batch's rows: one statement for each chunk, held for the next one.
      const step = async (tx: SqlTransaction) => {
        runs++;
        for (const chunk of ["a", "b", "c"]) {
          await tx.later("SELECT length(CAST(? AS TEXT)) AS n", chunk);
        }
        return await tx.all("SELECT 1 AS one");
      };
      for (let i = 0; i < 2; i++) {
        const from = texts.length;
        runs = 0;
        assert.deepEqual(await store.write(step), [{ one: 1 }]);
        assert.equal(runs, 1, "the step ran once");
        const sent = texts.slice(from).flatMap((text) => text.split("; "));
        const prepares = sent.filter((s) => /^PREPARE \w+ AS SELECT length/.test(s));
        // Its first time as text, then prepared once; each time after, an EXECUTE (and the
        // second step's SELECT 1).
        assert.equal(prepares.length, i === 0 ? 1 : 0, sent.join(" | "));
        const executes = statements(sent).filter((s) => s === "EXECUTE").length;
        assert.equal(executes, i === 0 ? 2 : 4, sent.join(" | "));
      }
    }),
});

Deno.test({
  name: "bulk puts of 1 to 40 jobs prepare a few INSERTs of their rows, not one for each count",
  ignore: url === undefined,
  fn: () =>
    withRecordedStore(async (store, texts) => {
      const steps = new SqlQueueSteps(store);
      const put = { spec: { handler: "h", retries: 0, backoffMs: 0 }, delayMs: 0 };
      // Each count twice: a statement is prepared when it comes again.
      for (let n = 1; n <= 40; n++) {
        for (let round = 0; round < 2; round++) {
          await steps.putMany("q", Array.from({ length: n }, () => put));
        }
      }
      const inserts = texts.flatMap((text) => text.split("; "))
        .filter((statement) => /^PREPARE \w+ AS INSERT INTO coord_queue_job\b/.test(statement));
      // 20, 4 and 1 rows a statement (and 100 and 500 for larger puts).
      assert.equal(inserts.length, 3, inserts.map((s) => s.slice(0, 60)).join("\n"));
    }),
});
