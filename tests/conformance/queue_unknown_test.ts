/**
 * `coord queue` given a job or a queue that does not exist (a typo, or data the backend lost):
 * it says so at once, and creates nothing, on every backend.
 */

import assert from "node:assert/strict";
import { putJob } from "../../lib/queue/queue.ts";
import { configureQueue } from "../../lib/queue/retention.ts";
import { work } from "../../lib/queue/worker.ts";
import { conformance, envOf } from "../support/backends.ts";
import { runCoord } from "../support/cli.ts";
import { FOREIGN_SETTINGS, loseJob, plantForeignSetting } from "../support/queue.ts";
import { csrfTokenOf, startUi } from "../ui_support.ts";

conformance("wait checks that every job exists before it waits for any", async (ctx) => {
  const env = envOf(ctx);
  const backend = await ctx.open();
  await putJob(backend, "q", { id: "done", handler: "one" });
  await work(backend, ["q"], { handlers: { one: () => 1 }, drain: true });
  await putJob(backend, "q", { id: "w1", handler: "one" });
  // The unknown one after a pending one: wait gave up on w1 (75) before it looked at nope.
  // The --timeout is a hang guard: the answer comes before any wait.
  for (const refs of [["q/done", "q/nope"], ["q/w1", "q/nope"], ["q/nope", "q/w1"]]) {
    const r = await runCoord(["queue", "wait", ...refs, "--timeout", "60"], { env });
    assert.equal(r.code, 64, `${refs}: ${r.stderr}`);
    assert.equal(r.stdout, "", "no result printed before the unknown job was found");
    assert.match(r.stderr, /^coord: no job q\/nope /);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});

conformance(
  "resume, purge, retry --failed and config of a queue that does not exist say so, exit 64 " +
    "and change nothing",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    await putJob(backend, "real", { handler: "h" });
    await configureQueue(backend, "real", { paused: true });
    const refusals = [
      ["resume", "nothere"],
      ["resume", "real", "nothere"],
      ["purge", "nothere", "--state", "failed"],
      ["retry", "nothere", "--failed"],
      ["config", "nothere"],
      ["config", "nothere", "--json"],
    ];
    for (const argv of refusals) {
      const r = await runCoord(["queue", ...argv], { env });
      assert.equal(r.code, 64, `${argv.join(" ")}: ${r.stderr}`);
      assert.equal(r.stdout, "", argv.join(" "));
      const none = argv.length === 3 && argv[0] === "resume"
        ? " None of the 2 queues was resumed."
        : "";
      assert.equal(r.stderr, `No such queue: "nothere".${none}\n`, argv.join(" "));
    }
    // Named with one that does not exist, a queue is not resumed either: a typo does none.
    const status = await runCoord(["queue", "status", "--json"], { env });
    const queues = status.stdout.trim().split("\n").map((line) => JSON.parse(line));
    assert.deepEqual(queues.map((q) => [q.queue, q.paused]), [["real", true]]);
    // Settings given ahead of a queue's first job are kept, as a pause is.
    const ahead = await runCoord(["queue", "config", "fresh", "--group-limit", "2"], { env });
    assert.equal(ahead.code, 0, ahead.stderr);
    assert.equal((await configureQueue(backend, "fresh")).groupLimit, 2);
  },
);

conformance(
  "a queue coord never listed whose settings another program wrote is refused (65) by status, " +
    "config, pause and resume, not called a typo, and left as it is",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    // A queue of coord's first: on Redis the namespace's names are then indexed, so the settings
    // planted after are under a name coord's index never held (SQL lists a queue by its rows).
    await putJob(backend, "real", { handler: "h" });
    const { shown, read } = await plantForeignSetting(backend, "alien", FOREIGN_SETTINGS[0]);
    const planted = await read();
    const refusals = [
      ["status", "alien"],
      ["config", "alien"],
      ["pause", "alien"],
      ["resume", "alien"],
    ];
    for (const argv of refusals) {
      const r = await runCoord(["queue", ...argv], { env });
      assert.equal(r.code, 65, `${argv.join(" ")}: ${r.stderr}`);
      assert.ok(r.stderr.startsWith('coord: queue "alien": '), `${argv.join(" ")}: ${r.stderr}`);
      assert.ok(r.stderr.includes(shown), `${argv.join(" ")}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
    // list reads jobs, not settings, as of a queue coord listed: no job, and no "No such queue".
    const list = await runCoord(["queue", "list", "alien"], { env });
    assert.deepEqual([list.code, list.stdout, list.stderr], [0, "", ""]);
    assert.equal(await read(), planted, "left as it was");
  },
);

conformance(
  "the console answers an action on a queue that does not exist as its page: 404, nothing made",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    await putJob(backend, "real", { handler: "h" });
    await using ui = await startUi(env);
    const csrf = await csrfTokenOf(`${ui.root}queues/real`);
    assert.equal((await fetchText(`${ui.root}queues/typoq`)).status, 404);
    const actions = [
      ["pause", {}],
      ["resume", {}],
      ["purge", { state: "failed" }],
      ["jobs/1/cancel", {}],
      ["jobs/1/retry", {}],
    ] as const;
    for (const [action, fields] of actions) {
      const response = await fetch(`${ui.root}queues/typoq/${action}`, {
        method: "POST",
        body: new URLSearchParams({ csrf, ...fields }),
        redirect: "manual",
      });
      const body = await response.text();
      assert.equal(response.status, 404, `${action}: ${body}`);
      assert.match(body, /typoq/, action);
    }
    assert.deepEqual(await backend.queue.list(), ["real"]);
  },
);

/** A GET's status and body. */
async function fetchText(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

conformance(
  "wait on a job the backend lost says it may be gone from the backend, not only mistyped",
  async (ctx) => {
    const env = envOf(ctx);
    const backend = await ctx.open();
    await putJob(backend, "rq", { id: "s1", handler: "h" });
    await loseJob(backend, "rq", "s1");
    const r = await runCoord(["queue", "wait", "rq/s1"], { env });
    assert.equal(r.code, 64, r.stderr);
    assert.match(r.stderr, /^coord: no job rq\/s1 .*check the id coord queue put printed/);
    assert.match(r.stderr, /lost/);
  },
);
