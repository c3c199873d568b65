/**
 * A task as the scheduler runs it: options checked and defaults filled in once, the handler,
 * and the context a run gets.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { MAX_DURATION_MS } from "../duration.ts";
import { MIN_LEASE_MS } from "../lease.ts";
import { checkName } from "../backend/keys.ts";
import { parseDuration, parseTiming, type Timing, type TimingOptions } from "./timing.ts";

/**
 * How a tick is claimed. `at-least-once` (default): the tick is leased before it runs and
 * committed after, so a crashed run is re-run by another instance once its lease runs out.
 * `best-effort` (alias `at-most-once`): the next tick is committed before the run starts, so a
 * tick never runs twice, and a crashed run is not repeated.
 */
export type ExecutionMode = "at-least-once" | "best-effort" | "at-most-once";

/**
 * What a failed run of an at-least-once task does. `none` (default): the tick stays leased
 * until the lease runs out, then it is retried. `unlock`: retried after `retryDelay`.
 * `commit`: counted as done, like a success.
 */
export type FailureMode = "none" | "unlock" | "commit";

/**
 * Which overdue ticks run (after downtime, a pause resumed with catch-up, a run that outlasted
 * the following ticks). `all`: each, one by one. `latest`: only the latest one due. `none`: only
 * a tick due less than a second ago (and less than half its period): lateness, not downtime.
 * `{ within }`: only ticks due less than this long ago. Skipped ticks are counted as missed.
 */
export type CatchUp = "all" | "latest" | "none" | { within: number | string };

/** See {@link TaskBaseOptions.overlap}. */
export type Overlap = "skip" | "allow" | "replace";

/** What every task is given, apart from its timing. */
export interface TaskBaseOptions {
  /** Unique within a backend's namespace; no `/` (dynamic task instances are `template/id`). */
  name: string;
  /** Default `at-least-once`. */
  executionMode?: ExecutionMode;
  /** Default `none`. */
  failureMode?: FailureMode;
  /** How long a tick stays leased without a heartbeat (ms or `"60s"`); default 60 s, at least 0.3 s. */
  lease?: number | string;
  /**
   * What an at-least-once task does when its run outlasts the following tick: `skip` (default)
   * the following ticks wait for the run, then run as `catchUp` says; `allow` the following
   * tick runs beside it (each leased, each run again if its instance dies); `replace` the run
   * is stopped (its signal aborts) and the latest tick due runs instead. (`best-effort` runs
   * overlap.)
   */
  overlap?: Overlap;
  /** Which ticks missed while no instance ran the task are run; default `"all"`. */
  catchUp?: CatchUp;
  /** Same as `catchUp: "latest"` (kept for older task files). */
  fastForward?: boolean;
  /** Wait before a failed tick is retried with failure mode `unlock`; default 1 s. */
  retryDelay?: number | string;
  /**
   * How often a failed tick of an at-least-once task is retried (failure modes `none` and
   * `unlock`) before it is recorded as failed and the task moves on to its next tick;
   * default 3, so a tick runs at most 4 times.
   */
  maxRetries?: number;
  /**
   * How long one run may take (ms or `"5m"`); past it the run's `ctx.signal` aborts (a command
   * gets SIGTERM, then SIGKILL) and the run counts as failed. Default: no limit.
   */
  timeout?: number | string;
}

/** A task's options: its name and modes plus exactly one timing. */
export interface TaskOptions extends TaskBaseOptions, TimingOptions {}

/** The options of a dynamic task template: its instances bring their own timing. */
export interface TemplateOptions extends TaskBaseOptions {
  /** Marks a template: it has no timing of its own. */
  dynamic: true;
}

/** What a run of a task is handed. */
export interface TaskContext {
  /** The task's name (`template/id` for a dynamic task's instance). */
  readonly task: string;
  /** The tick this run is for, in the backend's clock. */
  readonly scheduledAt: Date;
  /**
   * Aborted when the run's timeout passes, the lease is lost or the scheduler shuts down past
   * its grace period.
   */
  readonly signal: AbortSignal;
  /** This scheduler instance, as shown by `coord schedule status`. */
  readonly instance: string;
  /** The fixtures' values, by name. */
  readonly fixtures: Record<string, unknown>;
  /** A dynamic task instance's arguments; undefined for a static task. */
  readonly args?: unknown;
  /**
   * The task's lease (`lease`). A run whose lease is lost should end within a sixth of it (a
   * command gets SIGKILL then), before another instance may run its tick.
   */
  readonly leaseMs: number;
  /**
   * Extends the lease now (it is also extended every third of it while the run lasts).
   *
   * @throws {LeaseLostError} when the lease is lost: another instance took the tick over, or no
   * renewal was answered for 2/3 of the lease (README, Leases).
   * @throws {BackendUnavailableError} when the backend does not answer this one (it is tried
   * again on its own).
   */
  heartbeat(): Promise<void>;
}

