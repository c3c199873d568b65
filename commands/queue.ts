/**
 * `coord queue put|work|wait|status|show|cancel`: a durable job queue.
 *
 * @module
 */

import { isAbsolute, resolve } from "node:path";
import { checkName } from "../lib/backend/keys.ts";
import { importModule } from "../lib/module_loader.ts";
import {
  BackendUnavailableError,
  CoordError,
  ExitCode,
  ForeignDataError,
  isUnrecoverable,
  UsageError,
  WaitTimeoutError,
  whyUnreadable,
} from "../lib/errors.ts";
import { type Flow, flowNodes, putFlow } from "../lib/queue/flow.ts";
import { StopSignals } from "../lib/stop_signals.ts";
import { parseInstant } from "../lib/time.ts";
import { readUtf8File } from "../lib/utf8_file.ts";
import {
  cancelJob,
  checkJobId,
  checkQueueName,
  DEFAULT_WAIT_OUTAGE_MS,
  FLAG_NAMES,
  getJob,
  JobRemovedError,
  parseJobRef,
  promoteJobs,
  putJob,
  type PutOptions,
  putRequestOf,
  queueReports,
  retryJobs,
  unknownQueues,
  waitForJob,
} from "../lib/queue/queue.ts";
import {
  DEFAULT_LIST_LIMIT,
  isStalled,
  LIST_STATES,
  listJobs,
  MAX_LIST_LIMIT,
} from "../lib/queue/list.ts";
import { listedState } from "../lib/queue/record.ts";
import { refusedQueues } from "../lib/queue/refused_queues.ts";
import { jobLines, PUT_BATCH, putJobs } from "../lib/queue/bulk.ts";
import {
  configureQueue,
  DEFAULT_KEEP,
  parseKeep,
  PURGE_STATES,
  purgeJobs,
  removeQueue,
} from "../lib/queue/retention.ts";
import {
  type FinishedState,
  type JobRecord,
  type Keep,
  type ListState,
  MAX_STALLS,
} from "../lib/queue/steps.ts";
import { maskPassword } from "../lib/backend/url.ts";
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_JOB_LEASE_MS,
  DEFAULT_WORK_GRACE_MS,
  type JobHandler,
  MAX_STDOUT_BYTES,
  passEnvRefusal,
  work,
  type WorkEvent,
} from "../lib/queue/worker.ts";
import type { Backend } from "../lib/backend/types.ts";
import type { Command } from "./command.ts";
import { START_OUTAGE_MS } from "../lib/backend/await_backend.ts";
import { notHadBecause, openBackendWaiting, openServiceBackend } from "./open_waiting.ts";
import { warnIfEvicting } from "./eviction_warning.ts";
import {
  BACKEND_FLAGS,
  BACKEND_FLAGS_HELP,
  countArg,
  missingVerb,
  openBackend,
  parseFlags,
  secondsFlag,
  strayUrl,
  usage,
} from "./flags.ts";
import { printable, printableJson, printTable, shellWord, writeLine } from "./output.ts";
import { formatDuration } from "../lib/duration.ts";
import { errorLine, outageLine, reportForeign } from "./report.ts";
import { PASS_ENV_FLAGS, passEnvFlag } from "./pass_env.ts";
import {
  checkCount,
  MAX_CONCURRENCY,
  MAX_DELAY_MS,
  MAX_GROUP_LIMIT,
  MAX_TIMER_MS,
  MIN_LEASE_MS,
} from "../lib/queue/limits.ts";
import { leftRunningNotice, STOP_GRACE_MS } from "../lib/subprocess.ts";

