/** Flows: parallel and serial groups with postprocess steps, on every backend. */

import assert from "node:assert/strict";
import type { Backend } from "../../lib/backend/types.ts";
import { ForeignDataError, UsageError } from "../../lib/errors.ts";
import { claimJob } from "../../lib/queue/claim_job.ts";
import { type Flow, flowNodes, putFlow } from "../../lib/queue/flow.ts";
import {
  cancelJob,
  getJob,
  putJob,
  queueCounts,
  UnknownJobError,
  waitForJob,
} from "../../lib/queue/queue.ts";
import { type JobContext, NonRetryableError, work } from "../../lib/queue/worker.ts";
import { conformance, envOf } from "../support/backends.ts";
import { runCoord } from "../support/cli.ts";
import { DELETED_JOB } from "../../lib/queue/record.ts";
import { loseJob, overwriteJob } from "../support/queue.ts";
import { tempDir } from "../support/temp.ts";
import { HANG_GUARD_MS } from "../support/wait.ts";

conformance(
  "a nested flow runs serial parts in order and hands results to postprocesses",
  async (ctx) => {
    const backend = await ctx.open();
    const log: string[] = [];
    const { ref, created } = await putFlow(backend, "f", {
      serial: [
        { handler: "echo", args: "first" },
        {
          parallel: [{ handler: "echo", args: "a" }, { handler: "echo", args: "b" }, {
            command: ["sh", "-c", 'printf "%s" "$COORD_RESULTS"'],
          }],
          postprocess: { handler: "collect" },
        },
        { handler: "echo", args: [] },
      ],
      postprocess: { handler: "collect" },
    }, { id: "nightly" });
    assert.deepEqual([ref, created], ["f/nightly", true]);
    assert.equal(
      (await putFlow(backend, "f", { parallel: [{ handler: "echo" }] }, { id: "nightly" }))
        .created,
      false,
    );
    await work(backend, ["f"], {
      handlers: {
        echo: (args) => {
          log.push(JSON.stringify(args));
          return args;
        },
        collect: (_, c: JobContext) => {
          log.push(`collect ${c.job}`);
          return c.results;
        },
      },
      allowCommands: true,
      drain: true,
    });
    assert.equal(log[0], '"first"', "the serial group's first part runs first");
    assert.equal(log.at(-2), "[]", "its last part runs after the parallel group");
    assert.deepEqual(log.filter((l) => l.startsWith("collect")), [
      "collect f/nightly.1.post",
      "collect f/nightly.post",
    ]);
    const done = await waitForJob(backend, ref, { timeoutMs: 1_000 });
    assert.equal(done.state, "completed");
    assert.deepEqual(done.result, [
      "first",
      ["a", "b", { exitCode: 0, stdout: "" }],
      [],
    ]);
    const [counts] = await queueCounts(backend, ["f"]);
    assert.deepEqual([counts.waiting, counts.pending, counts.active], [0, 0, 0]);
  },
);

conformance(
  "a flow of 2,000 parts is stored whole, its specs as given, and completes in order",
  async (ctx) => {
    const backend = await ctx.open();
    // Quotes, a backslash, a line break and a character past ASCII: a spec goes to the backend
    // as JSON text once, and comes back as given.
    const text = 'a "quoted" \\ line\n✓';
    const parts = Array.from({ length: 2_000 }, (_, i) => ({ handler: "echo", args: { i, text } }));
    const { ref, created } = await putFlow(backend, "many", {
      serial: [{ parallel: parts, postprocess: { handler: "count" } }, { handler: "last" }],
      postprocess: { handler: "collect" },
    }, { id: "big" });
    assert.deepEqual([ref, created], ["many/big", true]);
    const [stored] = await queueCounts(backend, ["many"]);
    // The groups, the postprocesses and the part after the parallel group wait.
    assert.deepEqual([stored.pending, stored.waiting], [2_000, 5]);
    const part = await getJob(backend, "many/big.0.1999");
    assert.deepEqual([part.state, part.parent, part.spec.args], [
      "pending",
      "big.0",
      { i: 1_999, text },
    ]);
    let gathered: unknown[] | undefined;
    await work(backend, ["many"], {
      handlers: {
        echo: (args) => (args as { i: number }).i,
        count: (_, c: JobContext) => (gathered = c.results)?.length,
        last: () => "last",
        collect: (_, c: JobContext) => c.results,
      },
      concurrency: 50,
      drain: true,
    });
    assert.deepEqual(gathered, parts.map((_, i) => i), "every part's result, in order");
    const done = await waitForJob(backend, ref, { timeoutMs: 1_000 });
    assert.deepEqual([done.state, done.result], ["completed", [2_000, "last"]]);
  },
);

conformance("a failed part fails its group and cancels what has not started", async (ctx) => {
  const backend = await ctx.open();
  const { ref } = await putFlow(backend, "g", {
    serial: [{ handler: "boom" }, { handler: "never" }],
    postprocess: { handler: "never" },
  });
  let never = 0;
  await work(backend, ["g"], {
    handlers: {
      boom: () => {
        throw new Error("kaboom");
      },
      never: () => never++,
    },
    drain: true,
  });
  const group = await getJob(backend, ref);
  assert.equal(group.state, "failed");
  assert.match(group.error!, /^part \S+\.0 failed: kaboom$/);
  assert.equal(never, 0);
  assert.equal((await getJob(backend, `${ref}.1`)).state, "cancelled");
  assert.equal((await getJob(backend, `${ref}.post`)).state, "cancelled");
});

