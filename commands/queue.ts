/**
 * `coord queue put|work|wait|status|show|cancel`: a durable job queue.
 *
 * @module
 */

import { isAbsolute, resolve } from "node:path";
import { importModule } from "../lib/module_loader.ts";
import { ExitCode, UsageError } from "../lib/errors.ts";
import { type Flow, flowNodes, putFlow } from "../lib/queue/flow.ts";
import { StopSignals } from "../lib/stop_signals.ts";
import {
  cancelJob,
  DEFAULT_WAIT_OUTAGE_MS,
  getJob,
  parseJobRef,
  putJob,
  queueCounts,
  waitForJob,
} from "../lib/queue/queue.ts";
import type { JobRecord } from "../lib/queue/steps.ts";
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_JOB_LEASE_MS,
  DEFAULT_WORK_GRACE_MS,
  type JobHandler,
  MAX_STDOUT_BYTES,
  work,
  type WorkEvent,
} from "../lib/queue/worker.ts";
import type { Command } from "./command.ts";
import {
  BACKEND_FLAGS,
  BACKEND_FLAGS_HELP,
  countArg,
  openBackend,
  parseFlags,
  secondsFlag,
  usage,
} from "./flags.ts";
import { printTable, writeLine } from "./output.ts";
import { PASS_ENV_FLAGS, passEnvFlag } from "./pass_env.ts";
import { MAX_DELAY_MS } from "../lib/queue/limits.ts";
import { STOP_GRACE_MS } from "../lib/subprocess.ts";

const USAGE =
  `Usage: coord queue put QUEUE (--handler NAME [--args JSON] | -- CMD ARG…) [--delay S | --at TIME]
                       [--begin-by S] [--retries N] [--backoff S] [--timeout S] [--id ID] [--json]
       coord queue flow QUEUE FILE.json [--id ID] [--json]
       coord queue work QUEUE… [--module FILE] [--allow-commands] [--concurrency N] [--drain]
                       [--grace S] [--lease S] [--worker ID] [--verbose]
                       [--pass-env NAME[,NAME…]]
       coord queue wait JOB… [--timeout S] [--json]
       coord queue status [QUEUE…] [--json]
       coord queue show JOB [--json]
       coord queue cancel JOB

A durable job queue: any number of workers on any machines take jobs from it; nothing put is
lost when a worker dies. A job is QUEUE/ID (what put prints).

  put     adds a job and prints QUEUE/ID. A handler job names a function exported by the
          workers' --module, with JSON --args; a command job is the argv after -- (no shell),
          run only by workers started with --allow-commands.
          --id ID         idempotent: putting an id that exists changes nothing (exit 0)
          --delay S / --at TIME (ISO 8601)   start no earlier
          --begin-by S    fail as expired if not started within S seconds of when it may
                          start
          --retries N     retries after a failure (default 0), --backoff S (default 1) before
                          the first, doubling each time; --timeout S fails a run that takes
                          longer
  flow    puts a flow: jobs in parallel or serial groups, nestable, each group with an
          optional postprocess job that gets the parts' results in order (a handler's
          ctx.results; a command's $COORD_RESULTS, JSON). Prints QUEUE/ID of the top group;
          wait for it: its result is its postprocess' result, else the parts' results. A part
          that fails fails its group (its unstarted parts are cancelled) unless the group says
          "continueOnFailure": true (the part's result is then null).
            {"serial": [{"handler": "fetch", "args": 1},
                        {"parallel": [{"handler": "resize", "args": 1},
                                      {"command": ["./resize.sh", "2"], "retries": 2}],
                         "postprocess": {"handler": "collect"}}],
             "postprocess": {"handler": "report"}}
          A job takes handler, args, command, retries, backoff (s), timeout (s).
  work    runs up to --concurrency (default ${DEFAULT_CONCURRENCY}) jobs at once. Each running job holds a
          lease (--lease, default ${
    DEFAULT_JOB_LEASE_MS / 1000
  } s) renewed every third of it: a worker killed with
          SIGKILL has its jobs run again elsewhere after the lease. SIGINT/SIGTERM/SIGHUP: take
          no more jobs, let running ones finish within --grace (default ${
    DEFAULT_WORK_GRACE_MS / 1000
  }, naming the
          jobs it waits for), exit 0; a second signal (or the end of the grace period) stops
          them (they go back to pending, each named) and exits 128+N. --drain exits 0 once
          the queues have nothing pending, scheduled or active. Failures and lost jobs are
          logged on stderr; --verbose logs every job.
          Handlers: the functions FILE exports, called as fn(args, ctx) with ctx.job,
          ctx.attempt, ctx.signal; the return value (JSON) is the result. Throwing
          NonRetryableError (from coord) fails the job without its retries.
          Commands run in their own process group (a stopped job's SIGTERM, then SIGKILL
          ${STOP_GRACE_MS / 1000} s later, reaches all they started) without COORD_URL and
          COORD_PASSWORD in their environment, unless --pass-env names them.
  wait    waits until each JOB is completed, failed or cancelled and prints its result (JSON
          a line; a command job's is {"exitCode":0,"stdout":"…"}, stdout cut at ${
    MAX_STDOUT_BYTES / 1024
  } KiB).
          --json prints the whole job instead. Exit 0 when all completed, 1 when one failed or
          was cancelled (its error on stderr), 75 on --timeout. Rides out a backend outage (a
          restart, a failover) of up to ${
    DEFAULT_WAIT_OUTAGE_MS / 1000
  } s in a row; a longer one exits 69.
  status  per queue: waiting (flow parts), pending, scheduled, active, completed, failed,
          cancelled, the oldest pending job's age (12.3 s, 5m 3s, 3h 12m, 7d 8h), live workers
  show    one job: state, spec, attempts, failures, stalls, worker, times, result or error
  cancel  cancels a job that has not started (exit 0, also if cancelled already); an active
          or finished job is left as it is (exit 1, its state on stderr)

Examples:
  coord queue put thumbnails --handler resize --args '{"file":"a.png"}' --retries 3
  coord queue put nightly --at "$(date -ud 'tomorrow 02:00' +%FT%TZ)" -- ./backup.sh --full
  coord queue work thumbnails nightly --module ./handlers.ts --allow-commands
  coord queue wait thumbnails/1 --timeout 60

Limits: --timeout, --lease (≥ 0.3), --grace ≤ 2147483.647 s; --delay, --begin-by, --backoff
≤ 10 years; --retries ≤ 1000; --concurrency ≤ 10000; flows nest ≤ 32 deep, ≤ 10000 jobs.

Exit codes: 0 ok · 1 a waited-for job failed, or cancel refused · 64 bad arguments, unknown
            job · 65 foreign data · 69 backend unavailable · 75 wait timed out · 128+N work
            stopped by signal N with jobs cut short

${BACKEND_FLAGS_HELP}`;

