/** `coord queue` as separate processes, on every backend. */

import { claimJob } from "../../lib/queue/claim_job.ts";
import assert from "node:assert/strict";
import { getJob, putJob, queueCounts } from "../../lib/queue/queue.ts";
import type { Backend } from "../../lib/backend/types.ts";
import { conformance, envOf } from "../support/backends.ts";
import { type CoordProcess, runCoord, spawnCoord } from "../support/cli.ts";
import {
  FOREIGN_SETTINGS,
  garbageOn,
  plantForeignQueue,
  plantForeignSetting,
  plantForeignTotals,
  plantGarbageJob,
  plantGroupCount,
} from "../support/queue.ts";
import { tempDir } from "../support/temp.ts";
import { startUi } from "../ui_support.ts";
import { guarded, until } from "../support/wait.ts";

/** A handler module logging `start|end ID PID TIME` around a short sleep. */
function handlers(log: string): string {
  return `
const note = (what: string, id: unknown) =>
  Deno.writeTextFileSync(${
    JSON.stringify(log)
  }, \`\${what} \${id} \${Deno.pid} \${Date.now()}\\n\`, { append: true });
export async function step(args: number) {
  note("start", args);
  await new Promise((r) => setTimeout(r, 40));
  note("end", args);
  return args * 2;
}
`;
}

interface Event {
  what: string;
  id: number;
  pid: number;
  at: number;
}

const events = async (log: string): Promise<Event[]> =>
  (await Deno.readTextFile(log)).trim().split("\n").filter(Boolean).map((line) => {
    const [what, id, pid, at] = line.split(" ");
    return { what, id: Number(id), pid: Number(pid), at: Number(at) };
  });

conformance(
  "500 jobs, 3 workers, one SIGKILLed mid-run: every job completes, none runs twice at once",
  async (ctx) => {
    await using temp = await tempDir("coord-test-");
    const dir = temp.path;
    const log = `${dir}/log`;
    await Deno.writeTextFile(log, "");
    await Deno.writeTextFile(`${dir}/handlers.ts`, handlers(log));
    const backend = await ctx.open();
    for (let i = 0; i < 500; i += 50) {
      await Promise.all(
        Array.from(
          { length: 50 },
          (_, k) => putJob(backend, "bulk", { handler: "step", args: i + k }),
        ),
      );
    }
    const args = (w: number) => [
      "queue",
      "work",
      "bulk",
      "--module",
      `${dir}/handlers.ts`,
      "--concurrency",
      "5",
      "--lease",
      "1",
      "--drain",
      "--worker",
      `w${w}`,
    ];
    const workers: CoordProcess[] = [0, 1, 2].map((w) => spawnCoord(args(w), { env: envOf(ctx) }));
    // Kill the first worker once it has run some jobs.
    await until(
      async () => (await events(log)).filter((e) => e.what === "end" && e.pid !== 0).length >= 60,
      { what: "60 jobs run" },
    );
    const victimPid = workers[0].pid;
    workers[0].kill("SIGKILL");
    const killedAt = Date.now();
    assert.equal((await workers[0].result).code, 137);
    for (const w of workers.slice(1)) {
      const { code, stderr } = await w.result;
      assert.equal(code, 0, stderr);
    }
    const all = await events(log);
    const byId = new Map<number, Event[]>();
    for (const e of all) byId.set(e.id, [...(byId.get(e.id) ?? []), e]);
    assert.equal(byId.size, 500);
    for (const [id, list] of byId) {
      assert.ok(list.some((e) => e.what === "end"), `job ${id} never ended`);
      const starts = list.filter((e) => e.what === "start");
      for (let i = 1; i < starts.length; i++) {
        // A second run only after the first ended, or after its worker was killed.
        const before = starts[i - 1];
        const ended = list.some((e) =>
          e.what === "end" && e.pid === before.pid && e.at <= starts[i].at
        );
        assert.ok(
          ended || (before.pid === victimPid && starts[i].at >= killedAt),
          `job ${id} ran twice at once: ${JSON.stringify(list)}`,
        );
      }
    }
    const status = await runCoord(["queue", "status", "bulk", "--json"], { env: envOf(ctx) });
    const counts = JSON.parse(status.stdout);
    assert.deepEqual([counts.completed, counts.failed, counts.pending, counts.active], [
      500,
      0,
      0,
      0,
    ]);
  },
);

