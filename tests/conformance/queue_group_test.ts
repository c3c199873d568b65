/** Group limits (`put --group`, `config --group-limit`), library and CLI, on every backend. */

import { claimJob } from "../../lib/queue/claim_job.ts";
import assert from "node:assert/strict";
import { cancelJob, promoteJob, putJob, retryJob } from "../../lib/queue/queue.ts";
import { configureQueue } from "../../lib/queue/retention.ts";
import type { Backend } from "../../lib/backend/types.ts";
import { conformance, envOf } from "../support/backends.ts";
import { runCoord, spawnCoord } from "../support/cli.ts";
import { HANG_GUARD_MS, until } from "../support/wait.ts";
import { work } from "../../lib/queue/worker.ts";
import { tempDir } from "../support/temp.ts";
import {
  garbageOn,
  overwriteJob,
  overwriteRunningJob,
  plantGarbageJob,
  plantGroupCount,
  runningPartsOn,
} from "../support/queue.ts";
import { ForeignDataError } from "../../lib/errors.ts";

/** The id of the job the next claim hands out, if any (left running). */
async function claim(backend: Backend, queue: string): Promise<string | undefined> {
  return (await claimJob(backend.queue, queue, { worker: "w", leaseMs: 60_000 })).job?.id;
}

async function complete(backend: Backend, queue: string, id: string): Promise<void> {
  const job = await backend.queue.get(queue, id);
  assert.ok(
    await backend.queue.finish(queue, {
      id,
      worker: "w",
      attempt: job!.attempts,
      outcome: "completed",
      result: null,
    }),
  );
}

conformance(
  "group limit 2 is never exceeded by 4 workers on 50 jobs; other groups go ahead",
  async (ctx) => {
    const env = envOf(ctx);
    await using temp = await tempDir("coord-test-");
    const log = `${temp.path}/runs.log`;
    assert.equal((await runCoord(["queue", "config", "g", "--group-limit", "2"], { env })).code, 0);
    // Each job logs its own start and end: a start of a group is only possible once a run of
    // it has ended (its end line comes first), so the log's order is the runs' order. The first
    // of a group runs until the second of its group and one of the other group have started
    // (or HANG_GUARD_MS of 0.1 s naps): on a busy machine a run could otherwise end before the
    // next one's shell is up, and 2 never run at once, nor the two groups. The script's
    // arguments are named first: inside starts(), $1 and $2 are the function's own.
    const script = `
      log=$1 group=$2 other=$3
      echo "start $group" >> "$log"
      starts() { grep -c "^start $1$" "$log"; }
      if [ "$(starts "$group")" -eq 1 ]; then
        i=0
        while { [ "$(starts "$group")" -lt 2 ] || [ "$(starts "$other")" -lt 1 ]; } &&
          [ $i -lt ${HANG_GUARD_MS / 100} ]; do sleep 0.1; i=$((i + 1)); done
      fi
      sleep 0.1; echo "end $group" >> "$log"`;
    const lines = Array.from({ length: 50 }, (_, i) => {
      const [group, other] = i % 5 === 4 ? ["b", "a"] : ["a", "b"];
      return JSON.stringify({ command: ["sh", "-c", script, "sh", log, group, other], group });
    });
    const put = await runCoord(["queue", "put", "g", "--from", "-"], {
      env,
      stdin: lines.join("\n"),
    });
    assert.equal(put.code, 0, put.stderr);
    const workers = Array.from({ length: 4 }, () =>
      spawnCoord(
        ["queue", "work", "g", "--allow-commands", "--concurrency", "5", "--drain"],
        { env },
      ));
    for (const worker of workers) {
      await using w = worker;
      const { code, stderr } = await w.result;
      assert.equal(code, 0, stderr);
    }
    const running = { a: 0, b: 0 };
    const most = { a: 0, b: 0 };
    let together = false;
    const events = (await Deno.readTextFile(log)).trim().split("\n");
    for (const line of events) {
      const [what, group] = line.split(" ") as ["start" | "end", "a" | "b"];
      running[group] += what === "start" ? 1 : -1;
      most[group] = Math.max(most[group], running[group]);
      together ||= running.a > 0 && running.b > 0;
    }
    assert.equal(events.length, 100);
    assert.deepEqual(most, { a: 2, b: 2 }, "at most 2 of a group at once, and 2 were");
    assert.ok(together, "group b ran while group a was at its limit");
    const status = JSON.parse((await runCoord(["queue", "status", "g", "--json"], { env })).stdout);
    assert.equal(status.completed, 50);
  },
);

