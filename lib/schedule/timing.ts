/**
 * When a task is due: a cron expression (through croner), a fixed interval, or one instant.
 * Every instance computes the same ticks from the same timing, so ticks are agreed without
 * talking: intervals are aligned to the epoch (`@every 30s` runs at :00 and :30), not to
 * whenever an instance happened to start.
 *
 * @module
 */

import { Cron } from "croner";
import { UsageError } from "../errors.ts";
import { unitDurationMs } from "../duration.ts";

/** How a task's ticks are described; exactly one of `cron`, `interval`, `executeAt`. */
export interface TimingOptions {
  /**
   * A cron expression: 5 fields (minute first) or 6 (seconds first, as croner and most Unix
   * tools read them), a nickname (`@hourly`, `@daily`, …) or `@every DURATION`.
   */
  cron?: string;
  /** A fixed period: milliseconds, or a duration such as `"12s"`, `"1h30m"`, `"250ms"`. */
  interval?: number | string;
  /** One run at this instant (a dynamic task that runs once). */
  executeAt?: Date | string | number;
  /** The IANA time zone a cron expression is read in; default UTC. */
  timezone?: string;
  /**
   * Where a 6-field cron expression has its seconds: `"first"` (default, croner and Quartz) or
   * `"last"` (croniter and so pyncette: `* * * * * *\/10` is every 10 seconds there).
   */
  secondsField?: "first" | "last";
}

/** A parsed timing. */
export interface Timing {
  /** A canonical text of the timing, stored with the task to notice when it changes. */
  readonly spec: string;
  /** The first tick strictly after `afterMs` (epoch ms), or undefined when there is none. */
  next(afterMs: number): number | undefined;
  /** The latest tick at or before `atMs`, or undefined (fast-forward skips to it). */
  latest(atMs: number): number | undefined;
  /** The tick a new task starts from: the next one (a one-off task's instant, even if past). */
  first(nowMs: number): number | undefined;
}

/**
 * Reads a duration: a number of milliseconds, or units such as `"30s"`, `"1h30m"`, `"250ms"`.
 *
 * @throws {UsageError} when it is not one, or not positive.
 * @example
 * ```ts
 * import { parseDuration } from "./timing.ts";
 * parseDuration("1m30s"); // 90000
 * ```
 */
export function parseDuration(text: number | string, what = "duration"): number {
  const ms = typeof text === "number" ? text : unitDurationMs(text) ?? NaN;
  if (!(ms >= 1) || !Number.isFinite(ms)) {
    throw new UsageError(
      `${what} ${
        JSON.stringify(text)
      } is not a positive duration — write e.g. 30s, 5m, 1h30m, 250ms`,
    );
  }
  return ms;
}

/**
 * Parses a task's timing.
 *
 * @throws {UsageError} naming what is wrong: no or several timings, a malformed cron
 * expression or duration, an unknown time zone.
 * @example
 * ```ts
 * import { parseTiming } from "./timing.ts";
 * const timing = parseTiming({ cron: "*\/10 * * * * *" });
 * timing.next(Date.parse("2026-01-01T00:00:01Z")); // 2026-01-01T00:00:10Z in epoch ms
 * ```
 */
export function parseTiming(options: TimingOptions): Timing {
  const given = (["cron", "interval", "executeAt"] as const).filter((k) => options[k] != null);
  if (given.length !== 1) {
    throw new UsageError(
      given.length === 0
        ? "a task needs a timing — give cron, interval or executeAt"
        : `a task has one timing, not ${given.join(" and ")}`,
    );
  }
  if (options.timezone !== undefined) checkTimezone(options.timezone);
  if (options.executeAt != null) return once(options.executeAt);
  if (options.interval != null) return every(parseDuration(options.interval, "interval"));
  const expression = options.cron!.trim().replace(/\s+/g, " ");
  const everyMatch = /^@every (\S+)$/.exec(expression);
  if (everyMatch) return every(parseDuration(everyMatch[1], "@every"));
  return cron(expression, options);
}

function checkTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat("en", { timeZone: timezone });
  } catch {
    throw new UsageError(
      `unknown time zone "${timezone}" — use an IANA name such as Europe/Berlin`,
    );
  }
}

function every(periodMs: number): Timing {
  return {
    spec: `every ${periodMs}ms`,
    next: (afterMs) => (Math.floor(afterMs / periodMs) + 1) * periodMs,
    latest: (atMs) => Math.floor(atMs / periodMs) * periodMs,
    first: (nowMs) => (Math.floor(nowMs / periodMs) + 1) * periodMs,
  };
}

function once(at: Date | string | number): Timing {
  const instant = at instanceof Date ? at.getTime() : typeof at === "number" ? at : Date.parse(at);
  if (!Number.isFinite(instant)) {
    throw new UsageError(`executeAt ${JSON.stringify(at)} is not a date — use ISO 8601`);
  }
  return {
    spec: `at ${new Date(instant).toISOString()}`,
    next: (afterMs) => (afterMs < instant ? instant : undefined),
    latest: (atMs) => (atMs >= instant ? instant : undefined),
    first: () => instant,
  };
}

function cron(expression: string, options: TimingOptions): Timing {
  const timezone = options.timezone ?? "UTC";
  let fields = expression;
  const parts = expression.split(" ");
  if (options.secondsField === "last" && parts.length === 6) {
    fields = [parts[5], ...parts.slice(0, 5)].join(" ");
  }
  let job: Cron;
  try {
    job = new Cron(fields, { paused: true, timezone, mode: "5-or-6-parts" });
  } catch (e) {
    const reason = (e instanceof Error ? e.message : String(e)).replace(/^\w+: /, "")
      .replace("exactly five, six, or seven", "5 or 6");
    throw new UsageError(`cron expression "${expression}" is malformed: ${reason}`);
  }
  // croner counts from the start of a second: an instant inside the tick's own second
  // would give that tick again.
  const next = (afterMs: number) =>
    job.nextRun(new Date(Math.floor(afterMs / 1000) * 1000 + (afterMs % 1000 === 0 ? 0 : 999)))
      ?.getTime();
  return {
    spec: `cron ${fields} ${timezone}`,
    next,
    latest: (atMs) => job.previousRuns(1, new Date(Math.floor(atMs) + 1))[0]?.getTime(),
    first: next,
  };
}