conformance("put, work --drain and wait as separate commands", async (ctx) => {
  const env = envOf(ctx);
  const put = await runCoord(["queue", "put", "cli", "--id", "one", "--", "sh", "-c", "echo hi"], {
    env,
  });
  assert.equal(put.code, 0, put.stderr);
  assert.equal(put.stdout.trim(), "cli/one");
  const waiter = spawnCoord(["queue", "wait", "cli/one", "--timeout", "30"], { env });
  const worker = await runCoord(["queue", "work", "cli", "--allow-commands", "--drain"], { env });
  assert.equal(worker.code, 0, worker.stderr);
  const waited = await waiter.result;
  assert.equal(waited.code, 0, waited.stderr);
  assert.deepEqual(JSON.parse(waited.stdout), { exitCode: 0, stdout: "hi\n" });
  const show = await runCoord(["queue", "show", "cli/one", "--json"], { env });
  assert.equal(JSON.parse(show.stdout).state, "completed");
});

conformance(
  "work --drain exits once drained, though a timed-out handler ignores its signal",
  async (ctx) => {
    await using temp = await tempDir("coord-test-");
    const module = `${temp.path}/h.ts`;
    const tidied = `${temp.path}/tidied`;
    // `deaf`'s timer alone would keep the process alive for 10 minutes; `tidy` heeds its
    // signal but cleans up for 0.3 s after it, which the grace period waits for.
    await Deno.writeTextFile(
      module,
      `export const deaf = () => new Promise((r) => setTimeout(r, 600_000));
export async function tidy(_: unknown, { signal }: { signal: AbortSignal }) {
  try {
    await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
  } finally {
    await new Promise((r) => setTimeout(r, 300));
    await Deno.writeTextFile(${JSON.stringify(tidied)}, "done");
  }
}\n`,
    );
    const backend = await ctx.open();
    for (const handler of ["deaf", "tidy"]) {
      await putJob(backend, "deaf", { id: handler, handler, timeoutMs: 300, retries: 0 });
    }
    await using deaf = spawnCoord(
      [
        "queue",
        "work",
        "deaf",
        "--drain",
        "--grace",
        "5",
        "--concurrency",
        "2",
        "--module",
        module,
      ],
      { env: envOf(ctx) },
    );
    const worker = await guarded(deaf.result, "exit of the drained worker");
    assert.equal(worker.code, 0, worker.stderr);
    for (const id of ["deaf", "tidy"]) {
      const job = await backend.queue.get("deaf", id);
      assert.deepEqual([job?.state, job?.error], ["failed", "timed out after 0.3 s"], id);
    }
    assert.equal(await Deno.readTextFile(tidied), "done", "the cleanup was not cut off");
  },
);

conformance(
  "put --from refused in its second batch prints the jobs the first one put, and says so",
  async (ctx) => {
    await using temp = await tempDir("coord-test-");
    const backend = await ctx.open();
    await plantGarbageJob(backend, "bulk", "x", "json");
    const lines = Array.from({ length: 599 }, () => JSON.stringify({ handler: "h" }));
    const file = `${temp.path}/jobs.jsonl`;
    await Deno.writeTextFile(
      file,
      [...lines, JSON.stringify({ handler: "h", id: "x" })].join("\n"),
    );
    const put = await runCoord(["queue", "put", "bulk", "--from", file], { env: envOf(ctx) });
    assert.equal(put.code, 65, put.stderr);
    const printed = put.stdout.trim().split("\n");
    assert.deepEqual([printed.length, printed[0], printed[499]], [500, "bulk/1", "bulk/500"]);
    assert.equal(put.stderr.trim().split("\n").length, 1, put.stderr);
    assert.match(put.stderr, /another program .* the first 500 of the 600 jobs were put/);
    assert.equal((await queueCounts(backend, ["bulk"]))[0].pending, 501, "the first batch, and x");
  },
);