conformance(
  "a group at its limit waits; the slot a job frees goes to its group's next",
  async (ctx) => {
    const backend = await ctx.open();
    await configureQueue(backend, "q", { groupLimit: 1 });
    for (const [id, group] of [["a1", "a"], ["a2", "a"], ["a3", "a"], ["b1", "b"]]) {
      await putJob(backend, "q", { id, handler: "h", group });
    }
    await putJob(backend, "q", { id: "solo", handler: "h" });
    assert.equal(await claim(backend, "q"), "a1");
    // a2 comes before b1, but its group is full: b1 and the job of no group go ahead.
    assert.equal(await claim(backend, "q"), "b1");
    assert.equal(await claim(backend, "q"), "solo");
    assert.equal(await claim(backend, "q"), undefined);
    await complete(backend, "q", "a1");
    assert.equal(await claim(backend, "q"), "a2");
    // Cancelling a running job frees its slot too.
    await cancelJob(backend, "q/a2");
    assert.equal(await claim(backend, "q"), "a3");
  },
);

/** The ids the next claims hand out, each run to its end before the next claim. */
async function runOrder(backend: Backend, queue: string): Promise<string[]> {
  const order = [];
  for (let id = await claim(backend, queue); id; id = await claim(backend, queue)) {
    await complete(backend, queue, id);
    order.push(id);
  }
  return order;
}

conformance(
  "a group's jobs run by priority however each came due: put, promoted, retried",
  async (ctx) => {
    const backend = await ctx.open();
    for (const q of ["q", "r"]) await configureQueue(backend, q, { groupLimit: 1 });
    await putJob(backend, "q", { id: "f", handler: "h", group: "a", priority: 5 });
    assert.equal(await claim(backend, "q"), "f");
    const failed = { id: "f", worker: "w", attempt: 1, outcome: "failed", error: "x" } as const;
    assert.ok(await backend.queue.finish("q", failed));
    await putJob(backend, "q", { id: "d", handler: "h", group: "a", delayMs: 3_600_000 });
    assert.ok((await promoteJob(backend, "q/d")).promoted);
    assert.ok((await retryJob(backend, "q/f")).retried);
    assert.deepEqual(await runOrder(backend, "q"), ["f", "d"]);
    // A job of the group in the run order already (a claim took another job meanwhile) gives
    // way to one of a higher priority come due after it, and runs next.
    await putJob(backend, "r", { id: "solo", handler: "h", priority: 9 });
    await putJob(backend, "r", { id: "low", handler: "h", group: "a" });
    assert.equal(await claim(backend, "r"), "solo");
    await putJob(backend, "r", { id: "high", handler: "h", group: "a", priority: 5 });
    assert.deepEqual(await runOrder(backend, "r"), ["high", "low"]);
  },
);

conformance(
  "a group's best job runs next after a lowered limit sent it back behind worse ones",
  async (ctx) => {
    const backend = await ctx.open();
    await putJob(backend, "v", { id: "r0", handler: "h", group: "g" });
    assert.equal(await claim(backend, "v"), "r0");
    await putJob(backend, "v", { id: "hi", handler: "h", group: "g", priority: 1 });
    await putJob(backend, "v", { id: "x", handler: "h" });
    await putJob(backend, "v", { id: "lo", handler: "h", group: "g", priority: -1 });
    await configureQueue(backend, "v", { groupLimit: 1 });
    // hi heads the run order, but g runs r0 at its new limit: hi waits again, x is taken.
    assert.equal(await claim(backend, "v"), "x");
    await putJob(backend, "v", { id: "mid", handler: "h", group: "g" });
    await complete(backend, "v", "r0");
    assert.deepEqual(await runOrder(backend, "v"), ["hi", "mid", "lo"]);
  },
);

