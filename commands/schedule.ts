/**
 * `coord schedule run|list|status|trigger|pause|resume|remove`: cron and interval tasks run
 * once per tick across any number of instances.
 *
 * @module
 */

import { ExitCode, ForeignDataError } from "../lib/errors.ts";
import { formatDuration } from "../lib/duration.ts";
import { loadTasks } from "../lib/schedule/load.ts";
import { blindCoordLines } from "../lib/schedule/blind_coord.ts";
import { variable } from "../lib/environment.ts";
import { DEFAULT_GRACE_MS, Scheduler } from "../lib/schedule/scheduler.ts";
import { scheduleReports, type TaskStatus } from "../lib/schedule/status.ts";
import {
  checkRunArgs,
  checkTaskToChange,
  pauseTask,
  removeTask,
  resumeTask,
  TaskRunningError,
  triggerTask,
} from "../lib/schedule/control.ts";
import type { TaskDefinition } from "../lib/schedule/task.ts";
import type { Command } from "./command.ts";
import { START_OUTAGE_MS } from "../lib/backend/await_backend.ts";
import { StopSignals } from "../lib/stop_signals.ts";
import { openServiceBackend } from "./open_waiting.ts";
import { warnIfEvicting } from "./eviction_warning.ts";
import {
  BACKEND_FLAGS,
  BACKEND_FLAGS_HELP,
  checkBackendFlags,
  openBackend,
  parseFlags,
  refuseVerbAfterOptions,
  secondsFlag,
  usage,
} from "./flags.ts";
import { printable, printTable, writeLine } from "./output.ts";
import { PASS_ENV_FLAGS, passEnvFlag } from "./pass_env.ts";
import { parseListen } from "./schedule_health.ts";
import { eventLine, runScheduler } from "./schedule_program.ts";
import { errorLine, reportForeign } from "./report.ts";
import { STOP_GRACE_MS } from "../lib/subprocess.ts";

/** The most ticks `list --count` prints a task. */
const MAX_LIST_COUNT = 10_000;