conformance("work logs a job its claim failed as expired, as any failure", async (ctx) => {
  const env = envOf(ctx);
  const backend = await ctx.open();
  const { job } = await putJob(backend, "exp", { id: "late", command: ["true"], beginByMs: 1 });
  await until(async () => await backend.now() > job.beginBy!, { what: "the begin-by to pass" });
  const worker = await runCoord(["queue", "work", "exp", "--allow-commands", "--drain"], { env });
  assert.equal(worker.code, 0, worker.stderr);
  // It used to say nothing: the failure was made inside the claim, which did not tell of it.
  assert.match(
    worker.stderr,
    /^coord: exp\/late failed \(attempt 0\): expired: not started by its --begin-by$/m,
  );
  assert.equal((await getJob(backend, "exp/late")).state, "failed");
});

conformance("work says a queue is paused, and --drain ends once it is resumed", async (ctx) => {
  const env = envOf(ctx);
  const backend = await ctx.open();
  await putJob(backend, "held", { id: "one", command: ["true"] });
  const pause = await runCoord(["queue", "pause", "held"], { env });
  assert.equal(pause.code, 0, pause.stderr);
  // It waited for the resume saying nothing: a script's --drain seemed to hang.
  await using worker = spawnCoord(["queue", "work", "held", "--allow-commands", "--drain"], {
    env,
  });
  await worker.stderrLine(/queue held is paused — its jobs wait for coord queue resume held/);
  const resume = await runCoord(["queue", "resume", "held"], { env });
  assert.equal(resume.code, 0, resume.stderr);
  assert.equal((await worker.result).code, 0);
  assert.equal((await queueCounts(backend, ["held"]))[0].completed, 1);
});

conformance("wait exits 1 for a failed job and 75 on timeout", async (ctx) => {
  const env = envOf(ctx);
  await runCoord(["queue", "put", "w", "--id", "bad", "--", "false"], { env });
  assert.equal(
    (await runCoord(["queue", "work", "w", "--allow-commands", "--drain"], { env })).code,
    0,
  );
  // Put after the drain: a worker with --drain waits for scheduled jobs too.
  await runCoord(["queue", "put", "w", "--id", "later", "--delay", "60", "--", "true"], { env });
  const bad = await runCoord(["queue", "wait", "w/bad", "--timeout", "5"], { env });
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, /w\/bad failed: exited with status 1/);
  const late = await runCoord(["queue", "wait", "w/later", "--timeout", "0.3"], { env });
  assert.equal(late.code, 75, late.stderr);
  // As `list` names it: put with a delay, it is scheduled.
  assert.match(late.stderr, /^coord: job w\/later is still scheduled — gave up waiting$/m);
  const cancel = await runCoord(["queue", "cancel", "w/later"], { env });
  assert.equal(cancel.code, 0, cancel.stderr);
  assert.equal((await runCoord(["queue", "cancel", "w/bad"], { env })).code, 1);
});

conformance(
  "SIGTERM lets running jobs finish; a second one puts them back, exit 143",
  async (ctx) => {
    const env = envOf(ctx);
    await using temp = await tempDir("coord-test-");
    const dir = temp.path;
    await Deno.writeTextFile(
      `${dir}/h.ts`,
      `export async function nap(ms: number, ctx: { signal: AbortSignal }) {
  console.error("napping");
  await new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    ctx.signal.addEventListener("abort", () => { clearTimeout(t); reject(ctx.signal.reason); });
  });
  return "rested";
}\n`,
    );
    const backend = await ctx.open();
    await putJob(backend, "naps", { id: "short", handler: "nap", args: 500 });
    const graceful = spawnCoord(["queue", "work", "naps", "--module", `${dir}/h.ts`], { env });
    await graceful.stderrLine(/^napping$/);
    graceful.kill("SIGTERM");
    assert.equal((await graceful.result).code, 0);
    assert.equal((await backend.queue.get("naps", "short"))?.state, "completed");

    await putJob(backend, "naps", { id: "long", handler: "nap", args: 30_000 });
    const forced = spawnCoord(["queue", "work", "naps", "--module", `${dir}/h.ts`], { env });
    await forced.stderrLine(/^napping$/);
    forced.kill("SIGTERM");
    await forced.stderrLine(
      /^coord: stopping: waiting up to 30 s for 1 running job to finish \(naps\/long\)/,
    );
    forced.kill("SIGTERM");
    const stopped = await forced.result;
    assert.equal(stopped.code, 143);
    assert.match(stopped.stderr, /^coord: naps\/long went back to pending/m);
    const job = await backend.queue.get("naps", "long");
    assert.equal(job?.state, "pending", "handed back for another worker");
  },
);

