/**
 * The job queue on Postgres under what only Postgres does: a server restart mid-run, a
 * connection killed in the middle of a step, and many workers claiming at once, one job or a
 * batch a step.
 */

import { claimJob } from "../lib/queue/claim_job.ts";
import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import type { Backend } from "../lib/backend/types.ts";
import { BackendUnavailableError } from "../lib/errors.ts";
import { schemaIdentifier } from "../lib/backend/postgres/sql_store.ts";
import { putFlow } from "../lib/queue/flow.ts";
import { getJob, queueCounts } from "../lib/queue/queue.ts";
import { listJobs } from "../lib/queue/list.ts";
import { configureQueue, removeQueue } from "../lib/queue/retention.ts";
import type { JobRecord } from "../lib/queue/steps.ts";
import { putJobs } from "../lib/queue/bulk.ts";
import { work } from "../lib/queue/worker.ts";
import { freshNamespace } from "./support/backends.ts";
import { loseJob } from "./support/queue.ts";
import { postgresBinDir, startPostgres } from "./support/postgres_server.ts";
import { sharedPostgresUrl } from "./support/postgres_shared.ts";
import { openClient } from "./support/postgres_client.ts";
import { RowHolder } from "./support/postgres_row_holder.ts";
import { guarded } from "./support/wait.ts";
import { restartMidRun } from "./support/queue_restart.ts";

const sharedUrl = await sharedPostgresUrl();

/**
 * Whether the server at `url` makes a database whose collation is ICU's: one built without ICU
 * has no ICU collation and refuses `CREATE DATABASE … LOCALE_PROVIDER icu`, as does one before
 * PostgreSQL 15, which a test of coord under such a collation then cannot ask of it.
 */
async function makesIcuDatabases(url: string): Promise<boolean> {
  const client = await openClient(url);
  try {
    const { rows } = await client.query(
      `SELECT current_setting('server_version_num')::int >= 150000
       AND EXISTS (SELECT 1 FROM pg_collation WHERE collprovider = 'i') AS icu`,
    );
    return rows[0].icu === true;
  } finally {
    await client.end();
  }
}

