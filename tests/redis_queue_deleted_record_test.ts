/**
 * A job whose record another program deleted on Redis while its id stayed in one of the queue's
 * orders (a finished list, the run order): coord's own steps never leave one, SQL cannot (a job
 * is its row). The queue is still a queue to `status`, `purge` and `work`, `list` names the job
 * and the way out (65), and a purge takes it out of its state's count.
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
