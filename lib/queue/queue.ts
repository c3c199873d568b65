/**
 * `coord queue` as a library: put jobs, look at them, wait for their results.
 *
 * A job is named `QUEUE/ID` outside its queue (what `put` prints and `wait`, `show`, `cancel`
 * take), so one reference finds it.
 *
 * @module
 */

import { checkName, checkNames, refuseControls } from "../backend/keys.ts";
import type { Backend } from "../backend/types.ts";
import {
  CoordError,
  ExitCode,
  ForeignDataError,
  readEach,
  UsageError,
  WaitTimeoutError,
} from "../errors.ts";
import { Outage } from "../outage.ts";
import { MAX_ARG_STRING_BYTES } from "../json_env.ts";
import { JobBudget, jobIdPages, refusals } from "../backend/refused_jobs.ts";
import { listedState, unreadableJobs } from "./record.ts";
import {
  checkCount,
  checkDuration,
  checkJson,
  checkKeep,
  checkNesting,
  MAX_DELAY_MS,
  MAX_PRIORITY,
  MAX_RETRIES,
  MAX_TIMER_MS,
  oversize,
  type ValueName,
} from "./limits.ts";
import type {
  FinishedState,
  JobRecord,
  JobSpec,
  Keep,
  PutRequest,
  PutResult,
  QueueCounts,
} from "./steps.ts";
import { FINISHED_STATES } from "./steps.ts";

export { FINISHED_STATES };

/** What to run and when; one of `handler` and `command`. */
export interface PutOptions {
  /** The job's id in its queue; putting the same id again is the same job. Default: a number. */
  id?: string;
  /** A handler job: a function the worker's module exports. */
  handler?: string;
  /** The handler's argument (JSON). */
  args?: unknown;
  /** A command job: argv, run without a shell by workers started with `allowCommands`. */
  command?: string[];
  /** Start no earlier than this long from now (ms); not with `at`. */
  delayMs?: number;
  /** Start no earlier than this instant (a `Date` or epoch ms); not with `delayMs`. */
  at?: Date | number;
  /** Fail as expired if not started within this long from when it may start (ms; > 0). */
  beginByMs?: number;
  /** Retries after a failure; default 0. */
  retries?: number;
  /** The first retry's delay, doubling each time (ms); default 1000. */
  backoffMs?: number;
  /** A run taking longer fails (and may be retried) (ms); default no limit. */
  timeoutMs?: number;
  /**
   * A deduplication key: while the job put with it is pending or active (or for `dedupeForMs`
   * after it was put), a put with the same key returns that job (`deduplicated`). Unlike `id`,
   * the key is free again afterwards.
   */
  dedupe?: string;
  /** How long the key holds after its job was put, even once it finished (ms); default 0. */
  dedupeForMs?: number;
  /**
   * Among jobs ready to run, a higher priority runs first (FIFO within one); a whole number
   * within ±{@link MAX_PRIORITY}, default 0. A delayed job joins its priority when it is due.
   */
  priority?: number;
  /**
   * What retention keeps of this job once finished, instead of what its queue keeps: for
   * `ageMs` after it finished, until `count` more jobs of the queue finished after it, or `{}`
   * forever (`purge` still removes it).
   */
  keep?: Keep;
  /**
   * Its group (e.g. a customer): with the queue's `groupLimit` (`configureQueue`), at most that
   * many jobs of one group run at once across all workers, while other groups go ahead.
   */
  group?: string;
}

/** A job's reference, `QUEUE/ID`, taken apart. */
export interface JobRef {
  /** The queue. */
  queue: string;
  /** The job's id in it. */
  id: string;
}

/**
 * Checks a queue name: no `/`, which separates it from a job's id in a reference; no `,`, and
 * not `.` or `..` (see {@link checkJobId}).
 *
 * @throws {UsageError} when empty, too long, holding `/` or `,`, or `.` or `..`.
 */
export function checkQueueName(name: string): string {
  checkName("queue name", name);
  if (name.includes("/")) {
    throw new UsageError(`queue name "${name}" holds "/", which separates a queue from a job id`);
  }
  // Celery's `-Q a,b` and the like list queues so: `queue work a,b` would otherwise work one
  // queue no one puts into, and a draining worker would leave a's and b's jobs and exit 0.
  if (name.includes(",")) {
    const queues = name.split(",").filter((part) => part !== "");
    // `put` takes one queue: "separate arguments" is the advice for the commands that take more.
    const instead = queues.length > 1
      ? `a command that takes several queues takes each as its own argument: ${queues.join(" ")}`
      : "leave it out";
    throw new UsageError(`queue name "${name}" holds ","; ${instead}`);
  }
  return checkNotDotSegment("queue name", name);
}