Deno.test({
  name: "restarting Postgres mid-run loses no acknowledged job",
  ignore: postgresBinDir() === undefined,
  async fn() {
    const server = await startPostgres();
    try {
      // Postgres answers a put once it is committed: those put just before must run too.
      await restartMidRun(server, { putJustBefore: 20 });
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "a connection killed in the middle of a queue step leaves no part of the step",
  ignore: sharedUrl === undefined,
  async fn() {
    const namespace = freshNamespace();
    await using backend = await connect({ url: sharedUrl, namespace, env: {} });
    await putFlow(backend, "half", { serial: [{ handler: "a" }, { handler: "b" }] }, { id: "s" });
    const { job } = await claimJob(backend.queue, "half", { worker: "w", leaseMs: 60_000 });
    assert.equal(job?.id, "s.0");
    const finishFirst = () =>
      backend.queue.finish("half", {
        id: "s.0",
        worker: "w",
        attempt: 1,
        outcome: "completed",
        result: "one",
      });

    {
      // Holding the flow's row stops the part's finish after it ended the part, where it moves
      // the flow on: in the middle of its transaction.
      await using holder = await RowHolder.open(
        sharedUrl!,
        `SELECT 1 FROM ${schemaIdentifier(namespace)}.coord_queue_job
         WHERE queue = 'half' AND id = 's' FOR UPDATE`,
      );
      // Its rejection can arrive before pg_terminate_backend's reply: expect it from the start.
      const finished = assert.rejects(finishFirst(), BackendUnavailableError);
      await holder.kill(await holder.blocked());
      await finished;
      await holder.release();
    }

    const states = async () =>
      await Promise.all(
        ["s", "s.0", "s.1"].map(async (id) => (await getJob(backend, `half/${id}`)).state),
      );
    assert.deepEqual(await states(), ["waiting", "active", "waiting"], "nothing of the finish");
    assert.equal((await getJob(backend, "half/s")).group?.done, 0);
    assert.equal(await finishFirst(), true, "the same attempt finishes it afterwards");
    assert.deepEqual(await states(), ["waiting", "completed", "pending"]);
  },
});

Deno.test({
  name: "two parts of a deleted group ending at once: the second step finds the group the first " +
    "failed, and records its part's end",
  ignore: sharedUrl === undefined,
  async fn() {
    const namespace = freshNamespace();
    await using backend = await connect({ url: sharedUrl, namespace, env: {} });
    await putFlow(backend, "dd", { parallel: [{ parallel: [{ handler: "a" }] }] }, { id: "p" });
    assert.equal(
      (await claimJob(backend.queue, "dd", { worker: "w", leaseMs: 60_000 })).job?.id,
      "p.0.0",
    );
    await loseJob(backend, "dd", "p.0");
    {
      // The other step, which wrote the deleted group's row as it failed it and has not ended.
      await using holder = await RowHolder.open(
        sharedUrl!,
        `INSERT INTO ${schemaIdentifier(namespace)}.coord_queue_job (namespace, queue, id, state,
         ready_at, attempts, stalls, spec, created_at, finished_at, parent, error)
         VALUES ('${namespace}', 'dd', 'p.0', 'failed', 0, 0, 0, '{}', 0, 0, 'p', 'deleted')`,
      );
      const finished = backend.queue.finish("dd", {
        id: "p.0.0",
        worker: "w",
        attempt: 1,
        outcome: "completed",
        result: 1,
      });
      await holder.blocked();
      await holder.client.query("COMMIT");
      assert.equal(await finished, true);
    }
    assert.equal((await getJob(backend, "dd/p.0.0")).state, "completed");
    assert.equal((await getJob(backend, "dd/p.0")).error, "deleted");
  },
});

Deno.test({
  name: "cancelling a flow while its part finishes: the steps' deadlock is retried, both succeed",
  ignore: sharedUrl === undefined,
  async fn() {
    const namespace = freshNamespace();
    await using backend = await connect({ url: sharedUrl, namespace, env: {} });
    await putFlow(backend, "dl", { parallel: [{ handler: "a" }, { handler: "b" }] }, { id: "p" });
    const { job } = await claimJob(backend.queue, "dl", { worker: "w", leaseMs: 60_000 });
    assert.ok(job);
    {
      // Holding the flow's row lines the two steps up behind it: the cancel first (it locks
      // the flow, then its parts), then the part's finish (it locks the part, then the flow):
      // once the row is free, each holds what the other waits for.
      await using holder = await RowHolder.open(
        sharedUrl!,
        `SELECT 1 FROM ${schemaIdentifier(namespace)}.coord_queue_job
         WHERE queue = 'dl' AND id = 'p' FOR UPDATE`,
      );
      const cancelled = backend.queue.cancel("dl", "p");
      const cancelling = await holder.blocked();
      const finished = backend.queue.finish("dl", {
        id: job.id,
        worker: "w",
        attempt: 1,
        outcome: "completed",
        result: 1,
      });
      // The finish waits for the cancel, first in line for the flow's row.
      await holder.blocked(cancelling);
      await holder.release();
      assert.equal((await cancelled)?.cancelled, true);
      assert.equal(await finished, true);
    }
    const states = await Promise.all(
      ["p", "p.0", "p.1"].map(async (id) => (await getJob(backend, `dl/${id}`)).state),
    );
    assert.equal(states[0], "cancelled");
    assert.deepEqual(states.slice(1).sort(), ["cancelled", "completed"]);
  },
});

Deno.test({
  name: "cancelling a started group locks none of its parts: it waits for no part's finish",
  ignore: sharedUrl === undefined,
  async fn() {
    const namespace = freshNamespace();
    await using backend = await connect({ url: sharedUrl, namespace, env: {} });
    const flow = { serial: [{ serial: [{ handler: "a" }, { handler: "b" }] }, { handler: "c" }] };
    await putFlow(backend, "st", flow, { id: "s" });
    const { job } = await claimJob(backend.queue, "st", { worker: "w", leaseMs: 60_000 });
    assert.equal(job?.id, "s.0.0");
    // A worker finishing the group's first part holds its row, then asks for the group's: the
    // cancel, holding the group's, locked the part to see whether the group had started (a
    // deadlock Postgres broke after a second, again and again while both retried).
    await using holder = await RowHolder.open(
      sharedUrl!,
      `SELECT 1 FROM ${schemaIdentifier(namespace)}.coord_queue_job
       WHERE queue = 'st' AND id = 's.0.0' FOR UPDATE`,
    );
    const cancelled = await guarded(backend.queue.cancel("st", "s.0"), "the group's cancel");
    assert.equal(cancelled?.cancelled, true);
    await holder.release();
  },
});

Deno.test({
  name: "20 workers in 2 processes claim 1,000 jobs on Postgres; none runs twice",
  ignore: sharedUrl === undefined,
  async fn() {
    const namespace = freshNamespace();
    const dir = await Deno.makeTempDir();
    const jobs = 1_000;
    const backends: Backend[] = [];
    try {
      const open = async () => {
        const b = await connect({ url: sharedUrl, namespace, env: {}, connectTimeoutMs: 30_000 });
        backends.push(b);
        return b;
      };
      const backend = await open();
      await putJobs(
        backend,
        "crowd",
        Array.from({ length: jobs }, (_, i) => ({ handler: "run", args: i, id: `j${i}` })),
      );
      // 10 workers in another process, each with its own connections…
      const log = `${dir}/log`;
      await Deno.writeTextFile(log, "");
      await Deno.writeTextFile(
        `${dir}/workers.ts`,
        `import { connect } from ${
          JSON.stringify(new URL("../lib/backend/connect.ts", import.meta.url).href)
        };
import { work } from ${JSON.stringify(new URL("../lib/queue/worker.ts", import.meta.url).href)};
await Promise.all(Array.from({ length: 10 }, async (_, w) => {
  await using backend = await connect({ url: ${JSON.stringify(sharedUrl)},
    namespace: ${JSON.stringify(namespace)}, env: {}, connectTimeoutMs: 30_000 });
  await work(backend, ["crowd"], {
    handlers: {
      run: (n) => Deno.writeTextFileSync(${JSON.stringify(log)}, n + "\\n", { append: true }),
    },
    worker: "other" + w, drain: true, concurrency: 1,
  });
}));
`,
      );
      const other = new Deno.Command(Deno.execPath(), {
        // The project's import map resolves the backend's npm packages.
        args: [
          "run",
          "-A",
          "--quiet",
          "--config",
          new URL("../deno.json", import.meta.url).pathname,
          `${dir}/workers.ts`,
        ],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // …and 10 here.
      const runs = new Map<number, number>();
      await Promise.all(Array.from({ length: 10 }, async (_, w) => {
        await work(await open(), ["crowd"], {
          handlers: { run: (n) => void runs.set(n as number, (runs.get(n as number) ?? 0) + 1) },
          worker: `here${w}`,
          drain: true,
          concurrency: 1,
        });
      }));
      const { code, stderr } = await other.output();
      assert.equal(code, 0, new TextDecoder().decode(stderr));
      for (const n of (await Deno.readTextFile(log)).trim().split("\n").map(Number)) {
        runs.set(n, (runs.get(n) ?? 0) + 1);
      }
      assert.equal(runs.size, jobs, "every job ran");
      assert.deepEqual([...runs.values()].filter((count) => count > 1), [], "none twice");
      const [counts] = await queueCounts(backend, ["crowd"]);
      assert.deepEqual([counts.completed, counts.failed, counts.pending], [jobs, 0, 0]);
      const claimedTwice = [];
      for (let i = 0; i < jobs; i++) {
        const job = await getJob(backend, `crowd/j${i}`);
        if (job.attempts !== 1) claimedTwice.push(`${job.id}: ${job.attempts}`);
      }
      assert.deepEqual(claimedTwice, [], "every job claimed once");
    } finally {
      await Promise.all(backends.map((b) => b.close()));
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/**
 * Runs `claimers` loops at once, spread over `backends`, each recording the jobs its last step
 * took as completed and taking up to `claims` more in the same step, until the queue has nothing
 * pending; `observe` runs after each step. The jobs each step took, in the order taken.
 */
async function batchClaimers(
  backends: Backend[],
  queue: string,
  { claimers, claims, observe }: {
    claimers: number;
    claims: number;
    observe?: (backend: Backend) => Promise<void>;
  },
): Promise<JobRecord[]> {
  const taken: JobRecord[] = [];
  // A hang guard only: the claimers take a few seconds.
  const giveUpAt = performance.now() + 60_000;
  await Promise.all(Array.from({ length: claimers }, async (_, c) => {
    const backend = backends[c % backends.length];
    const worker = `w${c}`;
    let held: JobRecord[] = [];
    do {
      const step = await backend.queue.finishAndClaim(queue, {
        finishes: held.map((job) => ({
          id: job.id,
          worker,
          attempt: job.attempts,
          outcome: "completed" as const,
          result: job.id,
        })),
        worker,
        leaseMs: 60_000,
        claims,
      });
      assert.deepEqual(step.recorded, held.map(() => true), `${worker}'s runs are its own`);
      held = step.jobs;
      taken.push(...held);
      await observe?.(backend);
      if (performance.now() > giveUpAt) throw new Error(`${worker}: jobs left after 60 s`);
      // Another claimer holds what is left (or its group's slots): its step ends it.
    } while (held.length > 0 || (await queueCounts(backend, [queue]))[0].pending > 0);
  }));
  return taken;
}

Deno.test({
  name: "20 batch claimers at once on Postgres never take one job twice",
  ignore: sharedUrl === undefined,
  async fn() {
    const namespace = freshNamespace();
    const open = () => connect({ url: sharedUrl, namespace, env: {}, connectTimeoutMs: 30_000 });
    // Two processes' pools: 20 steps at once.
    await using first = await open();
    await using second = await open();
    const jobs = 600;
    await putJobs(
      first,
      "crowd",
      Array.from({ length: jobs }, (_, i) => ({ handler: "h", args: i })),
    );
    const taken = await batchClaimers([first, second], "crowd", { claimers: 20, claims: 7 });
    const times = new Map<string, number>();
    for (const job of taken) times.set(job.id, (times.get(job.id) ?? 0) + 1);
    assert.equal(times.size, jobs, "every job taken");
    assert.deepEqual([...times].filter(([, n]) => n > 1), [], "none twice");
    assert.ok(taken.every((job) => job.attempts === 1 && job.state === "active"));
    assert.ok(new Set(taken.map((job) => job.worker)).size > 1, "the claimers took turns");
    const [counts] = await queueCounts(first, ["crowd"]);
    assert.deepEqual([counts.completed, counts.active, counts.pending], [jobs, 0, 0]);
  },
});

Deno.test({
  name: "batch claimers at once on Postgres keep each group within its limit",
  ignore: sharedUrl === undefined,
  async fn() {
    const namespace = freshNamespace();
    const open = () => connect({ url: sharedUrl, namespace, env: {}, connectTimeoutMs: 30_000 });
    await using first = await open();
    await using second = await open();
    const limit = 2;
    await configureQueue(first, "g", { groupLimit: limit });
    const groups = ["a", "b", "c"];
    // Each group's jobs one after another, and jobs of no group among them.
    await putJobs(first, "g", [
      ...groups.flatMap((group) =>
        Array.from({ length: 12 }, (_, i) => ({ handler: "h", id: `${group}${i}`, group }))
      ),
      ...Array.from({ length: 12 }, (_, i) => ({ handler: "h", id: `free${i}` })),
    ]);
    let most = 0;
    const taken = await batchClaimers([first, second], "g", {
      claimers: 10,
      claims: 5,
      // Between a claimer's steps the jobs it took run: each group's count is read then.
      observe: async (backend) => {
        const { jobs } = await listJobs(backend, "g", { states: ["active"], limit: 100 });
        for (const group of groups) {
          most = Math.max(most, jobs.filter(({ job }) => job.groupKey === group).length);
        }
      },
    });
    assert.equal(new Set(taken.map((job) => job.id)).size, 48, "every job taken once");
    assert.equal(taken.length, 48);
    assert.ok(most <= limit, `${most} jobs of one group ran at once (limit ${limit})`);
    assert.equal(most, limit, "the groups were busy: the limit was reached");
    const [counts] = await queueCounts(first, ["g"]);
    assert.deepEqual([counts.completed, counts.active, counts.pending], [48, 0, 0]);
  },
});

Deno.test({
  name: "remove --force refuses a queue whose job a claim takes while the removal reads it",
  ignore: sharedUrl === undefined,
  async fn() {
    const namespace = freshNamespace();
    await using backend = await connect({ url: sharedUrl, namespace, env: {} });
    await putJobs(backend, "rm", [{ handler: "h", id: "a" }, { handler: "h", id: "b" }]);
    const job = `${schemaIdentifier(namespace)}.coord_queue_job`;
    // A claim between its row lock (FOR UPDATE SKIP LOCKED) and its commit: the removal begins
    // while the job still reads as pending.
    await using claim = await RowHolder.open(
      sharedUrl!,
      `SELECT 1 FROM ${job} WHERE queue = 'rm' AND id = 'a' FOR UPDATE`,
    );
    const removal = removeQueue(backend, "rm", { force: true });
    await claim.blocked();
    const now = Date.now();
    await claim.client.query(
      `UPDATE ${job} SET state = 'active', attempts = attempts + 1, worker = 'w',
       started_at = $1, lease_until = $2 WHERE queue = 'rm' AND id = 'a'`,
      [now, now + 60_000],
    );
    await claim.client.query("COMMIT");
    // Its worker runs the job: removing it would leave the run's end nowhere to land.
    assert.deepEqual(await removal, { removed: false, jobs: 2, unfinished: 2, running: 1 });
    assert.equal((await getJob(backend, "rm/a")).state, "active");
  },
});

Deno.test({
  name:
    "a deleted group's parts are found under a database whose collation is no byte order, where s.1.1 sorts after s.1/",
  // Skipped without a shared server, or on one that makes no ICU database (makesIcuDatabases).
  ignore: sharedUrl === undefined || !await makesIcuDatabases(sharedUrl),
  async fn() {
    const database = `coord_shifted_${crypto.randomUUID().slice(0, 8)}`;
    const admin = await openClient(sharedUrl!);
    try {
      // Punctuation ignored, as in many a language's collation: a range from "s.1." to "s.1/" in
      // it misses s.1.1.
      await admin.query(
        `CREATE DATABASE ${database} LOCALE_PROVIDER icu ICU_LOCALE 'und-u-ka-shifted'
         TEMPLATE template0`,
      );
      try {
        const url = new URL(sharedUrl!);
        url.pathname = `/${database}`;
        await using backend = await connect({ url: url.href, namespace: "coord", env: {} });
        const shifted = await openClient(url.href);
        try {
          const { rows } = await shifted.query("SELECT 's.1.1' < 's.1/' AS within");
          assert.equal(rows[0].within, false, "the collation sorts s.1.1 after s.1/");
        } finally {
          await shifted.end();
        }
        await putFlow(backend, "c", {
          serial: [{ handler: "h" }, { serial: [{ handler: "h" }, { handler: "h" }] }],
        }, { id: "s" });
        await loseJob(backend, "c", "s.1");
        await loseJob(backend, "c", "s.1.0");
        const { job } = await claimJob(backend.queue, "c", { worker: "w", leaseMs: 60_000 });
        assert.equal(job?.id, "s.0");
        await backend.queue.finish("c", {
          id: "s.0",
          worker: "w",
          attempt: 1,
          outcome: "completed",
          result: 1,
        });
        const part = await getJob(backend, "c/s.1.1");
        assert.deepEqual([part.state, part.error], ["cancelled", "its group s.1 failed"]);
      } finally {
        await admin.query(`DROP DATABASE ${database} WITH (FORCE)`);
      }
    } finally {
      await admin.end();
    }
  },
});
