/**
 * A queue's count of finished jobs (`coord_queue_kept`) another program wrote — text, a
 * fraction, below 0, BIGINT's last value — is refused on both SQL engines where a step reads it,
 * naming the table, the queue and the value, and left as it is: SQLite added to it (text and
 * fractions overwritten), Postgres failed each end of a job on the overflow (a worker retried it
 * for ever; `queue cancel` exited 70), and status, purge and remove went by it or over it. A
 * draining worker that meets it while it runs leaves the queue, drains the others and ends.
 */

import assert from "node:assert/strict";
import { claimJob } from "../lib/queue/claim_job.ts";
import { putJob } from "../lib/queue/queue.ts";
import { ForeignDataError } from "../lib/errors.ts";
import type { Backend } from "../lib/backend/types.ts";
import { conformance, envOf } from "./support/backends.ts";
import { runCoord, spawnCoord } from "./support/cli.ts";
import { runSql, sqlRows } from "./support/sql.ts";
import { wordBesideGoodRun } from "./support/worker_word.ts";
import { guarded, until } from "./support/wait.ts";

/** Values coord never counts: SQLite keeps any, Postgres whole numbers only. */
function foreignCounts(backend: Backend): (string | number)[] {
  const bigintEnd = "9223372036854775807";
  return backend.kind === "sqlite" ? ["x", 1.5, -3, bigintEnd] : [-3, bigintEnd];
}

/** The queue's counts and jobs as stored, counts as text (SQLite's 2^63 − 1 is no number). */
async function stored(backend: Backend, queue: string): Promise<string> {
  const where = "WHERE namespace = ? AND queue = ?";
  return JSON.stringify([
    await sqlRows(
      backend,
      `SELECT state, CAST(n AS TEXT) AS n FROM coord_queue_kept ${where} ORDER BY state`,
      backend.namespace,
      queue,
    ),
    await sqlRows(
      backend,
      `SELECT id, state, attempts, worker FROM coord_queue_job ${where} ORDER BY id`,
      backend.namespace,
      queue,
    ),
  ]);
}

