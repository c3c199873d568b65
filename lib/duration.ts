/**
 * Durations as people write them — `30s`, `1m`, `2h`, `500ms`, `1h30m` — read the same way by
 * every flag and option that takes one, the longest duration coord accepts, and durations
 * written as people read them (`21 min 11 s`), the same in every command and the console.
 *
 * @module
 */

/** Milliseconds in each unit a duration may be written in. */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * The longest duration any flag or option takes: 2^31-1 ms (24.8 days), the longest a timer
 * can wait — beyond it, timers fire at once (with a TimeoutOverflowWarning).
 */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/**
 * Reads a duration written with units (`30s`, `1h30m`, `250ms`, `1.5s`) as milliseconds, or
 * undefined when `text` is not one: also when it gives a unit twice (`1h1h`).
 *
 * @example
 * ```ts
 * import { unitDurationMs } from "./duration.ts";
 * unitDurationMs("1m30s"); // 90000
 * unitDurationMs("soon"); // undefined
 * unitDurationMs("1h1h"); // undefined
 * ```
 */
export function unitDurationMs(text: string): number | undefined {
  // The whole text, nothing around it: a stray space is more likely a quoting mistake than
  // something to guess past.
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) return undefined;
  // A unit twice is more likely a slip (`1h1h` for `1h1m`, a pasted value) than two to add up.
  if (new Set(parts.map((p) => p[2])).size !== parts.length) return undefined;
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit], 0);
}

/**
 * Reads a duration given in seconds (`30`, `0.5`) or with units (`30s`, `2m`, `500ms`) as
 * milliseconds, or undefined when `text` is neither: a negative number, a word, or a number as
 * JavaScript would read one but README does not document (`1e3`, `.5`, `+5`, ` 5`).
 *
 * @example
 * ```ts
 * import { secondsOrDurationMs } from "./duration.ts";
 * secondsOrDurationMs("1.5"); // 1500
 * secondsOrDurationMs("2m"); // 120000
 * ```
 */
export function secondsOrDurationMs(text: string): number | undefined {
  // Digits with an optional fraction, as the units take them: `Number()` alone would also
  // take exponents, signs, hex and whitespace.
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  return unitDurationMs(text);
}

/**
 * A duration in ms as people read it, two units at most: `850 ms`, `12.5 s`, `3 min`,
 * `2 h 5 min`, `7 d 8 h`; a negative one (a clock a little behind) as none.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./duration.ts";
 * formatDuration(90_000); // "1 min 30 s"
 * ```
 */
export function formatDuration(ms: number): string {
  ms = Math.max(0, ms);
  if (Math.round(ms) < 1_000) return `${Math.round(ms)} ms`;
  // Rounded to the unit shown before it is split, so that 59.96 s reads "1 min", not "60 s",
  // and 119.7 s "2 min", not "1 min 60 s".
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${tenths / 10} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3_600) {
    const rest = seconds % 60;
    return rest ? `${Math.floor(seconds / 60)} min ${rest} s` : `${Math.floor(seconds / 60)} min`;
  }
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  }
  return hours % 24 ? `${Math.floor(hours / 24)} d ${hours % 24} h` : `${Math.floor(hours / 24)} d`;
}
