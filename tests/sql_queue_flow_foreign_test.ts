/**
 * A flow's part that a claim fails on its own (abandoned too often, unreadable) under a group
 * row another program wrote, on both SQL engines: the flow's end is refused there, as coord's
 * flow steps refuse it (65), so the part fails alone, its flow left as it is, and the queue goes
 * on, as on Redis (redis_queue_flow_foreign_test.ts). Refused with the claim, the part stayed
 * running, its lease lapsed, and every later claim of its queue met it and was refused.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import type { Backend } from "../lib/backend/types.ts";
import { claimJob } from "../lib/queue/claim_job.ts";
import { putFlow } from "../lib/queue/flow.ts";
import { cancelJob, getJob, putJob, queueCounts } from "../lib/queue/queue.ts";
import { DELETED_JOB, foreignJob } from "../lib/queue/record.ts";
import { MAX_STALLS } from "../lib/queue/steps.ts";
import { BACKENDS, freshNamespace } from "./support/backends.ts";
import { spawnCoord } from "./support/cli.ts";
import { overwriteJob } from "./support/queue.ts";
import { recordTrips } from "./support/postgres_trips.ts";
import { runSql, sqlRows, sqlValue } from "./support/sql.ts";
import { tempDir } from "./support/temp.ts";
import { guarded, until } from "./support/wait.ts";

/**
 * Not a tally coord writes: the group row's `progress` as another program wrote it, which
 * coord's flow steps refuse (65; see flow_tally.ts).
 */
const FOREIGN = "another program's";

/** The refusal told of a part failed alone, whose group's tally in `queue` is {@link FOREIGN}. */
function refusalIn(queue: string): RegExp {
  return new RegExp(`queue "${queue}": a job holds "${FOREIGN}" — another program wrote there`);
}

/** Column `column` of group `g`'s row, as stored. */
function storedColumn(backend: Backend, queue: string, column: string): Promise<unknown> {
  return sqlValue(
    backend,
    `SELECT ${column} FROM coord_queue_job WHERE namespace = ? AND queue = ? AND id = 'g'`,
    backend.namespace,
    queue,
  );
}

/** The tally of group `g`, as stored. */
function storedTally(backend: Backend, queue: string): Promise<unknown> {
  return storedColumn(backend, queue, "progress");
}

/** The state of group `g`, as stored. */
function storedState(backend: Backend, queue: string): Promise<unknown> {
  return storedColumn(backend, queue, "state");
}

/** Puts flow `g` of `parts` in `queue`, and writes over its group row's tally. */
async function putForeignGroup(backend: Backend, queue: string, parts: string[]): Promise<void> {
  await putFlow(backend, queue, { parallel: parts.map((handler) => ({ handler })) }, { id: "g" });
  await runSql(
    backend,
    "UPDATE coord_queue_job SET progress = ? WHERE namespace = ? AND queue = ? AND id = 'g'",
    FOREIGN,
    backend.namespace,
    queue,
  );
}

/**
 * Claims the next job of `queue`, part `id` whose spec another program wrote over, and fails it
 * as unreadable, as the worker the claim hands it to does. Resolves with the refusal its flow's
 * end met, if any (the part then failed alone).
 */
async function failUnreadable(
  backend: Backend,
  queue: string,
  id: string,
): Promise<string | undefined> {
  const met = await claimJob(backend.queue, queue, { worker: "w", leaseMs: 60_000 });
  assert.equal(met.undecodable?.id, id);
  const failed = await backend.queue.failUndecodable(queue, {
    ...met.undecodable!,
    worker: "w",
    error: "cannot be read",
  });
  return (failed as { flowRefused?: string }).flowRefused;
}

/** The lease of the parts the test of one call's ends claims: short, for it to lapse. */
const SHORT_LEASE = { worker: "w", leaseMs: 300 };

/**
 * Puts flow g of two parts in queue n, writes over its tally, and has both parts abandoned
 * {@link MAX_STALLS} times (their leases lapse with no end); the last claim also takes y, whose
 * run ended. Resolves once their leases lapsed, with x put: {@link LAST_CALL} meets them again.
 */
