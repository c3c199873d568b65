/**
 * A flow group's count of ended parts on Redis: a group whose parts are ID.0, ID.1, … counts
 * them in its record instead of listing them, so a part's end decodes and writes a few bytes,
 * not a list of every part (a flow of N parts wrote N such lists); the queue's config then says
 * version 2, which a coord that lists every group's parts refuses before it writes. A group
 * listed (another coord's, or parts named otherwise) goes on from its list, and a count another
 * program wrote is refused (65) and left as it is.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";
import { QUEUE_KEY_TYPES } from "../lib/backend/redis/queue.ts";
import { ForeignDataError, NewerDataError } from "../lib/errors.ts";
import { claimJob } from "../lib/queue/claim_job.ts";
import { putFlow } from "../lib/queue/flow.ts";
import { getJob, queueCounts, waitForJob } from "../lib/queue/queue.ts";
import { work } from "../lib/queue/worker.ts";
import { freshNamespace, REDIS_BACKENDS } from "./support/backends.ts";
import { runCoord } from "./support/cli.ts";
import { HANG_GUARD_MS } from "./support/wait.ts";
import { drainFlow, runNamedSerial } from "./support/named_parts.ts";

/** Job `id`'s record in `queue`, as stored. */
async function storedRecord(db: RedisBackend, queue: string, id: string): Promise<string> {
  const key = db.key("queue", queue, "jobs");
  return String(await db.conn.send(key, ["HGET", key, id]));
}

/** Writes `text` over job `id`'s record in `queue`, as another program would. */
async function writeRecord(db: RedisBackend, queue: string, id: string, text: string) {
  const key = db.key("queue", queue, "jobs");
  await db.conn.send(key, ["HSET", key, id, text]);
}

/** `queue`'s config hash, as stored. */
async function storedConfig(db: RedisBackend, queue: string): Promise<unknown> {
  const key = db.key("queue", queue, "config");
  return await db.conn.send(key, ["HGETALL", key]);
}

/** Claims one of `queue`'s jobs and ends its run completed with `result`. */
async function runOne(db: RedisBackend, queue: string, result: unknown): Promise<void> {
  const { job } = await claimJob(db.queue, queue, { worker: "w", leaseMs: 60_000 });
  assert.ok(job, "a part to run");
  const ran = { outcome: "completed" as const, result };
  assert.ok(await db.queue.finish(queue, { id: job.id, worker: "w", attempt: 1, ...ran }));
}