function checkQueueNames(queues: readonly string[]): string[] {
  return checkNames("queue name", queues).map(checkQueueName);
}

/**
 * Checks a job's (or a flow's) id: a name (see `checkName`), and not `.` or `..`.
 *
 * @throws {UsageError} when empty, too long, holding NUL, or `.` or `..`.
 * @example
 * ```ts
 * import { checkJobId } from "./queue.ts";
 * checkJobId("job-0001"); // "job-0001"
 * ```
 */
export function checkJobId(id: string): string {
  return checkNotDotSegment("job id", checkName("job id", id));
}

/**
 * Refuses `.` and `..`: in a path (the console's `/queues/QUEUE/jobs/ID`, a URL a browser or
 * proxy normalises) they are dot-segments, so the job or queue could never be reached there.
 */
function checkNotDotSegment(what: string, name: string): string {
  if (name === "." || name === "..") {
    throw new UsageError(
      `${what} "${name}" is a path's dot-segment, which links to it cannot reach — use another`,
    );
  }
  return name;
}

/**
 * Takes `QUEUE/ID` apart.
 *
 * @throws {UsageError} when it is not one, or holds a NUL or another control character, which
 *   no job's queue or id holds.
 * @example
 * ```ts
 * import { parseJobRef } from "./queue.ts";
 * parseJobRef("reports/17"); // { queue: "reports", id: "17" }
 * ```
 */
export function parseJobRef(ref: string): JobRef {
  const slash = ref.indexOf("/");
  if (slash <= 0 || slash === ref.length - 1) {
    throw new UsageError(`"${ref}" is not a job — give QUEUE/ID, as coord queue put prints it`);
  }
  // Not the name checks a put makes: a flow's part's id is its root's and more, so it may be
  // longer than an id given.
  refuseControls("job reference", ref);
  return { queue: ref.slice(0, slash), id: ref.slice(slash + 1) };
}

/** The job's reference, `QUEUE/ID`. */
export function jobRef(queue: string, id: string): string {
  return `${queue}/${id}`;
}

/**
 * Puts a job in a queue.
 *
 * @returns the job as stored and whether it is new (false: a job with this id was there).
 * @throws {UsageError} on a malformed job: neither or both of handler and command, both
 * `delayMs` and `at`, negative numbers, arguments that are not JSON.
 * @example
 * ```ts
 * import { connect, putJob } from "../mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * const { job } = await putJob(backend, "reports", { handler: "daily", args: { day: 1 } });
 * ```
 */
export async function putJob(
  backend: Backend,
  queue: string,
  options: PutOptions,
): Promise<PutResult & { ref: string }> {
  checkQueueName(queue);
  const result = await backend.queue.put(queue, putRequestOf(options));
  return { ...result, ref: jobRef(queue, result.job.id) };
}

/** The options of {@link PutOptions} whose messages name them. */
export type NamedPutOption =
  | "delayMs"
  | "at"
  | "beginByMs"
  | "retries"
  | "backoffMs"
  | "timeoutMs"
  | "dedupe"
  | "dedupeForMs"
  | "priority"
  | "keep";

/**
 * How a caller's messages name {@link PutOptions}' values: the library's own options in ms
 * ({@link OPTION_NAMES}), the CLI's flags in seconds ({@link FLAG_NAMES}), a job file's fields.
 */
export type PutNaming = (option: NamedPutOption) => { name: string; unit: "ms" | "s" };

/** {@link PutOptions}' own names, in milliseconds: what a library caller wrote. */
export const OPTION_NAMES: PutNaming = (option) => ({ name: option, unit: "ms" });