conformance(
  "a job of a group that cannot be read fails and gives its slot to its group's next",
  async (ctx) => {
    const backend = await ctx.open();
    for (const garbage of garbageOn(backend)) {
      const q = `poison-${garbage}`;
      await configureQueue(backend, q, { groupLimit: 1 });
      await plantGarbageJob(backend, q, "poison", garbage, "a");
      for (const id of ["a1", "a2"]) await putJob(backend, q, { id, handler: "h", group: "a" });
      // A hang guard only: without the slot back, a2 stays parked and the drain never ends.
      const result = await work(backend, [q], {
        handlers: { h: () => "ran" },
        drain: true,
        signal: AbortSignal.timeout(30_000),
      });
      assert.equal(result.completed, 2, `${garbage}: the group's other jobs ran`);
      for (const id of ["a1", "a2"]) {
        assert.equal((await backend.queue.get(q, id))?.state, "completed", `${garbage}: ${id}`);
      }
    }
  },
);

conformance(
  "a group's running job whose record another program wrote over fails once its lease ends, and gives its place to its group's next",
  async (ctx) => {
    const backend = await ctx.open();
    const env = envOf(ctx);
    for (const part of runningPartsOn(backend)) {
      const q = `over-${part}`;
      await configureQueue(backend, q, { groupLimit: 1 });
      for (const id of ["a1", "a2"]) await putJob(backend, q, { id, handler: "h", group: "g" });
      // A worker that claims a1 and vanishes; then another program writes over a1's record.
      const { job } = await claimJob(backend.queue, q, { worker: "ghost", leaseMs: 1 });
      assert.equal(job?.id, "a1");
      await overwriteRunningJob(backend, q, "a1", part);
      await until(async () => await backend.now() > job.startedAt! + 1, { what: "a1's lease end" });
      const doctor = await runCoord(["doctor", "--json"], { env });
      const found = JSON.parse(doctor.stdout).foreign as { where: string; problem: string }[];
      assert.ok(found.some((f) => f.problem.startsWith('job "a1" is refused')), doctor.stdout);
      // Counted as running all the same: a --drain waits for it.
      const status = await runCoord(["queue", "status", q, "--json"], { env });
      assert.equal(status.code, 65, status.stderr);
      assert.match(status.stderr, new RegExp(`1 job coord cannot read \\(${q}/a1: `));
      const counts = JSON.parse(status.stdout);
      assert.deepEqual([counts.active, counts.pending, counts.unreadable], [1, 1, 1], part);
      // A hang guard only: without its place back, the group runs nothing and the drain never
      // ends.
      const result = await work(backend, [q], {
        handlers: { h: () => "ran" },
        drain: true,
        signal: AbortSignal.timeout(30_000),
      });
      assert.deepEqual([result.completed, result.failed], [1, 1], part);
      assert.equal((await backend.queue.get(q, "a1"))?.state, "failed", part);
      assert.equal((await backend.queue.get(q, "a2"))?.state, "completed", part);
    }
  },
);

