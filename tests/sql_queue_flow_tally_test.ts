/**
 * A flow group's count of ended parts on SQL: a part's end writes it in the group's tally (its
 * `progress` column), not over the group's record, which lists every part (a flow of N parts
 * wrote N such lists); a group an earlier coord counted in its record goes on from there, and a
 * tally another program wrote is refused (65) and left as it is.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import type { Backend } from "../lib/backend/mod.ts";
import { ForeignDataError } from "../lib/errors.ts";
import { claimJob } from "../lib/queue/claim_job.ts";
import { putFlow } from "../lib/queue/flow.ts";
import { getJob, waitForJob } from "../lib/queue/queue.ts";
import { work } from "../lib/queue/worker.ts";
import { BACKENDS, freshNamespace } from "./support/backends.ts";
import { runCoord } from "./support/cli.ts";
import { runSql, sqlRows } from "./support/sql.ts";
import { HANG_GUARD_MS } from "./support/wait.ts";
import { drainFlow, runNamedSerial } from "./support/named_parts.ts";

/** The group's stored record and tally, as its row holds them. */
async function groupRow(db: Backend, queue: string, id: string) {
  const [row] = await sqlRows(
    db,
    "SELECT grp, progress FROM coord_queue_job WHERE namespace = ? AND queue = ? AND id = ?",
    db.namespace,
    queue,
    id,
  );
  return row as { grp: string; progress: string | null };
}

/** Runs one of `queue`'s jobs to completion with result `result`. */
async function runOne(db: Backend, queue: string, result: unknown): Promise<void> {
  const { job } = await claimJob(db.queue, queue, { worker: "w", leaseMs: 60_000 });
  assert.ok(job, "a part to run");
  const ran = { outcome: "completed" as const, result };
  assert.ok(await db.queue.finish(queue, { id: job.id, worker: "w", attempt: 1, ...ran }));
}

/**
 * Puts a parallel flow `g` of `parts` parts on `queue`, runs one of them (so the group has a
 * tally), then writes `value` over the group row's `column` as another program would, and
 * returns the flow's ref and the group's row as it then is.
 */
async function groupWrittenOver(
  db: Backend,
  queue: string,
  column: "progress" | "grp" | "spec",
  value: string,
  parts = 2,
) {
  const { ref } = await putFlow(
    db,
    queue,
    { parallel: Array.from({ length: parts }, () => ({ handler: "h" })) },
    { id: "g" },
  );
  await runOne(db, queue, 1);
  await runSql(
    db,
    `UPDATE coord_queue_job SET ${column} = ? WHERE namespace = ? AND queue = ? AND id = 'g'`,
    value,
    db.namespace,
    queue,
  );
  return { ref, stored: await groupRow(db, queue, "g") };
}

/** `coord queue show REF` on the test's backend and namespace. */
function show(db: Backend, url: string, ref: string) {
  return runCoord(["queue", "show", ref, "--url", url, "--namespace", db.namespace]);
}