const USAGE =
  `Usage: coord schedule [run] FILE [--instance ID] [--grace S] [--health-port [HOST:]PORT]
                      [--verbose] [--pass-env NAME[,NAME…]]
       coord schedule list FILE [--count N] [--json]
       coord schedule status [TASK…] [--json] [--max-lag S]
       coord schedule trigger TASK [--args JSON]
       coord schedule pause TASK…
       coord schedule resume TASK… [--catch-up]
       coord schedule remove TASK… [--force]

Runs cron and interval tasks once per tick, however many instances run the same FILE against
the same backend. Instances sleep until the next tick (no polling); the tick a task has
reached is stored, so a restart repeats no tick, and runs the ones missed while down as the
task's catch-up= says (said on stderr at start: "NAME: 36 tick(s) overdue since …; …").

FILE is a TypeScript/JavaScript module (.ts .js .mts .mjs .tsx .jsx) whose default export adds
tasks:
    import type { Scheduler } from "coord";   // types only
    export default (app: Scheduler) => {
      app.task({ name: "report", cron: "0 */10 * * * *", timezone: "Europe/Ljubljana" },
        async (ctx) => { /* ctx.scheduledAt, ctx.signal, ctx.heartbeat(), ctx.fixtures */ });
    };
or any other file, read as a crontab: one task a line, words split at spaces and tabs (no
line separator U+2028/U+2029 outside quotes), "#" comments,
    SCHEDULE  [OPTION=VALUE…]  COMMAND
    */5 * * * *      name=rotate  /usr/local/bin/rotate-logs
    */10 * * * * *   curl -fsS http://localhost:8080/health    (6 fields: seconds first)
    @every 30s       ./sync.sh
    @hourly TZ=UTC   ./report.sh
  SCHEDULE: 5 cron fields, 6 with seconds first, @hourly @daily @midnight @weekly @monthly
            @yearly @annually, or @every DURATION (30s, 5m, 1h30m, 250ms; aligned to the epoch)
  OPTIONS:  name=NAME (default: the program's name and a hash of the line)
            TZ=ZONE (default UTC)
            mode=at-least-once|best-effort|at-most-once (default at-least-once)
            failure=none|unlock|commit (default none)   lease=DURATION (default 60s,
            at least 300ms)
            retry=DURATION (failure=unlock's wait, default 1s)
            catch-up=all|latest|none|within=DURATION (which overdue ticks run after
            downtime, default all; fast-forward=yes is catch-up=latest)
            max-retries=N (retries of a failed tick before moving on, default 3)
            overlap=skip|allow|replace (at-least-once, a run outlasting the next tick: the
            next waits, default; runs beside it, each leased; or stops it and runs instead)
            timeout=DURATION (a run past it is stopped and counts as failed)
            seconds=first|last (last reads pyncette/croniter's order: "* * * * * */10")
  COMMAND runs with sh -c, in its own process group (a stop reaches all it started, on
  Linux in whichever group of its session; not what left the session: setsid, daemons),
  with COORD_TASK, COORD_SCHEDULED_AT (the tick, ISO 8601 UTC), COORD_INSTANCE (and a
  triggered run's args: a file named by COORD_ARGS_FILE, JSON, removed after the run, and
  COORD_ARGS when they fit in one variable, 128 KiB) in its environment but not COORD_URL or
  COORD_PASSWORD (see --pass-env: a line that runs coord without --url gets a warning at
  start); its output lines are printed as "[NAME] line"; its exit status decides success.

Modes: at-least-once leases the tick (renewed while it runs) and commits it when done; a
killed instance's tick is run again by another after the lease. best-effort commits the
tick first: it never runs twice, a killed run is not repeated, and a run longer than the
period overlaps the next one. Failures: none keeps
the tick leased until the lease ends, then retries; unlock retries after "retry"; commit
counts it as done. After max-retries failed retries a tick is recorded as failed and the
task moves on. failure=, lease=, retry=, max-retries= and overlap= are at-least-once's: a
best-effort line giving one is refused.

  run       runs until SIGINT, SIGTERM or SIGHUP; then claims no more ticks, lets running
            tasks finish within --grace seconds (default ${
    DEFAULT_GRACE_MS / 1000
  }), tears fixtures down,
            exits 0. A second signal (or the end of the grace period) stops running tasks
            (ctx.signal aborts; commands and all they started get SIGTERM, then SIGKILL
            lease/6 later, at most ${STOP_GRACE_MS / 1000} s) and exits 128+N.
            --instance ID    the name this instance is recorded under (default host:pid:rnd)
            --health-port P  serve /health (200 while running and the backend answers, else
                             503) and /metrics (Prometheus) on 127.0.0.1:P or HOST:P
            --verbose        also log every run's start and success on stderr
            --pass-env NAME[,NAME…]  give commands COORD_URL, COORD_PASSWORD, PGPASSWORD
                             and/or COORD_UI_PASSWORD all the same (a line running
                             coord queue put needs COORD_URL)
            Failures, lost leases and backend errors are logged on stderr in any case,
            and a Redis that may evict keys is named once at the start (see coord doctor).
            A backend that cannot be reached at the start is tried every second for up
            to ${
    formatDuration(START_OUTAGE_MS)
  } (then exit 69), as an outage while running is ridden out.
  list      each task's timing, modes, policies and next --count (default 3, at most
            ${MAX_LIST_COUNT}) ticks; opens no backend, but refuses backend options run
            would refuse (--url "", exit 64)
  status    from the backend: each task's next tick, last run (tick, outcome, owner),
            runs and failures (and how many in a row); --json: one object per line.
            A task holding foreign data is named on stderr, the others shown, exit 65.
            --max-lag S  exit 1 when a task's oldest tick not done has been due more than
                         S seconds (not run, or still running): a health check
  trigger   one extra run of TASK now, by whichever instance claims it first (once), beside
            its ticks; --args JSON is its ctx.args (a command's COORD_ARGS_FILE), at most
            1 MiB as a job's (exit 64 past it, nothing stored); prints the request's id. A
            task has at most 100 triggered runs waiting, with 1 MiB of args together: one
            more exits 75 until an instance has run them. A run killed with its instance is
            not repeated.
  pause     stop claiming TASK's ticks, on every instance, until resume (stored: it survives
            restarts; a run going on finishes; trigger still runs it)
  resume    claim its ticks again; the ticks that passed while paused are skipped, or run
            (as after downtime) with --catch-up; those overdue before the pause go by the
            task's catch-up policy
  remove    delete the records of tasks gone from every file (status marks a task no
            instance ran for a day "orphaned"). Every TASK is tried: one whose tick a run
            holds is refused (exit 75) unless --force, one holding foreign data too (65),
            one with no record is named on stderr (exit 1). A task still in a running
            instance's file comes back.

Examples:
  coord schedule run jobs.cron --url redis://10.0.0.5:6379 --health-port 9464
  coord schedule list tasks.ts
  coord schedule status --json
  coord schedule trigger report --args '{"to":"ana"}'
  coord schedule status --max-lag 120 > /dev/null || alert

Exit codes: 0 ok or stopped cleanly · 1 status --max-lag: a task lags; remove: a TASK
            had no record (the others are removed)
            64 bad arguments, missing or malformed FILE, run: a FILE with no tasks or
            templates, a TASK with no record
            65 foreign data · 69 backend unavailable · 70 a fixture failed to set up
            75 remove: a run holds the task's tick
            128+N running tasks cut short by signal N

${BACKEND_FLAGS_HELP}`;