/** `coord queue put`'s flags, in seconds: `delayMs` is `--delay`, `beginByMs` `--begin-by`. */
export const FLAG_NAMES: PutNaming = (option) => ({
  name: `--${option.replace(/Ms$/, "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
  unit: "s",
});

/**
 * What the backend stores for a job's options; messages name them as `naming` says (default:
 * as {@link PutOptions} does, in milliseconds).
 *
 * @throws {UsageError} on a malformed job (see {@link putJob}).
 */
export function putRequestOf(options: PutOptions, naming: PutNaming = OPTION_NAMES): PutRequest {
  const spec = jobSpecOf(options, naming);
  if (options.id !== undefined) checkJobId(options.id);
  if (options.dedupeForMs !== undefined && options.dedupe === undefined) {
    throw new UsageError(`${naming("dedupeForMs").name} goes with ${naming("dedupe").name}`);
  }
  // Either one says when the job may start: with both, one would be ignored without a word.
  if (options.at !== undefined && options.delayMs !== undefined) {
    throw new UsageError(
      `a job starts after ${naming("delayMs").name} or at a time (${naming("at").name}), ` +
        `not both — give one`,
    );
  }
  const delayMs = checkDuration(naming("delayMs"), options.delayMs ?? 0, { maxMs: MAX_DELAY_MS });
  const at = options.at instanceof Date ? options.at.getTime() : options.at;
  if (at !== undefined && (typeof at !== "number" || !Number.isFinite(at))) {
    throw new UsageError(`${naming("at").name} is not a time`);
  }
  if (at !== undefined && at > Date.now() + MAX_DELAY_MS) {
    throw new UsageError(
      `${naming("at").name} ${new Date(at).toISOString()} is more than ` +
        `${MAX_DELAY_MS / 31_536_000_000} years ahead — at most as far as ` +
        `${naming("delayMs").name} may be`,
    );
  }
  return {
    ...(options.id !== undefined && { id: options.id }),
    spec,
    delayMs,
    ...(at !== undefined && { at }),
    ...(options.beginByMs !== undefined &&
      {
        // 0 would expire the job the instant it may start, before any worker could take it.
        beginByMs: checkDuration(naming("beginByMs"), options.beginByMs, {
          minMs: 1,
          maxMs: MAX_DELAY_MS,
        }),
      }),
    ...(options.priority !== undefined && options.priority !== 0 &&
      { priority: checkPriority(options.priority, naming("priority")) }),
    ...(options.keep !== undefined && { keep: checkKeep(naming("keep").name, options.keep) }),
    ...(options.group !== undefined && { groupKey: checkName("group name", options.group) }),
    ...(options.dedupe !== undefined && {
      dedupe: {
        key: checkName("dedupe key", options.dedupe),
        forMs: checkDuration(naming("dedupeForMs"), options.dedupeForMs ?? 0, {
          maxMs: MAX_DELAY_MS,
        }),
      },
    }),
  };
}

/**
 * Checks a priority: a whole number within ±{@link MAX_PRIORITY}.
 *
 * @throws {UsageError} when it is not one.
 */
export function checkPriority(priority: number, name: ValueName = "priority"): number {
  return checkCount(name, priority, -MAX_PRIORITY, MAX_PRIORITY);
}

/**
 * The stored spec of a job's options (what to run, retries, backoff, timeout).
 *
 * @throws {UsageError} on neither or both of handler and command, a command word Linux cannot
 * pass (over 128 KiB), and bad numbers.
 */
export function jobSpecOf(options: PutOptions, naming: PutNaming = OPTION_NAMES): JobSpec {
  const { handler, command } = options;
  if ((handler === undefined) === (command === undefined)) {
    throw new UsageError("a job runs either a handler (--handler NAME) or a command (-- CMD…)");
  }
  if (
    handler !== undefined && !(typeof handler === "string" && /^[A-Za-z_$][\w$]*$/.test(handler))
  ) {
    throw new UsageError(
      `handler ${JSON.stringify(handler)} is not a function name a module can export`,
    );
  }
  if (command !== undefined) {
    if (!Array.isArray(command) || command.some((arg) => typeof arg !== "string")) {
      throw new UsageError(`a command is a list of strings (argv), got ${JSON.stringify(command)}`);
    }
    if (command.length === 0 || command[0] === "") throw new UsageError("the command is empty");
  }
  if (options.args !== undefined && command !== undefined) {
    throw new UsageError("--args is for handler jobs; a command job's arguments follow --");
  }
  if (options.args !== undefined) checkNesting("args", checkJson("args", options.args));
  const spec: JobSpec = {
    ...(handler !== undefined && { handler }),
    ...(options.args !== undefined && { args: options.args }),
    ...(command !== undefined && { command }),
    retries: checkCount(naming("retries"), options.retries ?? 0, 0, MAX_RETRIES),
    backoffMs: checkDuration(naming("backoffMs"), options.backoffMs ?? 1_000, {
      maxMs: MAX_DELAY_MS,
    }),
    ...(options.timeoutMs !== undefined &&
      {
        timeoutMs: checkDuration(naming("timeoutMs"), options.timeoutMs, {
          minMs: 1,
          maxMs: MAX_TIMER_MS,
        }),
      }),
  };
  const what = `the job (its ${command === undefined ? "args" : "command"})`;
  const over = oversize(what, JSON.stringify(spec));
  if (over !== undefined) throw new UsageError(over);
  if (command !== undefined) checkCommandWords(command);
  return spec;
}

/**
 * Refuses a command word Linux would not pass ({@link MAX_ARG_STRING_BYTES}): the job would be
 * stored, then fail each run at its start with "Argument list too long".
 */
function checkCommandWords(command: string[]): void {
  const encoder = new TextEncoder();
  command.forEach((word, i) => {
    const bytes = encoder.encode(word).length + 1;
    if (bytes <= MAX_ARG_STRING_BYTES) return;
    throw new UsageError(
      `the command's word ${i} is ${bytes} bytes with its NUL, over the 128 KiB ` +
        `(${MAX_ARG_STRING_BYTES} bytes) Linux passes in one — put the data in a file and ` +
        `pass its name`,
    );
  });
}