conformance(
  "a failed part of a group of 9,000 cancels every other part, a nested group's too, and its flow fails",
  async (ctx) => {
    const backend = await ctx.open();
    // Past what one Lua `unpack` takes on Redis, and a statement a part on SQL took minutes.
    const wide = 9_000;
    const parts: Flow[] = Array.from({ length: wide - 1 }, (_, i) => ({
      handler: i === 0 ? "boom" : "never",
    }));
    parts.push({
      serial: [{ handler: "never" }, { handler: "never" }],
      postprocess: { handler: "never" },
    });
    const { ref } = await putFlow(backend, "wide", {
      parallel: parts,
      postprocess: { handler: "never" },
    }, { id: "wide" });
    let never = 0;
    await work(backend, ["wide"], {
      handlers: {
        boom: () => {
          throw new NonRetryableError("kaboom");
        },
        never: () => never++,
      },
      // The failing part alone runs: the step that ends it cancels the others.
      concurrency: 1,
      drain: true,
    });
    const flow = await getJob(backend, ref);
    assert.deepEqual([flow.state, flow.error], ["failed", "part wide.0 failed: kaboom"]);
    assert.equal(never, 0);
    const [counts] = await queueCounts(backend, ["wide"]);
    // The other parts, the nested group, its two parts and its postprocess, the postprocess.
    assert.deepEqual(
      [counts.waiting, counts.pending, counts.active, counts.failed, counts.cancelled],
      [0, 0, 0, 2, wide - 2 + 1 + 2 + 1 + 1],
    );
    for (const id of ["wide.8999.1", "wide.8999.post"]) {
      const part = await getJob(backend, `wide/${id}`);
      assert.deepEqual([part.state, part.error], [
        "cancelled",
        "its group wide.8999 was cancelled",
      ]);
    }
    const post = await getJob(backend, "wide/wide.post");
    assert.deepEqual([post.state, post.error], ["cancelled", "its group wide failed"]);
  },
);

conformance("continueOnFailure gives a failed part's result as null", async (ctx) => {
  const backend = await ctx.open();
  const { ref } = await putFlow(backend, "h", {
    parallel: [{ handler: "ok" }, { handler: "boom" }],
    continueOnFailure: true,
    postprocess: { handler: "sum" },
  });
  await work(backend, ["h"], {
    handlers: {
      ok: () => 1,
      boom: () => {
        throw new Error("no");
      },
      sum: (_, c) => c.results,
    },
    drain: true,
  });
  const done = await getJob(backend, ref);
  assert.deepEqual([done.state, done.result], ["completed", [1, null]]);
});

conformance("a malformed flow is refused and stores nothing", async (ctx) => {
  const backend = await ctx.open();
  for (
    const flow of [
      { handler: "top-level job" },
      { parallel: [] },
      { parallel: [{ handler: "a" }], serial: [{ handler: "b" }] },
      { serial: [{ handler: "a", colour: "red" }] },
      { serial: [{ handler: "a" }], postprocess: { parallel: [{ handler: "b" }] } },
      { serial: [{ handler: "a", command: ["b"] }] },
      { serial: [42] },
    ]
  ) {
    await assert.rejects(putFlow(backend, "bad", flow as never), UsageError, JSON.stringify(flow));
  }
  assert.deepEqual(await backend.queue.list(), []);
});

conformance(
  "a flow whose part's id names a job of its own is refused, that job kept",
  async (ctx) => {
    const backend = await ctx.open();
    await putJob(backend, "taken", { id: "fx.1", handler: "mine", args: 7 });
    const flow = { serial: [{ handler: "a" }, { handler: "b" }] };
    await assert.rejects(putFlow(backend, "taken", flow, { id: "fx" }), {
      name: "UsageError",
      message: /job taken\/fx\.1 exists already/,
    });
    const kept = await getJob(backend, "taken/fx.1");
    assert.deepEqual([kept.spec.handler, kept.spec.args, kept.parent], ["mine", 7, undefined]);
    assert.equal(await backend.queue.get("taken", "fx"), undefined, "no part of the flow stored");
    assert.equal(await backend.queue.get("taken", "fx.0"), undefined, "no part of the flow stored");
    // The flow's own id taken is the flow put before: nothing changes, as a put of a known --id.
    assert.deepEqual(await putFlow(backend, "taken", flow, { id: "fx.1" }), {
      ref: "taken/fx.1",
      created: false,
    });
  },
);

conformance(
  "show prints a flow's group with its fields in one order on every backend",
  async (ctx) => {
    const backend = await ctx.open();
    await putFlow(backend, "shown", {
      serial: [{ handler: "a" }, { handler: "b" }],
      postprocess: { handler: "c" },
    }, { id: "g" });
    const json = await runCoord(["queue", "show", "shown/g", "--json"], { env: envOf(ctx) });
    assert.equal(json.code, 0, json.stderr);
    assert.equal(
      JSON.stringify(JSON.parse(json.stdout).group),
      '{"kind":"serial","children":["g.0","g.1"],"postprocess":"g.post","continueOnFailure":false,"done":0}',
    );
    const text = await runCoord(["queue", "show", "shown/g"], { env: envOf(ctx) });
    assert.match(
      text.stdout,
      /^group {7}\{"kind":"serial","children":\["g\.0","g\.1"\],"postprocess":"g\.post","continueOnFailure":false,"done":0\}$/m,
    );
  },
);

conformance(
  "a flow whose jobs and groups pass 4 MiB as JSON together is refused before anything is stored (64, one line)",
  async (ctx) => {
    const backend = await ctx.open();
    // Five parts of 0.8 MiB each, each within a job's 1 MiB; the flow's nodes, its group and
    // jobs with their ids, take 4 MiB as JSON: the most a flow holds, as README says.
    const partsOf = (args: string[]) => ({
      parallel: args.map((args) => ({ handler: "ok", args })),
    });
    const room = 4 * 1_048_576 -
      JSON.stringify(flowNodes(partsOf(Array(5).fill("")), "fits")).length;
    const flowOf = (extra: number) =>
      partsOf(
        Array.from({ length: 5 }, (_, i) =>
          "x".repeat(Math.floor(room / 5) + (i === 4 ? room % 5 + extra : 0))),
      );
    assert.equal((await putFlow(backend, "big", flowOf(0), { id: "fits" })).created, true);
    // Small jobs, many of them, under an id of 512 characters: megabytes of ids alone.
    const longId = "i".repeat(512);
    await assert.rejects(
      putFlow(backend, "big", { parallel: Array(9_999).fill({ handler: "h" }) }, { id: longId }),
      /flow: its jobs and groups is \d+ bytes as JSON, over the 4 MiB/,
    );
    const stored = await backend.queue.counts("big");
    const over = "flow: its jobs and groups is 4194305 bytes as JSON, over the 4 MiB (4194304 " +
      "bytes) a flow may hold — keep the data elsewhere (a file, a database) and pass its name";
    await assert.rejects(putFlow(backend, "big", flowOf(1), { id: "over" }), new UsageError(over));
    await using temp = await tempDir("coord-test-");
    const file = `${temp.path}/flow.json`;
    await Deno.writeTextFile(file, JSON.stringify(flowOf(1)));
    const put = await runCoord(["queue", "flow", "big", file, "--id", "over"], {
      env: envOf(ctx),
    });
    assert.equal(put.code, 64, put.stderr);
    assert.equal(put.stderr.trim().split("\n").length, 1, put.stderr);
    assert.ok(put.stderr.includes(over), put.stderr);
    assert.deepEqual(await backend.queue.counts("big"), stored, "nothing of either stored");
    await assert.rejects(getJob(backend, "big/over"), UnknownJobError);
  },
);

