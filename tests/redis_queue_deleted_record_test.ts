/**
 * A job whose record another program deleted on Redis while its id stayed in one of the queue's
 * orders (a finished list, the run order): coord's own steps never leave one, SQL cannot (a job
 * is its row). The queue is still a queue to `status`, `purge` and `work`, `list` names the job
 * and the way out (65), `coord doctor` names it too, and a purge takes it out of its state's count.
 */

import assert from "node:assert/strict";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";
import { putFlow } from "../lib/queue/flow.ts";
import { putJob, queueCounts } from "../lib/queue/queue.ts";
import { work } from "../lib/queue/worker.ts";
import { onRedis } from "./support/backends.ts";
import { runCoord } from "./support/cli.ts";
import { HANG_GUARD_MS } from "./support/wait.ts";

/** Deletes the whole hash of `queue`'s records: the queue's last record, deleted, takes it. */
async function deleteRecords(backend: RedisBackend, queue: string) {
  const key = backend.key("queue", queue, "jobs");
  await backend.conn.send(key, ["DEL", key]);
}

/** `coord doctor --json` on `backend`: its exit code, its foreign entries and its stderr. */
async function doctor(backend: RedisBackend, url: string) {
  const r = await runCoord(["doctor", "--json", "--url", url, "--namespace", backend.namespace]);
  const foreign = r.code === 0 ? JSON.parse(r.stdout).foreign : undefined;
  return {
    code: r.code,
    stderr: r.stderr,
    foreign: foreign as { where: string; problem: string }[],
  };
}

/** `coord queue ARGS… QUEUE` on `backend`. */
function queueCli(backend: RedisBackend, url: string, ...args: string[]) {
  return runCoord(["queue", ...args, "--url", url, "--namespace", backend.namespace]);
}

onRedis(
  "a failed job whose record another program deleted: status counts it, list names it and its way out (65), purge removes it and its count",
  async (backend, url) => {
    await putJob(backend, "gone", { handler: "no" });
    await work(backend, ["gone"], {
      handlers: { no: () => Promise.reject(new Error("no")) },
      drain: true,
      signal: AbortSignal.timeout(HANG_GUARD_MS),
    });
    await deleteRecords(backend, "gone");

    const status = await queueCli(backend, url, "status", "gone");
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^gone +0 +0 +0 +0 +0 +1 +0 /m, status.stdout);
    const list = await queueCli(backend, url, "list", "gone");
    assert.equal(list.code, 65, list.stderr);
    assert.equal(
      list.stderr.trim(),
      'coord: queue "gone": gone/1 (failed): its record was deleted by another program — ' +
        "coord queue purge gone --state failed removes it",
    );

    const purge = await queueCli(backend, url, "purge", "gone", "--state", "failed");
    assert.equal(purge.code, 0, purge.stderr);
    assert.match(purge.stdout, /removed 1 failed job/);
    await putJob(backend, "gone", { handler: "no", id: "again" });
    const [counts] = await queueCounts(backend, ["gone"]);
    assert.deepEqual([counts.pending, counts.failed], [1, 0]);
    const after = await queueCli(backend, url, "list", "gone");
    assert.equal(after.code, 0, after.stderr);
    assert.match(after.stdout, /gone\/again +pending/);
  },
);

onRedis(
  "a pending job whose record another program deleted: status counts it, list names it (65), and a worker of the queue fails it",
  async (backend, url) => {
    await putJob(backend, "gone", { handler: "h" });
    await deleteRecords(backend, "gone");

    const status = await queueCli(backend, url, "status", "gone");
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^gone +0 +1 /m, status.stdout);
    const list = await queueCli(backend, url, "list", "gone");
    assert.equal(list.code, 65, list.stderr);
    assert.equal(
      list.stderr.trim(),
      'coord: queue "gone": gone/1 (pending): its record was deleted by another program — ' +
        "coord queue work fails it when it comes to run",
    );

    const result = await work(backend, ["gone"], {
      handlers: { h: () => 1 },
      drain: true,
      signal: AbortSignal.timeout(HANG_GUARD_MS),
    });
    assert.equal(result.failed, 1);
    const [counts] = await queueCounts(backend, ["gone"]);
    assert.deepEqual([counts.pending, counts.failed], [0, 1]);
  },
);

onRedis(
  "a flow's waiting part whose records another program deleted: list names it and the way out that clears it (65), which then does",
  async (backend, url) => {
    await putFlow(backend, "gone", { serial: [{ handler: "h" }, { handler: "h" }] }, { id: "s" });
    await deleteRecords(backend, "gone");

    const list = await queueCli(backend, url, "list", "gone", "--state", "waiting");
    assert.equal(list.code, 65, list.stderr);
    assert.match(
      list.stderr.trim(),
      /^coord: queue "gone": gone\/s[.\d]* \(waiting\): its record was deleted by another program — coord queue remove gone --force clears the queue$/,
    );
    const remove = await queueCli(backend, url, "remove", "gone", "--force");
    assert.equal(remove.code, 0, remove.stderr);
    const status = await queueCli(backend, url, "status", "gone");
    assert.match(status.stderr, /No such queue: "gone"/);
  },
);

onRedis(
  "a record another program wrote as an empty text is refused as its text, not as a deletion",
  async (backend, url) => {
    await putJob(backend, "blank", { handler: "h" });
    const key = backend.key("queue", "blank", "jobs");
    await backend.conn.send(key, ["HSET", key, "1", ""]);
    const list = await queueCli(backend, url, "list", "blank");
    assert.equal(list.code, 65, list.stderr);
    assert.match(list.stderr, /a job holds "" — another program wrote there/);
  },
);