/**
 * The bytes a job's spec takes stored (JSON in UTF-8), which `MAX_JOB_BYTES` bounds.
 *
 * @example
 * ```ts
 * import { jobBytes } from "./queue.ts";
 * jobBytes({ handler: "h", args: "é", retries: 0, backoffMs: 1000 }); // 56
 * ```
 */
export function jobBytes(spec: JobSpec): number {
  return new TextEncoder().encode(JSON.stringify(spec)).length;
}

/**
 * A job by its reference.
 *
 * @throws {UnknownJobError} when there is none.
 * @throws {JobRemovedError} when retention (or a purge) removed it.
 */
export async function getJob(backend: Backend, ref: string): Promise<JobRecord> {
  const { queue, id } = parseJobRef(ref);
  const job = await backend.queue.get(queue, id);
  if (job) return job;
  const removed = await backend.queue.removed(queue, id);
  if (removed) throw new JobRemovedError(ref, removed.state);
  throw new UnknownJobError(ref);
}

const ENDED: Record<FinishedState, string> = {
  completed: "completing",
  failed: "failing",
  cancelled: "it was cancelled",
};

/**
 * A job retention (or a purge) removed: `show` and `wait` exit 0 for one that had completed,
 * 1 otherwise.
 */
export class JobRemovedError extends CoordError {
  /** How it had ended. */
  readonly state: FinishedState;

  /** Names the job and how it had ended. */
  constructor(ref: string, state: FinishedState) {
    // Retention and purge record a removal alike: the message covers both.
    super(
      `${ref} was removed (by retention or purge) after ${ENDED[state]}`,
      state === "completed" ? 0 : 1,
    );
    this.state = state;
  }
}

/**
 * No job has this reference: a mistyped one, or one the backend lost (Redis restarted without
 * persistence) — coord cannot tell them apart, so the message names both.
 */
export class UnknownJobError extends CoordError {
  /** Names the job. */
  constructor(ref: string) {
    super(
      `no job ${ref} — check the id coord queue put printed; if it is right, the job is gone ` +
        `from the backend (lost in a restart without persistence?)`,
      ExitCode.usage,
    );
  }
}

/**
 * Cancels a job that has not finished. A running one ends `cancelled` at once and is not
 * retried; its worker notices within {@link CANCEL_CHECK_MS} and aborts the run (a handler's
 * `ctx.signal`; a command's process group gets SIGTERM, then SIGKILL). A finished job is left
 * as it is.
 *
 * @returns the job afterwards, and whether this call cancelled it.
 * @throws {UnknownJobError} when there is none.
 * @throws {JobRemovedError} when retention (or a purge) removed it.
 */
export async function cancelJob(
  backend: Backend,
  ref: string,
): Promise<{ job: JobRecord; cancelled: boolean }> {
  const { queue, id } = parseJobRef(ref);
  const outcome = await backend.queue.cancel(queue, id);
  if (outcome) return outcome;
  await getJob(backend, ref);
  throw new UnknownJobError(ref);
}

/**
 * Puts a failed or cancelled job back to pending with its failures and stalls reset (its attempts
 * go on counting: they fence a later run from an earlier one); its end is kept in its `history`.
 * A job in any other state, or a flow or a flow's part, is left as it is, and `refusal` says why
 * (one line naming the job).
 *
 * @returns the job afterwards, whether this call retried it, and why not.
 * @throws {UnknownJobError} when there is none.
 * @example
 * ```ts
 * import { connect, putJob, retryJob } from "../mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await putJob(backend, "q", { id: "1", handler: "h" });
 * (await retryJob(backend, "q/1")).refusal; // "q/1 is pending; only a failed or cancelled job…"
 * ```
 */
export async function retryJob(
  backend: Backend,
  ref: string,
): Promise<{ job: JobRecord; retried: boolean; refusal?: string }> {
  return found<{ job: JobRecord; retried: boolean; refusal?: string }>(
    await first(retryJobs(backend, [ref])),
  );
}