conformance(
  "a group whose parts' results together pass 1 MiB fails naming the limit, and hands nothing on",
  async (ctx) => {
    const backend = await ctx.open();
    // Each result fits (400,002 bytes as JSON); three of them, listed, take 1,200,010.
    const big = { handler: "big" };
    await putFlow(backend, "gather", { parallel: [big, big] }, { id: "fits" });
    await putFlow(backend, "gather", { parallel: [big, big, big] }, { id: "whole" });
    await putFlow(backend, "gather", {
      serial: [{ parallel: [big, big, big], postprocess: { handler: "never" } }, {
        handler: "never",
      }],
      postprocess: { handler: "never" },
    }, { id: "nested" });
    let never = 0;
    await work(backend, ["gather"], {
      handlers: { big: () => "x".repeat(400_000), never: () => never++ },
      drain: true,
    });
    const over = "the list of its parts' results is 1200010 bytes as JSON, over the 1 MiB " +
      "(1048576 bytes) a job may hold — keep the data elsewhere (a file, a database) and pass " +
      "its name";
    const fits = await getJob(backend, "gather/fits");
    assert.equal(fits.state, "completed");
    assert.ok(Array.isArray(fits.result) && fits.result.length === 2, "the list its result");
    const whole = await getJob(backend, "gather/whole");
    assert.deepEqual([whole.state, whole.error], ["failed", over]);
    assert.ok(whole.result === undefined, "no result stored");
    assert.equal((await getJob(backend, "gather/whole.2")).state, "completed");
    const inner = await getJob(backend, "gather/nested.0");
    assert.deepEqual([inner.state, inner.error], ["failed", over]);
    const post = await getJob(backend, "gather/nested.0.post");
    assert.deepEqual([post.state, post.inputs], ["cancelled", undefined]);
    const nested = await getJob(backend, "gather/nested");
    assert.deepEqual([nested.state, nested.error], ["failed", `part nested.0 failed: ${over}`]);
    assert.equal((await getJob(backend, "gather/nested.1")).state, "cancelled");
    assert.equal(never, 0);
  },
);

conformance(
  "a command postprocess reads its group's results from $COORD_RESULTS_FILE, also when too large for $COORD_RESULTS",
  async (ctx) => {
    const backend = await ctx.open();
    const reads = {
      command: [
        "sh",
        "-c",
        'f="$COORD_RESULTS_FILE"; echo "$f"; ls -ln "$f" | cut -c1-10; wc -c < "$f" | tr -d " "; ' +
        'head -c 12 "$f"; echo; printf "%.12s" "${COORD_RESULTS-unset}"',
      ],
    };
    // Two results of 70,002 bytes as JSON: together past Linux's 128 KiB for one variable.
    const wide = { handler: "wide" };
    await putFlow(backend, "env", { parallel: [wide, wide], postprocess: reads }, { id: "wide" });
    await putFlow(backend, "env", {
      parallel: [{ handler: "one" }, { handler: "two" }],
      postprocess: reads,
    }, { id: "small" });
    await work(backend, ["env"], {
      handlers: { wide: () => "y".repeat(70_000), one: () => 1, two: () => 2 },
      allowCommands: true,
      drain: true,
    });
    for (
      const [id, bytes, head, variable] of [
        ["wide", "140007", '["yyyyyyyyyy', "unset"],
        ["small", "5", "[1,2]", "[1,2]"],
      ]
    ) {
      const group = await getJob(backend, `env/${id}`);
      assert.equal(group.state, "completed", group.error ?? "");
      const [file, mode, ...rest] = (group.result as { stdout: string }).stdout.split("\n");
      assert.deepEqual([mode, ...rest], ["-rw-------", bytes, head, variable], id);
      await assert.rejects(Deno.stat(file), Deno.errors.NotFound, `${file} removed after`);
    }
  },
);

conformance(
  "a flow's part whose record another program wrote over while it waited fails when a worker meets it, and its flow goes on",
  async (ctx) => {
    const backend = await ctx.open();
    const { ref } = await putFlow(backend, "over", {
      serial: [{ handler: "one" }, { handler: "one" }, { handler: "one" }],
      continueOnFailure: true,
      postprocess: { handler: "collect" },
    }, { id: "fl" });
    await overwriteJob(backend, "over", "fl.1", "state", "not coord's");
    const [counts] = await queueCounts(backend, ["over"]);
    assert.deepEqual([counts.pending, counts.waiting], [1, 4], "waiting to be released");
    const result = await work(backend, ["over"], {
      handlers: { one: () => 1, collect: (_, c: JobContext) => c.results },
      drain: true,
      signal: AbortSignal.timeout(HANG_GUARD_MS),
    });
    assert.deepEqual([result.completed, result.failed], [3, 1]);
    const part = await getJob(backend, `${ref}.1`);
    assert.equal(part.state, "failed");
    assert.match(part.error!, /^cannot be read: queue "over": a job holds .* another program/);
    const flow = await waitForJob(backend, ref, { timeoutMs: HANG_GUARD_MS });
    assert.deepEqual([flow.state, flow.result], ["completed", [1, null, 1]]);
  },
);