const USAGE = `Usage: coord queue put QUEUE (--handler NAME [--args JSON] | -- CMD ARG…)
                       [--delay S | --at TIME] [--begin-by S] [--retries N] [--backoff S]
                       [--timeout S] [--id ID] [--dedupe KEY [--dedupe-for S]]
                       [--priority N] [--keep KEEP] [--group KEY] [--json]
       coord queue put QUEUE --from FILE.jsonl|- [--json]
       coord queue flow QUEUE FILE.json [--id ID] [--priority N] [--json]
       coord queue work QUEUE… [--module FILE] [--allow-commands] [--concurrency N] [--drain]
                       [--grace S] [--lease S] [--worker ID] [--verbose]
                       [--pass-env NAME[,NAME…]]
       coord queue wait JOB… [--timeout S] [--json]
       coord queue status [QUEUE…] [--json]
       coord queue show JOB [--json]
       coord queue cancel JOB
       coord queue list QUEUE [--state S…] [--limit N] [--after CURSOR] [--json]
       coord queue retry JOB… | coord queue retry QUEUE --failed [--all]
       coord queue promote JOB…
       coord queue config QUEUE [--keep-completed KEEP] [--keep-failed KEEP]
                       [--group-limit N|none] [--json]
       coord queue purge QUEUE --state completed|failed|cancelled [--older-than S]
       coord queue remove QUEUE [--force]
       coord queue pause QUEUE… | coord queue resume QUEUE…

A durable job queue: any number of workers on any machines take jobs from it; nothing put is
lost when a worker dies. A job is QUEUE/ID (what put prints). Several queues are separate
arguments: coord queue work emails reports.

  put     adds a job and prints QUEUE/ID. A handler job names a function exported by the
          workers' --module, with JSON --args; a command job is the argv after -- (no shell),
          run only by workers started with --allow-commands. A job holds at most 1 MiB as
          JSON (its args or command; exit 64 past it, nothing stored); Linux passes at most
          128 KiB in one argument: give larger args with --from (a command job's word over
          it exits 64: the command could not be started with it).
          --id ID         idempotent: putting an id that exists changes nothing (exit 0)
          --dedupe KEY    while the job put with KEY is pending or active (or for
                          --dedupe-for, e.g. 10m, after it was put), a put with KEY prints
                          that job instead (exit 0; --json: "deduplicated": true); unlike
                          --id, KEY is free again afterwards
          --keep KEEP     what retention keeps of this job once finished, instead of what
                          its queue keeps (config): a duration after it finished (1h), a
                          count (100: until 100 more jobs of the queue finished), both, or
                          forever (purge still removes it)
          --group KEY     its group (a customer, a tenant): with config --group-limit N, at
                          most N jobs of one group run at once across all workers
          --delay S / --at TIME (ISO 8601)   start no earlier; a TIME without Z or
                          ±HH:MM is this host's local time (a date alone: midnight UTC); a
                          TIME in the past is now
          --priority N    among jobs ready to run, higher first (default 0, -1000 to 1000;
                          the same priority: the earlier start first, then the id as
                          text, so id 10 before 2 — give ids that sort, job-0001); a
                          delayed job joins its priority when it is due
          --begin-by S    fail as expired if not started within S seconds of when it may
                          start
          --retries N     retries after a failure (default 0), --backoff S (default 1) before
                          the first, doubling each time up to 10 years; --timeout S fails a
                          run that takes longer
          --json          {"job","created","state","deduplicated"}, state as list names it
                          (scheduled: not yet due)
          --from FILE.jsonl (- for stdin): one job a line, {"handler", "args", "command",
          "id", "delay", "at", "beginBy", "retries", "backoff", "timeout", "dedupe",
          "dedupeFor", "priority", "keep", "group"} (durations in seconds, keep as --keep);
          every line is checked before any is stored (FILE:LINE: why, exit 64; a file
          over 256 MiB is refused whole), then stored 500 (at most 1 MiB) to a step;
          prints QUEUE/ID a line
  flow    puts a flow: jobs in parallel or serial groups, nestable, each group with an
          optional postprocess job that gets the parts' results in order (a handler's
          ctx.results; a command's file $COORD_RESULTS_FILE, JSON, and $COORD_RESULTS when
          they fit in one variable, 128 KiB). Prints QUEUE/ID of the top group; wait for it:
          its result is its postprocess' result, else the parts' results. A part that fails
          fails its group (its unstarted parts are cancelled) unless the group says
          "continueOnFailure": true (the part's result is then null); so do parts' results
          over 1 MiB together (as JSON, as a job), naming the limit. Parts have their
          group's priority: --priority N for the flow, "priority": N on a group for its parts.
            {"serial": [{"handler": "fetch", "args": 1},
                        {"parallel": [{"handler": "resize", "args": 1},
                                      {"command": ["./resize.sh", "2"], "retries": 2}],
                         "postprocess": {"handler": "collect"}}],
             "postprocess": {"handler": "report"}}
          A job takes handler, args, command, retries, backoff (s), timeout (s); the whole
          flow is stored in one step, so its jobs and groups, ids included, hold at most
          4 MiB as JSON together (exit 64 past it, nothing stored).
  work    runs up to --concurrency (default ${DEFAULT_CONCURRENCY}) jobs at once. Each running job holds a
          lease (--lease, default ${
  DEFAULT_JOB_LEASE_MS / 1000
} s) renewed every third of it: a worker killed with
          SIGKILL has its jobs run again elsewhere after the lease (it cannot stop a command
          job it started: that runs on, maybe beside its rerun). SIGINT/SIGTERM/SIGHUP: take
          no more jobs, let running ones finish within --grace (default ${
  DEFAULT_WORK_GRACE_MS / 1000
}, naming the
          jobs it waits for), exit 0; a second signal (or the end of the grace period) stops
          them (they go back to pending, each named) and exits 128+N. --drain exits 0 once
          the queues have nothing pending, scheduled or active (a queue paused at its first
          look is named on stderr: its jobs wait for queue resume), as is a Redis that may
          evict keys (see coord doctor); a queue holding another program's data is left, the others
          drained, then exit 65 naming it (each, if several). Failures and lost jobs are
          logged on stderr; --verbose logs every job. A backend outage is ridden out; one
          met at the start (the server cannot be reached) for up to ${
  formatDuration(START_OUTAGE_MS)
}, then exit 69.
          Handlers: the functions FILE exports, called as fn(args, ctx) with ctx.job,
          ctx.attempt, ctx.signal; the return value (JSON, at most 1 MiB) is the result. Throwing
          NonRetryableError (from coord) fails the job without its retries.
          Progress: ctx.progress(value) in a handler, or a command's stderr line
          ::progress JSON (taken out of its stderr), e.g. ::progress {"done":40,"of":100},
          is stored as the job's progress (show, list, --json), at most every 0.25 s (the
          latest value wins; the last one before the job ends).
          Commands run in their own process group (a stopped job's SIGTERM, then SIGKILL
          --lease/6 later, at most ${STOP_GRACE_MS / 1000} s, reaches all they started, on Linux in
          whichever group of their session; not what left the session: setsid, daemons)
          without COORD_URL, COORD_PASSWORD, PGPASSWORD and COORD_UI_PASSWORD in their
          environment, unless --pass-env names them (with --allow-commands only; any other
          name exits 64), and with COORD_JOB (QUEUE/ID) and COORD_ATTEMPT (higher for each
          run of the job: fence what it writes by them).
  wait    waits until each JOB is completed, failed or cancelled and prints its result (JSON
          a line; a command job's is {"exitCode":0,"stdout":"…"}, stdout cut at ${
  MAX_STDOUT_BYTES / 1024
} KiB,
          and then with "truncated":true).
          --json prints the whole job instead. Exit 0 when all completed, 1 when one failed or
          was cancelled (its error on stderr), 75 on --timeout. JOB… are all checked first:
          one unknown exits 64 before any is waited for. Rides out a backend outage (a
          restart, a failover) of up to ${
  DEFAULT_WAIT_OUTAGE_MS / 1000
} s in a row, a longer one exits 69; one met at the
          start too, within --timeout counted from the start (then 75).
  status  per queue: waiting (flow parts), pending, scheduled, active, completed, failed,
          cancelled, the oldest pending job's age (12.3 s, 5 min 3 s, 3 h 12 min, 7 d 8 h),
          live workers, paused. A QUEUE with no job and no settings: No such queue: "QUEUE".
          on stderr (exit 0). A queue holding foreign data is named on stderr, the others
          shown, exit 65.
          Its jobs are read as show reads them (10,000 in all): those another program wrote
          over are counted in their state, and named on stderr with how many (--json:
          "unreadable"; coord doctor lists them), exit 65.
  show    one job: state (as list names it: scheduled when not yet due), spec, attempts,
          failures, stalls, worker, lease end, times, progress, result or error. An active
          job whose lease ran out (its worker died) is stalled: still active, no worker holds
          it until one takes it again (show: stalled yes, list: active (stalled), status:
          ACTIVE 2 (1 stalled); --json: "stalled")
  cancel  cancels a job that has not finished (exit 0, also if cancelled already). A running
          one ends cancelled at once, without retries; within half a second its worker aborts
          the handler's ctx.signal, or sends a command's process group SIGTERM (SIGKILL
          --lease/6 later, at most 1 s).
          A flow's part (or group) waiting for its turn never runs, and counts in its
          group as cancelled when that turn comes. A finished job is left as it is (exit 1,
          its state on stderr).
  list    jobs of each --state S (repeat it, or S,S; default all, in this order:
          ${LIST_STATES.join(", ")}):
          JOB, STATE, what it runs, attempts, age (since it finished, else since it was put),
          progress, a failed one's error. Finished jobs (a flow as its top group) newest
          first, pending ones by when they may start (a worker takes a higher --priority
          first).
          --limit N a page (default ${DEFAULT_LIST_LIMIT}); the next page's command is printed
          on stderr (--json: a last line {"next": CURSOR} when there is one); pages neither
          repeat nor skip jobs while jobs come and go. A QUEUE with no job and no settings:
          No such queue: "QUEUE". on stderr (exit 0).
  retry   puts failed or cancelled jobs back to pending, failures reset (attempts go on
          counting: a later run's is higher), the old error kept in the job's history (show),
          ready at once — but a job cancelled before its start came
          (--delay/--at, never run) keeps that start and its --begin-by. A job pending, active
          or completed, a flow or a flow's part, is left as it is (exit 1, why on stderr).
          JOB… are all checked first: one unknown (64), refused (1) or meeting another
          program's data (65) retries none. QUEUE --failed: every failed job, checked first
          for another program's data too; --all: cancelled ones too; how many on stderr
          (coord: retried 3 failed jobs).
  promote starts scheduled jobs now (put with --delay/--at, or waiting out a retry's
          --backoff): ready at once, with their priority, group and --begin-by; prints each.
          Any other job is left as it is (exit 1, why on stderr); JOB… are all checked first,
          as retry's.
  config  what QUEUE keeps of finished jobs, stored in the backend for every worker:
          --keep-completed / --keep-failed KEEP (failed covers cancelled): a count (1000: the
          newest 1000), a duration (24h), both (1000,24h) or forever. Default: completed
          ${keepText(DEFAULT_KEEP.keepCompleted)}, failed ${
  keepText(DEFAULT_KEEP.keepFailed)
}. Jobs past it go a few at a
          time as jobs finish and workers poll; show and wait on one (or a purged one) say
          "removed (by retention or purge) after completing" (exit 0; after failing: 1).
          --group-limit N (≥ 1; none: no limit): at most N jobs of one put --group run at once
          across all workers; the others of that group wait while other groups go ahead, and a
          slot freed by a job that ends goes to the group's next job at once. Prints the
          queue's settings.
  purge   removes finished jobs of --state now (finished over --older-than ago: 30m, 7d); one
          another program wrote over is refused (exit 65, none removed), as retention passes
          over it and leaves it.
  remove  removes QUEUE whole: its jobs, results, settings (its ids go on where they were).
          Refused (exit 1, nothing removed) while a job of it runs (pause it and let them
          end, or cancel them), and while jobs wait to run unless --force; while it holds a
          job another program wrote over, --force or not (exit 65, naming it).
  pause   workers take no new jobs from QUEUE (running ones finish; put still works; status
          says paused) until resume; stored in the backend, so it outlives workers. A queue
          may be paused (or given settings with config) before its first job.

A QUEUE with no job and no settings given to resume, purge, remove, retry --failed or config
without a change: No such queue: "QUEUE". on stderr, exit 64, and nothing is changed or created
(resume with several QUEUEs resumes none). An unknown JOB exits 64 too.

Examples:
  coord queue put thumbnails --handler resize --args '{"file":"a.png"}' --retries 3
  coord queue put nightly --at "$(date -ud 'tomorrow 02:00' +%FT%TZ)" -- ./backup.sh --full
  coord queue work thumbnails nightly --module ./handlers.ts --allow-commands
  coord queue wait thumbnails/1 --timeout 60

Limits: --timeout (a put's ≥ 0.001), --lease (≥ 0.3), --grace ≤ 2147483.647 s; --delay,
--begin-by (> 0), --backoff ≤ 10 years; --retries ≤ 1000; --priority from -1000 to 1000;
--concurrency ≤ 10000; --args nest ≤ 512 deep; flows nest ≤ 32 deep, ≤ 10000 jobs. A QUEUE
holds no "/" and no ","; neither it nor an ID is "." or "..". A QUEUE starting with "-" goes
after --, and for put between two: coord queue put [options] -- -q -- [CMD…].

Exit codes: 0 ok · 1 a waited-for job failed, or cancel/retry/promote/remove refused · 64 bad
            arguments, unknown job, no such queue · 65 foreign data · 69 backend unavailable ·
            75 wait timed out · 128+N work stopped by signal N with jobs cut short

${BACKEND_FLAGS_HELP}`;