conformance(
  "show, wait, cancel and retry exit 65 with one line on a job coord cannot read",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    for (const garbage of garbageOn(backend)) {
      await plantGarbageJob(backend, "junk", garbage, garbage);
    }
    for (const garbage of garbageOn(backend)) {
      for (const verb of ["show", "wait", "cancel", "retry"]) {
        const r = await runCoord(
          ["queue", verb, `junk/${garbage}`, "--timeout", "5"].slice(0, verb === "wait" ? 5 : 3),
          { env },
        );
        assert.equal(r.code, 65, `${verb} ${garbage}: ${r.stderr}`);
        assert.match(r.stderr, /^coord: .*junk.* (holds|has) .* — another program wrote there/);
        assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      }
    }
    assert.equal((await queueCounts(backend, ["junk"]))[0].cancelled, 0, "nothing cancelled");
  },
);

conformance(
  "work --drain fails a job coord cannot read, runs the others and exits",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    await plantGarbageJob(backend, "mixed", "poison", "json");
    for (const id of ["a", "b", "c"]) {
      await runCoord(["queue", "put", "mixed", "--id", id, "--", "echo", id], { env });
    }
    const work = await runCoord(["queue", "work", "mixed", "--allow-commands", "--drain"], { env });
    assert.equal(work.code, 0, work.stderr);
    const lines = work.stderr.trim().split("\n");
    assert.equal(lines.length, 1, work.stderr);
    assert.match(
      lines[0],
      /^coord: mixed\/poison failed .*: cannot be read: queue "mixed": a job holds/,
    );
    for (const id of ["a", "b", "c"]) {
      const wait = await runCoord(["queue", "wait", `mixed/${id}`], { env });
      assert.deepEqual(JSON.parse(wait.stdout), { exitCode: 0, stdout: `${id}\n` });
    }
    const poison = await runCoord(["queue", "wait", "mixed/poison"], { env });
    assert.equal(poison.code, 1);
    assert.match(poison.stderr, /mixed\/poison failed: cannot be read/);
  },
);

conformance("show prints a job's fields in one order everywhere, failures counted", async (ctx) => {
  const env = envOf(ctx);
  const put = ["queue", "put", "s", "--id", "f", "--retries", "2", "--backoff", "0", "--", "false"];
  assert.equal((await runCoord(put, { env })).code, 0);
  assert.equal(
    (await runCoord(["queue", "work", "s", "--allow-commands", "--drain"], { env })).code,
    0,
  );
  const show = await runCoord(["queue", "show", "s/f"], { env });
  assert.equal(show.code, 0, show.stderr);
  const lines = show.stdout.trim().split("\n");
  assert.deepEqual(lines.map((line) => line.split(" ")[0]), [
    "job",
    "state",
    "command",
    "retries",
    "backoffMs",
    "attempts",
    "failures",
    "stalls",
    "worker",
    "createdAt",
    "readyAt",
    "startedAt",
    "finishedAt",
    "error",
  ]);
  assert.match(show.stdout, /^attempts +3$/m);
  assert.match(show.stdout, /^failures +3$/m);
  const json = await runCoord(["queue", "show", "s/f", "--json"], { env });
  assert.deepEqual(Object.keys(JSON.parse(json.stdout)), lines.map((line) => line.split(" ")[0]));
});