conformance(
  "a flow's part another program wrote over that two workers' claims meet moves its flow on once",
  async (ctx) => {
    const backend = await ctx.open();
    const { ref } = await putFlow(backend, "twice", {
      serial: [{ handler: "one" }, { handler: "one" }, { handler: "one" }],
      continueOnFailure: true,
    }, { id: "fl" });
    await overwriteJob(backend, "twice", "fl.1", "state", "not coord's");
    const { job } = await claimJob(backend.queue, "twice", { worker: "w", leaseMs: 60_000 });
    const ran = { outcome: "completed" as const, result: 1 };
    assert.ok(
      await backend.queue.finish("twice", { id: job!.id, worker: "w", attempt: 1, ...ran }),
    );
    const met = [];
    for (const worker of ["w1", "w2"]) {
      const { undecodable } = await claimJob(backend.queue, "twice", { worker, leaseMs: 60_000 });
      met.push({ ...undecodable!, error: `cannot be read: ${undecodable!.reason}` });
    }
    for (const fail of met) await backend.queue.failUndecodable("twice", fail);
    const result = await work(backend, ["twice"], {
      handlers: { one: () => 1 },
      drain: true,
      signal: AbortSignal.timeout(HANG_GUARD_MS),
    });
    assert.deepEqual([result.completed, result.failed], [1, 0]);
    const flow = await waitForJob(backend, ref, { timeoutMs: HANG_GUARD_MS });
    assert.deepEqual([flow.state, flow.result], ["completed", [1, null, 1]]);
  },
);

conformance(
  "a flow's part whose record another program wrote over in a retry's backoff fails once its start comes, and fails its flow",
  async (ctx) => {
    const backend = await ctx.open();
    const { ref } = await putFlow(backend, "backoff", {
      serial: [{ handler: "one", retries: 1 }, { handler: "one" }],
    });
    const { job } = await claimJob(backend.queue, "backoff", { worker: "w", leaseMs: 60_000 });
    // Long enough that its start is still to come when counted, whatever the load.
    const retry = { outcome: "retry" as const, error: "flaky", delayMs: 2_000 };
    assert.ok(
      await backend.queue.finish("backoff", {
        id: job!.id,
        worker: "w",
        attempt: job!.attempts,
        ...retry,
      }),
    );
    await overwriteJob(backend, "backoff", job!.id, "state", "not coord's");
    const [counts] = await queueCounts(backend, ["backoff"]);
    assert.deepEqual([counts.scheduled, counts.waiting], [1, 2]);
    const result = await work(backend, ["backoff"], {
      handlers: { one: () => 1 },
      drain: true,
      signal: AbortSignal.timeout(HANG_GUARD_MS),
    });
    assert.deepEqual([result.completed, result.failed], [0, 1]);
    const flow = await waitForJob(backend, ref, { timeoutMs: HANG_GUARD_MS });
    assert.equal(flow.state, "failed");
    assert.match(flow.error!, /^part \S+\.0 failed: cannot be read: /);
    assert.equal((await getJob(backend, `${ref}.1`)).state, "cancelled");
  },
);

conformance(
  "a flow that fails before its part another program wrote over is released ends, the part left as it is",
  async (ctx) => {
    const backend = await ctx.open();
    const { ref } = await putFlow(backend, "before", {
      serial: [{ handler: "boom" }, { handler: "one" }],
    }, { id: "fl" });
    await overwriteJob(backend, "before", "fl.1", "state", "not coord's");
    const result = await work(backend, ["before"], {
      handlers: {
        boom: () => {
          throw new Error("kaboom");
        },
        one: () => 1,
      },
      drain: true,
      signal: AbortSignal.timeout(HANG_GUARD_MS),
    });
    assert.deepEqual([result.completed, result.failed], [0, 1]);
    const flow = await waitForJob(backend, ref, { timeoutMs: HANG_GUARD_MS });
    assert.match(flow.error!, /^part \S+\.0 failed: kaboom$/);
    await assert.rejects(getJob(backend, `${ref}.1`), ForeignDataError);
  },
);

/**
 * Claims every job ready in `queue`, one at a time (none runs meanwhile), and returns their ids:
 * which parts a flow has released, and no more.
 */
async function claimReady(backend: Backend, queue: string): Promise<string[]> {
  const ids = [];
  for (;;) {
    const { job } = await claimJob(backend.queue, queue, { worker: "w", leaseMs: 60_000 });
    if (!job) return ids;
    ids.push(job.id);
  }
}

/** Ends claimed job `id` of `queue` with `result`. */
async function complete(backend: Backend, queue: string, id: string, result: unknown) {
  const finished = { id, worker: "w", attempt: 1, outcome: "completed" as const, result };
  assert.ok(await backend.queue.finish(queue, finished), `${id} was still the worker's`);
}

/** `queue`'s jobs waiting for their turn, pending and running. */
async function unfinished(backend: Backend, queue: string): Promise<number[]> {
  const [counts] = await queueCounts(backend, [queue]);
  return [counts.waiting, counts.pending, counts.active];
}

conformance(
  "a serial part cancelled before its turn never runs, and its flow goes on in order, its result null",
  async (ctx) => {
    const backend = await ctx.open();
    const { ref } = await putFlow(backend, "turns", {
      serial: [{ handler: "one" }, { handler: "one" }, { handler: "one" }],
      continueOnFailure: true,
    }, { id: "s" });
    // As a user would, with the CLI, while s.0 is still pending.
    const cancel = await runCoord(["queue", "cancel", "turns/s.2"], { env: envOf(ctx) });
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.equal((await getJob(backend, "turns/s.2")).state, "cancelled");
    assert.deepEqual(await unfinished(backend, "turns"), [2, 1, 0], "the flow, s.1 wait");
    assert.deepEqual(await claimReady(backend, "turns"), ["s.0"], "s.1 waits for s.0");
    await complete(backend, "turns", "s.0", 1);
    assert.deepEqual(await claimReady(backend, "turns"), ["s.1"], "s.2 never runs");
    await complete(backend, "turns", "s.1", 2);
    const flow = await getJob(backend, ref);
    assert.deepEqual([flow.state, flow.result], ["completed", [1, 2, null]]);
    assert.equal((await getJob(backend, "turns/s.2")).state, "cancelled");
    assert.deepEqual(await unfinished(backend, "turns"), [0, 0, 0]);
  },
);

