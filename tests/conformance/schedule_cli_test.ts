/** `coord schedule run` as separate processes, on every backend. */

import assert from "node:assert/strict";
import { type CaseContext, conformance, envOf } from "../support/backends.ts";
import { type CoordProcess, runCoord, signalTwice, spawnCoord } from "../support/cli.ts";
import { dueNow } from "../support/schedule.ts";
import { tempDir } from "../support/temp.ts";
import { lineIn, until } from "../support/wait.ts";

const linesIn = async (file: string, pattern: RegExp) =>
  (await Deno.readTextFile(file)).split("\n").filter((l) => pattern.test(l));

conformance(
  "3 instances run a 1-second task's ticks exactly once for 10 s; after SIGKILL only the " +
    "at-least-once task is run again",
  async (ctx) => {
    await using temp = await tempDir("coord-test-");
    const dir = temp.path;
    const log = `${dir}/log`;
    await Deno.writeTextFile(log, "");
    const long = (name: string) =>
      `echo "start ${name} $COORD_SCHEDULED_AT $COORD_INSTANCE" >> ${log}; sleep 3`;
    await Deno.writeTextFile(
      `${dir}/jobs.cron`,
      [
        "# three tasks",
        // A tick's lease outlasts a run however slowly sh starts (at 1 s, two live instances
        // ran one tick on a loaded machine); only a SIGKILLed run is taken over.
        `@every 1s  name=tick lease=5s  echo "tick $COORD_SCHEDULED_AT $COORD_INSTANCE" >> ${log}`,
        `0 0 * * * *  name=alo lease=1s  ${long("alo")}`,
        `0 0 * * * *  name=be mode=best-effort lease=1s  ${long("be")}`,
      ].join("\n"),
    );
    const instances = new Map<string, CoordProcess>();
    for (const id of ["i0", "i1", "i2"]) {
      const args = ["schedule", "run", `${dir}/jobs.cron`, "--instance", id, "--grace", "5"];
      instances.set(id, spawnCoord(args, { env: envOf(ctx) }));
    }
    // The long tasks' one tick, made due once the instances have stored them: an instant fixed
    // in advance could pass before a busy machine has started them all.
    const backend = await ctx.open();
    const longTick = await dueNow(backend, "alo");
    assert.equal(await dueNow(backend, "be"), longTick);
    const ranAlo = (await lineIn(log, /^start alo /)).split(" ").at(-1)!;
    const ranBe = (await lineIn(log, /^start be /)).split(" ").at(-1)!;
    await new Promise((r) => setTimeout(r, 300));
    const killed = new Set([ranAlo, ranBe]);
    for (const id of killed) instances.get(id)!.kill("SIGKILL");
    // The at-least-once task runs again once its lease (1 s) is over; the best-effort one not.
    await until(async () => (await linesIn(log, /^start alo /)).length >= 2, {
      what: "alo run again",
    });
    // Ten seconds of ticks, however long the instances took to start.
    await until(async () => (await linesIn(log, /^tick /)).length >= 10, { what: "10 ticks" });
    for (const [id, p] of instances) if (!killed.has(id)) p.kill("SIGTERM");
    for (const [id, p] of instances) {
      const { code, stderr } = await p.result;
      assert.equal(code, killed.has(id) ? 137 : 0, `${id}: ${stderr}`);
    }

    const runs = (await linesIn(log, /^tick /)).map((l) => l.split(" "));
    const ticks = [...new Set(runs.map(([, at]) => Date.parse(at)))];
    assert.ok(ticks.length >= 8, `only ${ticks.length} ticks ran`);
    // A tick whose run SIGKILL cut short is run again (at-least-once); any other runs once.
    for (const tick of ticks) {
      const by = runs.filter(([, at]) => Date.parse(at) === tick).map(([, , id]) => id);
      const again = by.length === 2 && killed.has(by[0]) && !killed.has(by[1]);
      assert.ok(by.length === 1 || again, `tick ${tick} ran by ${by}; killed: ${[...killed]}`);
    }
    const sorted = [...ticks].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) {
      assert.equal(sorted[i] - sorted[i - 1], 1_000, `a tick is missing after ${sorted[i - 1]}`);
    }
    const alo = (await linesIn(log, /^start alo /)).map((l) => l.split(" "));
    assert.equal(alo.length, 2, "at-least-once: run again after the crash, once");
    assert.equal(alo[0][2], alo[1][2], "the same tick");
    assert.equal(Date.parse(alo[0][2]), longTick);
    assert.ok(!killed.has(alo[1][3]), "run again by a surviving instance");
    assert.equal((await linesIn(log, /^start be /)).length, 1, "best-effort: never run again");

    const status = await runCoord(["schedule", "status", "--json"], { env: envOf(ctx) });
    assert.equal(status.code, 0, status.stderr);
    const tick = status.stdout.trim().split("\n").map((l) => JSON.parse(l)).find((s) =>
      s.task === "tick"
    );
    assert.equal(tick.last.outcome, "success");
    assert.equal(tick.runs, runs.length);
  },
);

/** A task module: a fixture and a slow task, logging each step to `log`. */
function taskModule(log: string): string {
  return `
import type { Scheduler } from "coord";
const note = (line: string) => Deno.writeTextFileSync(${
    JSON.stringify(log)
  }, line + "\\n", { append: true });
export default (app: Scheduler) => {
  app.fixture("db", async function* () {
    note("setup");
    try { yield "db"; } finally { note("teardown"); }
  });
  app.task({ name: "slow", interval: "500ms" }, async (ctx) => {
    note("start " + ctx.fixtures.db);
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 1500);
      ctx.signal.addEventListener("abort", () => { clearTimeout(timer); note("aborted"); resolve(0); });
    });
    note("end");
  });
};
`;
}

/**
 * Runs the task module until its slow task starts, sends SIGTERM once, or twice (see
 * signalTwice), and returns the exit code and the module's log.
 */
async function stopWhileRunning(ctx: CaseContext, signals: number) {
  await using temp = await tempDir("coord-test-");
  const dir = temp.path;
  const log = `${dir}/log`;
  await Deno.writeTextFile(log, "");
  await Deno.writeTextFile(`${dir}/tasks.ts`, taskModule(log));
  const p = spawnCoord(["schedule", "run", `${dir}/tasks.ts`], { env: envOf(ctx) });
  await lineIn(log, /^start db$/);
  if (signals === 1) p.kill("SIGTERM");
  const { code, stderr } = signals === 1 ? await p.result : await signalTwice(p);
  const steps = (await Deno.readTextFile(log)).trim().split("\n");
  return { code, stderr, steps };
}

conformance("SIGTERM lets a running task finish, then tears fixtures down, exit 0", async (ctx) => {
  const { code, stderr, steps } = await stopWhileRunning(ctx, 1);
  assert.equal(code, 0, stderr);
  assert.deepEqual(steps, ["setup", "start db", "end", "teardown"]);
});

conformance("a second SIGTERM aborts the running task, exit 143", async (ctx) => {
  const { code, stderr, steps } = await stopWhileRunning(ctx, 2);
  assert.equal(code, 143, stderr);
  assert.deepEqual(steps, ["setup", "start db", "aborted", "end", "teardown"]);
});
