/** `coord schedule run` against a Redis that restarts (AOF): as a run ends, or after an outage. */

import assert from "node:assert/strict";
import { redisServerAvailable, startStandalone } from "./support/redis_servers.ts";
import { redisCommand } from "./support/resp.ts";
import { spawnCoord } from "./support/cli.ts";

/** Resolves once the file has `count` lines matching `pattern`; rejects after `timeoutMs`. */
async function linesIn(
  file: string,
  pattern: RegExp,
  count: number,
  timeoutMs = 30_000,
): Promise<string[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const found = (await Deno.readTextFile(file)).split("\n").filter((l) => pattern.test(l));
    if (found.length >= count) return found;
    if (performance.now() > deadline) {
      throw new Error(`fewer than ${count} lines like ${pattern} in ${file}:\n${found.join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A task whose runs (only the first with `first`) end as the server at `port` goes down, the
 * others at once; each writes a line to the log whose path it returns.
 */
async function writeRunsEndWithServer(
  dir: string,
  port: number,
  task: string,
  { first = true }: { first?: boolean } = {},
): Promise<string> {
  const log = `${dir}/log`;
  await Deno.writeTextFile(log, "");
  await Deno.writeTextFile(
    `${dir}/tasks.ts`,
    `let runs = 0;
export default (app) => app.task(${task}, async (ctx) => {
  // A run that connects says it started once connected: a server stopped before would fail it,
  // and its retry would run the tick again (at load 10, beside a CPU stressor).
  const conn = !${first} || ++runs === 1
    ? await Deno.connect({ hostname: "127.0.0.1", port: ${port} })
    : undefined;
  Deno.writeTextFileSync(${
      JSON.stringify(log)
    }, "start " + ctx.scheduledAt.toISOString() + "\\n", { append: true });
  if (!conn) return;
  try {
    while (await conn.read(new Uint8Array(64)) !== null) { /* until the server goes */ }
  } finally {
    conn.close();
  }
});\n`,
  );
  return log;
}

/** A private redis-server (AOF, every write synced), a temp dir, and the scheduler run on them. */
interface Harness {
  server: Awaited<ReturnType<typeof startStandalone>>;
  dir: string;
  /** Starts `coord schedule run FILE` (one instance) against the server. */
  schedule(file: string): ReturnType<typeof spawnCoord>;
}

/**
 * Runs `fn` with a {@link Harness}, and stops the scheduler, the server and the dir after it.
 * With `appendonly` false the server keeps nothing across a restart.
 */
async function withHarness(
  fn: (harness: Harness) => Promise<void>,
  { appendonly = true }: { appendonly?: boolean } = {},
): Promise<void> {
  const server = await startStandalone({ appendonly });
  const dir = await Deno.makeTempDir();
  let scheduler: ReturnType<typeof spawnCoord> | undefined;
  try {
    if (appendonly) await redisCommand(server.port, "CONFIG", "SET", "appendfsync", "always");
    await fn({
      server,
      dir,
      schedule: (file) =>
        scheduler = spawnCoord(["schedule", "run", file, "--instance", "only"], {
          env: { COORD_URL: server.url },
        }),
    });
  } finally {
    await scheduler?.[Symbol.asyncDispose]();
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "an at-least-once tick whose run ends while Redis restarts is run once, tick after tick",
  ignore: !redisServerAvailable(),
  fn: () =>
    withHarness(async ({ server, dir, schedule }) => {
      // Each run ends the moment Redis drops its connections (the restart's shutdown), so the
      // run's outcome is written while the server is down or coming back.
      const log = await writeRunsEndWithServer(
        dir,
        server.port,
        `{ name: "held", interval: "1s", lease: "5s" }`,
        { first: false },
      );
      schedule(`${dir}/tasks.ts`);
      const restarts = 3;
      for (let i = 1; i <= restarts; i++) {
        await linesIn(log, /^start /, i);
        await server.restart();
      }
      // The run after the last restart: without the fix it repeats the last tick once its
      // lease (5 s) runs out; with it, the next tick runs at once.
      const starts = await linesIn(log, /^start /, restarts + 1);
      assert.equal(new Set(starts).size, starts.length, `a tick ran twice:\n${starts.join("\n")}`);
    }),
});

Deno.test({
  name: "coord schedule run logs an outage once, without the connect hint, and when it ends",
  ignore: !redisServerAvailable(),
  fn: () =>
    withHarness(async ({ server, dir, schedule }) => {
      await Deno.writeTextFile(
        `${dir}/tasks.cron`,
        "@every 1s name=five echo tick\n@every 1s name=six echo tick\n",
      );
      const scheduler = schedule(`${dir}/tasks.cron`);
      await scheduler.stdoutLine(/^\[five\] tick$/, 30_000);
      await scheduler.stdoutLine(/^\[six\] tick$/, 30_000);
      // Down for long enough that both loops retry several times (each every second).
      await server.restart(3_000);
      const back = scheduler.stderrLine(/^coord: backend back after /, 30_000);
      // (It also must not end over an outage: it would not say it is back then.)
      await Promise.race([back, scheduler.result.then((r) => assert.fail(`exited: ${r.stderr}`))]);
      scheduler.kill("SIGTERM");
      const { stderr } = await scheduler.result;
      const lines = stderr.split("\n").filter((line) => line !== "");
      // It said, per task and per retry: "coord: five: lost redis://…: … — is the server up?
      // check --url or COORD_URL — retrying", and never that the backend was back.
      assert.deepEqual(
        lines.filter((line) => /unavailable|lost|refused|offline/i.test(line)).length,
        1,
        stderr,
      );
      assert.match(
        lines.find((line) => /unavailable/.test(line)) ?? "",
        /^coord: backend unavailable \(.*127\.0\.0\.1.*\) — retrying every second until it answers$/,
      );
      assert.doesNotMatch(stderr, /check --url|is the server up/);
      assert.doesNotMatch(stderr, /^coord: (five|six): /m);
      const backs = lines.filter((line) => /^coord: backend back after \d+\.\d s$/.test(line));
      assert.equal(backs.length, 1, stderr);
      // From the first failure a task met, which may come up to a tick after the stop: no bound.
      assert.ok(Number(backs[0].match(/([\d.]+) s$/)![1]) > 0, backs[0]);
    }),
});

for (const overlap of ["skip", "allow"]) {
  Deno.test({
    name: `a tick whose run ends in an outage longer than its keeper's hold is run once ` +
      `(overlap ${overlap})`,
    ignore: !redisServerAvailable(),
    fn: () =>
      withHarness(async ({ server, dir, schedule }) => {
        // The first run ends as Redis goes down, and Redis stays down past the point where the
        // run's keeper gives the lease up (two thirds of 9 s after its claim): its end is
        // recorded only after, well before the run would stop trying (15 s after its claim)
        // whatever the client's reconnection back-off (up to 2 s).
        const log = await writeRunsEndWithServer(
          dir,
          server.port,
          `{ name: "short", interval: "1s", lease: "9s", overlap: "${overlap}" }`,
        );
        const scheduler = schedule(`${dir}/tasks.ts`);
        await linesIn(log, /^start /, 1);
        await server.restart(7_000);
        const starts = await linesIn(log, /^start /, 3);
        if (new Set(starts).size !== starts.length) {
          scheduler.kill("SIGKILL");
          const { stderr } = await scheduler.result;
          assert.fail(`a tick ran twice:\n${starts.join("\n")}\n${stderr}`);
        }
      }),
  });
}