conformance(
  "a part cancelled before its turn fails its group when that turn comes, as a pending part's cancel does, and no later part starts early",
  async (ctx) => {
    const backend = await ctx.open();
    const { ref } = await putFlow(backend, "strict", {
      serial: [{ handler: "one" }, { serial: [{ handler: "one" }, { handler: "one" }] }, {
        handler: "one",
      }],
      continueOnFailure: true,
    }, { id: "s" });
    assert.equal((await cancelJob(backend, "strict/s.1.1")).cancelled, true);
    assert.deepEqual(await claimReady(backend, "strict"), ["s.0"], "s.1 waits for s.0");
    await complete(backend, "strict", "s.0", 0);
    assert.deepEqual(await claimReady(backend, "strict"), ["s.1.0"]);
    await complete(backend, "strict", "s.1.0", 10);
    const group = await getJob(backend, "strict/s.1");
    assert.deepEqual([group.state, group.error], ["failed", "part s.1.1 cancelled: cancelled"]);
    assert.deepEqual(await claimReady(backend, "strict"), ["s.2"]);
    await complete(backend, "strict", "s.2", 2);
    const flow = await getJob(backend, ref);
    assert.deepEqual([flow.state, flow.result], ["completed", [0, null, 2]]);
    assert.deepEqual(await unfinished(backend, "strict"), [0, 0, 0]);
  },
);

conformance(
  "parts of a parallel group not yet released and a postprocess cancelled while they wait never run, and are counted in turn",
  async (ctx) => {
    const backend = await ctx.open();
    const { ref } = await putFlow(backend, "nested", {
      serial: [
        { handler: "one" },
        { parallel: [{ handler: "one" }, { handler: "one" }], continueOnFailure: true },
        { parallel: [{ handler: "one" }], continueOnFailure: true },
        { handler: "one" },
      ],
      continueOnFailure: true,
      postprocess: { handler: "collect" },
    }, { id: "n" });
    for (const part of ["n.1.0", "n.2.0", "n.post"]) {
      assert.equal((await cancelJob(backend, `nested/${part}`)).cancelled, true, part);
    }
    assert.deepEqual(await claimReady(backend, "nested"), ["n.0"]);
    await complete(backend, "nested", "n.0", 0);
    assert.deepEqual(await claimReady(backend, "nested"), ["n.1.1"]);
    await complete(backend, "nested", "n.1.1", 11);
    // n.2's one part was cancelled: n.2 ends as it is released, and n.3 is next.
    assert.deepEqual((await getJob(backend, "nested/n.1")).result, [null, 11]);
    assert.deepEqual((await getJob(backend, "nested/n.2")).result, [null]);
    assert.deepEqual(await claimReady(backend, "nested"), ["n.3"]);
    await complete(backend, "nested", "n.3", 3);
    const flow = await getJob(backend, ref);
    assert.deepEqual([flow.state, flow.error], [
      "failed",
      "postprocess n.post cancelled: cancelled",
    ]);
    assert.deepEqual(await claimReady(backend, "nested"), []);
    assert.deepEqual(await unfinished(backend, "nested"), [0, 0, 0]);
  },
);

conformance(
  "a group cancelled before its turn never starts its parts, and is counted when that turn comes",
  async (ctx) => {
    const backend = await ctx.open();
    const { ref } = await putFlow(backend, "later", {
      serial: [{ handler: "one" }, { handler: "one" }, {
        serial: [{ handler: "one" }, { handler: "one" }],
      }, { handler: "one" }],
      continueOnFailure: true,
    }, { id: "s" });
    assert.equal((await cancelJob(backend, "later/s.2")).cancelled, true);
    assert.deepEqual(await claimReady(backend, "later"), ["s.0"], "s.1 waits for s.0");
    await complete(backend, "later", "s.0", 0);
    assert.deepEqual(await claimReady(backend, "later"), ["s.1"]);
    await complete(backend, "later", "s.1", 1);
    assert.deepEqual(await claimReady(backend, "later"), ["s.3"], "s.2's parts never run");
    await complete(backend, "later", "s.3", 3);
    const flow = await getJob(backend, ref);
    assert.deepEqual([flow.state, flow.result], ["completed", [0, 1, null, 3]]);
    assert.deepEqual(await unfinished(backend, "later"), [0, 0, 0]);
  },
);

conformance(
  "a cancelled group's parts that had not started say it was cancelled, not that it failed",
  async (ctx) => {
    const backend = await ctx.open();
    const { ref } = await putFlow(backend, "called-off", {
      serial: [{ handler: "one" }, { parallel: [{ handler: "one" }] }],
      postprocess: { handler: "one" },
    }, { id: "s" });
    assert.equal((await cancelJob(backend, ref)).cancelled, true);
    for (const [id, group] of [["s.0", "s"], ["s.1", "s"], ["s.1.0", "s.1"], ["s.post", "s"]]) {
      const part = await getJob(backend, `called-off/${id}`);
      assert.deepEqual(
        [part.state, part.error],
        ["cancelled", `its group ${group} was cancelled`],
        id,
      );
    }
  },
);

conformance(
  "an ended part whose record another program deleted is null in its group's results, and the group ends",
  async (ctx) => {
    const backend = await ctx.open();
    const { ref } = await putFlow(backend, "gone", {
      serial: [{ handler: "one" }, { handler: "one" }],
    }, { id: "g" });
    assert.deepEqual(await claimReady(backend, "gone"), ["g.0"]);
    await complete(backend, "gone", "g.0", 0);
    await loseJob(backend, "gone", "g.0");
    assert.deepEqual(await claimReady(backend, "gone"), ["g.1"]);
    await complete(backend, "gone", "g.1", 1);
    const flow = await getJob(backend, ref);
    assert.deepEqual([flow.state, flow.result], ["completed", [null, 1]]);
  },
);