conformance(
  "status counts a job put with --at in the past as pending since its put",
  async (ctx) => {
    const env = envOf(ctx);
    // It showed "2527d 13h" for a job put a minute before with --at 2020-01-01T00:00:00Z.
    for (
      const at of [new Date(Date.now() - 8 * 86_400_000).toISOString(), "2020-01-01T00:00:00Z"]
    ) {
      const put = await runCoord(["queue", "put", "old", "--at", at, "--", "true"], { env });
      assert.equal(put.code, 0, put.stderr);
    }
    const status = await runCoord(["queue", "status", "old"], { env });
    assert.equal(status.code, 0, status.stderr);
    const [header, row] = status.stdout.trim().split("\n");
    const oldest = row.slice(header.indexOf("OLDEST")).trim().split(/ {2,}/)[0];
    assert.match(oldest, /^\d+(\.\d)? s$|^\d+ ms$/, "seconds since it was put, not days");
    const json = JSON.parse((await runCoord(["queue", "status", "old", "--json"], { env })).stdout);
    const job = JSON.parse((await runCoord(["queue", "show", "old/1", "--json"], { env })).stdout);
    assert.ok(json.oldestPendingAt >= job.createdAt, `${json.oldestPendingAt} < ${job.createdAt}`);
  },
);

conformance("status says a queue given that does not exist, as turn status does", async (ctx) => {
  const env = envOf(ctx);
  await putJob(await ctx.open(), "real", { handler: "h" });
  const status = await runCoord(["queue", "status", "real", "typo"], { env });
  assert.equal(status.code, 0, status.stderr);
  assert.equal(status.stderr, 'No such queue: "typo".\n');
  assert.deepEqual(status.stdout.trim().split("\n").slice(1).map((r) => r.split(" ")[0]), [
    "real",
  ]);
  const json = await runCoord(["queue", "status", "typo", "--json"], { env });
  assert.deepEqual([json.code, json.stdout, json.stderr], [0, "", 'No such queue: "typo".\n']);
});

conformance("list says a queue given that does not exist, as status does", async (ctx) => {
  const env = envOf(ctx);
  await putJob(await ctx.open(), "real", { handler: "h" });
  for (const argv of [["queue", "list", "typo"], ["queue", "list", "typo", "--json"]]) {
    const list = await runCoord(argv, { env });
    assert.deepEqual([list.code, list.stdout, list.stderr], [0, "", 'No such queue: "typo".\n']);
  }
  // A queue that exists, with nothing in the states asked for: an empty page, said nothing of.
  const empty = await runCoord(["queue", "list", "real", "--state", "failed"], { env });
  assert.deepEqual([empty.code, empty.stdout, empty.stderr], [0, "", ""]);
});

conformance("list and the console refuse a crafted --after cursor (64, 400)", async (ctx) => {
  const env = envOf(ctx);
  const backend = await ctx.open();
  for (let i = 0; i < 3; i++) await putJob(backend, "big", { handler: "h", delayMs: 3_600_000 });
  // As list writes a cursor: base64 of [state, score, id], without padding.
  const cursor = (json: string) => btoa(json).replaceAll("=", "");
  // PostgreSQL failed on each (70, a 500 page): no number SQL takes, none a bigint holds, NUL.
  const crafted = [
    cursor('["pending",1e400,"x"]'),
    cursor('["scheduled",1e20,"x"]'),
    cursor('["pending",1,"\\u0000"]'),
  ];
  for (const after of crafted) {
    const list = await runCoord(["queue", "list", "big", "--after", after], { env });
    assert.equal(list.code, 64, `${atob(after)}: ${list.stderr}`);
    assert.match(list.stderr, /is not a cursor of this list/);
  }
  await using ui = await startUi(env);
  for (const after of crafted) {
    const page = await fetch(`${ui.root}queues/big?after=${after}`);
    assert.equal(page.status, 400, atob(after));
    await page.body?.cancel();
  }
});

conformance(
  "status shows every healthy queue beside one holding foreign data, and exits 65",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    for (const queue of ["a", "alien", "b"]) await putJob(backend, queue, { handler: "h" });
    await plantForeignQueue(backend, "alien");
    for (const argv of [["queue", "status"], ["queue", "status", "a", "alien", "b"]]) {
      const status = await runCoord(argv, { env });
      assert.equal(status.code, 65, status.stderr);
      const rows = status.stdout.trim().split("\n").slice(1).map((r) => r.split(" ")[0]);
      assert.deepEqual(rows, ["a", "b"]);
      assert.match(status.stderr, /^coord: queue "alien": .*another program wrote there.*\n$/);
    }
  },
);