const RUN_FLAGS = {
  ...BACKEND_FLAGS,
  instance: { type: "string" },
  grace: { type: "string" },
  "health-port": { type: "string" },
  verbose: { type: "boolean" },
  ...PASS_ENV_FLAGS,
} as const;

/**
 * The verbs, each with what it runs. They may go where `coord schedule FILE` has its FILE: a file
 * so named follows "run".
 */
const VERBS: Record<string, (argv: string[]) => Promise<number>> = {
  run: runFile,
  list,
  status,
  trigger,
  pause: (argv) => pauseOrResume("pause", argv),
  resume: (argv) => pauseOrResume("resume", argv),
  remove,
};

async function run(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined) {
    const others = Object.keys(VERBS).filter((name) => name !== "run");
    throw usage("schedule", `missing FILE (or ${others.join(", ")})`);
  }
  if (Object.hasOwn(VERBS, verb)) return await VERBS[verb](rest);
  return await runFile(argv, { verbless: true });
}

/** `verbless`: the FILE read may be a verb written after options (`coord schedule -q status`). */
async function runFile(argv: string[], { verbless = false } = {}): Promise<number> {
  const { values, positionals } = parseFlags("schedule", argv, RUN_FLAGS);
  if (verbless) {
    refuseVerbAfterOptions("schedule", argv, RUN_FLAGS, Object.keys(VERBS), {
      what: "a task file",
      verb: "run",
    });
  }
  const file = onlyFile(positionals);
  const graceMs = secondsFlag("schedule", "grace", values.grace, DEFAULT_GRACE_MS);
  const health = values["health-port"] === undefined
    ? undefined
    : parseListen(values["health-port"]);
  // The file is read (and any mistake in it reported) before the backend is touched.
  const app = new Scheduler({
    ...(values.instance !== undefined && { instance: values.instance }),
    graceMs,
    onEvent: (event) => {
      const line = eventLine(event, values.verbose);
      if (line) writeLine(`coord: ${printable(line)}`, Deno.stderr);
    },
  });
  const passEnv = passEnvFlag("schedule", values);
  const lines = await loadTasks(app, file, (task, stream, line) => {
    writeLine(`[${task}] ${line}`, stream === "stdout" ? Deno.stdout : Deno.stderr);
  }, { passEnv });
  for (const { line } of blindCoordLines(lines, { url: variable("COORD_URL"), passEnv })) {
    writeLine(
      `coord: ${file}:${line} runs coord without this backend: it gets no COORD_URL, so it ` +
        `would use its default (the local SQLite file) — add --pass-env COORD_URL (a --url in ` +
        `the line would show its password to ps)`,
      Deno.stderr,
    );
  }
  // Unlike cron with an empty crontab, an instance with nothing to run is almost always a
  // mistake (a wrong file, every line commented out). A module's dynamic templates count: they
  // legitimately start with no instances.
  if (app.tasks.length === 0) throw usage("schedule", `${file} has no tasks`);
  // Started while its server restarts, it waits for it, as it rides out an outage later.
  using signals = new StopSignals();
  const backend = await openServiceBackend("schedule", values, signals.stop);
  if (!backend) return ExitCode.ok;
  let code: number;
  try {
    await warnIfEvicting(backend);
    code = await runScheduler(app.useBackend(backend), { health }, signals);
  } finally {
    await backend.close();
  }
  // Stopped by force: a task that ignores its aborted signal would keep coord alive.
  if (code !== ExitCode.ok) Deno.exit(code);
  return code;
}