for (const backend of BACKENDS.filter((b) => b.label === "sqlite" || b.label === "postgres")) {
  const test = (name: string, fn: (db: Backend, url: string) => Promise<void>) =>
    Deno.test({
      name: `${name} (${backend.label})`,
      ignore: !backend.available,
      async fn() {
        await using target = await backend.use();
        await using db = await connect({ url: target.url, namespace: freshNamespace(), env: {} });
        await fn(db, target.url);
      },
    });

  test("a part's end counts in its group's tally and leaves the group's record as put", async (db) => {
    const parts = [{ handler: "h" }, { handler: "h" }, { handler: "h" }];
    const { ref } = await putFlow(db, "f", { parallel: parts }, { id: "g" });
    const put = await groupRow(db, "f", "g");
    await runOne(db, "f", 1);
    assert.equal((await getJob(db, ref)).group?.done, 1);
    assert.equal((await groupRow(db, "f", "g")).grp, put.grp, "the list of parts is not written");
    await work(db, ["f"], { handlers: { h: () => 2 }, drain: true });
    const done = await waitForJob(db, ref, { timeoutMs: HANG_GUARD_MS });
    assert.deepEqual([done.state, done.result, done.group?.done], ["completed", [1, 2, 2], 3]);
    assert.equal(done.progress, undefined, "a group's tally is no progress of its own");
    assert.equal((await groupRow(db, "f", "g")).grp, put.grp);
  });

  test("a serial group an earlier coord counted in its record goes on from that count", async (db) => {
    const { ref } = await putFlow(db, "s", {
      serial: [{ handler: "h", args: 0 }, { handler: "h", args: 1 }, { handler: "h", args: 2 }],
    }, { id: "g" });
    await runOne(db, "s", 0);
    // As the coord before this one leaves it: no tally, its record counting one part ended.
    const { grp } = await groupRow(db, "s", "g");
    await runSql(
      db,
      "UPDATE coord_queue_job SET progress = NULL, grp = ? WHERE namespace = ? AND id = 'g'",
      JSON.stringify({ ...JSON.parse(grp), done: 1 }),
      db.namespace,
    );
    assert.equal((await getJob(db, ref)).group?.done, 1);
    await drainFlow(db, "s", ref, { ran: [1, 2], result: [0, 1, 2], done: 3 });
  });

  test("a serial group whose parts are not named ID.0, ID.1, … starts them in its list's order", async (db) => {
    await runNamedSerial(db, "n", ["c", "a", "b"]);
  });

  test(
    "a group's tally another program wrote is refused (65) and left as it is",
    async (db, url) => {
      const tallies = ['{"kind":"parallel","continueOnFailure":false,"done":"1","parts":2}', "x"];
      for (const [i, tally] of tallies.entries()) {
        const queue = `t${i}`;
        const { ref, stored } = await groupWrittenOver(db, queue, "progress", tally);
        await assert.rejects(getJob(db, ref), ForeignDataError);
        const shown = await show(db, url, ref);
        assert.equal(shown.code, 65, shown.stderr);
        assert.equal(
          shown.stderr,
          `coord: queue "${queue}": a job holds ${JSON.stringify(tally.slice(0, 60))} — another ` +
            `program wrote there; remove it or use another --namespace\n`,
        );
        const { job } = await claimJob(db.queue, queue, { worker: "w", leaseMs: 60_000 });
        const ran = { outcome: "completed" as const, result: 2 };
        await assert.rejects(
          db.queue.finish(queue, { id: job!.id, worker: "w", attempt: 1, ...ran }),
          ForeignDataError,
        );
        assert.deepEqual(await groupRow(db, queue, "g"), stored, "the tally is left as it was");
      }
    },
  );

  test("a part's end that gathers its group's parts refuses (65) a record of them that is not JSON, counting nothing", async (db) => {
    const { stored } = await groupWrittenOver(db, "j", "grp", "junk");
    const { job } = await claimJob(db.queue, "j", { worker: "w", leaseMs: 60_000 });
    const ran = { outcome: "completed" as const, result: 2 };
    // In the words every backend has for an unreadable job (SQLite named the row and column).
    await assert.rejects(
      db.queue.finish("j", { id: job!.id, worker: "w", attempt: 1, ...ran }),
      (e) =>
        e instanceof ForeignDataError && e.exitCode === 65 &&
        e.message.startsWith('queue "j": a job holds "junk" — another program wrote there'),
    );
    assert.deepEqual(await groupRow(db, "j", "g"), stored, "the tally is left as it was");
    assert.equal((await getJob(db, `j/${job!.id}`)).state, "active", "the end is not recorded");
  });

  test(
    "a group's record that is JSON null or an array, beside its tally, is refused (65) as it is",
    async (db, url) => {
      for (const [i, grp] of ["null", "[1,2]"].entries()) {
        const queue = `r${i}`;
        const { ref, stored } = await groupWrittenOver(db, queue, "grp", grp);
        assert.notEqual(stored.progress, null, "a tally beside it");
        await assert.rejects(getJob(db, ref), ForeignDataError);
        const shown = await show(db, url, ref);
        assert.equal(shown.code, 65, shown.stderr);
        assert.deepEqual(await groupRow(db, queue, "g"), stored);
      }
    },
  );
}