const VERBS: Record<string, (argv: string[]) => Promise<number>> = {
  put,
  flow,
  work: workVerb,
  wait,
  status,
  list,
  show,
  cancel,
  retry,
  promote,
  config,
  purge,
  remove,
  pause: (argv) => setPaused(argv, true),
  resume: (argv) => setPaused(argv, false),
};

async function run(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const verbs = Object.keys(VERBS).join(", ");
  if (verb === undefined || verb.startsWith("-")) {
    throw missingVerb("queue", argv, Object.keys(VERBS));
  }
  if (!Object.hasOwn(VERBS, verb)) throw usage("queue", `unknown "${verb}": use ${verbs}`);
  return await VERBS[verb](rest);
}

async function put(argv: string[]): Promise<number> {
  const parsed = parseFlags("queue", argv, {
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
    from: { type: "string" },
    dedupe: { type: "string" },
    "dedupe-for": { type: "string" },
    priority: { type: "string" },
    keep: { type: "string" },
    group: { type: "string" },
  }, {
    takesCommand: true,
    nameAfterDashDash: (name) => `coord queue put [options] -- ${shellWord(name)} -- [CMD…]`,
  });
  const { values } = parsed;
  // `put [options] -- -q -- [CMD…]`: a QUEUE starting with "-" goes between two --, as lock
  // run takes such a RES. Unambiguous: without a QUEUE before it, a first -- meant nothing.
  const queueAfter = parsed.positionals.length === 0 && parsed.rest[1] === "--";
  const positionals = queueAfter ? [parsed.rest[0]] : parsed.positionals;
  const rest = queueAfter ? parsed.rest.slice(2) : parsed.rest;
  if (positionals.length !== 1) {
    const dashed = positionals.length === 0 && parsed.rest[0]?.startsWith("-")
      ? parsed.rest[0]
      : undefined;
    throw usage(
      "queue",
      dashed === undefined
        ? "put takes one QUEUE"
        : `put takes one QUEUE (one starting with - goes between two --: coord queue put ` +
          `[options] -- ${shellWord(dashed)} -- [CMD…])`,
    );
  }
  if (values.from !== undefined) return await putFrom(positionals[0], values.from, values, rest);
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
    at = parseInstant(values.at);
    if (!Number.isFinite(at)) throw usage("queue", `--at "${values.at}" is not an ISO 8601 time`);
  }
  // Delays are stored, not waited on with one timer: they may be longer than a timer allows.
  const seconds = (flag: string, text: string | undefined, maxMs?: number, positive = false) =>
    text === undefined ? undefined : secondsFlag("queue", flag, text, 0, { maxMs, positive });
  const options: PutOptions = {
    ...(values.id !== undefined && { id: values.id }),
    ...(values.handler !== undefined && { handler: values.handler }),
    ...(args !== undefined && { args }),
    ...(rest.length > 0 && { command: rest }),
    ...(values.delay !== undefined && { delayMs: seconds("delay", values.delay, MAX_DELAY_MS) }),
    ...(at !== undefined && { at }),
    ...(values["begin-by"] !== undefined &&
      { beginByMs: seconds("begin-by", values["begin-by"], MAX_DELAY_MS, true) }),
    ...(values.retries !== undefined && { retries: countOrZero(values.retries) }),
    ...(values.backoff !== undefined &&
      { backoffMs: seconds("backoff", values.backoff, MAX_DELAY_MS) }),
    // At least 1 ms, as the library takes it: so 0 gets the words every other bad value gets.
    ...(values.timeout !== undefined &&
      { timeoutMs: secondsFlag("queue", "timeout", values.timeout, 0, { minMs: 1 }) }),
    ...(values.dedupe !== undefined && { dedupe: values.dedupe }),
    ...(values["dedupe-for"] !== undefined &&
      { dedupeForMs: seconds("dedupe-for", values["dedupe-for"], MAX_DELAY_MS) }),
    ...(values.priority !== undefined && { priority: priorityFlag(values.priority) }),
    ...(values.keep !== undefined && { keep: parseKeep("keep", values.keep) }),
    ...(values.group !== undefined && { group: values.group }),
  };
  // Checked before the backend is opened, which may create its file or schema.
  checkQueueName(positionals[0]);
  putRequestOf(options, FLAG_NAMES);
  await using backend = await openBackend("queue", values);
  const { ref, created, job, deduplicated } = await putJob(backend, positionals[0], options);
  if (strayUrl(values, rest)) {
    console.error(
      `coord: --url after -- is the command's, not put's: the job went to the default ` +
        `backend — give put's flags before --`,
    );
  }
  if (!values.json) {
    console.log(ref);
    return ExitCode.ok;
  }
  // The state as `list` and `status` name it: a delayed job is "scheduled" there, not "pending".
  const state = listedState(job, await backend.now());
  console.log(JSON.stringify({ job: ref, created, state, deduplicated: deduplicated === true }));
  return ExitCode.ok;
}

