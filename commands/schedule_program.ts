/**
 * Running a {@link Scheduler} as a program: stop signals, the health endpoint, log lines on
 * stderr and the exit code. `coord schedule run` uses {@link runScheduler}; a standalone
 * program ends with {@link schedulerMain}.
 *
 * @module
 */

import { CoordError, ExitCode } from "../lib/errors.ts";
import { StopSignals } from "../lib/stop_signals.ts";
import type { ScheduleEvent } from "../lib/schedule/runner.ts";
import type { Scheduler } from "../lib/schedule/scheduler.ts";
import { printable, writeLine } from "./output.ts";
import { errorLine, outageLine } from "./report.ts";
import { serveHealth } from "./schedule_health.ts";

/** Options of {@link runScheduler} and {@link schedulerMain}. */
export interface ProgramOptions {
  /** Serve `/health` and `/metrics` here. */
  health?: { hostname: string; port: number };
  /** Also log every run's start and success, not only failures and errors. */
  verbose?: boolean;
}

/**
 * Runs `app` until SIGINT, SIGTERM or SIGHUP: the first stops claiming ticks and gives running
 * tasks the grace period; a second one stops them at once. An app that connects itself says on
 * stderr when its SQLite file is held locked, and a signal meanwhile stops it (exit 0).
 *
 * @returns the exit code: 0 after a clean stop, 128 + the signal's number when running tasks
 * were cut short.
 * @throws {CoordError} when the scheduler could not start (the code is the error's).
 */
export async function runScheduler(
  app: Scheduler,
  { health }: ProgramOptions = {},
  /** Listening already (`schedule run` listens while it waits for its backend); else its own. */
  given?: StopSignals,
): Promise<number> {
  using own = given === undefined ? new StopSignals() : undefined;
  const signals = given ?? own!;
  const serving = new AbortController();
  try {
    if (health) listen(app, health, serving.signal);
    const { cutShort } = await app.run({
      signal: signals.stop,
      force: signals.force,
      // An app that connects itself to a SQLite file held locked says why it seems to hang.
      onLocked: (message) => writeLine(errorLine(message), Deno.stderr),
    });
    return signals.exitCode(cutShort);
  } finally {
    serving.abort();
  }
}

/**
 * Runs `app` as a program with {@link runScheduler}, logging its failures on stderr (every
 * run with `verbose`) unless it was given an `onEvent` of its own, then exits with the code.
 * Connects with `COORD_URL` and friends unless the app was given a backend.
 *
 * @example
 * ```ts ignore
 * import { Scheduler, schedulerMain } from "coord";
 * const app = new Scheduler();
 * app.task({ name: "ping", interval: "10s" }, () => fetch("http://localhost:8080/ping"));
 * await schedulerMain(app);
 * ```
 */
export async function schedulerMain(app: Scheduler, options: ProgramOptions = {}): Promise<never> {
  app.onEvent ??= (event) => {
    const line = eventLine(event, options.verbose);
    if (line) writeLine(`coord: ${printable(line)}`, Deno.stderr);
  };
  let code: number;
  try {
    code = await runScheduler(app, options);
  } catch (e) {
    writeLine(errorLine(e instanceof Error ? e.message : String(e)), Deno.stderr);
    code = e instanceof CoordError ? e.exitCode : ExitCode.internal;
  }
  Deno.exit(code);
}

function listen(app: Scheduler, at: { hostname: string; port: number }, signal: AbortSignal) {
  try {
    serveHealth(app, at, signal);
  } catch (e) {
    throw new CoordError(
      `cannot serve /health on ${at.hostname}:${at.port}: ${e instanceof Error ? e.message : e}` +
        ` — choose another --health-port`,
      ExitCode.unavailable,
    );
  }
}

/**
 * A log line for an event, or undefined for the routine ones (a run started or succeeded)
 * unless `verbose`.
 */
