/** `coord schedule` on bad input, `list`, `status` and the health endpoint (SQLite). */

import assert from "node:assert/strict";
import { rowCount } from "./support/sqlite.ts";
import { runCoord, spawnCoord, spawnProgram } from "./support/cli.ts";
import { connect } from "../lib/backend/connect.ts";
import type { Backend } from "../lib/backend/types.ts";
import { freePort } from "./support/host.ts";
import { NICKNAMES } from "../lib/schedule/crontab.ts";
import { TICK_WALK_LIMIT } from "../lib/schedule/tick_walk.ts";
import { tempDir } from "./support/temp.ts";
import { guarded, lineIn, until } from "./support/wait.ts";

/** Every file of this module's tests, removed when the module unloads. */
const scratch = await tempDir("coord-test-");

function sqliteUrl(): Promise<string> {
  return Promise.resolve(`sqlite:${scratch.path}/${crypto.randomUUID()}.db`);
}

async function taskFile(name: string, text: string): Promise<string> {
  const dir = `${scratch.path}/${crypto.randomUUID()}`;
  await Deno.mkdir(dir);
  await Deno.writeTextFile(`${dir}/${name}`, text);
  return `${dir}/${name}`;
}

for (
  const [what, file, text, message] of [
    [
      "a malformed cron expression",
      "jobs.cron",
      "# ok\n61 * * * * ./x\n",
      /jobs\.cron:2: .*minute/,
    ],
    [
      "an unknown option",
      "jobs.cron",
      "@hourly colour=red ./x\n",
      /jobs\.cron:1: unknown option colour=/,
    ],
    [
      "a 6-field cron with its seconds last",
      "jobs.cron",
      "0 */5 * * * 30 ./x\n",
      /jobs\.cron:1: .*malformed.* add seconds=last/,
    ],
    ["a line without a command", "jobs.cron", "*/5 * * * *\n", /jobs\.cron:1: no command/],
    [
      "a bad mode, naming the line's key",
      "jobs.cron",
      "@daily mode=twice ./x\n",
      /jobs\.cron:1: mode=twice: use at-least-once, best-effort or at-most-once$/m,
    ],
    [
      "an unknown time zone",
      "jobs.cron",
      "@daily TZ=Mars/Base ./x\n",
      /unknown time zone "Mars\/Base"/,
    ],
    ["a module without a default export", "tasks.ts", "export const x = 1;\n", /no default export/],
    [
      "a module that does not compile",
      "tasks.ts",
      "export default (app => {\n",
      /cannot load task module/,
    ],
    ["an empty crontab", "jobs.cron", "", /jobs\.cron has no tasks/],
    [
      "a crontab of only comments and blank lines",
      "jobs.cron",
      "# nightly\n\n  # @daily ./backup.sh\n",
      /jobs\.cron has no tasks/,
    ],
    [
      "a module that adds no task",
      "tasks.ts",
      "export default () => {};\n",
      /tasks\.ts has no tasks/,
    ],
    [
      "a module with a malformed cron",
      "tasks.ts",
      'export default (app) => app.task({ name: "a", cron: "* * *" }, () => {});\n',
      /tasks\.ts: task "a": cron expression "\* \* \*" is malformed/,
    ],
  ] as const
) {
  Deno.test(`coord schedule run refuses ${what} with exit 64, before touching the backend`, async () => {
    const url = await sqliteUrl();
    const path = await taskFile(file, text);
    const r = await runCoord(["schedule", "run", path, "--url", url]);
    assert.equal(r.code, 64, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split("\n").length, 1, "one line");
    assert.equal(await rowCount(url, "coord_schedule"), 0);
  });
}

Deno.test("coord schedule run refuses a dynamic task's id holding a tab with exit 64", async () => {
  const url = await sqliteUrl();
  const path = await taskFile(
    "tasks.ts",
    `export default async (app) => {
  app.task({ name: "remind", dynamic: true }, () => {});
  await app.schedule("remind", "a\\tb", { interval: "1h" });
  throw new Error("scheduled"); // refused, this line is not reached; or the run would go on
};
`,
  );
  // Where the scheduler would open its default file, had it got that far.
  const state = `${scratch.path}/${crypto.randomUUID()}`;
  const r = await runCoord(["schedule", "run", path, "--url", url], {
    env: { XDG_STATE_HOME: state },
  });
  assert.equal(r.code, 64, r.stderr);
  assert.match(r.stderr, /tasks\.ts: dynamic task id "a\\tb" holds a control character/);
  assert.equal(r.stderr.trim().split("\n").length, 1, "one line");
  assert.equal(await rowCount(url, "coord_schedule"), 0);
});