/**
 * How a step on several named jobs left one of them: the job afterwards, whether the step did
 * `Done` to it (`retried`, `promoted`) and why not; or, when it has no record, why (`missing`).
 */
export type NamedJobOutcome<Done extends string> =
  | (
    & { ref: string; job: JobRecord; refusal?: string; missing?: undefined }
    & { [done in Done]: boolean }
  )
  | (
    & { ref: string; missing: UnknownJobError | JobRemovedError; job?: undefined }
    & { refusal?: undefined }
    & { [done in Done]?: undefined }
  );

/** How a retry of several jobs left one of them (see {@link retryJobs}). */
export type RetryOutcome = NamedJobOutcome<"retried">;

/**
 * {@link retryJob} of each of `refs`, up to 500 in one step: yields how each was left, in the
 * order named. The next step is made only once the outcomes before it were taken, so a caller
 * that stops at a refusal makes no more steps (the jobs of the steps made stay retried). A job
 * with no record is `missing`: unknown, or removed by retention.
 *
 * With `dryRun`, refuses what the retry would and changes nothing: a retry of several jobs
 * that must change all or none makes a dry run of all first, as `coord queue retry` does.
 *
 * @throws {ForeignDataError} when a step meets another program's data: none of its jobs changed.
 * @example
 * ```ts
 * import { connect, putJob, retryJobs } from "../mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await putJob(backend, "q", { id: "1", handler: "h" });
 * for await (const { ref, retried } of retryJobs(backend, ["q/1"])) console.log(ref, retried);
 * ```
 */
export async function* retryJobs(
  backend: Backend,
  refs: string[],
  { dryRun = false }: { dryRun?: boolean } = {},
): AsyncGenerator<RetryOutcome> {
  const steps = onNamedJobs(
    backend,
    refs,
    (queue, ids) =>
      backend.queue.retry(queue, ids, { dryRun }).then((outcomes) =>
        outcomes.map((o) => o && { job: o.job, changed: o.retried })
      ),
  );
  for await (const { ref, job, changed, missing } of steps) {
    if (missing) yield { ref, missing };
    else if (changed) yield { ref, job, retried: true };
    else yield { ref, job, retried: false, refusal: await retryRefusal(backend, ref, job) };
  }
}

/**
 * Starts a scheduled job now (`coord queue promote`, BullMQ's `job.promote()`): a job put with
 * a delay, or waiting out a retry's backoff, becomes ready at once, keeping its priority, group
 * and `beginBy`. A job in any other state is left as it is, and `refusal` says why.
 *
 * @returns the job afterwards, whether this call promoted it, and why not.
 * @throws {UnknownJobError} when there is none.
 * @example
 * ```ts
 * import { connect, promoteJob, putJob } from "../mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await putJob(backend, "q", { id: "1", handler: "h", delayMs: 3_600_000 });
 * (await promoteJob(backend, "q/1")).promoted; // true
 * ```
 */
export async function promoteJob(
  backend: Backend,
  ref: string,
): Promise<{ job: JobRecord; promoted: boolean; refusal?: string }> {
  return found<{ job: JobRecord; promoted: boolean; refusal?: string }>(
    await first(promoteJobs(backend, [ref])),
  );
}

/** How a promotion of several jobs left one of them (see {@link promoteJobs}). */
export type PromoteOutcome = NamedJobOutcome<"promoted">;

/**
 * {@link promoteJob} of each of `refs`, many in one step, as {@link retryJobs} retries them.
 *
 * @throws {ForeignDataError} when a step meets another program's data: none of its jobs changed.
 * @example
 * ```ts
 * import { connect, promoteJobs, putJob } from "../mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await putJob(backend, "q", { id: "1", handler: "h", delayMs: 3_600_000 });
 * for await (const { promoted } of promoteJobs(backend, ["q/1"])) console.log(promoted); // true
 * ```
 */
export async function* promoteJobs(
  backend: Backend,
  refs: string[],
  { dryRun = false }: { dryRun?: boolean } = {},
): AsyncGenerator<PromoteOutcome> {
  const steps = onNamedJobs(
    backend,
    refs,
    (queue, ids) =>
      backend.queue.promote(queue, ids, { dryRun }).then((outcomes) =>
        outcomes.map((o) => o && { job: o.job, changed: o.promoted })
      ),
  );
  let now: number | undefined;
  for await (const { ref, job, changed, missing } of steps) {
    if (missing) {
      yield { ref, missing };
      continue;
    }
    if (changed) yield { ref, job, promoted: true };
    else {
      now ??= await backend.now();
      yield { ref, job, promoted: false, refusal: promoteRefusal(ref, job, now) };
    }
  }
}