export function eventLine(event: ScheduleEvent, verbose = false): string | undefined {
  const at = ("tick" in event ? ` ${new Date(event.tick).toISOString()}` : "") +
    ("triggered" in event && event.triggered ? " (triggered)" : "");
  switch (event.type) {
    case "started":
      return verbose
        ? `${event.task}${at} started, ${event.latenessMs.toFixed(1)} ms late`
        : undefined;
    case "succeeded":
      return verbose ? `${event.task}${at} succeeded in ${seconds(event.durationMs)}` : undefined;
    case "failed":
      return `${event.task}${at} failed after ${seconds(event.durationMs)}: ${event.error}` +
        (event.givenUp ? "; no retries left, moving on to the next tick" : "");
    case "interrupted":
      return `${event.task}${at} was cut short by the stop after ${seconds(event.durationMs)} ` +
        `(${event.error}); ` +
        (event.runAgain ? "its tick is handed on to run again" : "it is not run again");
    case "lost":
      return event.replaced
        ? `${event.task}${at} was replaced by a later tick (overlap replace); the run was stopped`
        : event.unrecorded === "no answer"
        ? `${event.task}${at} ended${failed(event.error)}, but its end was not recorded ` +
          "before its lease ran out (the backend did not answer); the tick may run again"
        : event.unrecorded === "taken over"
        ? `${event.task}${at} ended${failed(event.error)}, but another instance had taken its ` +
          "tick over before its end was recorded; the tick may run twice"
        : event.unrecorded === "gone"
        ? `${event.task}${at} ended${failed(event.error)}, but its record was gone before its ` +
          "end was recorded (the backend lost its state, or the task was removed); the tick " +
          "may run twice"
        : event.unanswered
        ? `${event.task}${at} lost its lease (no renewal answered for 2/3 of it); the run was ` +
          "stopped, and its tick runs again once the lease runs out"
        : `${event.task}${at} lost its lease to another instance; the run was stopped`;
    case "error":
      return `${event.error} — retrying`;
    case "teardown failed":
      return `fixture ${event.fixture}: its cleanup failed: ${event.error}`;
    case "unavailable":
    case "available":
      return outageLine(event);
    case "timing":
      return timingLine(event);
    case "skipped":
      return `${event.task}: skipped ${event.ticks} tick(s) without running them; next ` +
        (event.next === null ? "none" : new Date(event.next).toISOString());
    case "overdue":
      return overdueLine(event);
  }
}

/** Two timings of one task: which one this instance runs now, and what to do about it. */
function timingLine(event: Extract<ScheduleEvent, { type: "timing" }>): string {
  const { task, theirs, ours } = event;
  switch (event.outcome) {
    case "replaced":
      return `${task}: an instance started earlier ran it with timing "${theirs}"; this one ` +
        `runs it with "${ours}" from now on — run the same task file on every instance`;
    case "standing by":
      return `${task}: an instance started later runs it with timing "${theirs}"; this one ` +
        `("${ours}") stands by while that one runs it — run the same task file on every instance`;
    case "taken over":
      return `${task}: the instance with timing "${theirs}" stopped running it; this one runs ` +
        `it with "${ours}" from now on`;
  }
}

/** A task's overdue ticks at start-up, and what its catch-up policy does with them. */
function overdueLine(event: Extract<ScheduleEvent, { type: "overdue" }>): string {
  const { task, ticks, run, since, catchUp } = event;
  const count = `${event.atLeast ? "over " : ""}${ticks}`;
  const policy = catchUp.policy === "within"
    ? `within=${catchUp.withinMs! / 1000}s`
    : catchUp.policy;
  // Past the counting limit both counts stop at it: the policy says which is whole.
  const all = catchUp.policy === "all" || (run === ticks && !event.atLeast);
  const plan = all
    ? `running ${ticks === 1 ? "it" : "them one by one, oldest first"}`
    : run === 0
    ? `skipping ${ticks === 1 ? "it" : "them"}`
    : `running ${run}, skipping ${event.atLeast ? "the others" : ticks - run}`;
  return `${task}: ${count} tick(s) overdue since ${new Date(since).toISOString()}; ${plan} ` +
    `(catch-up=${policy})`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

/** How a lost run whose end went unrecorded had ended, when it failed. */
function failed(error: string | undefined): string {
  return error === undefined ? "" : ` (failed: ${error})`;
}
