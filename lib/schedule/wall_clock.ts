/**
 * A time zone's wall clock as a timeline of its own: local date and time written as epoch ms
 * as if they were UTC ("wall time"), and the way back to real instants across daylight-saving
 * gaps and repeated hours. A fixed-time cron job is matched on wall time and brought back with
 * {@link firstInstant}, which is what makes it run once on both kinds of transition day.
 *
 * @module
 */

const DAY_MS = 86_400_000;

const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * The zone's offset from UTC at a real instant, ms (`wall time − instant`).
 *
 * @example
 * ```ts
 * import { offsetAt } from "./wall_clock.ts";
 * offsetAt(Date.parse("2026-07-01T12:00:00Z"), "Europe/Ljubljana"); // 7_200_000
 * ```
 */
export function offsetAt(instant: number, timezone: string): number {
  // The default zone, asked for every tick of a fixed-time job: Intl takes ≈ 35 µs to say 0.
  if (timezone === "UTC") return 0;
  let format = formats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formats.set(timezone, format);
  }
  const part: Record<string, number> = {};
  for (const { type, value } of format.formatToParts(instant)) part[type] = Number(value);
  const wall = Date.UTC(part.year, part.month - 1, part.day, part.hour, part.minute, part.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * The real instant a wall time first happens: the only one, the earlier of two in a repeated
 * hour, or — for a wall time skipped by a gap — the gap's end (the instant clocks jump).
 *
 * @example
 * ```ts
 * import { firstInstant } from "./wall_clock.ts";
 * // 02:30 does not exist in New York on 2026-03-08: clocks jump from 02:00 to 03:00 EDT.
 * firstInstant(Date.parse("2026-03-08T02:30:00Z"), "America/New_York"); // 2026-03-08T07:00:00Z
 * ```
 */
export function firstInstant(wall: number, timezone: string): number {
  const before = offsetAt(wall - DAY_MS, timezone);
  const after = offsetAt(wall + DAY_MS, timezone);
  const candidates = [wall - before, wall - after]
    .filter((instant) => wall - instant === offsetAt(instant, timezone));
  if (candidates.length > 0) return Math.min(...candidates);
  return transition(wall - after, wall - before, timezone);
}

/**
 * The latest wall time whose {@link firstInstant} is at or before `instant`: the instant's own
 * wall time, except in the second pass of a repeated hour, whose wall times all first happened
 * before it.
 *
 * @example
 * ```ts
 * import { lastWallAt } from "./wall_clock.ts";
 * // 06:15Z is 01:15 EST, the second 01:15 in New York on 2026-11-01; 01:59:59.999 came first.
 * lastWallAt(Date.parse("2026-11-01T06:15:00Z"), "America/New_York"); // 2026-11-01T01:59:59.999Z
 * ```
 */
export function lastWallAt(instant: number, timezone: string): number {
  const wall = instant + offsetAt(instant, timezone);
  const first = firstInstant(wall, timezone);
  if (first >= instant) return wall;
  const end = transition(first, instant, timezone);
  return end + offsetAt(first, timezone) - 1;
}

/** The first instant in (from, to] whose offset is `to`'s: where the zone's offset changed. */
function transition(from: number, to: number, timezone: string): number {
  const target = offsetAt(to, timezone);
  let low = from;
  let high = to;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (offsetAt(middle, timezone) === target) high = middle;
    else low = middle;
  }
  return high;
}