/**
 * How many jobs one retry or promotion step takes: a Redis script on 500 jobs holds the server
 * for a few ms, and every other client waits that long.
 */
const JOBS_PER_STEP = 500;

/** One job of a step on named jobs: how the step left it, or why it has no record. */
type NamedJob =
  | { ref: string; job: JobRecord; changed: boolean; missing?: undefined }
  | {
    ref: string;
    missing: UnknownJobError | JobRemovedError;
    job?: undefined;
    changed?: undefined;
  };

/**
 * `step` on the jobs of `refs`, each call on up to JOBS_PER_STEP jobs of one queue named one
 * after another, so the outcomes come in the order named; a call is made once the outcomes
 * before it were taken.
 */
async function* onNamedJobs(
  backend: Backend,
  refs: string[],
  step: (
    queue: string,
    ids: string[],
  ) => Promise<({ job: JobRecord; changed: boolean } | undefined)[]>,
): AsyncGenerator<NamedJob> {
  for (let from = 0; from < refs.length;) {
    const { queue } = parseJobRef(refs[from]);
    const run: string[] = [];
    while (from < refs.length && run.length < JOBS_PER_STEP) {
      const { queue: next, id } = parseJobRef(refs[from]);
      if (next !== queue) break;
      run.push(id);
      from++;
    }
    const outcomes = await step(queue, run);
    for (const [i, outcome] of outcomes.entries()) {
      const ref = jobRef(queue, run[i]);
      yield outcome ? { ref, ...outcome } : { ref, missing: await missingJob(backend, ref) };
    }
  }
}

/** Why a step found no record of `ref`: removed by retention, or unknown. */
async function missingJob(
  backend: Backend,
  ref: string,
): Promise<UnknownJobError | JobRemovedError> {
  try {
    await getJob(backend, ref);
  } catch (e) {
    if (e instanceof UnknownJobError || e instanceof JobRemovedError) return e;
    throw e;
  }
  // Put again since the step: the step did not see it.
  return new UnknownJobError(ref);
}

/** The first outcome of a step on one job. */
async function first<T>(outcomes: AsyncGenerator<T>): Promise<T> {
  for await (const outcome of outcomes) return outcome;
  throw new Error("a step on one job gave no outcome");
}

/** A step's outcome on one job that has a record, without its `ref`; its `missing` error else. */
function found<T extends object>(
  outcome: (T & { ref: string; missing?: undefined }) | { missing: CoordError },
): T {
  if (outcome.missing) throw outcome.missing;
  const { ref: _, missing: __, ...rest } = outcome as T & { ref: string; missing?: undefined };
  return rest as unknown as T;
}

/**
 * Why {@link promoteJob} leaves `job` (named `ref`) as it is at backend time `now`, or undefined
 * when it promotes it: for a caller that checks several jobs before it promotes any.
 *
 * @example
 * ```ts
 * import { connect, getJob, promoteRefusal, putJob } from "../mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await putJob(backend, "q", { id: "1", handler: "h" });
 * promoteRefusal("q/1", await getJob(backend, "q/1"), await backend.now()); // "q/1 is pending; …"
 * ```
 */
export function promoteRefusal(ref: string, job: JobRecord, now: number): string | undefined {
  const state = listedState(job, now);
  if (state === "scheduled") return undefined;
  return `${ref} is ${state}; only a scheduled job (put with --delay or --at, or waiting for a ` +
    `retry) can be promoted`;
}

/**
 * Whether a retry takes `job`: failed or cancelled, and neither a flow (its group) nor a flow's
 * part — the rule the backends' retry step keeps, for a caller that shows what it may do.
 *
 * @example
 * ```ts ignore
 * if (isRetryable(job)) offerRetryButton(job);
 * ```
 */
export function isRetryable(job: JobRecord): boolean {
  return (job.state === "failed" || job.state === "cancelled") && job.parent === undefined &&
    job.group === undefined;
}

/** Why `job` (named `ref`) is not retried, or undefined when it is retryable. */
async function retryRefusal(
  backend: Backend,
  ref: string,
  job: JobRecord,
): Promise<string | undefined> {
  if (isRetryable(job)) return undefined;
  // A flow is retried by putting it again: retrying one part alone would run it outside the
  // order its flow gives it, and a group is never run itself.
  if (job.parent !== undefined || job.group !== undefined) {
    const { queue } = parseJobRef(ref);
    let root = job;
    // Parents form a tree at most MAX_FLOW_DEPTH deep; a root removed meanwhile ends the walk.
    while (root.parent !== undefined) {
      const parent = await backend.queue.get(queue, root.parent);
      if (!parent) break;
      root = parent;
    }
    const flow = jobRef(queue, root.id);
    const what = job.parent === undefined ? `${ref} is a flow` : `${ref} is a part of flow ${flow}`;
    return `${what}; a flow is not retried — put it again (coord queue flow ${queue} FILE.json ` +
      `--id NEW_ID)`;
  }
  return `${ref} is ${job.state}; only a failed or cancelled job can be retried`;
}