conformance(
  "a waiting part whose record another program deleted does not run, and its flow goes on without it at its turn",
  async (ctx) => {
    const backend = await ctx.open();
    const { ref } = await putFlow(backend, "lost", {
      serial: [{ handler: "one" }, { handler: "one" }, { handler: "one" }],
      continueOnFailure: true,
    }, { id: "g" });
    const { ref: strict } = await putFlow(backend, "lost", {
      serial: [{ handler: "one" }, { handler: "one" }],
    }, { id: "s" });
    // Its group fails before its turn: it is never released.
    const { ref: failing } = await putFlow(backend, "lost", {
      serial: [{ handler: "fail" }, { handler: "one" }],
    }, { id: "f" });
    await loseJob(backend, "lost", "g.1");
    await loseJob(backend, "lost", "s.1");
    await loseJob(backend, "lost", "f.1");
    const ran: string[] = [];
    await work(backend, ["lost"], {
      handlers: {
        one: (_, c: JobContext) => (ran.push(c.job), 1),
        fail: () => {
          throw new NonRetryableError("kaboom");
        },
      },
      drain: true,
      signal: AbortSignal.timeout(HANG_GUARD_MS),
    });
    assert.deepEqual(ran.sort(), ["lost/g.0", "lost/g.2", "lost/s.0"]);
    const flow = await getJob(backend, ref);
    assert.deepEqual([flow.state, flow.result], ["completed", [1, null, 1]]);
    // In the same words on every backend: on Redis it once held `cannot be read: queue "lost":
    // a job holds "" — another program wrote there…`, as if a record were there.
    const failed = await getJob(backend, strict);
    assert.deepEqual(
      [failed.state, failed.error],
      ["failed", "part s.1 failed: its record was deleted by another program"],
    );
    assert.equal((await getJob(backend, failing)).error, "part f.0 failed: kaboom");
    // The deleted parts leave the count of waiting jobs too: f.1 stayed counted on Redis.
    assert.deepEqual(await unfinished(backend, "lost"), [0, 0, 0]);
    // Each deleted part that met its turn is counted failed, as `show` says it is: g.1 and s.1
    // (with s, f.0 and f); on SQL they were counted nowhere.
    const [counts] = await queueCounts(backend, ["lost"]);
    assert.deepEqual([counts.completed, counts.failed, counts.cancelled], [4, 5, 0]);
  },
);

/**
 * Works `queue` until it drains (parts `one` return 1, others run `handlers`), and returns the
 * jobs `one` ran and the failures the worker told.
 */
async function workDrained(
  backend: Backend,
  queue: string,
  handlers: Record<string, () => Promise<unknown>> = {},
) {
  const ran: string[] = [];
  const told: string[] = [];
  await work(backend, [queue], {
    handlers: { one: (_, c: JobContext) => (ran.push(c.job), 1), ...handlers },
    drain: true,
    signal: AbortSignal.timeout(HANG_GUARD_MS),
    onEvent: (event) => event.type === "failed" && told.push(`${event.job}: ${event.error}`),
  });
  return { ran: ran.sort(), told };
}

conformance(
  "a nested group whose record another program deleted fails in its turn, its parts cancelled, and its flow goes on",
  async (ctx) => {
    const backend = await ctx.open();
    const { ref } = await putFlow(backend, "lostg", {
      serial: [{ handler: "one" }, { serial: [{ handler: "one" }, { handler: "one" }] }, {
        handler: "one",
      }],
      continueOnFailure: true,
    }, { id: "s" });
    await loseJob(backend, "lostg", "s.1");
    const { ran, told } = await workDrained(backend, "lostg");
    assert.deepEqual(ran, ["lostg/s.0", "lostg/s.2"]);
    assert.deepEqual(told, [`lostg/s.1: ${DELETED_JOB}`]);
    const flow = await getJob(backend, ref);
    assert.deepEqual([flow.state, flow.result], ["completed", [1, null, 1]]);
    for (const id of ["s.1.0", "s.1.1"]) {
      const part = await getJob(backend, `lostg/${id}`);
      assert.deepEqual([part.state, part.error], ["cancelled", "its group s.1 failed"], id);
    }
    assert.deepEqual(await unfinished(backend, "lostg"), [0, 0, 0]);
  },
);

conformance(
  "a started nested group whose record another program deleted fails at its part's end, its other parts cancelled, and its flow ends",
  async (ctx) => {
    const backend = await ctx.open();
    const { ref } = await putFlow(backend, "lostr", {
      serial: [{ serial: [{ handler: "lose" }, { handler: "one" }] }, { handler: "one" }],
    }, { id: "s" });
    // Deleted while its first part runs, which then ends.
    const { ran, told } = await workDrained(backend, "lostr", {
      lose: () => loseJob(backend, "lostr", "s.0"),
    });
    assert.deepEqual(ran, []);
    assert.deepEqual(told, [`lostr/s.0: ${DELETED_JOB}`]);
    const flow = await getJob(backend, ref);
    assert.deepEqual([flow.state, flow.error], ["failed", `part s.0 failed: ${DELETED_JOB}`]);
    for (const [id, state] of [["s.0.1", "cancelled"], ["s.1", "cancelled"]]) {
      assert.equal((await getJob(backend, `lostr/${id}`)).state, state, id);
    }
    assert.deepEqual(await unfinished(backend, "lostr"), [0, 0, 0]);
  },
);

