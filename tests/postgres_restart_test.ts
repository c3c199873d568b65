/** Postgres going away under coord: a server restart, a connection killed mid-step. */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { BackendUnavailableError } from "../lib/errors.ts";
import { schemaIdentifier } from "../lib/backend/postgres/sql_store.ts";
import { barrierStatus } from "../lib/barrier/barrier.ts";
import { arrivals } from "./support/barrier.ts";
import { runCoord, spawnCoord } from "./support/cli.ts";
import { freshNamespace } from "./support/backends.ts";
import { postgresBinDir, startPostgres } from "./support/postgres_server.ts";
import { sharedPostgresUrl } from "./support/postgres_shared.ts";
import { RowHolder } from "./support/postgres_row_holder.ts";

const sharedUrl = await sharedPostgresUrl();
const ignore = postgresBinDir() === undefined;

async function waitForArrivals(url: string, name: string, count: number): Promise<void> {
  await using backend = await connect({ url, env: {} });
  await arrivals(backend, name, count);
}

Deno.test({
  name: "a waiting coord rides out a Postgres restart and still meets the newcomer",
  ignore,
  async fn() {
    const server = await startPostgres();
    try {
      const env = { COORD_URL: server.url };
      // The delay leaves the first waiter time to reconnect and hear of the release on a busy
      // machine: the test is about riding out the restart, not about the delay's precision.
      const first = spawnCoord(["barrier", "restart", "2", "--json", "--delay", "2"], { env });
      await waitForArrivals(server.url, "restart", 1);
      await server.restart();
      const second = await runCoord(["barrier", "restart", "2", "--json", "--delay", "2"], {
        env,
      });
      const firstResult = await first.result;
      assert.equal(second.code, 0, second.stderr);
      assert.equal(firstResult.code, 0, firstResult.stderr);
      // A connection lost while checked out of the pool must not surface as an uncaught error.
      assert.doesNotMatch(firstResult.stdout + firstResult.stderr, /Uncaught/);
      assert.equal(JSON.parse(firstResult.stdout).release_at, JSON.parse(second.stdout).release_at);
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "a connection killed in the middle of a barrier step leaves no part of the step",
  ignore: sharedUrl === undefined,
  async fn() {
    const namespace = freshNamespace();
    await using backend = await connect({ url: sharedUrl, namespace, env: {} });
    const arrive = (id: string) =>
      backend.barrier.arrive("half", {
        id,
        n: 3,
        leaseMs: 60_000,
        delayMs: 0,
        info: { host: "test", pid: 1 },
      });
    await arrive("first");

    {
      // Holding the barrier's row stops the next arrive after it inserted its arrival, at the
      // update of that row: in the middle of its transaction.
      await using holder = await RowHolder.open(
        sharedUrl!,
        `SELECT 1 FROM ${schemaIdentifier(namespace)}.coord_barrier WHERE name = 'half' FOR UPDATE`,
      );
      // Its rejection can arrive before pg_terminate_backend's reply: expect it from the start.
      const second = assert.rejects(arrive("second"), BackendUnavailableError);
      await holder.kill(await holder.blocked());
      await second;
      await holder.release();
    }

    const status = await barrierStatus(backend, "half");
    assert.deepEqual(status.arrivals.map((a) => a.arrival), [1]);
    const again = await arrive("second");
    assert.equal(again.outcome === "joined" && again.count, 2);
  },
});

Deno.test({
  name: "a connection killed in the middle of a lock step leaves no part of the step",
  ignore: sharedUrl === undefined,
  async fn() {
    const namespace = freshNamespace();
    const schema = schemaIdentifier(namespace);
    await using backend = await connect({ url: sharedUrl, namespace, env: {} });
    const enqueue = (label: string) =>
      backend.lock.enqueue("half", {
        label,
        limit: 1,
        expireMs: 60_000,
        request: crypto.randomUUID(),
      });
    const first = await enqueue("first");
    assert.equal(first.outcome === "queued" && first.state, "granted");

    {
      // Holding the ticket line's row stops the next enqueue after it stored its fencing token,
      // at the update of that row: in the middle of its transaction.
      await using holder = await RowHolder.open(
        sharedUrl!,
        `SELECT 1 FROM ${schema}.coord_lock WHERE name = 'half' FOR UPDATE`,
      );
      const other = holder.client;
      // Its rejection can arrive before pg_terminate_backend's reply: expect it from the start.
      const second = assert.rejects(enqueue("second"), BackendUnavailableError);
      const stuck = await holder.blocked();
      // It stopped after writing the token: the partial write is there to be undone.
      const { rows: written } = await other.query(
        `SELECT 1 FROM pg_locks WHERE pid = $1 AND mode = 'RowExclusiveLock'
         AND relation = '${schema}.coord_lock_token'::regclass`,
        [stuck],
      );
      assert.equal(written.length, 1, "the step wrote its token before it stopped");
      await holder.kill(stuck);
      await second;
      await holder.release();
      const { rows: tokens } = await other.query(`SELECT token FROM ${schema}.coord_lock_token`);
      assert.deepEqual(tokens.map((r) => Number(r.token)), [
        first.outcome === "queued" && first.token,
      ]);
      const { rows: events } = await other.query(
        `SELECT event FROM ${schema}.coord_lock_event ORDER BY id`,
      );
      assert.deepEqual(events.map((r) => JSON.parse(r.event as string).event), [
        "assigned",
        "granted",
      ]);
    }

    const status = await backend.lock.status("half");
    assert.equal(status?.tickets, 1);
    assert.deepEqual(status?.users.map((u) => u.label), ["first"]);
    const again = await enqueue("second");
    assert.equal(again.outcome === "queued" && again.ticket, 2);
  },
});