/** A task's body. A thrown error or rejected promise counts as a failure. */
export type TaskHandler = (ctx: TaskContext) => unknown;

/** Wraps every run (logging, timing, error reporting); call `next()` to run the task. */
export type Middleware = (ctx: TaskContext, next: () => Promise<void>) => Promise<void>;

/** A task with its options checked and defaults filled in. */
export interface TaskDefinition {
  /** The task's name. */
  name: string;
  /** Undefined for a dynamic template. */
  timing?: Timing;
  /** `at-most-once` is stored as its alias `best-effort`. */
  executionMode: "at-least-once" | "best-effort";
  /** What a failed run does. */
  failureMode: FailureMode;
  /** The lease on a running tick. */
  leaseMs: number;
  /** `unlock`'s wait before a retry. */
  retryDelayMs: number;
  /** What a run outlasting the following tick does. */
  overlap: Overlap;
  /** Which overdue ticks run: a policy, and for `within` how old a tick may be. */
  catchUp: { policy: "all" | "latest" | "none" | "within"; withinMs?: number };
  /** Retries of a failed tick before the task moves on. */
  maxRetries: number;
  /** How long one run may take; undefined: no limit. */
  timeoutMs?: number;
  /** The task's body. */
  handler: TaskHandler;
  /** A dynamic task instance's arguments. */
  args?: unknown;
}

/** The lease a task gets when it names none. */
export const DEFAULT_LEASE_MS = 60_000;
/** How long `failureMode: "unlock"` waits before the retry, when not told. */
export const DEFAULT_RETRY_DELAY_MS = 1_000;
/** How often a failed tick is retried, when not told. */
export const DEFAULT_MAX_RETRIES = 3;

/** The {@link ExecutionMode}s, for checks that name them. */
export const EXECUTION_MODES: readonly string[] = ["at-least-once", "best-effort", "at-most-once"];
/** The {@link FailureMode}s. */
export const FAILURE_MODES: readonly string[] = ["none", "unlock", "commit"];
/** The {@link CatchUp} policies written as words. */
export const CATCH_UP_POLICIES: readonly string[] = ["all", "latest", "none"];
/** The {@link Overlap}s. */
export const OVERLAPS: readonly string[] = ["skip", "allow", "replace"];

/**
 * Checks a task's options and fills in the defaults.
 *
 * @throws {UsageError} naming the task and what is wrong.
 */
export function defineTask(
  options: TaskOptions | TemplateOptions,
  handler: TaskHandler,
): TaskDefinition {
  const name = checkTaskName(options.name);
  try {
    // A misspelt option (timeZone, catchup) would leave its default in force without a word.
    const unknown = Object.keys(options).find((key) => !TASK_OPTION_KEYS.includes(key));
    if (unknown !== undefined) {
      throw new UsageError(`unknown option "${unknown}" — use ${TASK_OPTION_KEYS.join(", ")}`);
    }
    const mode = options.executionMode ?? "at-least-once";
    if (!EXECUTION_MODES.includes(mode)) {
      throw new UsageError(
        `executionMode "${mode}" is unknown — use ${EXECUTION_MODES.join(", ")}`,
      );
    }
    // A best-effort tick is never run again: these would be accepted and then do nothing.
    const unused = mode === "at-least-once"
      ? undefined
      : AT_LEAST_ONCE_OPTION_KEYS.find((key) => options[key] !== undefined);
    if (unused !== undefined) {
      throw new UsageError(
        `${unused} applies to at-least-once tasks only: with executionMode "${mode}" a tick is ` +
          `never run again` +
          (unused === "overlap"
            ? ` and runs overlap (for one at a time: executionMode "at-least-once")`
            : ""),
      );
    }
    const failureMode = options.failureMode ?? "none";
    if (!FAILURE_MODES.includes(failureMode)) {
      throw new UsageError(
        `failureMode "${failureMode}" is unknown — use ${FAILURE_MODES.join(", ")}`,
      );
    }
    if (typeof handler !== "function") throw new UsageError(`its handler is not a function`);
    return {
      name,
      timing: "dynamic" in options && options.dynamic
        ? undefined
        : parseTiming(options as TimingOptions),
      executionMode: mode === "at-least-once" ? mode : "best-effort",
      failureMode,
      leaseMs: options.lease === undefined
        ? DEFAULT_LEASE_MS
        : parseDuration(options.lease, "lease", MAX_DURATION_MS, MIN_LEASE_MS),
      retryDelayMs: options.retryDelay === undefined
        ? DEFAULT_RETRY_DELAY_MS
        : parseDuration(options.retryDelay, "retryDelay", MAX_DURATION_MS),
      overlap: checkOverlap(options.overlap ?? "skip"),
      catchUp: catchUpPolicy(options),
      maxRetries: checkCount("maxRetries", options.maxRetries ?? DEFAULT_MAX_RETRIES),
      ...(options.timeout !== undefined &&
        { timeoutMs: parseDuration(options.timeout, "timeout", MAX_DURATION_MS) }),
      handler,
    };
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`task "${name}": ${e.message}`);
    throw e;
  }
}

