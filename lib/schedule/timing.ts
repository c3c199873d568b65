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
import { MAX_DURATION_MS, unitDurationMs } from "../duration.ts";
import { shownValue } from "../stored_values.ts";
import { firstInstant, lastWallAt } from "./wall_clock.ts";

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
  /**
   * The IANA time zone a cron expression is read in; default UTC. Across daylight-saving
   * changes a fixed-time job (no `*` starting its seconds, minute or hour field) runs a skipped
   * time once at the gap's end and a repeated time once; a wildcard job runs as the clock passes.
   */
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
 * `maxMs`: the longest it may be — `MAX_DURATION_MS` (24 days) for one coord waits with a timer
 * (a lease, a retry's delay, a timeout), since a longer timer fires at once. `minMs`: the
 * shortest, `MIN_LEASE_MS` for a lease (see {@link tooShort}).
 *
 * @throws {UsageError} when it is not one, not positive, less than `minMs` or more than `maxMs`.
 * @example
 * ```ts
 * import { parseDuration } from "./timing.ts";
 * parseDuration("1m30s"); // 90000
 * ```
 */
export function parseDuration(
  text: number | string,
  what = "duration",
  maxMs = Infinity,
  minMs = 0,
): number {
  const ms = typeof text === "number" ? text : unitDurationMs(text) ?? NaN;
  if (!(ms >= 1) || !Number.isFinite(ms)) {
    throw new UsageError(
      `${what} ${
        shownValue(text)
      } is not a positive duration — write e.g. 30s, 5m, 1h30m, 250ms (units ms, s, m, h, d, ` +
        `each once)`,
    );
  }
  if (ms > maxMs) throw new UsageError(`${what} ${shownValue(text)} ${tooLong(maxMs)}`);
  if (ms < minMs) throw new UsageError(`${what} ${shownValue(text)} ${tooShort(minMs)}`);
  return ms;
}

/**
 * Why a lease under `minMs` is refused, e.g. "is less than 0.3 s, the shortest lease …": the
 * shortest a lock's `--expire` takes too.
 */
export function tooShort(minMs: number): string {
  return `is less than ${minMs / 1000} s, the shortest lease coord keeps renewed`;
}

/** Why a duration over `maxMs` is refused, e.g. "is more than 24 days, the longest …". */
export function tooLong(maxMs: number): string {
  return `is more than ${Math.floor(maxMs / 86_400_000)} days (${maxMs} ms), ` +
    "the longest coord waits";
}

/**
 * Parses a task's timing.
 *
 * @throws {UsageError} naming what is wrong: no or several timings, a malformed cron
 * expression or duration, an unknown time zone, a time zone with a timing that reads no wall
 * clock (`@every`, `interval`, `executeAt`).
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
  const expression = options.cron?.trim().replace(/\s+/g, " ");
  const everyMatch = expression === undefined ? null : /^@every (\S+)$/.exec(expression);
  // Only a cron expression reads the wall clock: `@every 1d TZ=…` would still run at 00:00 UTC.
  if (options.timezone !== undefined && (expression === undefined || everyMatch)) {
    const timing = everyMatch ? "@every" : options.interval != null ? "interval" : "executeAt";
    throw new UsageError(
      `a time zone applies to cron schedules only: ${timing} counts from the epoch (UTC) — ` +
        `leave the time zone out, or give a cron expression (0 0 * * * for local midnight)`,
    );
  }
  if (options.executeAt != null) return once(options.executeAt);
  // A tick further apart than a timer waits: README's bound on every interval.
  if (options.interval != null) {
    return every(parseDuration(options.interval, "interval", MAX_DURATION_MS));
  }
  if (everyMatch) return every(parseDuration(everyMatch[1], "@every", MAX_DURATION_MS));
  return cron(expression!, options);
}

/**
 * Stored timings parsed, by their text ({@link storedTiming}), the least recently used dropped
 * past this many. A croner job holds ≈ 83 KB, shared with the loops running instances of that
 * timing: 2,000 hold ≈ 170 MB at most beyond them.
 */
const STORED_TIMINGS_KEPT = 2_000;
const storedTimings = new Map<string, Timing | Error>();

/**
 * A stored dynamic instance's timing, or the error saying no scheduler can run it (`{}`, a bad
 * cron: another program's spec). Read as an earlier coord stored it, which took a time zone with
 * an interval, an instant or `@every` and ignored it: ignored still, not refused (refused, a
 * dynamic instance stored so would never run again). Every read of an instance's record checks
 * its timing, and a cron with a time zone takes ≈ 1 ms to parse: parsed once per text (its args
 * aside), and the timing shared by every instance with that text.
 *
 * @example
 * ```ts
 * import { storedTiming } from "./timing.ts";
 * const timing = storedTiming({ interval: "1h", timezone: "Europe/Berlin" });
 * timing instanceof Error ? timing.message : timing.spec; // "every 3600000ms"
 * ```
 */
export function storedTiming(spec: TimingOptions & { args?: unknown }): Timing | Error {
  const { args: _, ...options } = spec;
  const text = JSON.stringify(options);
  let timing = storedTimings.get(text);
  if (timing === undefined) {
    const readsWallClock = options.cron != null && !/^\s*@every\s/.test(options.cron);
    try {
      timing = parseTiming(readsWallClock ? options : { ...options, timezone: undefined });
    } catch (e) {
      // Anything it holds, of any type: a cron that is no string fails as a TypeError.
      timing = e instanceof Error ? e : new Error(String(e));
    }
    if (storedTimings.size >= STORED_TIMINGS_KEPT) {
      storedTimings.delete(storedTimings.keys().next().value!);
    }
  } else {
    storedTimings.delete(text);
  }
  storedTimings.set(text, timing);
  return timing;
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
  const parts = expression.split(" ");
  const secondsLast = parts.length === 6 ? [parts[5], ...parts.slice(0, 5)].join(" ") : undefined;
  const fields = options.secondsField === "last" && secondsLast ? secondsLast : expression;
  let job: Cron;
  try {
    job = cronJob(fields, timezone);
  } catch (e) {
    const reason = (e instanceof Error ? e.message : String(e)).replace(/^\w+: /, "")
      .replace("exactly five, six, or seven", "5 or 6");
    // A pyncette or croniter expression fails here when read seconds first: say so.
    const hint = fields !== secondsLast && secondsLast && parses(secondsLast, timezone)
      ? ` — if its seconds come last (pyncette, croniter), add seconds=last ` +
        `(secondsField: "last" in a task module)`
      : "";
    throw new UsageError(`cron expression "${expression}" is malformed: ${reason}${hint}`);
  }
  // A task that can never run would idle for ever, its record saying "done": refused instead.
  if (job.nextRun() === null) {
    throw new UsageError(
      `cron expression "${expression}" never matches a date (a day the month does not have?)`,
    );
  }
  const wall = isFixedTime(fields) ? cronJob(fields, "UTC") : undefined;
  return {
    spec: `cron ${fields} ${timezone}`,
    ...(wall ? fixedTime(wall, timezone) : wallClockPassing(job)),
  };
}

/** The instants of a cron job as croner gives them: its fields matched on the wall clock. */
function wallClockPassing(job: Cron): Pick<Timing, "next" | "latest" | "first"> {
  const next = (afterMs: number) => nextRun(job, afterMs);
  return {
    next,
    latest: (atMs) => previousRun(job, atMs),
    first: next,
  };
}

/**
 * A fixed-time job, matched on its zone's wall time (the job in UTC) and brought back to real
 * instants by {@link firstInstant}: a time skipped by a daylight-saving gap runs at the gap's
 * end, a time that happens twice runs the first time. As {@link firstInstant} never goes back
 * in time as wall time goes on, the ticks after an instant are the wall times after the last
 * one that has already come ({@link lastWallAt}).
 */
function fixedTime(wall: Cron, timezone: string): Pick<Timing, "next" | "latest" | "first"> {
  const next = (afterMs: number) => {
    const at = nextRun(wall, lastWallAt(afterMs, timezone));
    return at === undefined ? undefined : firstInstant(at, timezone);
  };
  return {
    next,
    latest: (atMs) => {
      const at = previousRun(wall, lastWallAt(atMs, timezone));
      return at === undefined ? undefined : firstInstant(at, timezone);
    },
    first: next,
  };
}

/**
 * Whether a job is fixed-time, as Vixie cron decides it: none of its seconds, minute and hour
 * fields starts with a wildcard. A wildcard job runs as the wall clock passes instead.
 */
function isFixedTime(fields: string): boolean {
  const parts = (NICKNAME_FIELDS[fields] ?? fields).split(" ");
  const [seconds, minute, hour] = parts.length === 6 ? parts : ["0", ...parts];
  return ![seconds, minute, hour].some((field) => /^[*?]/.test(field));
}

/** The cron nicknames croner knows, spelled out (to tell whether they are fixed-time). */
export const NICKNAME_FIELDS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** The first run strictly after `afterMs`. */
function nextRun(job: Cron, afterMs: number): number | undefined {
  // croner counts from the start of a second: an instant inside the tick's own second
  // would give that tick again.
  return job.nextRun(
    new Date(Math.floor(afterMs / 1000) * 1000 + (afterMs % 1000 === 0 ? 0 : 999)),
  )?.getTime();
}

/** The last run at or before `atMs`. */
function previousRun(job: Cron, atMs: number): number | undefined {
  return job.previousRuns(1, new Date(Math.floor(atMs) + 1))[0]?.getTime();
}

function cronJob(fields: string, timezone: string): Cron {
  // The same instants in UTC; croner reads a named zone through Intl, 8× slower a tick, which
  // a count of the ticks a long downtime left (a per-second task down for a day) pays 10⁵ times.
  const zone = timezone === "UTC" ? { utcOffset: 0 } : { timezone };
  return new Cron(fields, {
    paused: true,
    mode: "5-or-6-parts",
    domAndDow: bothDaysMatch(fields),
    ...zone,
  });
}

/**
 * Whether a day must match both the day of month and the day of week, as in Vixie cron: when
 * either field starts with `*` (`*\/2` too, which croner alone would combine with the other by
 * OR); when both are restricted, either matching will do.
 */
function bothDaysMatch(fields: string): boolean {
  const parts = fields.split(" ");
  if (parts.length < 5) return false;
  const [dayOfMonth, dayOfWeek] = [parts.at(-3)!, parts.at(-1)!];
  return /^[*?]/.test(dayOfMonth) || /^[*?]/.test(dayOfWeek);
}

function parses(fields: string, timezone: string): boolean {
  try {
    cronJob(fields, timezone);
    return true;
  } catch {
    return false;
  }
}