conformance(
  "work --drain over several queues holding foreign data drains the others, then exits 65 " +
    "naming every one of them in one line",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    // A group's count another program wrote refuses the claims of its queue, not its settings:
    // the worker starts, and leaves each such queue as a claim meets it.
    for (const queue of ["alien1", "alien2"]) await plantRefusedClaims(backend, queue);
    await putJob(backend, "a", { id: "j", command: ["true"] });
    const work = await runCoord(
      ["queue", "work", "alien1", "a", "alien2", "--allow-commands", "--drain"],
      { env },
    );
    assert.equal(work.code, 65, work.stderr);
    const said = work.stderr.trimEnd().split("\n");
    assert.equal(said.length, 1, work.stderr);
    assert.match(
      said[0],
      /^coord: queues "alien1" and "alien2" hold another program's data: .*"alien1".*another program wrote there.*; .*"alien2".*another program wrote there/,
    );
    assert.equal((await getJob(backend, "a/j")).state, "completed");
  },
);

conformance(
  "work --drain over several queues, one whose counts another program wrote, drains the others " +
    "and runs none of its jobs, then exits 65 naming it",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    for (const queue of ["alien", "a", "b"]) {
      await putJob(backend, queue, { id: "j", command: ["true"] });
    }
    // The look at the settings before the worker's start met it, and the worker exited 65 with
    // the other queues' jobs still pending.
    await plantForeignTotals(backend, "alien");
    const work = await runCoord(
      ["queue", "work", "a", "alien", "b", "--allow-commands", "--drain"],
      { env },
    );
    refusesOnce(work, "alien");
    for (const ref of ["a/j", "b/j"]) assert.equal((await getJob(backend, ref)).state, "completed");
    // Its claims would not have met the counts: its job would have run, its end then refused.
    assert.equal((await getJob(backend, "alien/j")).state, "pending");
  },
);

conformance(
  "work over several queues whose settings another program wrote exits 65 at its start, naming " +
    "every one of them in one line, and runs nothing; with --drain it drains the others first",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    for (const queue of ["set1", "a", "set2"]) {
      await putJob(backend, queue, { id: "j", command: ["true"] });
    }
    for (const queue of ["set1", "set2"]) {
      await plantForeignSetting(backend, queue, FOREIGN_SETTINGS[0]);
    }
    for (const [drain, state] of [[false, "pending"], [true, "completed"]] as const) {
      const work = await runCoord(
        ["queue", "work", "set1", "a", "set2", "--allow-commands", ...drain ? ["--drain"] : []],
        { env },
      );
      assert.equal(work.code, 65, work.stderr);
      const said = work.stderr.trimEnd().split("\n");
      assert.equal(said.length, 1, work.stderr);
      assert.match(
        said[0],
        /^coord: queues "set1" and "set2" hold another program's data: .*"set1".*; .*"set2"/,
      );
      assert.equal((await getJob(backend, "a/j")).state, state, `--drain ${drain}`);
    }
  },
);

/**
 * Makes `queue` one whose claims are refused, not its settings: two jobs of one group, the first
 * taken by another worker, and the group's count of running jobs then written by another program.
 */
async function plantRefusedClaims(backend: Backend, queue: string): Promise<void> {
  for (const id of ["a", "b"]) {
    await putJob(backend, queue, { id, command: ["true"], group: "g" });
  }
  const { job } = await claimJob(backend.queue, queue, { worker: "w", leaseMs: 600_000 });
  assert.equal(job?.id, "a");
  await plantGroupCount(backend, queue, "g", "active", -1);
}

/** The one line of a `queue work` that exits 65 refusing queue `name` alone, named once. */
function refusesOnce(work: { code: number; stderr: string }, name: string): void {
  assert.equal(work.code, 65, work.stderr);
  const said = work.stderr.trimEnd().split("\n");
  assert.equal(said.length, 1, work.stderr);
  assert.doesNotMatch(said[0], /queues /);
  assert.match(said[0], new RegExp(`^coord: .*"${name}".*another program wrote there`));
  assert.equal(said[0].match(/another program wrote there/g)?.length, 1, said[0]);
}