conformance(
  "a deleted nested group's parts after a part deleted with it are cancelled too",
  async (ctx) => {
    const backend = await ctx.open();
    const { ref } = await putFlow(backend, "gap", {
      parallel: [{ serial: [{ handler: "lose" }, { handler: "one" }, { handler: "one" }] }, {
        handler: "one",
      }],
      continueOnFailure: true,
    }, { id: "p" });
    // Deleted while p.0.0 runs: p.0.1, still waiting, leaves a gap in p.0's part numbers.
    const { ran, told } = await workDrained(backend, "gap", {
      lose: async () => {
        await loseJob(backend, "gap", "p.0");
        await loseJob(backend, "gap", "p.0.1");
      },
    });
    assert.deepEqual(ran, ["gap/p.1"]);
    assert.deepEqual(told, [`gap/p.0: ${DELETED_JOB}`]);
    const part = await getJob(backend, "gap/p.0.2");
    assert.deepEqual([part.state, part.error], ["cancelled", "its group p.0 failed"]);
    // Redis left p.0.2 waiting, and p.0.1 counted as waiting, for good.
    assert.deepEqual(await unfinished(backend, "gap"), [0, 0, 0]);
    const [counts] = await queueCounts(backend, ["gap"]);
    assert.equal(counts.cancelled, 1);
    assert.deepEqual((await getJob(backend, ref)).result, [null, 1]);
  },
);

conformance(
  "a deleted nested group whose first part was deleted with it still has its other parts cancelled in its turn",
  async (ctx) => {
    const backend = await ctx.open();
    const { ref } = await putFlow(backend, "head", {
      serial: [{ handler: "lose" }, { serial: [{ handler: "one" }, { handler: "one" }] }],
      continueOnFailure: true,
    }, { id: "p" });
    const { ran, told } = await workDrained(backend, "head", {
      lose: async () => {
        await loseJob(backend, "head", "p.1");
        await loseJob(backend, "head", "p.1.0");
      },
    });
    assert.deepEqual(ran, []);
    assert.deepEqual(told, [`head/p.1: ${DELETED_JOB}`]);
    const part = await getJob(backend, "head/p.1.1");
    assert.deepEqual([part.state, part.error], ["cancelled", "its group p.1 failed"]);
    // SQLite and Postgres took p.1 for a job, and left p.1.1 waiting for good.
    assert.deepEqual(await unfinished(backend, "head"), [0, 0, 0]);
    assert.deepEqual((await getJob(backend, ref)).result, [null, null]);
  },
);

conformance(
  "a deleted nested group's parts after one that ended and was deleted with it are cancelled too",
  async (ctx) => {
    const backend = await ctx.open();
    const { ref } = await putFlow(backend, "ended", {
      parallel: [{ serial: [{ handler: "one" }, { handler: "lose" }, { handler: "one" }] }, {
        handler: "one",
      }],
      continueOnFailure: true,
    }, { id: "p" });
    const { ran, told } = await workDrained(backend, "ended", {
      lose: async () => {
        await loseJob(backend, "ended", "p.0");
        await loseJob(backend, "ended", "p.0.0");
      },
    });
    assert.deepEqual(ran, ["ended/p.0.0", "ended/p.1"]);
    assert.deepEqual(told, [`ended/p.0: ${DELETED_JOB}`]);
    const part = await getJob(backend, "ended/p.0.2");
    assert.deepEqual([part.state, part.error], ["cancelled", "its group p.0 failed"]);
    // Redis's search for p.0's parts stopped at p.0.0, and left p.0.2 waiting for good.
    assert.deepEqual(await unfinished(backend, "ended"), [0, 0, 0]);
    assert.deepEqual((await getJob(backend, ref)).result, [null, 1]);
  },
);

conformance(
  "a job another program put at a deleted group's deleted part's id is not cancelled with its parts",
  async (ctx) => {
    const backend = await ctx.open();
    const { ref } = await putFlow(backend, "alien", {
      serial: [{ handler: "lose" }, { serial: [{ handler: "one" }, { handler: "one" }] }],
    }, { id: "p" });
    const { ran, told } = await workDrained(backend, "alien", {
      lose: async () => {
        await loseJob(backend, "alien", "p.1");
        await loseJob(backend, "alien", "p.1.0");
        // Below the flow's priority: still pending when the claim of p.1 fails it.
        await putJob(backend, "alien", { id: "p.1.0", handler: "one", priority: -1 });
      },
    });
    // Redis cancelled it, "its group p.1 failed", and counted p.1.0 waiting for good.
    assert.deepEqual([ran, told], [["alien/p.1.0"], [`alien/p.1: ${DELETED_JOB}`]]);
    assert.equal((await getJob(backend, "alien/p.1.0")).state, "completed");
    assert.equal((await getJob(backend, "alien/p.1.1")).state, "cancelled");
    assert.deepEqual(await unfinished(backend, "alien"), [0, 0, 0]);
    assert.equal((await getJob(backend, ref)).state, "failed");
  },
);

conformance(
  "a deleted group's postprocess deleted with it, or with another program's job put at its id, is not left counted waiting",
  async (ctx) => {
    const backend = await ctx.open();
    const group = { serial: [{ handler: "one" }], postprocess: { handler: "one" } };
    const { ref } = await putFlow(backend, "post", { serial: [{ handler: "lose" }, group] }, {
      id: "p",
    });
    const { ref: put } = await putFlow(backend, "post", {
      serial: [{ handler: "swap" }, group],
    }, { id: "q" });
    const { ran, told } = await workDrained(backend, "post", {
      lose: async () => {
        await loseJob(backend, "post", "p.1");
        await loseJob(backend, "post", "p.1.post");
      },
      swap: async () => {
        await loseJob(backend, "post", "q.1");
        await loseJob(backend, "post", "q.1.post");
        // Below the flow's priority: still pending when the claim of q.1 fails it.
        await putJob(backend, "post", { id: "q.1.post", handler: "one", priority: -1 });
      },
    });
    assert.deepEqual(ran, ["post/q.1.post"]);
    assert.deepEqual(told.sort(), [`post/p.1: ${DELETED_JOB}`, `post/q.1: ${DELETED_JOB}`]);
    for (const id of ["p.1.0", "q.1.0"]) {
      assert.equal((await getJob(backend, `post/${id}`)).state, "cancelled", id);
    }
    assert.equal((await getJob(backend, "post/q.1.post")).state, "completed");
    // Redis counted p.1.post, and q.1.post's id under the job put there, waiting for good.
    assert.deepEqual(await unfinished(backend, "post"), [0, 0, 0]);
    for (const flow of [ref, put]) assert.equal((await getJob(backend, flow)).state, "failed");
  },
);