onRedis(
  "a job kept by its own --keep whose record another program deleted leaves its state's count when retention removes it",
  async (backend) => {
    await putJob(backend, "kept", { handler: "no", keep: { count: 1 } });
    const fail = { no: () => Promise.reject(new Error("no")), ok: () => 1 };
    const drain = { handlers: fail, drain: true, signal: AbortSignal.timeout(HANG_GUARD_MS) };
    await work(backend, ["kept"], drain);
    await deleteRecords(backend, "kept");
    // Two more finish after it: past its --keep, the next finish's trim removes it.
    for (let i = 0; i < 2; i++) {
      await putJob(backend, "kept", { handler: "ok" });
      await work(backend, ["kept"], drain);
    }
    const [counts] = await queueCounts(backend, ["kept"]);
    assert.deepEqual([counts.failed, counts.completed], [0, 2]);
  },
);

onRedis(
  "coord doctor names the jobs whose records another program deleted in list's words (failed, pending, scheduled, waiting), exits 0 with its warning, and not once purged",
  async (backend, url) => {
    await putJob(backend, "gone", { handler: "no", id: "f" });
    await work(backend, ["gone"], {
      handlers: { no: () => Promise.reject(new Error("no")) },
      drain: true,
      signal: AbortSignal.timeout(HANG_GUARD_MS),
    });
    await putJob(backend, "gone", { handler: "h", id: "p" });
    await putJob(backend, "gone", { handler: "h", id: "d", delayMs: 3_600_000 });
    await putFlow(backend, "flow", { serial: [{ handler: "h" }, { handler: "h" }] }, { id: "s" });
    // One record deleted, the others kept: only that one is named.
    const kept = backend.key("queue", "kept", "jobs");
    await putJob(backend, "kept", { handler: "h", id: "a" });
    await putJob(backend, "kept", { handler: "h", id: "b" });
    await backend.conn.send(kept, ["HDEL", kept, "a"]);
    await deleteRecords(backend, "gone");
    await deleteRecords(backend, "flow");

    const found = await doctor(backend, url);
    assert.equal(found.code, 0, found.stderr);
    const deleted = " its record was deleted by another program — ";
    const order = (queue: string, part: string) => backend.key("queue", queue, part);
    const named = found.foreign.map((f) => `${f.where}: ${f.problem}`).sort();
    const fails = "coord queue work fails it when it comes to run";
    const clear = "coord queue remove flow --force clears the queue";
    assert.deepEqual(named, [
      `${order("flow", "pending")}: flow/s.0 (pending):${deleted}${fails}`,
      `${order("flow", "waiting")}: flow/s (waiting):${deleted}${clear}`,
      `${order("flow", "waiting")}: flow/s.1 (waiting):${deleted}${clear}`,
      `${order("gone", "done_failed")}: gone/f (failed):${deleted}` +
      "coord queue purge gone --state failed removes it",
      `${order("gone", "pending")}: gone/d (scheduled):${deleted}${fails}`,
      `${order("gone", "pending")}: gone/p (pending):${deleted}${fails}`,
      `${order("kept", "pending")}: kept/a (pending):${deleted}${fails}`,
    ]);
    assert.match(found.stderr, /warning: 5 keys in namespace .* hold data coord did not write/);

    for (const args of [["purge", "gone", "--state", "failed"], ["remove", "flow", "--force"]]) {
      const r = await queueCli(backend, url, ...args);
      assert.equal(r.code, 0, r.stderr);
    }
    const after = await doctor(backend, url);
    assert.deepEqual(
      after.foreign.map((f) => `${f.where}: ${f.problem}`).sort(),
      named.slice(4),
    );
  },
);

onRedis(
  "coord doctor names 5 deleted records of an order, then how many more, and stops reading orders after 10000 ids",
  async (backend, url) => {
    await putJob(backend, "many", { handler: "h" });
    const pending = backend.key("queue", "many", "pending");
    const ids = Array.from({ length: 10_002 }, (_, i) => ["1", `x${i}`]).flat();
    await backend.conn.send(pending, ["ZADD", pending, ...ids]);
    await deleteRecords(backend, "many");

    const found = await doctor(backend, url);
    assert.equal(found.code, 0, found.stderr);
    const problems = found.foreign.map((f) => f.problem);
    assert.equal(problems.length, 7, problems.join("\n"));
    assert.equal(
      problems.filter((p) => p.includes("(pending): its record was deleted")).length,
      5,
    );
    assert.ok(
      problems.includes("9995 more jobs whose record was deleted by another program"),
      problems.join("\n"),
    );
    assert.ok(problems.includes("stopped reading ids in queue orders after 10000"));
  },
);

onRedis(
  "coord doctor names a queue's records key of another type as such, not its jobs as deleted",
  async (backend, url) => {
    await putJob(backend, "typed", { handler: "h" });
    const jobs = backend.key("queue", "typed", "jobs");
    await deleteRecords(backend, "typed");
    await backend.conn.send(jobs, ["SET", jobs, "junk"]);

    const found = await doctor(backend, url);
    assert.equal(found.code, 0, found.stderr);
    assert.deepEqual(found.foreign, [
      { where: jobs, problem: "type string, coord writes a hash here" },
    ]);
  },
);