conformance(
  "a queue's count of finished jobs another program wrote is refused (65) by a run's end, a " +
    "claim, status, purge, cancel, remove, config and a worker's start, naming it, and left as " +
    "it is; a worker names the queue and runs the others",
  async (ctx) => {
    const backend = await ctx.open();
    const env = envOf(ctx);
    for (const [i, value] of foreignCounts(backend).entries()) {
      const q = `k${i}`;
      for (const id of ["a", "b", "c"]) await putJob(backend, q, { id, handler: "h" });
      for (const id of ["a", "b"]) {
        const { job } = await claimJob(backend.queue, q, { worker: "w", leaseMs: 600_000 });
        assert.equal(job?.id, id);
      }
      const a = { worker: "w", attempt: 1, outcome: "completed" as const, result: null };
      assert.ok(await backend.queue.finish(q, { id: "a", ...a }));
      await runSql(
        backend,
        "UPDATE coord_queue_kept SET n = ? WHERE namespace = ? AND queue = ? AND state = ?",
        value,
        backend.namespace,
        q,
        "completed",
      );
      const before = await stored(backend, q);
      const line = new RegExp(
        `^coord: queue "${q}", state "completed": coord_queue_kept holds a row coord did not ` +
          `write \\(n = "?${String(value).replace(".", "\\.")}"?\\) — another program wrote there`,
      );
      const refused = (e: unknown) => {
        assert.ok(e instanceof ForeignDataError, String(e));
        assert.match(`coord: ${e.message}`, line);
        return true;
      };
      await assert.rejects(backend.queue.finish(q, { id: "b", ...a }), refused);
      await assert.rejects(
        claimJob(backend.queue, q, { worker: "w", leaseMs: 600_000 }),
        refused,
      );
      for (
        const args of [
          ["status", q],
          ["purge", q, "--state", "completed"],
          ["cancel", `${q}/c`],
          ["remove", q, "--force"],
          ["config", q],
          ["work", q, "--allow-commands", "--drain"],
          ["work", q, "--allow-commands"],
        ]
      ) {
        const r = await runCoord(["queue", ...args], { env });
        assert.equal(r.code, 65, `${value}: ${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, line);
        assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      }
      assert.equal(await stored(backend, q), before, `${value}: left as it was`);
    }
    // A worker names the queue, as one whose settings another program wrote, and goes on.
    await putJob(backend, "good", { id: "j", handler: "h" });
    const errors = await wordBesideGoodRun(backend, ["k0", "good"], "h");
    assert.ok(errors[0].startsWith('queue "k0", state "completed": coord_queue_kept'), errors[0]);
    assert.equal((await backend.queue.get("k0", "c"))?.state, "pending", "left alone");
  },
  { skip: ["redis", "cluster", "sentinel"] },
);

conformance(
  "a count an older coord wrote for a state coord does not count (pending: -1) is no one's to refuse",
  async (ctx) => {
    const backend = await ctx.open();
    const env = envOf(ctx);
    // An older coord failing a job it could not read counted the state the job left.
    await runSql(
      backend,
      "INSERT INTO coord_queue_kept (namespace, queue, state, n) VALUES (?, 'old', 'pending', -1)",
      backend.namespace,
    );
    await putJob(backend, "old", { id: "a", handler: "h" });
    const { job } = await claimJob(backend.queue, "old", { worker: "w", leaseMs: 600_000 });
    assert.equal(job?.id, "a");
    const done = { worker: "w", attempt: 1, outcome: "completed" as const, result: null };
    assert.ok(await backend.queue.finish("old", { id: "a", ...done }));
    for (const args of [["status", "old"], ["purge", "old", "--state", "completed"]]) {
      const r = await runCoord(["queue", ...args], { env });
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    }
  },
  { skip: ["redis", "cluster", "sentinel"] },
);

conformance(
  "a draining worker whose queue's count of finished jobs another program writes while a job " +
    "runs leaves that queue, drains the other and ends (65), naming the queue once; the count " +
    "is left as it is",
  async (ctx) => {
    const backend = await ctx.open();
    const dir = await Deno.makeTempDir();
    try {
      // Each of these jobs runs until the test writes to its fifo.
      const fifo = async (name: string) => {
        const path = `${dir}/${name}`;
        const made = await new Deno.Command("mkfifo", { args: [path] }).output();
        assert.ok(made.success, new TextDecoder().decode(made.stderr));
        return path;
      };
      const release = (path: string) =>
        guarded(Deno.writeTextFile(path, "go\n"), `the reader of ${path}`);
      const state = async (queue: string, id: string, wanted: string) =>
        await until(async () => (await backend.queue.get(queue, id))?.state === wanted, {
          what: `${queue}/${id} ${wanted}`,
        });
      const [held, other] = [await fifo("held"), await fifo("other")];
      await putJob(backend, "q", { id: "a", command: ["true"] });
      await putJob(backend, "q", { id: "b", command: ["cat", held] });
      await using worker = spawnCoord(
        ["queue", "work", "q", "other", "--allow-commands", "--drain", "--concurrency", "2"],
        { env: envOf(ctx) },
      );
      await state("q", "a", "completed");
      await state("q", "b", "active");
      // The other queue's jobs: one in the free slot, one waiting for a slot b's end frees.
      await putJob(backend, "other", { id: "c", command: ["cat", other] });
      await state("other", "c", "active");
      await putJob(backend, "other", { id: "d", command: ["true"] });
      await runSql(
        backend,
        "UPDATE coord_queue_kept SET n = -3 WHERE namespace = ? AND queue = 'q' AND state = ?",
        backend.namespace,
        "completed",
      );
      const before = await stored(backend, "q");
      await release(held);
      await state("other", "d", "completed");
      await release(other);
      const r = await guarded(worker.result, "the worker's end");
      assert.equal(r.code, 65, r.stderr);
      assert.match(
        r.stderr,
        /^coord: queue "q", state "completed": coord_queue_kept holds a row coord did not write \(n = -3\) — another program wrote there; [^\n]*\n$/,
      );
      assert.equal((await backend.queue.get("other", "c"))?.state, "completed");
      assert.equal(await stored(backend, "q"), before, "left as it was");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  { skip: ["redis", "cluster", "sentinel"] },
);
