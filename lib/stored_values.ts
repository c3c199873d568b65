/**
 * The ranges of the values coord stores — whole counts, instants a clock reads — and how a
 * stored value is shown when refused: one rule for every record and row, whichever backend or
 * primitive checks it (the SQL steps' rows, the schedule's JSON records).
 *
 * @module
 */

/**
 * A stored value as a refusal shows it: JSON, cut at 60 characters; an integer no JavaScript
 * number holds keeps its digits.
 *
 * @example
 * ```ts
 * import { shownValue } from "./stored_values.ts";
 * shownValue(2n ** 53n + 1n); // "9007199254740993"
 * ```
 */
export function shownValue(value: unknown): string {
  if (value instanceof Uint8Array) return `a blob of ${value.length} bytes`;
  // JSON has no spelling for these: it would show them as null.
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  // A field that is not there shows as such, not as nothing after its `=`.
  const text = JSON.stringify(value, (_, v) => typeof v === "bigint" ? String(v) : v) ??
    "missing";
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Whether `value` is a whole number from `min` to `max` (which may be read from the same row or
 * record).
 *
 * @example
 * ```ts
 * import { whole } from "./stored_values.ts";
 * whole(3, 1); // true
 * whole(-3, 1); // false
 * ```
 */
export function whole(
  value: unknown,
  min: unknown,
  max: unknown = Number.MAX_SAFE_INTEGER,
): boolean {
  return Number.isSafeInteger(value) && (value as number) >= (min as number) &&
    (value as number) <= (max as number);
}

/**
 * Whether `value` is an instant as coord writes one: a backend clock's epoch ms, from 0 to
 * 2^53 (a fraction allowed: Redis' TIME has microseconds). Not a number, below 0 or beyond
 * (Infinity among them), no clock read it: a lease would never end, a release never come, a
 * date shown would be none.
 *
 * @example
 * ```ts
 * import { instant } from "./stored_values.ts";
 * instant(1_700_000_000_000.5); // true
 * instant(Infinity); // false
 * ```
 */
export function instant(value: unknown): boolean {
  return typeof value === "number" && value >= 0 && value <= Number.MAX_SAFE_INTEGER;
}