/** A worker re-reads its running jobs this often, to stop those cancelled meanwhile. */
export const CANCEL_CHECK_MS = 400;

/** Options of {@link waitForJob}. */
export interface WaitOptions {
  /** Give up after this long (ms); default: wait as long as it takes. */
  timeoutMs?: number;
  /**
   * How long the backend may be unavailable in a row (a restart, a failover) before the wait
   * fails with `BackendUnavailableError`; default {@link DEFAULT_WAIT_OUTAGE_MS}.
   */
  outageMs?: number;
  /** Stops waiting (rejects with its reason). */
  signal?: AbortSignal;
}

/** A job changes state at least this often when it is waited for: re-read it then anyway. */
const WAIT_RECHECK_MS = 1_000;

/**
 * How long a waiter rides out an unavailable backend by default: the job's state is durable,
 * so a restart or failover only delays the answer.
 */
export const DEFAULT_WAIT_OUTAGE_MS = 60_000;

/**
 * Waits until a job is completed, failed or cancelled (zc.async's `wait_for_result`), riding
 * out a backend outage of up to `outageMs`.
 *
 * @returns the finished job: its `state`, `result` or `error`.
 * @throws {WaitTimeoutError} after `timeoutMs`.
 * @throws {UnknownJobError} when there is no such job.
 * @throws {BackendUnavailableError} when the backend stays away longer than `outageMs`.
 * @example
 * ```ts
 * import { connect, putJob, waitForJob, work } from "../mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await putJob(backend, "q", { id: "1", handler: "one" });
 * await work(backend, ["q"], { handlers: { one: () => 1 }, drain: true });
 * (await waitForJob(backend, "q/1", { timeoutMs: 5_000 })).result; // 1
 * ```
 */
export async function waitForJob(
  backend: Backend,
  ref: string,
  { timeoutMs, outageMs = DEFAULT_WAIT_OUTAGE_MS, signal }: WaitOptions = {},
): Promise<JobRecord> {
  const { queue } = parseJobRef(ref);
  if (timeoutMs !== undefined) {
    checkDuration({ name: "timeoutMs", unit: "ms" }, timeoutMs, { maxMs: Infinity });
  }
  checkDuration({ name: "outageMs", unit: "ms" }, outageMs, { maxMs: Infinity });
  const deadline = timeoutMs === undefined ? Infinity : performance.now() + timeoutMs;
  const outage = new Outage(outageMs);
  await using watcher = await backend.watch({ kind: "queue", name: queue });
  let seen: JobRecord | undefined;
  for (;;) {
    const job = await outage.attempt(() => getJob(backend, ref));
    if (job && (FINISHED_STATES as readonly string[]).includes(job.state)) return job;
    seen = job ?? seen;
    const left = deadline - performance.now();
    if (left <= 0) {
      // Named as `list` and `show` name it: a job put with a delay is scheduled, not pending.
      const now = seen && await outage.attempt(() => backend.now());
      const state = !seen ? "unknown" : now === undefined ? seen.state : listedState(seen, now);
      throw new WaitTimeoutError(`job ${ref} is still ${state} — gave up waiting`);
    }
    await watcher.next(Math.min(left, WAIT_RECHECK_MS), signal);
  }
}

/** Counts of the named queues, or of every queue in the namespace. */
export async function queueCounts(backend: Backend, queues?: string[]): Promise<QueueCounts[]> {
  // Only names given are checked: a queue stored before a rule was added (one named "..") is
  // still counted when every queue is.
  const names = queues ? checkQueueNames(queues) : await backend.queue.list();
  return await Promise.all(names.map((name) => backend.queue.counts(name)));
}

/**
 * The queues among `queues` that do not exist: no job and no settings stored, what `coord queue
 * status` says "No such queue" of. An action on one (a resume, a purge) is most likely meant for
 * a queue whose name was mistyped. One whose own keys hold another program's data is not among
 * them: the action meets that data, and refuses it.
 *
 * @throws {UsageError} on a malformed name.
 * @example
 * ```ts
 * import { connect } from "../backend/connect.ts";
 * import { putJob, unknownQueues } from "./queue.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await putJob(backend, "q", { handler: "h" });
 * await unknownQueues(backend, ["q", "typo"]); // ["typo"]
 * ```
 */