for (const backend of REDIS_BACKENDS) {
  const test = (name: string, fn: (db: RedisBackend, url: string) => Promise<void>) =>
    Deno.test(`${name} [${backend.label}]`, async () => {
      await using target = await backend.use();
      await using db = await connect({ url: target.url, namespace: freshNamespace(), env: {} });
      await fn(db as RedisBackend, target.url);
    });

  test("a numbered group's record counts its parts, lists none, and each part's end counts one", async (db) => {
    const parts = [{ handler: "h" }, { handler: "h" }, { handler: "h" }];
    const { ref } = await putFlow(db, "f", { parallel: parts }, { id: "g" });
    const put = JSON.parse(await storedRecord(db, "f", "g"));
    assert.deepEqual(put.group, { kind: "parallel", continueOnFailure: false, done: 0, parts: 3 });
    await runOne(db, "f", 1);
    assert.equal(JSON.parse(await storedRecord(db, "f", "g")).group.done, 1);
    const shown = await getJob(db, ref);
    assert.deepEqual(shown.group, {
      kind: "parallel",
      continueOnFailure: false,
      done: 1,
      children: ["g.0", "g.1", "g.2"],
    });
    await work(db, ["f"], { handlers: { h: () => 2 }, drain: true });
    const done = await waitForJob(db, ref, { timeoutMs: HANG_GUARD_MS });
    assert.deepEqual([done.state, done.result, done.group?.done], ["completed", [1, 2, 2], 3]);
    assert.equal(JSON.parse(await storedRecord(db, "f", "g")).group.children, undefined);
  });

  test(
    "a flow put with a counted group sets its queue's version to 2, which this coord reads",
    async (db, url) => {
      await putFlow(db, "v", { serial: [{ handler: "h" }] }, { id: "g" });
      assert.deepEqual(await storedConfig(db, "v"), { version: "2" });
      const status = await runCoord([
        "queue",
        "status",
        "v",
        "--url",
        url,
        "--namespace",
        db.namespace,
      ]);
      assert.equal(status.code, 0, status.stderr);
    },
  );

  test("a serial group whose parts are not named ID.0, ID.1, … keeps its list and starts them in its order", async (db) => {
    const children = ["c", "a", "b"];
    await runNamedSerial(db, "n", children, async () => {
      assert.deepEqual(JSON.parse(await storedRecord(db, "n", "s")).group.children, children);
      assert.deepEqual(await storedConfig(db, "n"), {}, "no version: nothing is counted");
    });
  });

  test("a numbered group an earlier coord put, its parts listed, goes on from its record's count", async (db) => {
    const { ref } = await putFlow(db, "s", {
      serial: [{ handler: "h", args: 0 }, { handler: "h", args: 1 }, { handler: "h", args: 2 }],
    }, { id: "g" });
    await runOne(db, "s", 0);
    // As the coord before this one writes it: every part listed, one of them counted.
    const { group: { parts: _, ...group }, ...record } = JSON.parse(
      await storedRecord(db, "s", "g"),
    );
    const listed = { ...record, group: { ...group, children: ["g.0", "g.1", "g.2"] } };
    await writeRecord(db, "s", "g", JSON.stringify(listed));
    assert.equal((await getJob(db, ref)).group?.done, 1);
    await drainFlow(db, "s", ref, { ran: [1, 2], result: [0, 1, 2], done: 3 });
  });

  test(
    "a group's count another program wrote is refused (65) and left as it is, and a part's end before it writes",
    async (db, url) => {
      const counts: Record<string, unknown>[] = [
        { parts: 0 },
        { parts: "2" },
        { done: 3 },
        { done: -1 },
        { parts: 10_000 },
        { children: ["g.0", "g.1"] },
      ];
      for (const [i, change] of counts.entries()) {
        const queue = `t${i}`;
        const flow = { parallel: [{ handler: "h" }, { handler: "h" }] };
        const { ref } = await putFlow(db, queue, flow, { id: "g" });
        const record = JSON.parse(await storedRecord(db, queue, "g"));
        const text = JSON.stringify({ ...record, group: { ...record.group, ...change } });
        await writeRecord(db, queue, "g", text);
        await assert.rejects(getJob(db, ref), ForeignDataError, text);
        const shown = await runCoord([
          "queue",
          "show",
          ref,
          "--url",
          url,
          "--namespace",
          db.namespace,
        ]);
        assert.equal(shown.code, 65, shown.stderr);
        assert.match(shown.stderr, /:jobs has job g ".* — another program wrote there; /);
        const { job } = await claimJob(db.queue, queue, { worker: "w", leaseMs: 60_000 });
        const before = await queueCounts(db, [queue]);
        const ran = { outcome: "completed" as const, result: 2 };
        await assert.rejects(
          db.queue.finish(queue, { id: job!.id, worker: "w", attempt: 1, ...ran }),
          ForeignDataError,
        );
        assert.equal(await storedRecord(db, queue, "g"), text, "the group is left as it was");
        assert.deepEqual(await queueCounts(db, [queue]), before, "and the part's run too");
        assert.equal((await getJob(db, `${queue}/${job!.id}`)).state, "active");
      }
    },
  );

  test(
    "a queue's version another program wrote is refused (65) and left as it is",
    async (db, url) => {
      for (const [i, version] of ["1", "x", "03"].entries()) {
        const queue = `v${i}`;
        await putFlow(db, queue, { parallel: [{ handler: "h" }] }, { id: "g" });
        const key = db.key("queue", queue, "config");
        await db.conn.send(key, ["HSET", key, "version", version]);
        const status = await runCoord([
          "queue",
          "status",
          queue,
          "--url",
          url,
          "--namespace",
          db.namespace,
        ]);
        assert.equal(status.code, 65, status.stderr);
        assert.match(status.stderr, new RegExp(`has version "${version}"`));
        await assert.rejects(
          putFlow(db, queue, { parallel: [{ handler: "h" }] }, { id: "h" }),
          ForeignDataError,
        );
        assert.deepEqual(await storedConfig(db, queue), { version });
      }
    },
  );

  // Called another program's, its way out (remove the key) let in the coords it keeps out. A
  // purge removed its jobs (0), and renewing a run, its progress and a worker's announce wrote.
  test(
    "a queue a newer coord wrote (version 3) is refused (65) as that coord's, and left as it is",
    async (db, url) => {
      await putFlow(db, "n", { parallel: [{ handler: "h" }, { handler: "h" }] }, { id: "g" });
      const worker = { worker: "w", leaseMs: 60_000 };
      const ended = (await claimJob(db.queue, "n", worker)).job!;
      const ran = { outcome: "completed" as const, result: 1 };
      await db.queue.finish("n", { id: ended.id, worker: "w", attempt: ended.attempts, ...ran });
      const held = (await claimJob(db.queue, "n", worker)).job!;
      const config = db.key("queue", "n", "config");
      // With a field of that coord's too, which this one does not know: the version says why.
      await db.conn.send(config, ["DEL", config]);
      await db.conn.send(config, ["HSET", config, "rate", "5", "version", "3"]);
      const before = await storedQueue(db, "n");
      const refusal = `queue "n": its records are a newer coord's (version 3 in ${config}; this ` +
        "coord is older and knows 2) — coord leaves them as they are; run that newer coord, or " +
        "use another --namespace";
      for (
        const args of [
          ["status", "n"],
          ["put", "n", "--handler", "h"],
          ["work", "n", "--drain", "--allow-commands"],
          ["purge", "n", "--state", "completed"],
        ]
      ) {
        const r = await runCoord(["queue", ...args, "--url", url, "--namespace", db.namespace]);
        assert.equal(r.code, 65, `${args[0]}: ${r.stderr}`);
        assert.equal(r.stderr, `coord: ${refusal}\n`, args[0]);
      }
      const attempt = { id: held.id, worker: "w", attempt: held.attempts };
      for (
        const [step, write] of [
          ["renew", () => db.queue.renew("n", { ...attempt, leaseMs: 60_000 })],
          ["progress", () => db.queue.progress("n", { ...attempt, progress: "1" })],
          ["announce", () => db.queue.announce("n", { worker: "w", ttlMs: 60_000 })],
        ] as const
      ) {
        await assert.rejects(write(), (e: Error) => {
          assert.ok(e instanceof NewerDataError, `${step}: ${e}`);
          assert.equal(e.message, refusal, step);
          return true;
        });
      }
      assert.deepEqual(await storedQueue(db, "n"), before);
      // Counted apart from another program's data, with its own way out.
      const doctor = await runCoord(["doctor", "--url", url, "--namespace", db.namespace]);
      assert.equal(doctor.code, 0, doctor.stderr);
      assert.match(
        doctor.stdout,
        /^foreign {5}none\nnewer {7}1 queue\n {2}queue "n": its records /m,
      );
      assert.equal(
        doctor.stderr,
        `coord: warning: 1 queue in namespace "${db.namespace}" holds a newer coord's data, ` +
          "which this coord leaves as it is — run that newer coord there, or use another " +
          "--namespace\n",
      );
    },
  );
}

/** Every key of `queue`, as stored. */
async function storedQueue(db: RedisBackend, queue: string): Promise<unknown[]> {
  const read = { hash: ["HGETALL"], zset: ["ZRANGE", "0", "-1", "WITHSCORES"], string: ["GET"] };
  return await Promise.all(
    Object.entries(QUEUE_KEY_TYPES).map(([part, type]) => {
      const key = db.key("queue", queue, part);
      const [command, ...args] = read[type as keyof typeof read];
      return db.conn.send(key, [command, key, ...args]);
    }),
  );
}