async function abandonTwoParts(backend: Backend): Promise<void> {
  await putForeignGroup(backend, "n", ["one", "one"]);
  const claim = async (claims: number) => {
    const { jobs } = await backend.queue.finishAndClaim("n", {
      ...SHORT_LEASE,
      finishes: [],
      claims,
    });
    return { jobs, lapsed: await backend.now() + SHORT_LEASE.leaseMs };
  };
  let { lapsed } = await claim(2);
  for (let stalls = 1; stalls <= MAX_STALLS; stalls++) {
    await until(async () => await backend.now() > lapsed, { what: "the leases to lapse" });
    const last = stalls === MAX_STALLS;
    if (last) await putJob(backend, "n", { handler: "one", id: "y" });
    const taken = await claim(last ? 3 : 2);
    assert.deepEqual(
      taken.jobs.map((job) => `${job.id} ${job.stalls}`).sort(),
      [`g.0 ${stalls}`, `g.1 ${stalls}`, ...(last ? ["y 0"] : [])],
    );
    lapsed = taken.lapsed;
  }
  await putJob(backend, "n", { handler: "one", id: "x" });
  await until(async () => await backend.now() > lapsed, { what: "the last leases to lapse" });
}

/** The call after {@link abandonTwoParts}: y's end, and a claim, which meets the parts again. */
const LAST_CALL = {
  ...SHORT_LEASE,
  finishes: [{ id: "y", worker: "w", attempt: 1, outcome: "completed" as const, result: 1 }],
  claims: 1,
};

/**
 * Puts flow g in queue u, serial [g.0, g.1 of two parallel parts], writes over g.1's record of
 * its parts (`grp`) and over g.0's spec, and fails g.0 as unreadable when a claim meets it. Its
 * end fails g, a top job counted in `coord_queue_kept`, and g's abandoning its parts meets
 * g.1's row: what failing g wrote goes back, and g.0 fails alone. Resolves with the refusal
 * told, and the queue's kept counts before the call and after it.
 */
async function failBesideForeignPart(backend: Backend) {
  const kept = () =>
    sqlRows(
      backend,
      "SELECT state, n FROM coord_queue_kept WHERE namespace = ? AND queue = 'u' ORDER BY state",
      backend.namespace,
    );
  await putFlow(backend, "u", {
    serial: [{ handler: "one" }, { parallel: [{ handler: "one" }, { handler: "one" }] }],
  }, { id: "g" });
  await runSql(
    backend,
    "UPDATE coord_queue_job SET grp = ? WHERE namespace = ? AND queue = 'u' AND id = 'g.1'",
    FOREIGN,
    backend.namespace,
  );
  await overwriteJob(backend, "u", "g.0", "spec", FOREIGN);
  const before = await kept();
  const refused = await failUnreadable(backend, "u", "g.0");
  return { refused, before, after: await kept() };
}