async function list(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("schedule", argv, {
    ...BACKEND_FLAGS,
    count: { type: "string" },
    json: { type: "boolean" },
  });
  // Every command takes the backend flags; this one opens no backend, but a slip in them
  // (`--url "$UNSET"`) is refused here too, so that the line that works here works in `run`.
  checkBackendFlags("schedule", values);
  const file = onlyFile(positionals);
  const count = values.count === undefined ? 3 : Number(values.count);
  // Each tick is computed and printed: a count with no bound ran out of memory.
  if (!/^\d+$/.test(values.count ?? "3") || count > MAX_LIST_COUNT) {
    throw usage(
      "schedule",
      `--count must be a whole number from 0 to ${MAX_LIST_COUNT}, got "${values.count}"`,
    );
  }
  const app = new Scheduler();
  await loadTasks(app, file, () => {});
  const now = Date.now();
  for (const def of app.tasks) {
    const ticks = nextTicks(def, now, count).map((t) => new Date(t).toISOString());
    if (values.json) {
      console.log(JSON.stringify({
        task: def.name,
        timing: def.timing?.spec ?? "dynamic",
        executionMode: def.executionMode,
        failureMode: def.failureMode,
        leaseMs: def.leaseMs,
        maxRetries: def.maxRetries,
        ...(def.timeoutMs !== undefined && { timeoutMs: def.timeoutMs }),
        overlap: def.overlap,
        catchUp: def.catchUp,
        next: ticks,
      }));
    } else {
      const catchUp = def.catchUp.policy === "within"
        ? `within=${def.catchUp.withinMs! / 1000}s`
        : def.catchUp.policy;
      console.log(
        `${def.name}  ${def.timing?.spec ?? "dynamic template"}  ${def.executionMode}` +
          (def.executionMode === "at-least-once" ? retrying(def) : "") +
          `  catch-up=${catchUp}` +
          (def.timeoutMs === undefined ? "" : `  timeout=${def.timeoutMs / 1000}s`),
      );
      for (const tick of ticks) console.log(`    ${tick}`);
    }
  }
  return ExitCode.ok;
}

/** How an at-least-once task's tick is leased and run again, as `list` prints it. */
function retrying(def: TaskDefinition): string {
  const { failureMode, leaseMs, maxRetries, retryDelayMs, overlap } = def;
  return `  failure=${failureMode}  lease=${leaseMs / 1000}s` +
    (failureMode === "unlock" ? `  retry=${retryDelayMs / 1000}s` : "") +
    (failureMode === "commit" ? "" : `  max-retries=${maxRetries}`) +
    `  overlap=${overlap}`;
}

function nextTicks(def: TaskDefinition, now: number, count: number): number[] {
  const ticks: number[] = [];
  for (
    let t = def.timing?.first(now);
    t !== undefined && ticks.length < count;
    t = def.timing!.next(t)
  ) {
    ticks.push(t);
  }
  return ticks;
}

/** `status --max-lag`'s exit code when a task lags: a failed check, not an error. */
const LAGGING = 1;

async function status(argv: string[]): Promise<number> {
  const { values, positionals: named } = parseFlags("schedule", argv, {
    ...BACKEND_FLAGS,
    json: { type: "boolean" },
    "max-lag": { type: "string" },
  });
  const maxLagMs = values["max-lag"] === undefined
    ? undefined
    : secondsFlag("schedule", "max-lag", values["max-lag"], 0);
  await using backend = await openBackend("schedule", values, { create: false });
  // A name given twice is shown once, as turn status shows it.
  const reports = await scheduleReports(
    backend,
    named.length > 0 ? [...new Set(named)] : undefined,
  );
  for (const { name, status, foreign } of reports) {
    if (!status && !foreign) console.error(`No such task: ${JSON.stringify(name)}.`);
  }
  // A task another program wrote into hides none of the others; it still exits 65.
  const foreign = reportForeign(reports);
  const statuses = reports.flatMap((r) => r.status ?? []);
  if (named.length === 0 && reports.length === 0) {
    console.error(`No tasks in namespace ${JSON.stringify(backend.namespace)}.`);
  }
  const lagging = maxLagMs === undefined
    ? []
    : statuses.filter((s) => "task" in s && s.lagMs > maxLagMs) as TaskStatus[];
  for (const s of lagging) {
    console.error(errorLine(
      `${s.task} lags: its tick ${new Date(s.next!).toISOString()} has been due ` +
        `${formatDuration(s.lagMs)} (--max-lag ${maxLagMs! / 1000})`,
    ));
  }
  // Foreign data before lagging: a record no instance can run from is the graver of the two.
  const code = foreign !== ExitCode.ok ? foreign : lagging.length > 0 ? LAGGING : ExitCode.ok;
  if (values.json) {
    for (const s of statuses) console.log(JSON.stringify(s));
    return code;
  }
  const rows = statuses.map((s) =>
    "task" in s
      ? taskRow(s)
      : [s.template, `dynamic, ${s.instances} instance(s)`, "", "", "", "", ""]
  );
  if (rows.length > 0) {
    printTable([["TASK", "NEXT", "LAST TICK", "OUTCOME", "OWNER", "RUNS", "FAILURES"], ...rows]);
  }
  return code;
}

