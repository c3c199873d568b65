/**
 * Commands that only look (`doctor`, `turn status`, `barrier status|list`, `queue status`) write
 * nothing, on every backend: not even the cleanup every writing step does first. They dropped
 * a crashed holder's ticket (and wrote its `crashed` event), a crashed participant's arrival
 * and a gone worker's announcement when they looked, so running `coord doctor` changed what it
 * diagnosed. They still show what that cleanup would leave.
 */

import assert from "node:assert/strict";
import type { Backend } from "../../lib/backend/types.ts";
import type { RedisBackend } from "../../lib/backend/redis/backend.ts";
import { conformance, envOf } from "../support/backends.ts";
import { runCoord } from "../support/cli.ts";
import { storedKeys } from "../support/redis_plant.ts";
import { isSql, sqlRows } from "../support/sql.ts";
import { until } from "../support/wait.ts";

/** A lease that runs out at once: its holder never renews it, as if SIGKILLed. */
const LAPSING_MS = 1;
/** A lease that outlives the test. */
const LIVE_MS = 600_000;

/**
 * Leaves what a SIGKILLed holder, participant and worker leave behind: lock `r`'s first ticket
 * (granted) and barrier `b`'s arrival with lapsed leases, and queue `q`'s worker whose
 * announcement ran out; a second ticket waits behind the first, and `q` holds a job. Returns
 * when the last of them lapses (backend clock).
 */
async function plantLapsed(backend: Backend): Promise<number> {
  for (const label of ["killed", "next"]) {
    await backend.lock.enqueue("r", { label, limit: 1, expireMs: LIVE_MS, request: label });
  }
  // The holder's last renewal: its lease lapses only now that its waiter is queued, or that
  // waiter's own step would have dropped it.
  await backend.lock.check("r", { ticket: 1, expireMs: LAPSING_MS, renew: true, starting: true });
  await backend.barrier.arrive("b", {
    id: "killed",
    n: 2,
    leaseMs: LAPSING_MS,
    delayMs: 0,
    info: { host: "h", pid: 1 },
  });
  await backend.queue.put("q", {
    spec: { command: ["true"], retries: 0, backoffMs: 0 },
    delayMs: 0,
  });
  await backend.queue.announce("q", { worker: "killed", ttlMs: LAPSING_MS });
  return await backend.now() + LAPSING_MS;
}

/**
 * Everything the namespace stores, byte for byte: each Redis key's DUMP and expiry time, or
 * each SQL table's rows (the namespace's schema on Postgres, the test's own file on SQLite).
 */
async function stored(backend: Backend): Promise<string[]> {
  if (isSql(backend)) {
    const tables = await sqlRows(
      backend,
      backend.kind === "sqlite"
        ? "SELECT name FROM sqlite_master WHERE type = 'table'"
        : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()",
    );
    const rows = await Promise.all(
      tables.map(async ({ name }) =>
        (await sqlRows(backend, `SELECT * FROM "${name}"`)).map((row) =>
          `${name} ${JSON.stringify(row)}`
        )
      ),
    );
    return rows.flat().sort();
  }
  return await storedKeys(backend as RedisBackend);
}

conformance("looks leave a crashed holder's ticket, arrival and worker as stored", async (ctx) => {
  const backend = await ctx.open();
  const lapsedAt = await plantLapsed(backend);
  await until(async () => await backend.now() > lapsedAt, { what: "the planted leases to lapse" });
  const before = await stored(backend);
  const look = async (...args: string[]) => {
    const r = await runCoord(args, { env: envOf(ctx) });
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  await look("doctor");
  const [line] = (await look("turn", "status", "r", "--json")).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  const barrier = JSON.parse(await look("barrier", "status", "b", "--json"));
  await look("barrier", "list");
  const [queue] = (await look("queue", "status", "--json")).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  assert.deepEqual(await stored(backend), before);
  // Each still shows what the cleanup would leave: the waiter holds, nobody has arrived, and
  // no worker is alive.
  assert.deepEqual([line.holders, line.waiters, line.indicator], [[2], [], 2]);
  assert.deepEqual(barrier.arrived, []);
  assert.deepEqual(queue.workers, []);
});