for (const target of BACKENDS.filter((b) => b.label === "sqlite" || b.label === "postgres")) {
  Deno.test({
    name: `a flow's part abandoned too often (its workers SIGKILLed) whose group another ` +
      `program wrote over fails alone, its worker says so in one line, and the queue goes on ` +
      `(${target.label})`,
    ignore: !target.available,
    async fn() {
      await using stored = await target.use();
      const namespace = freshNamespace();
      await using backend = await connect({ url: stored.url, namespace, env: {} });
      await using temp = await tempDir("coord-test-");
      const module = `${temp.path}/h.ts`;
      await Deno.writeTextFile(
        module,
        `export function hang() {
  console.error("hanging");
  return new Promise(() => {});
}
export function one() {
  return 1;
}\n`,
      );
      await putForeignGroup(backend, "n", ["hang"]);
      const work = (...flags: string[]) =>
        spawnCoord([
          "queue",
          "work",
          "n",
          "--module",
          module,
          "--lease",
          "0.3",
          "--url",
          stored.url,
          "--namespace",
          namespace,
          ...flags,
        ]);
      // Each worker dies running it; the next claim after its lease takes it back, until it has
      // been abandoned MAX_STALLS times.
      for (let run = 0; run <= MAX_STALLS; run++) {
        await using worker = work();
        await guarded(worker.stderrLine(/^hanging$/), `run ${run + 1} of g.0`);
        worker.kill("SIGKILL");
        await worker.result;
      }
      await putJob(backend, "n", { handler: "one", id: "x" });
      await using last = work("--drain");
      const { code, stderr } = await guarded(last.result, "end of the draining worker");
      assert.equal(code, 0, stderr);
      const lines = stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, stderr);
      assert.match(
        lines[0],
        /^coord: n\/g\.0 failed \(attempt \d+\): abandoned \d+ times by workers that stopped answering; it failed alone, its flow left as it is: /,
      );
      assert.match(lines[0], refusalIn("n"));
      assert.deepEqual(
        [(await getJob(backend, "n/g.0")).state, (await getJob(backend, "n/x")).state],
        ["failed", "completed"],
      );
      assert.equal(await storedTally(backend, "n"), FOREIGN);
    },
  });

  Deno.test({
    name: `a flow's part failed as unreadable whose group another program wrote over fails ` +
      `alone, its group left as it is, and the queue goes on (${target.label})`,
    ignore: !target.available,
    async fn() {
      await using stored = await target.use();
      await using backend = await connect({
        url: stored.url,
        namespace: freshNamespace(),
        env: {},
      });
      await putForeignGroup(backend, "u", ["one", "one"]);
      // g.1's row is coord's, its spec not: the claim that takes it hands it back to fail.
      await overwriteJob(backend, "u", "g.1", "spec", FOREIGN);
      const lease = { worker: "w", leaseMs: 60_000 };
      assert.equal((await claimJob(backend.queue, "u", lease)).job?.id, "g.0");
      assert.match(await failUnreadable(backend, "u", "g.1") ?? "", refusalIn("u"));
      assert.deepEqual(
        [(await getJob(backend, "u/g.1")).state, await storedTally(backend, "u")],
        ["failed", FOREIGN],
      );
      await putJob(backend, "u", { handler: "other", id: "x" });
      assert.equal((await claimJob(backend.queue, "u", lease)).job?.id, "x");
    },
  });

  Deno.test({
    name: `two parts abandoned too often whose group another program wrote over fail alone in ` +
      `a call that also finishes a job and claims another: its end is recorded once, the job ` +
      `leased once, the flow left as it is (${target.label})`,
    ignore: !target.available,
    async fn() {
      await using stored = await target.use();
      await using backend = await connect({
        url: stored.url,
        namespace: freshNamespace(),
        env: {},
      });
      await abandonTwoParts(backend);
      const step = await backend.queue.finishAndClaim("n", LAST_CALL);
      assert.deepEqual(step.recorded, [true]);
      assert.deepEqual(step.jobs.map((job) => job.id), ["x"]);
      assert.deepEqual(step.failed?.map((failed) => failed.id).sort(), ["g.0", "g.1"]);
      for (const failed of step.failed ?? []) {
        assert.match(failed.error, /^abandoned \d+ times by workers that stopped answering$/);
        assert.match(failed.flowRefused ?? "", refusalIn("n"));
      }
      const states = [];
      for (const id of ["g.0", "g.1", "y", "x"]) {
        states.push((await getJob(backend, `n/${id}`)).state);
      }
      assert.deepEqual(states, ["failed", "failed", "completed", "active"]);
      assert.equal((await getJob(backend, "n/x")).attempts, 1);
      const [counts] = await queueCounts(backend, ["n"]);
      assert.equal(counts.completed, 1);
      // The group's record cannot be read (its tally is not coord's): its row, as stored.
      assert.deepEqual([await storedState(backend, "n"), await storedTally(backend, "n")], [
        "waiting",
        FOREIGN,
      ]);
    },
  });

  Deno.test({
    name: `a flow left as it is under a part failed alone moves on as README says: its row ` +
      `deleted and the group right under it cancelled, it fails, its other parts cancelled ` +
      `(${target.label})`,
    ignore: !target.available,
    async fn() {
      await using stored = await target.use();
      await using backend = await connect({
        url: stored.url,
        namespace: freshNamespace(),
        env: {},
      });
      // f.0.0's end ends f.0, whose end f's tally (another program's) refuses: it fails alone.
      await putFlow(backend, "m", {
        serial: [{ parallel: [{ handler: "one" }] }, {
          handler: "one",
        }],
      }, { id: "f" });
      await runSql(
        backend,
        "UPDATE coord_queue_job SET progress = ? WHERE namespace = ? AND queue = ? AND id = 'f'",
        FOREIGN,
        backend.namespace,
        "m",
      );
      await overwriteJob(backend, "m", "f.0.0", "spec", FOREIGN);
      assert.match(await failUnreadable(backend, "m", "f.0.0") ?? "", refusalIn("m"));
      await runSql(
        backend,
        "DELETE FROM coord_queue_job WHERE namespace = ? AND queue = ? AND id = 'f'",
        backend.namespace,
        "m",
      );
      assert.equal((await cancelJob(backend, "m/f.0")).cancelled, true);
      const [flow, later] = [await getJob(backend, "m/f"), await getJob(backend, "m/f.1")];
      assert.deepEqual(
        [flow.state, flow.error, later.state, later.error],
        ["failed", DELETED_JOB, "cancelled", "its group f failed"],
      );
      const [counts] = await queueCounts(backend, ["m"]);
      assert.deepEqual([counts.waiting, counts.pending, counts.active], [0, 0, 0]);
    },
  });
  Deno.test({
    name: `a part failed alone whose flow's end met another program's part leaves its flow and ` +
      `the queue's kept counts as they were (${target.label})`,
    ignore: !target.available,
    async fn() {
      await using stored = await target.use();
      await using backend = await connect({
        url: stored.url,
        namespace: freshNamespace(),
        env: {},
      });
      const { refused, before, after } = await failBesideForeignPart(backend);
      assert.notEqual(refused, undefined);
      const states = [];
      for (const id of ["g", "g.1"]) {
        states.push(
          await sqlValue(
            backend,
            "SELECT state FROM coord_queue_job WHERE namespace = ? AND queue = 'u' AND id = ?",
            backend.namespace,
            id,
          ),
        );
      }
      states.push((await getJob(backend, "u/g.0")).state);
      assert.deepEqual(states, ["waiting", "waiting", "failed"]);
      // Failing g counted it failed and finished; undone, so are the counts.
      assert.deepEqual(after, before);
    },
  });

  Deno.test({
    name: `the refusal a part failed alone tells quotes what another program wrote as it is ` +
      `stored, not as the step's undone change left it (${target.label})`,
    ignore: !target.available,
    async fn() {
      await using stored = await target.use();
      await using backend = await connect({
        url: stored.url,
        namespace: freshNamespace(),
        env: {},
      });
      const { refused } = await failBesideForeignPart(backend);
      // In one wording on both engines: SQLite's check of the rows it reads named the column.
      assert.equal(refused, foreignJob("u", FOREIGN));
    },
  });
}

const postgres = BACKENDS.find((b) => b.label === "postgres")!;

Deno.test({
  name: "the call that fails two parts alone is one transaction on Postgres: each part's flow " +
    "is given up inside it (a savepoint), not by making the step again",
  ignore: !postgres.available,
  async fn() {
    await using stored = await postgres.use();
    await using recorder = recordTrips(stored.url);
    await using backend = await connect({
      url: recorder.url,
      namespace: freshNamespace(),
      env: {},
    });
    await abandonTwoParts(backend);
    recorder.trips.length = 0;
    const step = await backend.queue.finishAndClaim("n", LAST_CALL);
    assert.deepEqual(step.failed?.map((failed) => failed.flowRefused !== undefined), [true, true]);
    const begun = recorder.trips.filter((sql) => /\bBEGIN\b/.test(sql));
    assert.equal(begun.length, 1, recorder.trips.join("\n"));
  },
});