async function trigger(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("schedule", argv, {
    ...BACKEND_FLAGS,
    args: { type: "string" },
  });
  if (positionals.length !== 1) throw usage("schedule", "trigger takes one TASK");
  let args: unknown;
  if (values.args !== undefined) {
    try {
      args = JSON.parse(values.args);
    } catch {
      throw usage("schedule", `--args is not JSON: ${values.args}`);
    }
    // Before the backend is opened: bad input is 64 whether or not it answers.
    checkRunArgs(args, "a triggered run");
  }
  await using backend = await openBackend("schedule", values);
  console.log(await triggerTask(backend, positionals[0], { args }));
  return ExitCode.ok;
}

async function pauseOrResume(verb: "pause" | "resume", argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("schedule", argv, {
    ...BACKEND_FLAGS,
    "catch-up": { type: "boolean" },
  });
  if (positionals.length === 0) throw usage("schedule", `${verb} takes one TASK or more`);
  if (verb === "pause" && values["catch-up"]) throw usage("schedule", "--catch-up is resume's");
  await using backend = await openBackend("schedule", values);
  // All checked before any changes, as queue resume does: a mistyped TASK changes none.
  for (const name of positionals) await checkTaskToChange(backend, name);
  for (const name of positionals) {
    const changed = verb === "pause"
      ? await pauseTask(backend, name)
      : await resumeTask(backend, name, { catchUp: values["catch-up"] === true });
    if (!changed) {
      console.error(errorLine(`${name} was ${verb === "pause" ? "" : "not "}paused already`));
    }
  }
  return ExitCode.ok;
}

async function remove(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("schedule", argv, {
    ...BACKEND_FLAGS,
    force: { type: "boolean" },
  });
  if (positionals.length === 0) throw usage("schedule", "remove takes one TASK or more");
  await using backend = await openBackend("schedule", values);
  let missing = false;
  let refused: number | undefined;
  for (const name of positionals) {
    try {
      if (!await removeTask(backend, name, { force: values.force === true })) {
        console.error(`No such task: ${JSON.stringify(name)}.`);
        missing = true;
      }
    } catch (e) {
      // A task running, or holding foreign data, keeps its record; the others go, as `rm`'s.
      if (!(e instanceof ForeignDataError || e instanceof TaskRunningError)) throw e;
      console.error(errorLine(e.message));
      refused ??= e.exitCode;
    }
  }
  return refused ?? (missing ? NOT_FOUND : ExitCode.ok);
}

/** `remove`'s exit code when a TASK had no record (the others are removed): like `rm`'s. */
const NOT_FOUND = 1;

function taskRow(s: TaskStatus): string[] {
  const iso = (t: number | undefined | null) => (t == null ? "-" : new Date(t).toISOString());
  const running = s.paused
    ? " (paused)"
    : !s.lease
    ? s.lagMs >= 1_000 ? ` (due ${formatDuration(s.lagMs)} ago)` : ""
    : s.last?.outcome === "running"
    ? ` (running on ${s.lease.owner})`
    : ` (retry at ${iso(s.lease.until)})`;
  const waiting = (s.triggers > 0 ? `, ${s.triggers} triggered run(s) waiting` : "") +
    (s.orphaned ? " (orphaned: no instance for a day)" : "");
  // The latest run shown, a tick's or a triggered one's.
  const last = s.triggered && s.triggered.startedAt >= (s.last?.startedAt ?? -Infinity)
    ? s.triggered
    : s.last;
  return [
    s.task,
    (s.next === null ? "done" : iso(s.next)) + running + waiting,
    iso(last?.tick) + (last?.trigger ? " (triggered)" : ""),
    last?.outcome ?? "-",
    last?.owner ?? "-",
    String(s.runs),
    s.failures + (s.consecutiveFailures > 0 ? ` (${s.consecutiveFailures} in a row)` : ""),
  ];
}

function onlyFile(positionals: string[]): string {
  if (positionals.length === 0) throw usage("schedule", "missing FILE");
  if (positionals.length > 1) {
    throw usage(
      "schedule",
      `one FILE at a time, got ${positionals.map((p) => `"${p}"`).join(" ")}`,
    );
  }
  return positionals[0];
}

/** The `coord schedule` command. */
export const scheduleCommand: Command = { usage: USAGE, run };