/** `--priority N`: a whole number, maybe negative (its range is the library's to check). */
function priorityFlag(text: string): number {
  if (!/^[-+]?\d+$/.test(text)) {
    throw usage("queue", `--priority must be a whole number (higher runs first), got "${text}"`);
  }
  return Number(text);
}

/** `put QUEUE --from FILE.jsonl`: every line checked, then stored a batch a step. */
async function putFrom(
  queue: string,
  file: string,
  values: Record<string, unknown> & Parameters<typeof openBackend>[1] & { json?: boolean },
  rest: string[],
): Promise<number> {
  const jobFlags = ["handler", "args", "delay", "at", "begin-by", "retries", "backoff", "timeout"]
    .concat(["dedupe", "dedupe-for", "priority", "keep", "group"]);
  const mixed = [...jobFlags, "id"].find((flag) => values[flag] !== undefined);
  if (mixed !== undefined || rest.length > 0) {
    throw usage("queue", `--from takes the jobs from the file: give --${mixed ?? "-- CMD"} there`);
  }
  let text: string;
  try {
    text = await readUtf8File(file);
  } catch (e) {
    throw usage("queue", `cannot read ${file}: ${whyUnreadable(e)}`);
  }
  const jobs = jobLines(text, file === "-" ? "stdin" : file);
  checkQueueName(queue);
  await using backend = await openBackend("queue", values);
  let stored = 0;
  // A batch's lines as it is stored: a later batch refused leaves these, and says so.
  const print = (batch: { ref: string; created: boolean }[]) => {
    const lines = batch.map(({ ref, created }) =>
      values.json ? JSON.stringify({ job: ref, created }) : ref
    );
    // One write a batch, not a console.log a job: 100,000 of those take ≈ 1 s.
    if (lines.length > 0) console.log(lines.join("\n"));
    stored += batch.length;
  };
  try {
    await putJobs(backend, queue, jobs, { onStored: print });
  } catch (e) {
    if (stored === 0 || !(e instanceof CoordError)) throw e;
    // An answer that did not come may have been a batch stored: only a refusal stored nothing.
    const rest = e instanceof BackendUnavailableError
      ? `up to the next ${Math.min(PUT_BATCH, jobs.length - stored)} may or may not have been`
      : "the others not";
    throw new CoordError(
      `${e.message} — the first ${stored} of the ${jobs.length} jobs were put (printed above), ` +
        rest,
      e.exitCode,
      { cause: e },
    );
  }
  return ExitCode.ok;
}