export async function unknownQueues(backend: Backend, queues: string[]): Promise<string[]> {
  checkQueueNames(queues);
  const known = new Set(await backend.queue.list());
  const unlisted = queues.filter((queue) => !known.has(queue));
  // Another program's data under the name is a queue's to the action, which refuses it (65).
  const foreign = await Promise.all(
    unlisted.map((queue) =>
      refuseUnlisted(backend, queue).then(() => false, (e) => {
        if (e instanceof ForeignDataError) return true;
        throw e;
      })
    ),
  );
  return unlisted.filter((_, i) => !foreign[i]);
}

/**
 * Reads the keys of `queue`, a name the backend's list of queues does not hold, once: on Redis
 * that list is coord's index of names, which another program writing a queue's keys (its
 * settings, its counts) never entered, where SQL lists every queue with a row. A command naming
 * it then refuses that data (65) as it does on SQL, rather than saying there is no such queue.
 *
 * @throws {ForeignDataError} when the queue's keys hold data coord never writes there.
 */
async function refuseUnlisted(backend: Backend, queue: string): Promise<undefined> {
  await backend.queue.counts(queue);
  return undefined;
}

/** One queue as {@link queueReports} found it: its counts, or why it has none. */
export interface QueueReport {
  /** The queue's name. */
  queue: string;
  /** Its counts; absent when there is no such queue or it holds foreign data. */
  counts?: QueueCounts;
  /** Why it could not be counted: data another program wrote where it keeps its state. */
  foreign?: ForeignDataError;
  /**
   * How many of its jobs `coord queue show` refuses (another program wrote their records; each
   * is counted in its state all the same), and one refusal saying so, naming the first; present
   * only when jobs were read (`readJobs`) and one was refused.
   */
  unreadable?: { count: number; foreign: ForeignDataError };
}

/** What {@link queueReports} reads besides the counts. */
export interface QueueReportOptions {
  /**
   * Read each counted queue's jobs to report those coord cannot read as `unreadable`: true
   * reads up to 10,000 in all, as `coord doctor` does; a number, up to that many (a page that
   * refreshes often reads a few). Default: false, which reads no job.
   */
  readJobs?: boolean | number;
}

/**
 * Counts of the named queues, or of every queue in the namespace, each queue on its own: a
 * queue holding foreign data is reported, not thrown, so it hides none of the others (what
 * `coord queue status` and the console's overview show). A named queue that `list` does not
 * know (no job, no settings) has neither `counts` nor `foreign`: there is no such queue — unless
 * its own keys hold another program's data, read once, which is its `foreign`.
 *
 * @throws {UsageError} on a malformed name.
 * @example
 * ```ts
 * import { connect, putJob, queueReports } from "../mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await putJob(backend, "q", { handler: "h" });
 * (await queueReports(backend, ["q", "typo"])).map((r) => r.counts?.pending); // [1, undefined]
 * (await queueReports(backend, ["q"], { readJobs: true }))[0].unreadable; // undefined
 * ```
 */
export async function queueReports(
  backend: Backend,
  queues?: string[],
  { readJobs = false }: QueueReportOptions = {},
): Promise<QueueReport[]> {
  if (queues) checkQueueNames(queues);
  const known = await backend.queue.list();
  const read = await readEach(
    queues ?? known,
    async (queue) =>
      known.includes(queue)
        ? await backend.queue.counts(queue)
        : await refuseUnlisted(backend, queue),
  );
  const budget = new JobBudget(typeof readJobs === "number" ? readJobs : undefined);
  const reports: QueueReport[] = [];
  for (const { name, value, foreign } of read) {
    // One queue after the other: the budget goes to the first queues in full.
    const refused = readJobs && value
      ? await refusals(backend.queue, name, jobIdPages(backend.queue, name), budget)
      : [];
    reports.push({
      queue: name,
      ...value && { counts: value },
      ...foreign && { foreign },
      ...refused.length > 0 && { unreadable: unreadable(name, refused) },
    });
  }
  return reports;
}

/** {@link QueueReport.unreadable} of `queue`, whose jobs' reads refused with `refused`. */
function unreadable(
  queue: string,
  refused: { id: string; error: ForeignDataError }[],
): QueueReport["unreadable"] {
  const [{ id, error }] = refused;
  return {
    count: refused.length,
    foreign: new ForeignDataError(unreadableJobs(queue, refused.length, id, error.message)),
  };
}