conformance(
  "a group's job waiting for its turn whose record another program wrote over fails when a worker meets it, and its group's next runs",
  async (ctx) => {
    const backend = await ctx.open();
    const env = envOf(ctx);
    // Parked behind its group's running job, or in the run order once that one ended.
    for (const place of ["parked", "in the run order"]) {
      const q = `waiting-${place.length}`;
      await configureQueue(backend, q, { groupLimit: 1 });
      for (const id of ["a1", "a2", "a3"]) {
        await putJob(backend, q, { id, handler: "h", group: "g" });
      }
      assert.equal(await claim(backend, q), "a1");
      if (place === "parked") await overwriteJob(backend, q, "a2", "state", "not coord's");
      await complete(backend, q, "a1");
      if (place !== "parked") await overwriteJob(backend, q, "a2", "state", "not coord's");
      // Counted as pending all the same: a --drain waits for it.
      const status = await runCoord(["queue", "status", q, "--json"], { env });
      assert.equal(status.code, 65, status.stderr);
      assert.match(status.stderr, new RegExp(`1 job coord cannot read \\(${q}/a2: `));
      const counts = JSON.parse(status.stdout);
      assert.deepEqual([counts.pending, counts.unreadable], [2, 1], place);
      // A hang guard only: a job left as it is keeps the drain from ending.
      const result = await work(backend, [q], {
        handlers: { h: () => "ran" },
        drain: true,
        signal: AbortSignal.timeout(30_000),
      });
      assert.deepEqual([result.completed, result.failed], [1, 1], place);
      const a2 = await backend.queue.get(q, "a2");
      assert.equal(a2?.state, "failed", place);
      assert.match(a2.error!, /^cannot be read: /, place);
      assert.equal((await backend.queue.get(q, "a3"))?.state, "completed", place);
    }
  },
);

conformance("raising or removing a group limit lets waiting jobs in", async (ctx) => {
  const backend = await ctx.open();
  await configureQueue(backend, "q", { groupLimit: 1 });
  for (const id of ["a1", "a2", "a3", "a4"]) {
    await putJob(backend, "q", { id, handler: "h", group: "a" });
  }
  assert.equal(await claim(backend, "q"), "a1");
  assert.equal(await claim(backend, "q"), undefined);
  assert.equal((await configureQueue(backend, "q", { groupLimit: 2 })).groupLimit, 2);
  assert.equal(await claim(backend, "q"), "a2");
  assert.equal(await claim(backend, "q"), undefined);
  assert.equal((await configureQueue(backend, "q", { groupLimit: null })).groupLimit, undefined);
  assert.equal(await claim(backend, "q"), "a3");
  assert.equal(await claim(backend, "q"), "a4");
});

conformance("--group-limit 0 or not a number exits 64 and changes nothing", async (ctx) => {
  const env = envOf(ctx);
  assert.equal((await runCoord(["queue", "config", "q", "--group-limit", "3"], { env })).code, 0);
  for (const limit of ["0", "-1", "two", "1.5", ""]) {
    const result = await runCoord(["queue", "config", "q", "--group-limit", limit], { env });
    assert.equal(result.code, 64, `${limit}: ${result.stderr}`);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  }
  const shown = await runCoord(["queue", "config", "q", "--json"], { env });
  assert.equal(JSON.parse(shown.stdout).groupLimit, 3);
  const text = await runCoord(["queue", "config", "q", "--group-limit", "none"], { env });
  assert.match(text.stdout, /^group-limit +none$/m);
  const none = await runCoord(["queue", "config", "q", "--json"], { env });
  assert.equal(JSON.parse(none.stdout).groupLimit, null, "said as null, as the text says none");
  const put = await runCoord(
    ["queue", "put", "q", "--id", "1", "--handler", "h", "--group", "c1"],
    {
      env,
    },
  );
  assert.equal(put.code, 0, put.stderr);
  const show = await runCoord(["queue", "show", "q/1", "--json"], { env });
  assert.equal(JSON.parse(show.stdout).groupKey, "c1");
});