conformance(
  "work --drain naming twice a queue that holds foreign data names it once, whether its claims " +
    "or its settings refuse it",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    await plantRefusedClaims(backend, "alien");
    const drain = (queue: string) =>
      runCoord(["queue", "work", queue, queue, "--allow-commands", "--drain"], { env });
    refusesOnce(await drain("alien"), "alien");
    await putJob(backend, "set", { id: "j", command: ["true"] });
    await plantForeignSetting(backend, "set", FOREIGN_SETTINGS[0]);
    refusesOnce(await drain("set"), "set");
  },
);

conformance(
  "status, the queue page and /metrics say a queue holds jobs coord cannot read; status exits 65",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    await putJob(backend, "fine", { handler: "h" });
    await putJob(backend, "junk", { id: "good", handler: "h" });
    const planted = garbageOn(backend);
    for (const garbage of planted) await plantGarbageJob(backend, "junk", garbage, garbage);
    const status = await runCoord(["queue", "status", "--json"], { env });
    assert.equal(status.code, 65, status.stderr);
    const lines = status.stdout.trim().split("\n").map((line) => JSON.parse(line));
    assert.deepEqual(
      lines.map((c) => [c.queue, c.unreadable]),
      [["fine", 0], ["junk", planted.length]],
    );
    const said = status.stderr.trim().split("\n");
    assert.equal(said.length, 1, status.stderr);
    assert.match(
      said[0],
      new RegExp(
        // The first in the backend's order, named as show names it.
        `^coord: queue "junk": ${planted.length} jobs coord cannot read \\(.*\\b(${
          planted.join("|")
        })\\b.* and ${planted.length - 1} more\\) — another program wrote there; ` +
          "coord doctor lists them$",
      ),
    );
    const healthy = await runCoord(["queue", "status", "fine"], { env });
    assert.deepEqual([healthy.code, healthy.stderr], [0, ""]);
    await using ui = await startUi(env);
    // Its completed jobs, none of them another program's: the list of all of them refuses.
    const page = await (await fetch(`${ui.root}queues/junk?state=completed`)).text();
    assert.match(page, /<p class="bad queue-jobs-foreign">queue &quot;junk&quot;: \d+ jobs coord/);
    const metrics = await (await fetch(`${ui.root}metrics`)).text();
    assert.match(
      metrics,
      new RegExp(`^coord_queue_unreadable_jobs\\{queue="junk"\\} ${planted.length}$`, "m"),
    );
    assert.match(metrics, /^coord_queue_unreadable_jobs\{queue="fine"\} 0$/m);
  },
);

conformance(
  "put --json names a job's state as list does: a delayed one is scheduled",
  async (ctx) => {
    const env = envOf(ctx);
    const states = [];
    for (const delay of [["--delay", "3600"], []]) {
      const put = await runCoord(["queue", "put", "later", ...delay, "--json", "--", "true"], {
        env,
      });
      assert.equal(put.code, 0, put.stderr);
      states.push(JSON.parse(put.stdout).state);
    }
    const list = await runCoord(["queue", "list", "later", "--json"], { env });
    const listed = list.stdout.trim().split("\n").map((line) => JSON.parse(line).listed);
    assert.deepEqual(states, ["scheduled", "pending"]);
    assert.deepEqual(listed.toSorted(), states.toSorted());
  },
);

conformance(
  "show, show --json and the console's job page name a delayed job scheduled, as list does",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    await putJob(backend, "later", { id: "d", handler: "h", delayMs: 3_600_000 });
    await putJob(backend, "later", { id: "now", handler: "h" });
    const show = await runCoord(["queue", "show", "later/d"], { env });
    assert.match(show.stdout, /^state +scheduled$/m);
    const json = await runCoord(["queue", "show", "later/d", "--json"], { env });
    assert.equal(JSON.parse(json.stdout).state, "scheduled");
    const ready = await runCoord(["queue", "show", "later/now", "--json"], { env });
    assert.equal(JSON.parse(ready.stdout).state, "pending");
    await using ui = await startUi(env);
    const page = await (await fetch(`${ui.root}queues/later/jobs/d`)).text();
    assert.match(page, /<dt>state<\/dt><dd><span class="state-scheduled">scheduled<\/span>/);
  },
);