Deno.test({
  name: "a run whose end cannot be recorded while its tick is its own says so",
  ignore: !redisServerAvailable(),
  fn: () =>
    withHarness(async ({ server, dir, schedule }) => {
      const log = await writeRunsEndWithServer(
        dir,
        server.port,
        `{ name: "short", interval: "1s", lease: "3s" }`,
      );
      const scheduler = schedule(`${dir}/tasks.ts`);
      await linesIn(log, /^start /, 1);
      // Longer than the run keeps trying: two thirds of its lease after its last renewal that
      // was answered, and a whole lease more.
      await server.restart(6_000);
      await scheduler.stderrLine(
        /^coord: short \S+ ended, but its end was not recorded before its lease ran out \(the backend did not answer\); the tick may run again$/,
        30_000,
      );
    }),
});

Deno.test({
  name: "a lone instance's run through a Redis restart without persistence runs its tick once, " +
    "and says its end went unrecorded",
  ignore: !redisServerAvailable(),
  fn: () =>
    withHarness(async ({ server, dir, schedule }) => {
      // The first run waits for the test (a FIFO) while Redis restarts and forgets everything.
      await new Deno.Command("mkfifo", { args: [`${dir}/go`] }).output();
      await Deno.writeTextFile(
        `${dir}/r.cron`,
        `@every 2s name=r lease=10s echo start $COORD_SCHEDULED_AT; ` +
          `[ -e ${dir}/once ] || { touch ${dir}/once; read _ < ${dir}/go; }\n`,
      );
      const scheduler = schedule(`${dir}/r.cron`);
      const first = await scheduler.stdoutLine(/^\[r\] start /, 30_000);
      await server.restart();
      await Deno.writeTextFile(`${dir}/go`, "go\n");
      const tick = first.split(" ").at(-1)!.replaceAll(".", "\\.");
      // The next run of another tick: the first one's again would have started before it.
      await scheduler.stdoutLine(new RegExp(`^\\[r\\] start (?!${tick}$)`), 30_000);
      const starts = scheduler.stdoutLines().filter((line) => /^\[r\] start /.test(line));
      assert.equal(new Set(starts).size, starts.length, `a tick ran twice:\n${starts.join("\n")}`);
      await scheduler.stderrLine(
        new RegExp(
          `^coord: r ${tick} ended, but its record was gone before its end was recorded ` +
            "\\(the backend lost its state, or the task was removed\\); the tick may run twice$",
        ),
        30_000,
      );
    }, { appendonly: false }),
});