conformance(
  "a worker whose only jobs wait for their group idles instead of polling",
  async (ctx) => {
    const backend = await ctx.open();
    await configureQueue(backend, "q", { groupLimit: 1 });
    for (const id of ["a1", "a2"]) await putJob(backend, "q", { id, handler: "hold", group: "a" });
    let claims = 0;
    const steps = backend.queue;
    const claimOnce = steps.finishAndClaim.bind(steps);
    steps.finishAndClaim = (queue, request) => {
      claims++;
      return claimOnce(queue, request);
    };
    const stop = new AbortController();
    const worker = work(backend, ["q"], {
      concurrency: 2,
      signal: stop.signal,
      handlers: {
        // a1 holds its group's only slot for 2 s; a2 waits for it meanwhile. A busy machine only
        // makes the worker claim less often.
        hold: () => new Promise((r) => setTimeout(r, 2_000)),
      },
    });
    await until(() => claims > 0, { what: "the first claim" });
    await new Promise((r) => setTimeout(r, 1_500));
    const during = claims;
    stop.abort();
    await worker;
    assert.ok(during <= 10, `${during} claims while the group was full`);
  },
);

conformance(
  "a group's count another program wrote (-1, or text on SQLite) refuses a claim and a run's end (65), and is left as it is",
  async (ctx) => {
    const backend = await ctx.open();
    // SQLite keeps text in an integer column: every claim failed with "datatype mismatch".
    const values = backend.kind === "sqlite" ? [-1, "abc"] : [-1];
    for (const [i, value] of values.entries()) {
      const q = `gc${i}`;
      await putJob(backend, q, { id: "a", handler: "h", group: "g" });
      await putJob(backend, q, { id: "b", handler: "h", group: "g" });
      assert.equal(await claim(backend, q), "a");
      const stored = await plantGroupCount(backend, q, "g", "active", value);
      const before = await stored();
      const refused = (e: unknown) => {
        assert.ok(e instanceof ForeignDataError, String(e));
        assert.ok(e.message.includes(String(value)), e.message);
        return true;
      };
      await assert.rejects(claim(backend, q), refused);
      await assert.rejects(complete(backend, q, "a"), refused);
      assert.equal(await stored(), before, `${value}: the counts are left as they were`);
      assert.equal((await backend.queue.get(q, "b"))?.state, "pending");
      assert.equal((await backend.queue.get(q, "a"))?.state, "active");
    }
  },
);

conformance(
  "a group's count another program wrote is named by doctor and status (65); a group's coord wrote is not",
  async (ctx) => {
    const backend = await ctx.open();
    const env = envOf(ctx);
    // Postgres keeps whole numbers only; SQLite any value; Redis text.
    const values = backend.kind === "postgres"
      ? [-1]
      : backend.kind === "sqlite"
      ? [-1, 1.5, "abc"]
      : ["-1", "abc"];
    const queues = values.map((_, i) => `gc${i}`);
    // Each group's jobs: one running, one in the run order; the first queue's are left coord's.
    for (const q of ["ok", ...queues]) {
      await configureQueue(backend, q, { groupLimit: 2 });
      for (const id of ["a", "b"]) await putJob(backend, q, { id, handler: "h", group: "g" });
      assert.equal(await claim(backend, q), "a");
    }
    for (const [i, value] of values.entries()) {
      await plantGroupCount(backend, queues[i], "g", i % 2 === 0 ? "active" : "ready", value);
    }
    const doctor = await runCoord(["doctor", "--json"], { env });
    assert.equal(doctor.code, 0, doctor.stderr);
    const found = JSON.parse(doctor.stdout).foreign as { where: string; problem: string }[];
    for (const [i, value] of values.entries()) {
      const named = found.filter((f) =>
        f.problem.includes(String(value)) &&
        (f.where === `queue "${queues[i]}"` || f.where === "table coord_queue_group")
      );
      assert.equal(named.length, 1, `${value}: ${doctor.stdout}`);
    }
    assert.ok(!found.some((f) => f.where === 'queue "ok"'), doctor.stdout);
    for (const q of queues) {
      const status = await runCoord(["queue", "status", q], { env });
      assert.equal(status.code, 65, `${q}: ${status.stderr}`);
      assert.equal(status.stderr.trim().split("\n").length, 1, status.stderr);
    }
    assert.equal((await runCoord(["queue", "status", "ok"], { env })).code, 0);
  },
);