/** The options that only say how an at-least-once task's tick is leased and run again. */
const AT_LEAST_ONCE_OPTION_KEYS = [
  "failureMode",
  "lease",
  "retryDelay",
  "maxRetries",
  "overlap",
] as const satisfies readonly (keyof TaskBaseOptions)[];

/** Every option a task or a template takes (see {@link TaskOptions}, {@link TemplateOptions}). */
const TASK_OPTION_KEYS: readonly string[] = [
  "name",
  "cron",
  "interval",
  "executeAt",
  "timezone",
  "secondsField",
  "dynamic",
  "executionMode",
  "failureMode",
  "lease",
  "retryDelay",
  "maxRetries",
  "timeout",
  "overlap",
  "catchUp",
  "fastForward",
];

function checkOverlap(overlap: string): Overlap {
  if (!OVERLAPS.includes(overlap)) {
    throw new UsageError(`overlap "${overlap}" is unknown — use ${OVERLAPS.join(", ")}`);
  }
  return overlap as Overlap;
}

function catchUpPolicy(options: TaskBaseOptions): TaskDefinition["catchUp"] {
  const { catchUp, fastForward } = options;
  if (fastForward && catchUp !== undefined && catchUp !== "latest") {
    throw new UsageError(`fastForward means catchUp "latest", not ${JSON.stringify(catchUp)}`);
  }
  const policy = catchUp ?? (fastForward ? "latest" : "all");
  if (typeof policy === "object" && policy !== null && "within" in policy) {
    return { policy: "within", withinMs: parseDuration(policy.within, "catchUp within") };
  }
  if (!CATCH_UP_POLICIES.includes(policy as string)) {
    throw new UsageError(
      `catchUp ${JSON.stringify(policy)} is unknown — use ${CATCH_UP_POLICIES.join(", ")} ` +
        `or { within: DURATION }`,
    );
  }
  return { policy: policy as "all" | "latest" | "none" };
}

function checkCount(what: string, value: number): number {
  // Past 2^53 a count no longer goes up by one: the runs it bounds would never reach it.
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new UsageError(`${what} ${value} is not a whole number ≥ 0`);
  }
  return value;
}

/**
 * Checks a task or template name.
 *
 * @throws {UsageError} when empty, too long or holding `/`.
 */
export function checkTaskName(name: string): string {
  checkName("task name", String(name ?? ""));
  if (name.includes("/")) {
    throw new UsageError(`task name "${name}" holds "/", which separates dynamic task instances`);
  }
  return name;
}

/**
 * Checks the id of a dynamic task's instance: a name as any other (not empty, no NUL nor other
 * control character), in a task name `template/id` no longer than any other's.
 *
 * @throws {UsageError} when it is not such a name.
 * @example
 * ```ts
 * import { checkInstanceId } from "./task.ts";
 * checkInstanceId("remind", "ana"); // "ana"
 * ```
 */
export function checkInstanceId(template: string, id: string): string {
  checkName("dynamic task id", id);
  // Its instance is listed, paused and resumed by this name, which the name rules check.
  checkName("task name", `${template}/${id}`);
  return id;
}