const VERBS: Record<string, (argv: string[]) => Promise<number>> = {
  put,
  flow,
  work: workVerb,
  wait,
  status,
  show,
  cancel,
};

async function run(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined) {
    throw usage("queue", "missing put, flow, work, wait, status, show or cancel");
  }
  if (!Object.hasOwn(VERBS, verb)) {
    throw usage("queue", `unknown "${verb}": use put, flow, work, wait, status, show or cancel`);
  }
  return await VERBS[verb](rest);
}

async function put(argv: string[]): Promise<number> {
  const { values, positionals, rest } = parseFlags("queue", argv, {
    ...BACKEND_FLAGS,
    handler: { type: "string" },
    args: { type: "string" },
    delay: { type: "string" },
    at: { type: "string" },
    "begin-by": { type: "string" },
    retries: { type: "string" },
    backoff: { type: "string" },
    timeout: { type: "string" },
    id: { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length !== 1) throw usage("queue", "put takes one QUEUE");
  if (values.delay !== undefined && values.at !== undefined) {
    throw usage("queue", "give --delay or --at, not both");
  }
  let args: unknown;
  if (values.args !== undefined) {
    try {
      args = JSON.parse(values.args);
    } catch (e) {
      throw usage("queue", `--args is not JSON: ${e instanceof Error ? e.message : e}`);
    }
  }
  let at: number | undefined;
  if (values.at !== undefined) {
    at = Date.parse(values.at);
    if (!Number.isFinite(at)) throw usage("queue", `--at "${values.at}" is not an ISO 8601 time`);
  }
  // Delays are stored, not waited on with one timer: they may be longer than a timer allows.
  const seconds = (flag: string, text: string | undefined, maxMs?: number) =>
    text === undefined ? undefined : secondsFlag("queue", flag, text, 0, maxMs);
  await using backend = await openBackend("queue", values);
  const { ref, created, job } = await putJob(backend, positionals[0], {
    ...(values.id !== undefined && { id: values.id }),
    ...(values.handler !== undefined && { handler: values.handler }),
    ...(args !== undefined && { args }),
    ...(rest.length > 0 && { command: rest }),
    ...(values.delay !== undefined && { delayMs: seconds("delay", values.delay, MAX_DELAY_MS) }),
    ...(at !== undefined && { at }),
    ...(values["begin-by"] !== undefined &&
      { beginByMs: seconds("begin-by", values["begin-by"], MAX_DELAY_MS) }),
    ...(values.retries !== undefined && { retries: countOrZero(values.retries) }),
    ...(values.backoff !== undefined &&
      { backoffMs: seconds("backoff", values.backoff, MAX_DELAY_MS) }),
    ...(values.timeout !== undefined && { timeoutMs: seconds("timeout", values.timeout) }),
  });
  console.log(values.json ? JSON.stringify({ job: ref, created, state: job.state }) : ref);
  return ExitCode.ok;
}

async function flow(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("queue", argv, {
    ...BACKEND_FLAGS,
    id: { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length !== 2) throw usage("queue", "flow takes QUEUE and FILE.json");
  const [queue, file] = positionals;
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    throw usage(
      "queue",
      `cannot read ${file}: ${e instanceof Deno.errors.NotFound ? "no such file" : e}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw usage("queue", `${file} is not JSON: ${e instanceof Error ? e.message : e}`);
  }
  const nodes = flowNodes(parsed, values.id ?? "check");
  await using backend = await openBackend("queue", values);
  const { ref, created } = await putFlow(backend, queue, parsed as Flow, {
    ...(values.id !== undefined && { id: values.id }),
  });
  console.log(values.json ? JSON.stringify({ job: ref, created, jobs: nodes.length }) : ref);
  return ExitCode.ok;
}

function countOrZero(text: string): number {
  if (!/^\d+$/.test(text.trim())) {
    throw usage("queue", `--retries must be a whole number ≥ 0, got "${text}"`);
  }
  return Number(text);
}

async function workVerb(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("queue", argv, {
    ...BACKEND_FLAGS,
    module: { type: "string" },
    "allow-commands": { type: "boolean" },
    concurrency: { type: "string" },
    drain: { type: "boolean" },
    grace: { type: "string" },
    lease: { type: "string" },
    worker: { type: "string" },
    verbose: { type: "boolean" },
    ...PASS_ENV_FLAGS,
  });
  if (positionals.length === 0) throw usage("queue", "work needs at least one QUEUE");
  const passEnv = passEnvFlag("queue", values);
  const handlers = values.module === undefined ? {} : await loadHandlers(values.module);
  const concurrency = values.concurrency === undefined
    ? DEFAULT_CONCURRENCY
    : countArg("queue", "--concurrency", values.concurrency);
  const leaseMs = secondsFlag("queue", "lease", values.lease, DEFAULT_JOB_LEASE_MS);
  if (values.worker === "") throw usage("queue", "--worker is empty");
  const backend = await openBackend("queue", values);
  using signals = new StopSignals();
  let code: number;
  try {
    const result = await work(backend, positionals, {
      handlers,
      allowCommands: values["allow-commands"],
      passEnv,
      concurrency,
      drain: values.drain,
      graceMs: secondsFlag("queue", "grace", values.grace, DEFAULT_WORK_GRACE_MS),
      leaseMs,
      ...(values.worker !== undefined && { worker: values.worker }),
      signal: signals.stop,
      force: signals.force,
      onEvent: (event) => {
        const line = workLine(event, values.verbose);
        if (line) writeLine(`coord: ${line}`, Deno.stderr);
      },
    });
    code = signals.exitCode(result.cutShort);
  } finally {
    await backend.close();
  }
  // Stopped by force: a handler that ignores its aborted signal would keep coord alive.
  if (code !== ExitCode.ok) Deno.exit(code);
  return code;
}

/** The functions a handler module exports, by name. */
async function loadHandlers(file: string): Promise<Record<string, JobHandler>> {
  const path = isAbsolute(file) ? file : resolve(file);
  let module: Record<string, unknown>;
  try {
    module = await importModule(path);
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    throw new UsageError(`cannot load handler module ${file}: ${why}`);
  }
  const handlers = Object.fromEntries(
    Object.entries(module).filter(([, value]) => typeof value === "function"),
  ) as Record<string, JobHandler>;
  if (Object.keys(handlers).length === 0) {
    throw new UsageError(`${file} exports no functions — export one per handler name`);
  }
  return handlers;
}

function workLine(event: WorkEvent, verbose = false): string | undefined {
  switch (event.type) {
    case "started":
      return verbose ? `${event.job} started (attempt ${event.attempt})` : undefined;
    case "completed":
      return verbose
        ? `${event.job} completed in ${(event.durationMs / 1000).toFixed(3)} s`
        : undefined;
    case "failed":
      return `${event.job} failed (attempt ${event.attempt}): ${event.error}`;
    case "retrying":
      return `${event.job} failed (attempt ${event.attempt}): ${event.error} — retrying in ` +
        `${(event.delayMs / 1000).toFixed(1)} s`;
    case "lost":
      return `${event.job} lost its lease; another worker runs it again`;
    case "stopping": {
      const n = event.jobs.length;
      return `stopping: waiting up to ${event.graceMs / 1000} s for ${n} running ` +
        `job${n === 1 ? "" : "s"} to finish (${event.jobs.join(", ")}); a second signal ` +
        `puts them back to pending`;
    }
    case "released":
      return `${event.job} went back to pending (stopped before it finished)`;
    case "error":
      return `${event.error} — retrying`;
  }
}

async function wait(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("queue", argv, {
    ...BACKEND_FLAGS,
    timeout: { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length === 0) throw usage("queue", "wait needs at least one JOB");
  const refs = positionals.map((ref) => (parseJobRef(ref), ref));
  const timeoutMs = values.timeout === undefined
    ? undefined
    : secondsFlag("queue", "timeout", values.timeout, 0);
  const deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
  await using backend = await openBackend("queue", values);
  let failed = false;
  for (const ref of refs) {
    const left = deadline === undefined ? undefined : Math.max(0, deadline - performance.now());
    const job = await waitForJob(backend, ref, { timeoutMs: left });
    if (values.json) console.log(JSON.stringify(jobJson(ref, job)));
    else if (job.state === "completed") console.log(JSON.stringify(job.result ?? null));
    if (job.state !== "completed") {
      failed = true;
      console.error(`coord: ${ref} ${job.state}: ${job.error ?? ""}`);
    }
  }
  return failed ? 1 : ExitCode.ok;
}

async function status(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("queue", argv, {
    ...BACKEND_FLAGS,
    json: { type: "boolean" },
  });
  await using backend = await openBackend("queue", values);
  const all = await queueCounts(backend, positionals.length > 0 ? positionals : undefined);
  if (all.length === 0) {
    console.error(`No queues in namespace ${JSON.stringify(backend.namespace)}.`);
  }
  if (values.json) {
    for (const counts of all) console.log(JSON.stringify(counts));
    return ExitCode.ok;
  }
  const now = await backend.now();
  const rows = all.map((c) => [
    c.queue,
    ...[c.waiting, c.pending, c.scheduled, c.active, c.completed, c.failed, c.cancelled].map(
      String,
    ),
    c.oldestPendingAt === undefined ? "-" : ageText(now - c.oldestPendingAt),
    c.workers.join(",") || "-",
  ]);
  if (rows.length > 0) {
    const header = ["QUEUE", "WAITING", "PENDING", "SCHEDULED", "ACTIVE", "COMPLETED", "FAILED"];
    printTable([[...header, "CANCELLED", "OLDEST", "WORKERS"], ...rows]);
  }
  return ExitCode.ok;
}

async function show(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("queue", argv, {
    ...BACKEND_FLAGS,
    json: { type: "boolean" },
  });
  if (positionals.length !== 1) throw usage("queue", "show takes one JOB");
  const ref = positionals[0];
  parseJobRef(ref);
  await using backend = await openBackend("queue", values);
  const job = await getJob(backend, ref);
  const json = jobJson(ref, job);
  if (values.json) {
    console.log(JSON.stringify(json));
    return ExitCode.ok;
  }
  for (const [key, value] of Object.entries(json)) {
    const text = typeof value === "number" && key.endsWith("At")
      ? new Date(value).toISOString()
      : typeof value === "string"
      ? value
      : JSON.stringify(value);
    console.log(`${key.padEnd(11)} ${text}`);
  }
  return ExitCode.ok;
}

async function cancel(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("queue", argv, BACKEND_FLAGS);
  if (positionals.length !== 1) throw usage("queue", "cancel takes one JOB");
  const ref = positionals[0];
  parseJobRef(ref);
  await using backend = await openBackend("queue", values);
  const { job, cancelled } = await cancelJob(backend, ref);
  if (cancelled || job.state === "cancelled") {
    console.log(cancelled ? `cancelled ${ref}` : `${ref} was cancelled already`);
    return ExitCode.ok;
  }
  console.error(`coord: ${ref} is ${job.state}; only a job that has not started can be cancelled`);
  return 1;
}

/** The fields of a job `show` and `wait --json` print, in this order on every backend. */
const JOB_FIELDS = [
  "job",
  "state",
  "handler",
  "args",
  "command",
  "retries",
  "backoffMs",
  "timeoutMs",
  "attempts",
  "failures",
  "stalls",
  "worker",
  "createdAt",
  "readyAt",
  "startedAt",
  "finishedAt",
  "parent",
  "group",
  "inputs",
  "result",
  "error",
];

/** A job as `show --json` and `wait --json` print it. */
function jobJson(ref: string, job: JobRecord): Record<string, unknown> {
  const { id: _, spec, ...rest } = job;
  const fields: Record<string, unknown> = { job: ref, ...rest, ...spec };
  return Object.fromEntries(
    JOB_FIELDS.filter((name) => fields[name] !== undefined).map((name) => [name, fields[name]]),
  );
}

/** An age for people: `12.3 s`, `5m 3s`, `3h 12m`, `7d 8h`. */
function ageText(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor(s / 3_600) % 24, Math.floor(s / 60) % 60];
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m ${Math.floor(s) % 60}s`;
}

/** The `coord queue` command. */
export const queueCommand: Command = { usage: USAGE, run };