for (
  const [args, message] of [
    ["NaN", /tasks\.ts: args hold NaN, a number JSON has not/],
    ["10n", /tasks\.ts: args are not JSON: .*BigInt/],
  ] as const
) {
  Deno.test(`coord schedule run refuses a dynamic task's args ${args} with exit 64`, async () => {
    const url = await sqliteUrl();
    const path = await taskFile(
      "tasks.ts",
      `export default async (app) => {
  app.task({ name: "remind", dynamic: true }, () => {});
  await app.schedule("remind", "ana", { interval: "1h", args: { n: ${args} } });
  throw new Error("scheduled"); // refused, this line is not reached
};
`,
    );
    const r = await runCoord(["schedule", "run", path, "--url", url]);
    assert.equal(r.code, 64, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split("\n").length, 1, "one line");
    assert.equal(await rowCount(url, "coord_schedule"), 0);
  });
}

Deno.test("coord schedule run refuses a missing file, bad flags and bad values with exit 64", async () => {
  const jobs = await taskFile("jobs.cron", "@hourly ./x\n");
  // Taken and ignored before: its ticks stayed on UTC midnight.
  const zoned = await taskFile("zoned.cron", "@every 1d TZ=America/New_York ./x\n");
  // Latin-1 "café": its é is no UTF-8.
  const latin1 = await taskFile("latin1.cron", "");
  await Deno.writeFile(
    latin1,
    Uint8Array.of(...new TextEncoder().encode("@hourly echo caf"), 0xe9),
  );
  for (
    const [args, message] of [
      [["schedule", "run", "/nonexistent/jobs.cron"], /cannot read task file .*: no such file/],
      [["schedule", "list", scratch.path], /cannot read task file .*: it is a directory$/m],
      [["schedule", "run", scratch.path], /cannot read task file .*: it is a directory$/m],
      [["schedule", "run"], /missing FILE/],
      [["schedule"], /missing FILE/],
      [["schedule", "run", jobs, "--frobnicate"], /: unknown option "--frobnicate"/],
      [["schedule", "run", jobs, "--grace", "soon"], /--grace takes seconds/],
      // Recorded with the ticks it holds and shown by status, as a name is.
      [["schedule", "run", jobs, "--instance", ""], /the instance id is empty/],
      [["schedule", "run", jobs, "--instance", "a\nb"], /instance id "a\\nb" holds a control/],
      [["schedule", "run", jobs, "--instance", "w\u202e1"], /instance id .* holds U\+202E/],
      [["schedule", "run", jobs, "--health-port", "http"], /--health-port "http" is not a port/],
      [["schedule", "run", jobs, "other.cron"], /one FILE at a time/],
      [["schedule", "list", jobs, "--count", "many"], /--count must be a whole number/],
      // Read leniently, the byte became U+FFFD in the command run.
      [["schedule", "list", latin1], /cannot read task file .*: it is not UTF-8 text$/m],
      [["schedule", "run", latin1], /cannot read task file .*: it is not UTF-8 text$/m],
      // Each tick is computed: these ran out of memory, or exited 70.
      [["schedule", "list", jobs, "--count", "99999999"], /--count must be .* to 10000/],
      [["schedule", "list", jobs, "--count", "1e9"], /--count must be .* to 10000/],
      [["schedule", "list", zoned], /a time zone applies to cron schedules only: @every/],
    ] as const
  ) {
    const r = await runCoord([...args]);
    assert.equal(r.code, 64, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});

Deno.test("coord schedule run runs a module of only dynamic templates: they start empty", async () => {
  const url = await sqliteUrl();
  const tasks = await taskFile(
    "tasks.ts",
    'export default (app) => app.task({ name: "remind", dynamic: true }, () => {});\n',
  );
  const port = freePort();
  const p = spawnCoord(["schedule", "run", tasks, "--url", url, "--health-port", String(port)]);
  try {
    // Running: past the file check, and healthy.
    await healthy(port);
  } finally {
    p.kill("SIGTERM");
  }
  const { code, stderr } = await p.result;
  assert.equal(code, 0, stderr);
});

/** A log file, and the source of a `note(line)` function a task module appends to it with. */
async function noteLog(): Promise<{ log: string; note: string }> {
  const log = `${scratch.path}/${crypto.randomUUID()}.log`;
  await Deno.writeTextFile(log, "");
  const note = `(line) => Deno.writeTextFileSync(${
    JSON.stringify(log)
  }, line + "\\n", { append: true })`;
  return { log, note };
}

Deno.test("a second signal ends a fixture's cleanup that hangs; one that throws is said once", async () => {
  const { log, note } = await noteLog();
  const tasks = await taskFile(
    "tasks.ts",
    `const note = ${note};
export default (app) => {
  app.fixture("broken", function* () { yield 1; throw new Error("it broke"); });
  app.fixture("hung", async function* () {
    note("ready");
    yield 2;
    note("cleaning up");
    await new Promise(() => {});
  });
  app.task({ name: "t", interval: "1h" }, () => {});
};
`,
  );
  const p = spawnCoord(["schedule", "run", tasks, "--url", await sqliteUrl()]);
  await lineIn(log, /^ready$/);
  p.kill("SIGTERM");
  await lineIn(log, /^cleaning up$/);
  // It waited for the hung cleanup through any number of signals.
  p.kill("SIGTERM");
  const { code, stderr } = await guarded(p.result, "exit after the second signal", 30_000);
  assert.equal(code, 143, stderr);
  assert.match(stderr, /^coord: fixture broken: its cleanup failed: it broke$/m);
  assert.doesNotMatch(stderr, /retrying/);
});

Deno.test("one signal ends a fixture's setup that hangs, and --grace bounds a cleanup that hangs", async () => {
  const { log, note } = await noteLog();
  const module = (fixture: string) =>
    taskFile(
      "tasks.ts",
      `const note = ${note};
export default (app) => {
  app.fixture("f", async function* () { ${fixture} });
  app.task({ name: "t", interval: "1h" }, () => {});
};
`,
    );
  const url = await sqliteUrl();
  // Nothing runs yet to wait for: one Ctrl-C was not enough.
  const setup = spawnCoord([
    "schedule",
    "run",
    await module(`note("setting up"); await new Promise(() => {}); yield 1;`),
    "--url",
    url,
  ]);
  await lineIn(log, /^setting up$/);
  setup.kill("SIGINT");
  const stopped = await guarded(setup.result, "exit during setup", 30_000);
  assert.equal(stopped.code, 0, stopped.stderr);
  // The grace period covers the cleanup too; it waited for ever.
  const cleanup = spawnCoord([
    "schedule",
    "run",
    await module(`note("ready"); yield 1; note("cleaning up"); await new Promise(() => {});`),
    "--url",
    url,
    "--grace",
    "0.5",
  ]);
  await lineIn(log, /^ready$/);
  cleanup.kill("SIGTERM");
  const ended = await guarded(cleanup.result, "exit after the grace period", 30_000);
  assert.equal(ended.code, 0, ended.stderr);
  assert.match(
    ended.stderr,
    /^coord: fixture f: its cleanup failed: it did not end when the stop was forced; left behind$/m,
  );
});

Deno.test("coord schedule run waits for a backend unreachable at the start, saying so", async () => {
  const jobs = await taskFile("jobs.cron", "@hourly ./x\n");
  // How long it waits, and the exit 69 after, are tests/start_outage_test.ts's.
  await using scheduler = spawnCoord(["schedule", "run", jobs, "--url", "redis://127.0.0.1:1"]);
  await scheduler.stderrLine(
    /^coord: backend unavailable \(cannot reach redis:\/\/127\.0\.0\.1:1: connection refused — .*\) — retrying every second for up to 1 min$/,
  );
});

Deno.test("coord schedule run warns of a line that runs coord without its backend", async () => {
  const jobs = await taskFile(
    "feed.cron",
    "@hourly coord queue put q --handler h\n" +
      "@hourly ./x\n" +
      "@hourly coord queue put q --handler h --url redis://10.0.0.5\n" +
      "@hourly X=1 /usr/local/bin/coord lock run r -- true\n",
  );
  const warned = (stderr: string) =>
    [...stderr.matchAll(/feed\.cron:(\d+) runs coord without this backend/g)].map((m) => m[1]);
  // Before the backend is opened: a bad connect timeout ends the run after the warnings.
  const url = ["--url", "redis://127.0.0.1:1", "--connect-timeout", "soon"];
  const blind = await runCoord(["schedule", "run", jobs, ...url]);
  assert.equal(blind.code, 64, blind.stderr);
  assert.deepEqual(warned(blind.stderr), ["1", "4"]);
  const passed = await runCoord(["schedule", "run", jobs, ...url, "--pass-env", "COORD_URL"]);
  assert.deepEqual([passed.code, warned(passed.stderr)], [64, []]);
  // COORD_URL set empty is the default backend, as unset: such a line uses the same one. (The
  // bad connect timeout ends the run after the warnings, before the default file is opened.)
  const env = { COORD_URL: "", COORD_CONNECT_TIMEOUT: "soon" };
  const unset = await runCoord(["schedule", "run", jobs], { env });
  assert.deepEqual([unset.code, warned(unset.stderr)], [64, []], unset.stderr);
});

Deno.test("coord schedule run exits 65 when a task's name holds foreign data", async () => {
  const url = await sqliteUrl();
  const { DatabaseSync } = await import("node:sqlite");
  const jobs = await taskFile("jobs.cron", "@hourly name=alien ./x\n");
  // Creates the schema (a look would not), then plants a row another program could have written.
  assert.equal((await runCoord(["barrier", "b", "1", "--url", url])).code, 0);
  const db = new DatabaseSync(url.slice("sqlite:".length));
  db.prepare("INSERT INTO coord_schedule VALUES ('coord', 'alien', 1, 'junk')").run();
  db.close();
  const r = await runCoord(["schedule", "run", jobs, "--url", url]);
  assert.equal(r.code, 65, r.stderr);
  assert.match(r.stderr, /schedule "alien": the stored record is not a coord task/);
});

Deno.test("foreign data under one task while schedule run runs is said once, naming it once", async () => {
  const url = await sqliteUrl();
  const { DatabaseSync } = await import("node:sqlite");
  const jobs = await taskFile(
    "jobs.cron",
    "@every 200ms name=beat echo beat\n@every 200ms name=alien echo alien\n",
  );
  const p = spawnCoord(["schedule", "run", jobs, "--url", url]);
  await p.stdoutLine(/^\[alien\] alien$/);
  const db = new DatabaseSync(url.slice("sqlite:".length));
  // The scheduler writes the file all the while: wait for its lock rather than fail.
  db.exec("PRAGMA busy_timeout = 10000");
  // A new version too: with the old one, a write the scheduler had under way (its compare and
  // set) could land on the junk and replace it, as it did once under load.
  db.prepare("UPDATE coord_schedule SET value = 'junk', version = version + 1 WHERE name = 'alien'")
    .run();
  db.close();
  const line = await p.stderrLine(/the stored record is not a coord task/);
  // The task is named once (it read `coord: alien: schedule "alien": …`).
  assert.match(
    line,
    /^coord: schedule "alien": the stored record is not a coord task .* — retrying$/,
  );
  // The other task goes on.
  const beats = p.stdoutLines().length;
  await until(() => p.stdoutLines().length > beats + 2, { what: "beat runs on" });
  p.kill("SIGTERM");
  const { code, stderr } = await p.result;
  assert.equal(code, 0, stderr);
  assert.equal(stderr.match(/not a coord task/g)?.length, 1, stderr);
});

/** Runs a scheduler on `jobs` until the tasks `names` have stored records, then stops it. */
async function storeRecords(backend: Backend, url: string, jobs: string, names: string[]) {
  const first = spawnCoord(["schedule", "run", jobs, "--url", url]);
  for (const name of names) {
    await until(async () => (await backend.schedule.read(name)).stored !== undefined, {
      what: `a stored record of ${name}`,
    });
  }
  first.kill("SIGTERM");
  assert.equal((await first.result).code, 0);
}

/** Moves a stopped task's next tick, as a downtime would have left it. */
async function moveNext(backend: Backend, name: string, next: number) {
  const { stored } = await backend.schedule.read(name);
  const value = JSON.stringify({ ...JSON.parse(stored!.value), next });
  assert.ok(await backend.schedule.write(name, { expect: stored!.version, value }));
}

Deno.test("coord schedule run says at start-up which overdue ticks it runs and which it skips", async () => {
  const url = await sqliteUrl();
  const jobs = await taskFile(
    "jobs.cron",
    [
      "@daily name=all echo all",
      "@daily name=latest catch-up=latest echo latest",
      "@daily name=none catch-up=none echo none",
      "@daily name=fresh echo fresh",
    ].join("\n"),
  );
  await using backend = await connect({ url, env: {} });
  await storeRecords(backend, url, jobs, ["all", "latest", "none", "fresh"]);
  // Three days of downtime for three of the tasks: their next tick moved back.
  const since = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 3 * 86_400_000;
  for (const name of ["all", "latest", "none"]) await moveNext(backend, name, since);
  await using second = spawnCoord(["schedule", "run", jobs, "--url", url]);
  const iso = new Date(since).toISOString();
  const all = await second.stderrLine(/^coord: all: /);
  assert.equal(
    all,
    `coord: all: 4 tick(s) overdue since ${iso}; running them one by one, oldest first ` +
      `(catch-up=all)`,
  );
  const latest = await second.stderrLine(/^coord: latest: /);
  assert.equal(
    latest,
    `coord: latest: 4 tick(s) overdue since ${iso}; running 1, skipping 3 (catch-up=latest)`,
  );
  const none = await second.stderrLine(/^coord: none: \d+ tick/);
  assert.equal(none, `coord: none: 4 tick(s) overdue since ${iso}; skipping them (catch-up=none)`);
  await second.stdoutLine(/^\[none\] none$|^\[all\] all$/);
  second.kill("SIGTERM");
  const { code, stderr } = await second.result;
  assert.equal(code, 0, stderr);
  // A task with no downtime gets no line.
  assert.doesNotMatch(stderr, /fresh/);
});

Deno.test("past the counting limit, the start-up line counts the overdue ticks the policy runs", async () => {
  const url = await sqliteUrl();
  const jobs = await taskFile(
    "jobs.cron",
    "@every 1s name=latest catch-up=latest echo latest\n" +
      "@every 1s name=within catch-up=within=1m echo within\n",
  );
  await using backend = await connect({ url, env: {} });
  await storeRecords(backend, url, jobs, ["latest", "within"]);
  // Two days of 1 s ticks: more than the line counts. Before, it counted the oldest
  // ones only, which the policy skips, and said "skipping them" of ticks it then ran.
  const since = Math.floor(await backend.now() / 1000) * 1000 - 2 * 86_400_000;
  for (const name of ["latest", "within"]) await moveNext(backend, name, since);
  await using p = spawnCoord(["schedule", "run", jobs, "--url", url]);
  const head = `tick\\(s\\) overdue since ${new Date(since).toISOString()}`;
  assert.match(
    await p.stderrLine(/^coord: latest: /),
    new RegExp(
      `^coord: latest: over ${TICK_WALK_LIMIT} ${head}; running 1, skipping the others \\(catch-up=latest\\)$`,
    ),
  );
  assert.match(
    await p.stderrLine(/^coord: within: /),
    new RegExp(
      `^coord: within: over ${TICK_WALK_LIMIT} ${head}; running 6[01], skipping the others \\(catch-up=within=60s\\)$`,
    ),
  );
  await p.stdoutLine(/^\[latest\] latest$/);
  p.kill("SIGTERM");
  const { code, stderr } = await p.result;
  assert.equal(code, 0, stderr);
});

Deno.test("coord schedule status says how long a tick has been due as people read it", async () => {
  const url = await sqliteUrl();
  const jobs = await taskFile("jobs.cron", "@daily name=late echo late\n");
  await using backend = await connect({ url, env: {} });
  await storeRecords(backend, url, jobs, ["late"]);
  const next = await backend.now() - (21 * 60_000 + 11_000);
  await moveNext(backend, "late", next);
  // How late it is when the command reads it: between these, however slow its start.
  const lateNow = async () => await backend.now() - next;
  const [before, status, after] = [
    await lateNow(),
    await runCoord(["schedule", "status", "late", "--url", url]),
    await lateNow(),
  ];
  assert.equal(status.code, 0, status.stderr);
  const [, min, s] = /late +\S+ \(due (\d+) min (\d+) s ago\)/.exec(status.stdout) ?? [];
  const shown = (Number(min) * 60 + Number(s)) * 1000;
  // Shown to the second, rounded: within a second of the lateness the command read.
  assert.ok(shown > before - 1000 && shown < after + 1000, status.stdout);
  // --json keeps the number.
  const [jsonBefore, json, jsonAfter] = [
    await lateNow(),
    await runCoord(["schedule", "status", "late", "--url", url, "--json"]),
    await lateNow(),
  ];
  const { lagMs } = JSON.parse(json.stdout);
  assert.ok(lagMs >= jsonBefore && lagMs <= jsonAfter, json.stdout);
});

Deno.test("coord schedule list prints each task's next ticks without a backend", async () => {
  const jobs = await taskFile(
    "jobs.cron",
    "*/10 * * * * *  name=often  echo hi\n@every 1h name=hourly mode=best-effort ./x\n",
  );
  const r = await runCoord(["schedule", "list", jobs, "--json", "--url", "redis://127.0.0.1:1"]);
  assert.equal(r.code, 0, r.stderr);
  const [often, hourly] = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(often.task, "often");
  assert.equal(often.next.length, 3);
  const [a, b, c] = often.next.map(Date.parse);
  assert.equal(b - a, 10_000);
  assert.equal(c - b, 10_000);
  assert.equal(a % 10_000, 0);
  assert.equal(hourly.executionMode, "best-effort");
  assert.deepEqual(
    [hourly.maxRetries, hourly.overlap, hourly.catchUp, hourly.timeoutMs],
    [3, "skip", { policy: "all" }, undefined],
  );
  assert.equal(Date.parse(hourly.next[0]) % 3_600_000, 0);
  const text = await runCoord(["schedule", "list", jobs, "--count", "0"]);
  assert.equal(text.code, 0, text.stderr);
  assert.deepEqual(text.stdout.trim().split("\n"), [
    "often  cron */10 * * * * * UTC  at-least-once  failure=none  lease=60s  max-retries=3  " +
    "overlap=skip  catch-up=all",
    "hourly  every 3600000ms  best-effort  catch-up=all",
  ]);
});

/**
 * A directory holding an sh that notes each start and the environment it got in `seen`, then
 * does what sh does: first on PATH, it is the sh coord starts.
 */
async function notingSh(): Promise<{ bin: string; seen: string }> {
  const bin = `${scratch.path}/${crypto.randomUUID()}`;
  await Deno.mkdir(bin);
  const seen = `${bin}/seen`;
  await Deno.writeTextFile(
    `${bin}/sh`,
    `#!/bin/sh\n{ echo "sh ran"; /usr/bin/env; } >> '${seen}'\nexec /bin/sh "$@"\n`,
    { mode: 0o755 },
  );
  return { bin, seen };
}

Deno.test("the sh that checks a crontab's commands gets none of coord's credentials", async () => {
  const { bin, seen } = await notingSh();
  const jobs = await taskFile("jobs.cron", "@hourly echo ok\n");
  const r = await runCoord(["schedule", "list", jobs], {
    env: {
      PATH: `${bin}:${Deno.env.get("PATH")}`,
      COORD_URL: `sqlite:${scratch.path}/url-secret.db`,
      COORD_PASSWORD: "coord-secret",
      PGPASSWORD: "pg-secret",
      COORD_UI_PASSWORD: "ui-secret",
    },
  });
  assert.equal(r.code, 0, r.stderr);
  const env = await Deno.readTextFile(seen);
  assert.match(env, /^sh ran$/m);
  // Before: all four, as `schedule run --pass-env` alone may hand them to a command.
  assert.doesNotMatch(env, /secret/);
});

Deno.test("one sh checks all of a crontab's commands", async () => {
  const { bin, seen } = await notingSh();
  const jobs = await taskFile("jobs.cron", "@hourly echo 1\n@daily echo 2\n@weekly echo 3\n");
  const r = await runCoord(["schedule", "list", jobs], {
    env: { PATH: `${bin}:${Deno.env.get("PATH")}` },
  });
  assert.equal(r.code, 0, r.stderr);
  // Before: one a line (3000 lines took 4 s at start).
  assert.equal((await Deno.readTextFile(seen)).match(/^sh ran$/gm)?.length, 1);
});

Deno.test("coord schedule list refuses the backend flags' slips with exit 64, as run does", async () => {
  // They were taken and ignored: the line that listed the tasks then failed in run.
  const jobs = await taskFile("jobs.cron", "@hourly ./x\n");
  for (
    const [flags, message] of [
      [["--url", ""], /^coord: the backend URL is empty — give one /],
      [["--namespace="], /^coord: namespace "" is not usable/],
      [["--url", "redis//127.0.0.1"], /^coord: unsupported backend URL "redis\/\/127.0.0.1"/],
      [["--connect-timeout", "0"], /^coord: --connect-timeout must be more than 0/],
    ] as const
  ) {
    for (const verb of ["list", "run"]) {
      const r = await runCoord(["schedule", verb, jobs, ...flags]);
      assert.equal(r.code, 64, `${verb} ${flags.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
  }
});

Deno.test("coord schedule prints a command's output prefixed with its task", async () => {
  const url = await sqliteUrl();
  const jobs = await taskFile(
    "jobs.cron",
    '@every 200ms name=hello echo "hi from $COORD_TASK at $COORD_SCHEDULED_AT"; echo oops >&2\n',
  );
  const p = spawnCoord(["schedule", jobs, "--url", url]);
  const line = await p.stdoutLine(/^\[hello\] hi from hello at /);
  await p.stderrLine(/^\[hello\] oops$/);
  p.kill("SIGINT");
  assert.equal((await p.result).code, 0);
  const at = line.split(" at ")[1];
  assert.match(at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(Date.parse(at) % 200, 0);
});

Deno.test("coord schedule logs a failing command with its exit status", async () => {
  const url = await sqliteUrl();
  const jobs = await taskFile("jobs.cron", "@every 200ms name=broken failure=commit exit 3\n");
  const p = spawnCoord(["schedule", "run", jobs, "--url", url]);
  await p.stderrLine(/^coord: broken \S+Z failed after [\d.]+ s: exited with status 3$/);
  p.kill("SIGTERM");
  assert.equal((await p.result).code, 0);
  const status = await runCoord(["schedule", "status", "broken", "--url", url, "--json"]);
  assert.equal(JSON.parse(status.stdout).last.outcome, "failure");
});

Deno.test("coord schedule --health-port serves /health and /metrics", async () => {
  const url = await sqliteUrl();
  const jobs = await taskFile("jobs.cron", "@every 100ms name=beat true\n");
  const port = freePort();
  const p = spawnCoord(["schedule", "run", jobs, "--url", url, "--health-port", String(port)]);
  try {
    await healthy(port);
    let metrics = "";
    await until(async () => {
      metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return /runs_total\{task="beat"\} [1-9]/.test(metrics);
    }, { what: "a run counted in /metrics", intervalMs: 100 });
    assert.match(metrics, /^coord_schedule_runs_total\{task="beat"\} [1-9]/m);
    assert.match(metrics, /^coord_schedule_lateness_seconds_bucket\{task="beat",le="\+Inf"\} /m);
  } finally {
    p.kill("SIGTERM");
    assert.equal((await p.result).code, 0);
  }
});

Deno.test("a program runs a Scheduler with schedulerMain(): logs, stops cleanly on SIGTERM", async () => {
  const url = await sqliteUrl();
  const program = await taskFile(
    "app.ts",
    `import { Scheduler, schedulerMain } from "coord";
const app = new Scheduler({ connect: { url: ${JSON.stringify(url)} } });
app.task({ name: "standalone", interval: "200ms" }, (ctx) => {
  console.log("ran " + ctx.task);
  if (ctx.scheduledAt.getTime() % 400 === 0) throw new Error("even tick");
});
await schedulerMain(app);
`,
  );
  await using child = spawnProgram(program);
  // Ticks at 200 ms, every other one failing: stopped once one has failed.
  const failed = /^coord: standalone \S+Z failed after [\d.]+ s: even tick$/;
  await child.stderrLine(failed);
  child.kill("SIGTERM");
  const { code, stdout } = await child.result;
  assert.equal(code, 0);
  assert.match(stdout, /^ran standalone$/m);
});

Deno.test("coord schedule run exits 69 when --health-port is taken", async () => {
  const url = await sqliteUrl();
  const jobs = await taskFile("jobs.cron", "@every 1s true\n");
  using listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const port = String((listener.addr as Deno.NetAddr).port);
  const r = await runCoord(["schedule", "run", jobs, "--url", url, "--health-port", port]);
  assert.equal(r.code, 69, r.stderr);
  assert.match(
    r.stderr,
    /cannot serve \/health on 127\.0\.0\.1:\d+: .*choose another --health-port/,
  );
});

Deno.test("coord schedule --help names every nickname a crontab line may start with", async () => {
  const { code, stdout } = await runCoord(["schedule", "--help"]);
  assert.equal(code, 0);
  for (const nickname of NICKNAMES) assert.match(stdout, new RegExp(`${nickname}\\b`), nickname);
});

Deno.test("a task module is loaded with its own project's import map, and coord's", async () => {
  await using temp = await tempDir("coord-test-");
  const dir = temp.path;
  const log = `${dir}/log`;
  await Deno.mkdir(`${dir}/src`);
  await Deno.writeTextFile(
    `${dir}/deno.json`,
    JSON.stringify({ imports: { mylib: "./src/greeting.ts", "utils/": "./src/" } }),
  );
  await Deno.writeTextFile(`${dir}/src/greeting.ts`, `export const greeting = "hi from mylib";\n`);
  await Deno.writeTextFile(`${dir}/src/twice.ts`, `export const twice = (s: string) => s + s;\n`);
  await Deno.writeTextFile(
    `${dir}/tasks.ts`,
    `import { parseDuration, type Scheduler } from "coord";
import { greeting } from "mylib";
import { twice } from "utils/twice.ts";
export default (app: Scheduler) => {
  app.task({ name: "greet", interval: parseDuration("200ms") }, () => {
    Deno.writeTextFileSync(${JSON.stringify(log)}, twice(greeting) + "\\n", { append: true });
  });
};
`,
  );
  const p = spawnCoord(["schedule", "run", `${dir}/tasks.ts`, "--url", await sqliteUrl()]);
  await until(async () => (await Deno.readTextFile(log).catch(() => "")).includes("\n"));
  p.kill("SIGTERM");
  const { code, stderr } = await p.result;
  assert.equal(code, 0, stderr);
  assert.equal((await Deno.readTextFile(log)).split("\n")[0], "hi from mylibhi from mylib");

  await Deno.writeTextFile(
    `${dir}/tasks.ts`,
    `import { nothing } from "unmapped";\nexport default () => nothing;\n`,
  );
  const broken = await runCoord(["schedule", "list", `${dir}/tasks.ts`]);
  assert.equal(broken.code, 64, broken.stderr);
  assert.match(
    broken.stderr,
    /^coord: cannot load task module .*tasks\.ts: Import "unmapped" not a dependency/,
  );
});

/** Waits for a scheduler's `--health-port` to answer, and checks that it says healthy. */
async function healthy(port: number): Promise<void> {
  let health: Response | undefined;
  await until(async () => {
    health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
    return health !== undefined;
  }, { what: "/health to answer", intervalMs: 100 });
  assert.equal(health?.status, 200);
  await health?.body?.cancel();
}

Deno.test("coord schedule run cuts a 40 MB line with no newline, and runs each tick once", async () => {
  const url = await sqliteUrl();
  const ticks = `${scratch.path}/${crypto.randomUUID()}.ticks`;
  const jobs = await taskFile(
    "big.cron",
    `@every 2s name=big lease=3s echo $COORD_SCHEDULED_AT >> ${ticks}; head -c 40000000 /dev/zero\n`,
  );
  await using p = spawnCoord(["schedule", "run", jobs, "--url", url]);
  // Kept whole, the line was scanned again at every chunk: the event loop held for a minute,
  // the lease lost and the tick run again and again.
  const cut = (line: string) => line.endsWith("… (cut at 65536 characters)");
  await until(() => p.stdoutLines().filter(cut).length >= 2, { what: "two runs' lines, cut" });
  p.kill("SIGTERM");
  const { code, stderr } = await p.result;
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /lost its lease/);
  const runs = (await Deno.readTextFile(ticks)).trim().split("\n");
  assert.equal(new Set(runs).size, runs.length, `a tick ran twice: ${runs}`);
});