async function flow(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("queue", argv, {
    ...BACKEND_FLAGS,
    id: { type: "string" },
    json: { type: "boolean" },
    priority: { type: "string" },
  });
  if (positionals.length !== 2) throw usage("queue", "flow takes QUEUE and FILE.json");
  const priority = values.priority === undefined ? 0 : priorityFlag(values.priority);
  const [queue, file] = positionals;
  let text: string;
  try {
    text = await readUtf8File(file);
  } catch (e) {
    throw usage("queue", `cannot read ${file}: ${whyUnreadable(e)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw usage("queue", `${file} is not JSON: ${e instanceof Error ? e.message : e}`);
  }
  checkQueueName(queue);
  if (values.id !== undefined) checkJobId(values.id);
  const nodes = flowNodes(parsed, values.id ?? "check", priority);
  await using backend = await openBackend("queue", values);
  const { ref, created } = await putFlow(backend, queue, parsed as Flow, {
    ...(values.id !== undefined && { id: values.id }),
    priority,
  });
  console.log(values.json ? JSON.stringify({ job: ref, created, jobs: nodes.length }) : ref);
  return ExitCode.ok;
}

function countOrZero(text: string): number {
  if (!/^\d+$/.test(text)) {
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
  // A queue named twice is worked (and named in a line) once, as work() does.
  const queues = [...new Set(positionals)];
  const passEnv = passEnvFlag("queue", values);
  // Before the module is loaded and the backend waited for; work() would refuse it after.
  const refusal = passEnvRefusal({ passEnv, allowCommands: values["allow-commands"] }, {
    passEnv: "--pass-env",
    allowCommands: "--allow-commands",
  });
  if (refusal !== undefined) throw usage("queue", refusal);
  const handlers = values.module === undefined ? {} : await loadHandlers(values.module);
  // Checked here, so that a bad flag is named as it was given; work() names its options.
  const concurrency = values.concurrency === undefined ? DEFAULT_CONCURRENCY : checkCount(
    "concurrency",
    countArg("queue", "--concurrency", values.concurrency),
    1,
    MAX_CONCURRENCY,
  );
  const leaseMs = secondsFlag("queue", "lease", values.lease, DEFAULT_JOB_LEASE_MS, {
    minMs: MIN_LEASE_MS,
    maxMs: MAX_TIMER_MS,
  });
  // Before the backend is opened (or waited for): a refused name or id makes no store.
  queues.forEach(checkQueueName);
  if (values.worker !== undefined) checkName("worker id", values.worker);
  const graceMs = secondsFlag("queue", "grace", values.grace, DEFAULT_WORK_GRACE_MS, {
    maxMs: MAX_TIMER_MS,
  });
  // Started while its server restarts, it waits for it, as it rides out an outage later.
  using signals = new StopSignals();
  const backend = await openServiceBackend("queue", values, signals.stop);
  if (!backend) return ExitCode.ok;
  let code: number;
  let stillRunning = 0;
  try {
    await warnIfEvicting(backend);
    if (!values.drain) await refuseForeignQueues(backend, queues);
    const result = await work(backend, queues, {
      handlers,
      allowCommands: values["allow-commands"],
      passEnv,
      concurrency,
      drain: values.drain,
      graceMs,
      leaseMs,
      ...(values.worker !== undefined && { worker: values.worker }),
      signal: signals.stop,
      force: signals.force,
      onEvent: (event) => {
        const line = workLine(event, values.verbose);
        if (line) writeLine(`coord: ${printable(line)}`, Deno.stderr);
      },
    });
    code = signals.exitCode(result.cutShort);
    stillRunning = result.stillRunning;
  } finally {
    await backend.close();
  }
  // A handler that ignored its aborted signal (a timeout, a stop by force) would keep coord
  // alive after its work is done.
  if (code !== ExitCode.ok || stillRunning > 0) Deno.exit(code);
  return code;
}

/**
 * Refuses the start of a worker that does not drain, naming every queue whose settings or counts
 * hold another program's data, before anything runs: work() would leave those queues and work
 * the others, but a shell script that started the worker learns of them only by its exit. (The
 * read changes nothing; a paused queue is the worker's `paused` event.)
 */
async function refuseForeignQueues(backend: Backend, queues: string[]): Promise<void> {
  const refused: [string, ForeignDataError][] = [];
  for (const queue of queues) {
    await configureQueue(backend, queue).catch((e) => {
      if (!(e instanceof ForeignDataError) || isUnrecoverable(e)) throw e;
      refused.push([queue, e]);
    });
  }
  if (refused.length > 0) throw refusedQueues(refused);
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
    case "cancelled":
      return `${event.job} was cancelled while running; stopped it`;
    case "lost":
      if (event.gone) return `${event.job} is gone from the backend; its end was not recorded`;
      // Run again by whichever worker claims it next, this one too, unless it stalled too often.
      return `${event.job} lost its lease; it runs again (after ${MAX_STALLS} stalls, it fails)`;
    case "stopping": {
      const n = event.jobs.length;
      return `stopping: waiting up to ${event.graceMs / 1000} s for ${n} running ` +
        `job${n === 1 ? "" : "s"} to finish (${event.jobs.join(", ")}); a second signal ` +
        `puts them back to pending`;
    }
    case "released":
      return `${event.job} went back to pending (stopped before it finished)`;
    case "paused":
      // Its jobs, --drain with them, wait for its resume: said, not left to guess.
      return `queue ${event.queue} is paused — its jobs wait for coord queue resume ` +
        shellWord(event.queue);
    case "left running":
      return `${event.job}: ${leftRunningNotice(event.processes, "its command")}`;
    case "unavailable":
    case "available":
      return outageLine(event);
    case "error":
      return `${event.error} — ${event.left ? "left: none of its jobs runs" : "retrying"}`;
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
  const startedAt = performance.now();
  const deadline = timeoutMs === undefined ? undefined : startedAt + timeoutMs;
  // As a look: it waits only for jobs already there, so where nothing is stored it creates
  // nothing, and says the job is unknown. Started while its server restarts, it waits for it as
  // it rides out an outage later: within its --timeout, counted from here as the wait for the
  // jobs then is.
  await using backend = await openBackendWaiting("queue", values, {
    limitMs: DEFAULT_WAIT_OUTAGE_MS,
    deadline: timeoutMs === undefined ? undefined : {
      startedAt,
      timeoutMs,
      // None was seen yet: every job named is still waited for.
      timedOut: (cause) =>
        new WaitTimeoutError(
          `${refs.length === 1 ? "job" : "jobs"} ${refs.join(", ")}: gave up waiting after ` +
            `${timeoutMs / 1000} s: ${notHadBecause(cause)}`,
        ),
    },
    create: false,
  });
  await checkAllKnown(backend, refs);
  let failed = false;
  for (const ref of refs) {
    const left = deadline === undefined ? undefined : Math.max(0, deadline - performance.now());
    let job: JobRecord;
    try {
      job = await waitForJob(backend, ref, { timeoutMs: left });
    } catch (e) {
      if (!(e instanceof JobRemovedError)) throw e;
      // Its result went with it: say how it ended, and go on with the others.
      console.error(errorLine(e.message));
      if (e.state !== "completed") failed = true;
      continue;
    }
    if (values.json) console.log(JSON.stringify(jobJson(ref, job)));
    else if (job.state === "completed") console.log(JSON.stringify(job.result ?? null));
    if (job.state !== "completed") {
      failed = true;
      // Its error is stored text: a command's stderr, escapes and all.
      console.error(`coord: ${printable(`${ref} ${job.state}: ${job.error ?? ""}`)}`);
    }
  }
  return failed ? 1 : ExitCode.ok;
}

/**
 * Checks that every job of `wait JOB…` is there before any is waited for: a mistyped one exits
 * 64 at once, not once the jobs named before it finished (or --timeout ran out on them, 75). A
 * job retention removed passes: the wait says how it ended.
 */
async function checkAllKnown(backend: Backend, refs: string[]): Promise<void> {
  for (const ref of refs) {
    await getJob(backend, ref).catch((e) => {
      if (!(e instanceof JobRemovedError)) throw e;
    });
  }
}

async function status(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("queue", argv, {
    ...BACKEND_FLAGS,
    json: { type: "boolean" },
  });
  await using backend = await openBackend("queue", values, { create: false });
  // A name given twice is shown once, as turn status shows it.
  const named = positionals.length > 0 ? [...new Set(positionals)] : undefined;
  const reports = await queueReports(backend, named, { readJobs: true });
  if (reports.length === 0) {
    console.error(`No queues in namespace ${JSON.stringify(backend.namespace)}.`);
  }
  // Each queue on its own, as `turn status` and `schedule status` report theirs: a typo or one
  // queue another program wrote into hides none of the others; foreign data still exits 65.
  for (const { queue, counts, foreign } of reports) {
    if (!counts && !foreign) console.error(`No such queue: ${JSON.stringify(queue)}.`);
  }
  // A job another program wrote over is counted in its state all the same: said apart, as
  // `coord queue show` would refuse it and a worker fail it.
  const code = reportForeign([...reports, ...reports.flatMap((r) => r.unreadable ?? [])]);
  const all = reports.flatMap((r) =>
    r.counts ? [{ ...r.counts, unreadable: r.unreadable?.count ?? 0 }] : []
  );
  if (values.json) {
    for (const counts of all) console.log(JSON.stringify(counts));
    return code;
  }
  const now = await backend.now();
  const rows = all.map((c) => [
    c.queue,
    String(c.waiting),
    String(c.pending),
    String(c.scheduled),
    c.stalled > 0 ? `${c.active} (${c.stalled} stalled)` : String(c.active),
    ...[c.completed, c.failed, c.cancelled].map(String),
    c.oldestPendingAt === undefined ? "-" : formatDuration(now - c.oldestPendingAt),
    c.workers.join(",") || "-",
    c.paused ? "paused" : "-",
  ]);
  if (rows.length > 0) {
    const header = ["QUEUE", "WAITING", "PENDING", "SCHEDULED", "ACTIVE", "COMPLETED", "FAILED"];
    printTable([[...header, "CANCELLED", "OLDEST", "WORKERS", "PAUSED"], ...rows]);
  }
  return code;
}

async function show(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("queue", argv, {
    ...BACKEND_FLAGS,
    json: { type: "boolean" },
  });
  if (positionals.length !== 1) throw usage("queue", "show takes one JOB");
  const ref = positionals[0];
  parseJobRef(ref);
  await using backend = await openBackend("queue", values, { create: false });
  const job = await getJob(backend, ref);
  const json = jobJson(ref, job, await backend.now());
  if (values.json) {
    console.log(JSON.stringify(json));
    return ExitCode.ok;
  }
  for (const [key, value] of Object.entries(json)) {
    // JSON escapes its own backslashes: escaped again, `\"` would read `\\\"`.
    const text = typeof value === "number" &&
        (key.endsWith("At") || key === "beginBy" || key === "leaseUntil")
      ? new Date(value).toISOString()
      : typeof value === "string"
      ? printable(value)
      : key === "keep"
      ? printable(keepText(value as Keep))
      : key === "stalled"
      ? printable(value ? `yes: ${stalledText(job)}` : "no")
      : printableJson(value);
    console.log(`${key.padEnd(11)} ${text}`);
  }
  return ExitCode.ok;
}

async function cancel(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("queue", argv, BACKEND_FLAGS);
  if (positionals.length !== 1) throw usage("queue", "cancel takes one JOB");
  const ref = positionals[0];
  parseJobRef(ref);
  // As a look: a job to cancel is already stored (see openForQueues).
  await using backend = await openBackend("queue", values, { create: false, readOnly: false });
  const outcome = await cancelJob(backend, ref).catch((e) => {
    if (!(e instanceof JobRemovedError)) throw e;
    console.error(errorLine(`${e.message}; there is nothing to cancel`));
  });
  if (!outcome) return 1;
  const { job, cancelled } = outcome;
  if (cancelled || job.state === "cancelled") {
    console.log(cancelled ? `cancelled ${ref}` : `${ref} was cancelled already`);
    return ExitCode.ok;
  }
  console.error(errorLine(`${ref} is ${job.state}; a finished job cannot be cancelled`));
  return 1;
}

async function list(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("queue", argv, {
    ...BACKEND_FLAGS,
    state: { type: "string", multiple: true },
    limit: { type: "string" },
    after: { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length !== 1) throw usage("queue", "list takes one QUEUE");
  const states = (values.state ?? []).flatMap((s) => s.split(",")) as ListState[];
  const limit = values.limit === undefined
    ? DEFAULT_LIST_LIMIT
    : checkCount("limit", countArg("queue", "--limit", values.limit), 1, MAX_LIST_LIMIT);
  await using backend = await openBackend("queue", values, { create: false });
  const queue = positionals[0];
  const page = await listJobs(backend, queue, {
    ...(states.length > 0 && { states }),
    limit,
    ...(values.after !== undefined && { after: values.after }),
  });
  // An empty page of a queue nobody put a job in nor configured: a typo, as status says.
  if (page.jobs.length === 0 && (await unknownQueues(backend, [queue])).length > 0) {
    console.error(`No such queue: ${JSON.stringify(queue)}.`);
    return ExitCode.ok;
  }
  const now = await backend.now();
  if (values.json) {
    for (const { job, listedAs } of page.jobs) {
      const json = jobJson(`${queue}/${job.id}`, job, now);
      console.log(JSON.stringify({ ...json, listed: listedAs }));
    }
    if (page.next) console.log(JSON.stringify({ next: page.next }));
    return ExitCode.ok;
  }
  const rows = page.jobs.map(({ job, listedAs }) => [
    `${queue}/${job.id}`,
    isStalled(job, now) ? `${listedAs} (stalled)` : listedAs,
    job.spec.handler ?? job.spec.command?.join(" ") ?? (job.group ? job.group.kind : "-"),
    String(job.attempts),
    formatDuration(now - (job.finishedAt ?? job.createdAt)),
    job.progress === undefined ? "-" : compact(JSON.stringify(job.progress), 30),
    listedAs === "failed" || listedAs === "cancelled"
      ? (job.error ?? "").split("\n")[0]
      : isStalled(job, now)
      ? stalledText(job)
      : "",
  ]);
  if (rows.length > 0) {
    printTable([["JOB", "STATE", "RUNS", "ATTEMPTS", "AGE", "PROGRESS", "ERROR"], ...rows]);
  }
  if (page.next) {
    // This listing's next page: its filters and backend too.
    const next = [
      "coord queue list",
      shellWord(queue),
      ...states.map((state) => `--state ${state}`),
      ...(values.limit === undefined ? [] : [`--limit ${limit}`]),
      ...(values.namespace === undefined ? [] : [`--namespace ${shellWord(values.namespace)}`]),
      // Masked when it holds a password: the line then fails to log in, instead of listing
      // another backend (the default file).
      ...(values.url === undefined ? [] : [`--url ${shellWord(maskPassword(values.url))}`]),
      `--after ${shellWord(page.next)}`,
    ];
    console.error(`coord: more: ${next.join(" ")}`);
  }
  return ExitCode.ok;
}

async function retry(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("queue", argv, {
    ...BACKEND_FLAGS,
    failed: { type: "boolean" },
    all: { type: "boolean" },
  });
  if (positionals.length === 0) throw usage("queue", "retry needs JOB… or QUEUE --failed");
  if (values.all && !values.failed) throw usage("queue", "--all goes with --failed");
  if (values.failed) {
    if (positionals.length !== 1) throw usage("queue", "retry --failed takes one QUEUE");
    checkQueueName(positionals[0]);
  } else {
    positionals.forEach(parseJobRef);
  }
  // As a look: what it retries is already stored (see openForQueues).
  await using backend = values.failed
    ? await openForQueues(values, positionals)
    : await openBackend("queue", values, { create: false, readOnly: false });
  if (!backend) return ExitCode.usage;
  // A job named twice is retried once (the second would be refused: pending by then).
  const named = [...new Set(positionals)];
  if (!values.failed) {
    await checkSettings(
      backend,
      named.map((ref) => parseJobRef(ref).queue),
      ` — none of the ${named.length} jobs was retried`,
    );
  }
  const refs = values.failed
    ? await failedJobs(backend, positionals[0], values.all ? ["failed", "cancelled"] : ["failed"])
    : named;
  // Listed as failed, a job that is not retryable any more (retried, removed since) is told
  // alone below; another program's data (a later job's spec or group counts) refuses them all.
  await checkAll(
    refs,
    "retried",
    retryJobs(backend, refs, { dryRun: true }),
    { passOverRemoved: values.failed },
  );
  let refused = false;
  let retried = 0;
  for await (const outcome of retryJobs(backend, refs)) {
    if (outcome.missing) {
      if (!(outcome.missing instanceof JobRemovedError)) throw outcome.missing;
      console.error(errorLine(`${outcome.missing.message}; it cannot be retried`));
      refused = true;
    } else if (outcome.retried) {
      retried++;
      console.log(outcome.ref);
    } else {
      refused = true;
      console.error(errorLine(outcome.refusal!));
    }
  }
  // As purge says how many it removed; on stderr, as stdout is the jobs a script waits for.
  if (values.failed) {
    console.error(
      `coord: retried ${jobCount(retried, values.all ? "failed or cancelled" : "failed")}`,
    );
  }
  return refused ? 1 : ExitCode.ok;
}

async function promote(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("queue", argv, BACKEND_FLAGS);
  if (positionals.length === 0) throw usage("queue", "promote needs JOB…");
  positionals.forEach(parseJobRef);
  await using backend = await openBackend("queue", values, { create: false, readOnly: false });
  const named = [...new Set(positionals)];
  await checkSettings(
    backend,
    named.map((ref) => parseJobRef(ref).queue),
    ` — none of the ${named.length} jobs was promoted`,
  );
  await checkAll(named, "promoted", promoteJobs(backend, named, { dryRun: true }));
  let refused = false;
  // Refused still when another client started, cancelled or promoted a job since the check.
  for await (const outcome of promoteJobs(backend, named)) {
    if (outcome.missing) {
      // Removed since the check: the others are promoted all the same, as a retry goes on.
      if (!(outcome.missing instanceof JobRemovedError)) throw outcome.missing;
      console.error(errorLine(`${outcome.missing.message}; it cannot be promoted`));
      refused = true;
    } else if (outcome.promoted) console.log(outcome.ref);
    else {
      refused = true;
      console.error(errorLine(outcome.refusal!));
    }
  }
  return refused ? 1 : ExitCode.ok;
}

/**
 * Reads the settings of each of `queues` before an action on several changes any: settings (on
 * Redis its totals too) another program wrote refuse the whole action (65), as the step of that
 * queue would, rather than the rest of it after the queues before it were changed. `none` says
 * so (` — none of the 2 queues was paused`). (A read: settings written over between it and the
 * action are still refused then, by that queue's step.)
 */
async function checkSettings(backend: Backend, queues: string[], none: string): Promise<void> {
  const distinct = [...new Set(queues)];
  // One queue's own step refuses them before it writes.
  if (distinct.length < 2) return;
  for (const queue of distinct) {
    await configureQueue(backend, queue).catch((e) => {
      throw e instanceof ForeignDataError ? new ForeignDataError(`${e.message}${none}`) : e;
    });
  }
}

/**
 * Checks every job before any is acted on, by a dry run of the step (which changes nothing):
 * one unknown (64), removed or refused (1), or another program's data (65) throws, and none is
 * then `done` (retried, promoted), so a typo never leaves half the jobs done. A job another
 * client changes between the check and the act is still refused then, alone.
 * `passOverRemoved`: a job retention removed since it was listed is left to the act, which
 * tells it.
 */
async function checkAll(
  refs: string[],
  done: string,
  dryRun: AsyncIterable<{ refusal?: string; missing?: CoordError }>,
  { passOverRemoved = false } = {},
): Promise<void> {
  let problem: CoordError | undefined;
  try {
    for await (const { refusal, missing } of dryRun) {
      if (missing instanceof JobRemovedError) {
        if (passOverRemoved) continue;
        problem = new CoordError(`${missing.message}; it cannot be ${done}`, 1);
      } else problem = missing ?? (refusal === undefined ? undefined : new CoordError(refusal, 1));
      if (problem) break;
    }
  } catch (e) {
    if (!(e instanceof CoordError)) throw e;
    problem = e;
  }
  if (!problem) return;
  if (refs.length === 1) throw problem;
  throw new CoordError(
    `${problem.message} — none of the ${refs.length} jobs was ${done}`,
    problem.exitCode,
  );
}

/**
 * Every job of `queue` in `states` that a retry takes (taken whole before any is retried, so
 * none twice). Flows are passed over, with a line that counts them (a listing shows no part):
 * a flow is put again, and one failed flow must not make `--failed` fail for every plain job
 * beside it.
 */
async function failedJobs(backend: Backend, queue: string, states: ListState[]): Promise<string[]> {
  const refs: string[] = [];
  let flows = 0;
  let after: string | undefined;
  do {
    const page = await listJobs(backend, queue, {
      states,
      limit: 1_000,
      ...(after !== undefined && { after }),
    });
    for (const { job } of page.jobs) {
      if (job.parent !== undefined || job.group !== undefined) flows++;
      else refs.push(`${queue}/${job.id}`);
    }
    after = page.next;
  } while (after !== undefined);
  if (flows > 0) {
    console.error(
      `coord: passed over ${flows} flow(s) — a flow is put again ` +
        `(coord queue flow ${shellWord(queue)} FILE.json --id NEW_ID), not retried`,
    );
  }
  return refs;
}

async function config(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("queue", argv, {
    ...BACKEND_FLAGS,
    "keep-completed": { type: "string" },
    "keep-failed": { type: "string" },
    "group-limit": { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length !== 1) throw usage("queue", "config takes one QUEUE");
  const limit = values["group-limit"];
  const groupLimit = limit === undefined
    ? undefined
    : limit === "none"
    ? null
    : checkCount("group-limit", countArg("queue", "--group-limit", limit), 1, MAX_GROUP_LIMIT);
  const keepCompleted = values["keep-completed"] === undefined
    ? undefined
    : parseKeep("keep-completed", values["keep-completed"]);
  const keepFailed = values["keep-failed"] === undefined
    ? undefined
    : parseKeep("keep-failed", values["keep-failed"]);
  const changed = [keepCompleted, keepFailed, groupLimit].some((v) => v !== undefined);
  // Settings may be given ahead of a queue's first job (as a pause); only read, they are a
  // queue's that exists.
  await using backend = changed
    ? await openBackend("queue", values)
    : await openForQueues(values, positionals);
  if (!backend) return ExitCode.usage;
  const settings = await configureQueue(backend, positionals[0], {
    ...(keepCompleted && { keepCompleted }),
    ...(keepFailed && { keepFailed }),
    ...(groupLimit !== undefined && { groupLimit }),
  });
  if (values.json) {
    // Every field, none left out when unset: a script reads `groupLimit` as the text does. The
    // keys come in the order README lists them, on every backend.
    console.log(JSON.stringify({ queue: positionals[0], groupLimit: null, ...settings }));
    return ExitCode.ok;
  }
  console.log(`keep-completed  ${keepText(settings.keepCompleted)}`);
  console.log(`keep-failed     ${keepText(settings.keepFailed)}`);
  console.log(`paused          ${settings.paused ? "yes" : "no"}`);
  console.log(`group-limit     ${settings.groupLimit ?? "none"}`);
  return ExitCode.ok;
}

/** What a queue keeps, as `config` takes it: `1000,24h`, `forever`. */
function keepText({ count, ageMs }: Keep): string {
  const parts = [
    ...(count !== undefined ? [String(count)] : []),
    ...(ageMs !== undefined ? [durationText(ageMs)] : []),
  ];
  return parts.join(",") || "forever";
}

function durationText(ms: number): string {
  for (const [unit, size] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms / 1000}s`;
}

async function purge(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("queue", argv, {
    ...BACKEND_FLAGS,
    state: { type: "string" },
    "older-than": { type: "string" },
  });
  if (positionals.length !== 1) throw usage("queue", "purge takes one QUEUE");
  const state = values.state as FinishedState | undefined;
  if (state === undefined || !PURGE_STATES.includes(state)) {
    throw usage("queue", `purge needs --state ${PURGE_STATES.join("|")}`);
  }
  const olderThanMs = values["older-than"] === undefined
    ? undefined
    : secondsFlag("queue", "older-than", values["older-than"], 0, { maxMs: MAX_DELAY_MS });
  await using backend = await openForQueues(values, positionals);
  if (!backend) return ExitCode.usage;
  const n = await purgeJobs(backend, positionals[0], {
    state,
    ...(olderThanMs !== undefined && { olderThanMs }),
  });
  console.log(`removed ${jobCount(n, state)}`);
  return ExitCode.ok;
}

async function remove(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("queue", argv, {
    ...BACKEND_FLAGS,
    force: { type: "boolean" },
  });
  if (positionals.length !== 1) throw usage("queue", "remove takes one QUEUE");
  const [queue] = positionals;
  await using backend = await openForQueues(values, positionals);
  if (!backend) return ExitCode.usage;
  const { removed, jobs, unfinished, running } = await removeQueue(backend, queue, {
    force: values.force === true,
  });
  const named = JSON.stringify(queue);
  if (running > 0) {
    console.error(
      `coord: queue ${named} has ${jobCount(running)} running — pause it (coord queue pause ` +
        `${shellWord(queue)}) and let them end, or cancel them, then remove it`,
    );
    return 1;
  }
  if (!removed) {
    console.error(
      `coord: queue ${named} holds ${jobCount(unfinished, "unfinished")} — wait for them or ` +
        `cancel them, or give --force to remove them with it`,
    );
    return 1;
  }
  console.log(`removed queue ${named} and its ${jobCount(jobs)}`);
  if (unfinished > 0) console.error(`coord: ${jobCount(unfinished, "unfinished")} went with it`);
  return ExitCode.ok;
}

/** `n` jobs of a kind, in words: `0 failed jobs`, `1 failed job`, `2 jobs`. */
function jobCount(n: number, kind?: string): string {
  return `${n} ${kind ? `${kind} ` : ""}job${n === 1 ? "" : "s"}`;
}

async function setPaused(argv: string[], paused: boolean): Promise<number> {
  const { values, positionals } = parseFlags("queue", argv, BACKEND_FLAGS);
  if (positionals.length === 0) {
    throw usage("queue", `${paused ? "pause" : "resume"} needs at least one QUEUE`);
  }
  positionals.forEach(checkQueueName);
  // A pause may come ahead of a queue's first job (before a deploy); a resume of a queue that
  // does not exist would make one, paused by nobody, for good.
  await using backend = paused
    ? await openBackend("queue", values)
    : await openForQueues(values, positionals, "resumed");
  if (!backend) return ExitCode.usage;
  await checkSettings(
    backend,
    positionals,
    ` — none of the ${positionals.length} queues was ${paused ? "paused" : "resumed"}`,
  );
  for (const queue of positionals) {
    await configureQueue(backend, queue, { paused });
    console.log(`${paused ? "paused" : "resumed"} ${queue}`);
  }
  return ExitCode.ok;
}

/**
 * Opens the backend for an action on `queues` that only a queue that exists takes (resume,
 * purge, retry --failed, reading settings), or names on one stderr line those that do not, as
 * `status` does (and, given what the action would have `done`, that it did it to none of them),
 * and then acts on none (undefined: exit 64) — a mistyped name changes nothing and creates
 * nothing. Opened as a look: where nothing is stored yet no queue exists, and no file or schema
 * is made; where something is, the look is the store itself.
 */
async function openForQueues(
  values: Parameters<typeof openBackend>[1],
  queues: string[],
  done?: string,
): Promise<Backend | undefined> {
  const backend = await openBackend("queue", values, { create: false, readOnly: false });
  const unknown = await unknownQueues(backend, queues).catch(async (e) => {
    await backend.close();
    throw e;
  });
  if (unknown.length === 0) return backend;
  await backend.close();
  // One mistyped name changes none: the others are named again, with it fixed.
  const none = done && queues.length > 1 ? ` None of the ${queues.length} queues was ${done}.` : "";
  console.error(`No such queue: ${unknown.map((q) => JSON.stringify(q)).join(", ")}.${none}`);
  return undefined;
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
  "priority",
  "keep",
  "groupKey",
  "attempts",
  "failures",
  "stalls",
  "worker",
  "leaseUntil",
  "stalled",
  "createdAt",
  "readyAt",
  "beginBy",
  "startedAt",
  "finishedAt",
  "parent",
  "group",
  "inputs",
  "progress",
  "result",
  "error",
  "history",
];

/**
 * A job as `show --json` and `wait --json` print it; given the backend's `now`, its state is
 * named as `list` names it (a pending job not yet due is scheduled), and an active job says
 * whether it is stalled.
 */
function jobJson(ref: string, job: JobRecord, now?: number): Record<string, unknown> {
  const { id: _, spec, ...rest } = job;
  const fields: Record<string, unknown> = { job: ref, ...rest, ...spec };
  if (now !== undefined) fields.state = listedState(job, now);
  if (now !== undefined && job.leaseUntil !== undefined) fields.stalled = isStalled(job, now);
  // Each backend stores a past end with its keys in its own order.
  // So does a flow's group (Redis in its hash's order).
  fields.group = job.group && {
    kind: job.group.kind,
    children: job.group.children,
    ...(job.group.postprocess !== undefined && { postprocess: job.group.postprocess }),
    continueOnFailure: job.group.continueOnFailure,
    done: job.group.done,
  };
  fields.history = job.history?.map(({ state, attempts, error, finishedAt }) => ({
    state,
    attempts,
    error,
    ...(finishedAt !== undefined && { finishedAt }),
  }));
  return Object.fromEntries(
    JOB_FIELDS.filter((name) => fields[name] !== undefined).map((name) => [name, fields[name]]),
  );
}

/** What a stalled job's lease end means, in a line. */
function stalledText(job: JobRecord): string {
  return `lease ran out at ${new Date(job.leaseUntil!).toISOString()}: no worker holds it`;
}

/** `text` cut to `max` characters, with an ellipsis when cut. */
function compact(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The `coord queue` command. */
export const queueCommand: Command = { usage: USAGE, run };