conformance(
  "a part's end under a group whose state another program wrote over is refused (65), and a part failed on its own there fails alone, the refusal told",
  async (ctx) => {
    const backend = await ctx.open();
    await putFlow(backend, "over", { parallel: [{ handler: "one" }, { handler: "one" }] }, {
      id: "g",
    });
    await overwriteJob(backend, "over", "g", "state", "another program's");
    // g.1's record is coord's, its spec not: the claim that meets it hands it back to fail.
    await overwriteJob(backend, "over", "g.1", "spec", "another program's");
    const lease = { worker: "w", leaseMs: 60_000 };
    assert.equal((await claimJob(backend.queue, "over", lease)).job?.id, "g.0");
    await assert.rejects(
      backend.queue.finish("over", {
        id: "g.0",
        worker: "w",
        attempt: 1,
        outcome: "completed",
        result: 1,
      }),
      ForeignDataError,
    );
    assert.equal((await getJob(backend, "over/g.0")).state, "active");
    const met = await claimJob(backend.queue, "over", lease);
    assert.equal(met.undecodable?.id, "g.1");
    const failed = await backend.queue.failUndecodable("over", {
      ...met.undecodable!,
      worker: "w",
      error: "cannot be read",
    });
    // Told as an unreadable job is, quoting the group's record as stored; Redis names its key
    // and the job too, which its README's way out (`redis-cli HDEL KEY FIELD`) needs.
    assert.match(
      (failed as { flowRefused?: string }).flowRefused ?? "",
      /^queue "over": (a job holds|\S+:\{queue:over\}:jobs has job g) "another program's" — another program wrote there; remove (it|the key) or use another --namespace$/,
    );
    assert.equal((await getJob(backend, "over/g.1")).state, "failed");
  },
);

conformance(
  "a part failed on its own under a group whose record another program wrote over fails alone, the refusal worded as for an unreadable job",
  async (ctx) => {
    const backend = await ctx.open();
    await putFlow(backend, "rec", { parallel: [{ handler: "one" }, { handler: "one" }] }, {
      id: "g",
    });
    await overwriteJob(backend, "rec", "g", "group", "another program's");
    await overwriteJob(backend, "rec", "g.0", "spec", "another program's");
    const met = await claimJob(backend.queue, "rec", { worker: "w", leaseMs: 60_000 });
    assert.equal(met.undecodable?.id, "g.0");
    const failed = await backend.queue.failUndecodable("rec", {
      ...met.undecodable!,
      worker: "w",
      error: "cannot be read",
    });
    // SQLite's check of the rows a step reads named the column (`(grp = "…")`) and the row.
    assert.match(
      (failed as { flowRefused?: string }).flowRefused ?? "",
      /^queue "rec": (a job holds|\S+:\{queue:rec\}:jobs has job g) "another program's" — another program wrote there; remove (it|the key) or use another --namespace$/,
    );
    assert.equal((await getJob(backend, "rec/g.0")).state, "failed");
  },
);

conformance(
  "a started group whose first part another program deleted is counted at once when cancelled, and its flow's next part starts",
  async (ctx) => {
    const backend = await ctx.open();
    const { ref } = await putFlow(backend, "gone1", {
      serial: [{ serial: [{ handler: "one" }, { handler: "one" }] }, { handler: "one" }],
      continueOnFailure: true,
    }, { id: "s" });
    await loseJob(backend, "gone1", "s.0.0");
    assert.equal((await cancelJob(backend, "gone1/s.0")).cancelled, true);
    assert.deepEqual(await claimReady(backend, "gone1"), ["s.1"]);
    await complete(backend, "gone1", "s.1", 1);
    const flow = await getJob(backend, ref);
    assert.deepEqual([flow.state, flow.result], ["completed", [null, 1]]);
    assert.deepEqual(await unfinished(backend, "gone1"), [0, 0, 0]);
  },
);

conformance(
  "a group whose turn has not come, its first part deleted by another program, is counted in its turn when cancelled: no later part starts early",
  async (ctx) => {
    const backend = await ctx.open();
    const { ref } = await putFlow(backend, "gone2", {
      serial: [
        { handler: "one" },
        { serial: [{ handler: "one" }, { handler: "one" }] },
        { handler: "one" },
      ],
      continueOnFailure: true,
    }, { id: "s" });
    await loseJob(backend, "gone2", "s.1.0");
    assert.deepEqual(await claimReady(backend, "gone2"), ["s.0"]);
    assert.equal((await cancelJob(backend, "gone2/s.1")).cancelled, true);
    assert.deepEqual(await claimReady(backend, "gone2"), [], "nothing starts while s.0 runs");
    await complete(backend, "gone2", "s.0", 0);
    assert.deepEqual(await claimReady(backend, "gone2"), ["s.2"]);
    await complete(backend, "gone2", "s.2", 2);
    const flow = await getJob(backend, ref);
    assert.deepEqual([flow.state, flow.result], ["completed", [0, null, 2]]);
    // The deleted part too leaves the count of waiting jobs, as its cancelled group ends it.
    assert.deepEqual(await unfinished(backend, "gone2"), [0, 0, 0]);
  },
);

conformance(
  "a group cancelled once started is counted at once, and its flow's next part starts",
  async (ctx) => {
    const backend = await ctx.open();
    const { ref } = await putFlow(backend, "started", {
      serial: [{ serial: [{ handler: "one" }, { handler: "one" }] }, { handler: "one" }],
      continueOnFailure: true,
    }, { id: "s" });
    assert.equal((await cancelJob(backend, "started/s.0")).cancelled, true);
    assert.equal((await getJob(backend, "started/s.0.0")).state, "cancelled");
    assert.deepEqual(await claimReady(backend, "started"), ["s.1"]);
    await complete(backend, "started", "s.1", 1);
    const flow = await getJob(backend, ref);
    assert.deepEqual([flow.state, flow.result], ["completed", [null, 1]]);
    assert.deepEqual(await unfinished(backend, "started"), [0, 0, 0]);
  },
);
