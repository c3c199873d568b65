/**
 * Running a scheduler as a program: signals, the health endpoint, log lines and the exit code.
 * `coord schedule run` and {@link runMain} (behind `Scheduler.main()`) share it.
 *
 * @module
 */

import { CoordError, ExitCode } from "../errors.ts";
import { StopSignals } from "../stop_signals.ts";
import { serveHealth } from "./health.ts";
import type { ScheduleEvent } from "./runner.ts";
import type { Scheduler } from "./scheduler.ts";

/** Options of {@link runMain}. */
export interface MainOptions {
  /** Serve `/health` and `/metrics` here. */
  health?: { hostname: string; port: number };
}

/**
 * Runs `app` until SIGINT, SIGTERM or SIGHUP: the first stops claiming ticks and gives running
 * tasks the grace period; a second one stops them at once.
 *
 * @returns the exit code: 0 after a clean stop, 128 + the signal's number when running tasks
 * were cut short, a {@link CoordError}'s code when the scheduler could not start.
 */
export async function runMain(app: Scheduler, options: MainOptions = {}): Promise<number> {
  using signals = new StopSignals();
  const serving = new AbortController();
  try {
    if (options.health) listen(app, options.health, serving.signal);
    const { cutShort } = await app.run({ signal: signals.stop, force: signals.force });
    return signals.exitCode(cutShort);
  } finally {
    serving.abort();
  }
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
    case "lost":
      return event.replaced
        ? `${event.task}${at} was replaced by a later tick (overlap replace); the run was stopped`
        : `${event.task}${at} lost its lease to another instance; the run was stopped`;
    case "error":
      return `${event.task}: ${event.error} — retrying`;
    case "skipped":
      return `${event.task}: skipped ${event.ticks} tick(s) without running them; next ` +
        (event.next === null ? "none" : new Date(event.next).toISOString());
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}