conformance(
  "a job whose worker died shows stalled once its lease ran out, its state still active",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    // Two workers that claim and then vanish (as after SIGKILL): one lease runs out at once.
    // (The short one last: a claim takes a job whose lease ran out first.)
    await putJob(backend, "ghost", { id: "alive", handler: "h" });
    await claimJob(backend.queue, "ghost", { worker: "slow", leaseMs: 600_000 });
    await putJob(backend, "ghost", { id: "dead", handler: "h" });
    await claimJob(backend.queue, "ghost", { worker: "killed", leaseMs: 1 });
    const { leaseUntil } = await getJob(backend, "ghost/dead");
    assert.ok(leaseUntil !== undefined, "an active job has its lease's end");
    await until(async () => await backend.now() > leaseUntil!, { what: "the lease's end" });
    const show = async (id: string) =>
      JSON.parse((await runCoord(["queue", "show", `ghost/${id}`, "--json"], { env })).stdout);
    const [dead, alive] = [await show("dead"), await show("alive")];
    assert.deepEqual([dead.state, dead.stalled, dead.leaseUntil], ["active", true, leaseUntil]);
    assert.deepEqual([alive.state, alive.stalled], ["active", false]);
    const text = await runCoord(["queue", "show", "ghost/dead"], { env });
    const at = new Date(leaseUntil!).toISOString();
    assert.match(text.stdout, new RegExp(`^stalled +yes: lease ran out at ${at}: no worker`, "m"));
    const list = await runCoord(["queue", "list", "ghost", "--state", "active"], { env });
    const rows = list.stdout.trim().split("\n").slice(1).map((row) => row.split(/ {2,}/));
    assert.deepEqual(rows.map((row) => [row[0], row[1]]).toSorted(), [
      ["ghost/alive", "active"],
      ["ghost/dead", "active (stalled)"],
    ]);
    const listed = (await runCoord(["queue", "list", "ghost", "--json"], { env })).stdout;
    assert.deepEqual(
      listed.trim().split("\n").map((line) => JSON.parse(line)).map((j) => [j.job, j.stalled])
        .toSorted(),
      [["ghost/alive", false], ["ghost/dead", true]],
    );
    const status = await runCoord(["queue", "status", "ghost", "--json"], { env });
    assert.deepEqual([JSON.parse(status.stdout).active, JSON.parse(status.stdout).stalled], [2, 1]);
    const table = (await runCoord(["queue", "status", "ghost"], { env })).stdout;
    assert.match(table, /^ghost .* 2 \(1 stalled\) /m);
  },
);

conformance(
  "put refuses a command word Linux cannot pass (over 128 KiB), storing nothing; one that fits runs",
  async (ctx) => {
    const backend = await ctx.open();
    await using temp = await tempDir("coord-test-");
    const env = envOf(ctx);
    // sh -c 'wc' sh WORD: the word is sh's $1; 131,071 bytes and its NUL fill Linux's 128 KiB.
    const job = (bytes: number) =>
      JSON.stringify({ command: ["sh", "-c", 'printf %s "$1" | wc -c', "sh", "y".repeat(bytes)] });
    await Deno.writeTextFile(`${temp.path}/over.jsonl`, `${job(1)}\n${job(131_072)}\n`);
    const over = await runCoord(["queue", "put", "q", "--from", `${temp.path}/over.jsonl`], {
      env,
    });
    assert.equal(over.code, 64, over.stderr);
    assert.equal(
      over.stderr,
      `coord: ${temp.path}/over.jsonl:2: the command's word 4 is 131073 bytes with its NUL, over ` +
        "the 128 KiB (131072 bytes) Linux passes in one — put the data in a file and pass its name\n",
    );
    assert.deepEqual(await backend.queue.list(), [], "nothing stored");
    await Deno.writeTextFile(`${temp.path}/fits.jsonl`, `${job(131_071)}\n`);
    const put = await runCoord(["queue", "put", "q", "--from", `${temp.path}/fits.jsonl`], { env });
    assert.equal(put.code, 0, put.stderr);
    const work = await runCoord(["queue", "work", "q", "--allow-commands", "--drain"], { env });
    assert.equal(work.code, 0, work.stderr);
    const ran = await getJob(backend, put.stdout.trim());
    assert.equal(ran.state, "completed", ran.error);
    assert.equal((ran.result as { stdout: string }).stdout.trim(), "131071");
  },
);
