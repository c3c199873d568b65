/**
 * The values coord writes in a schedule record, field by field: a record whose fields hold
 * another type, a count below 0 or beyond 2^53, or an instant no clock reads (below 0, beyond
 * 2^53 ms, or a JSON number too big for a double) is another program's, and refused as such
 * rather than run by (a tick never reached, a lease that never ends) or shown as a date that is
 * none (`coord schedule status` failed on it as a bug, exit 70).
 *
 * @module
 */

// The SQL rows' checks and display too: one range for every stored instant and count.
import { instant as instantMs, shownValue, whole } from "../stored_values.ts";
import { storedTiming, type TimingOptions } from "./timing.ts";

/**
 * What coord writes at `path`: undefined when `value` is that, else the first value it never
 * writes there, as `path = value`.
 */
type Rule = (value: unknown, path: string) => string | undefined;

/** The value at `path` when `check` refuses it. */
const is = (check: (value: unknown) => boolean): Rule => (value, path) =>
  check(value) ? undefined : `${path} = ${shownValue(value)}`;

/** Runs, failures, ticks missed: whole, from 0; beyond 2^53 one more would change nothing. */
const count = is((v) => whole(v, 0));

/** A tick, a lease's end, a run's start: a backend clock's epoch ms. */
const instant = is(instantMs);

const text = is((v) => typeof v === "string");

const flag = is((v) => typeof v === "boolean");

/** Absent from a record is always coord's: older records lack the fields added later. */
const optional = (rule: Rule): Rule => (value, path) =>
  value === undefined ? undefined : rule(value, path);

/** A one-off task's `next` once it ran. */
const orNull = (rule: Rule): Rule => (value, path) =>
  value === null ? undefined : rule(value, path);

/** An object with `fields` (others, as a later version's, are let be). */
function object(fields: Record<string, Rule>): Rule {
  return (value, path) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return `${path} = ${shownValue(value)}`;
    }
    for (const [field, rule] of Object.entries(fields)) {
      const found = rule(
        (value as Record<string, unknown>)[field],
        path ? `${path}.${field}` : field,
      );
      if (found !== undefined) return found;
    }
  };
}

/** An array of items each `rule` accepts. */
function list(rule: Rule): Rule {
  return (value, path) =>
    Array.isArray(value)
      ? value.map((item, i) => rule(item, `${path}[${i}]`)).find((found) => found !== undefined)
      : `${path} = ${shownValue(value)}`;
}

/** An object whose every value, by key, `rule` accepts. */
function byKey(rule: Rule): Rule {
  return (value, path) =>
    object({})(value, path) ??
      Object.entries(value as Record<string, unknown>)
        .map(([key, item]) => rule(item, `${path}.${JSON.stringify(key)}`))
        .find((found) => found !== undefined);
}

/**
 * A dynamic instance's spec, as `schedule()` stores it: an object whose timing parses (its args
 * are any JSON). A spec no scheduler can run (`{}`, a bad cron) is another program's.
 */
const instanceSpec: Rule = (value, path) =>
  object({})(value, path) ??
    (storedTiming(value as TimingOptions) instanceof Error
      ? `${path} = ${shownValue(value)}`
      : undefined);

const OUTCOMES = ["running", "success", "failure", "interrupted", "abandoned"];

const LAST_RUN = object({
  tick: instant,
  owner: text,
  outcome: is((v) => OUTCOMES.includes(v as string)),
  startedAt: instant,
  finishedAt: optional(instant),
  error: optional(text),
  trigger: optional(text),
  aliveUntil: optional(instant),
});

const LEASE = object({
  owner: text,
  tick: instant,
  until: instant,
  claim: optional(text),
  failures: optional(count),
});

const TASK = object({
  spec: text,
  specSince: optional(instant),
  next: orNull(instant),
  lease: optional(LEASE),
  last: optional(LAST_RUN),
  runs: count,
  failures: count,
  consecutiveFailures: optional(count),
  retrying: optional(object({ tick: instant, failures: count })),
  triggers: optional(list(object({ id: text, requestedAt: instant }))),
  triggered: optional(LAST_RUN),
  paused: optional(flag),
  pausedAt: optional(instant),
  skipBefore: optional(instant),
  skipFrom: optional(instant),
  missed: optional(count),
  aliveAt: optional(instant),
  overlapping: optional(list(LEASE)),
  instance: optional(instanceSpec),
  revision: optional(text),
});

// An instance's timing inside an entry (as coord wrote it before listings) is checked where it
// is parsed, as a task file's.
const TEMPLATE = object({ instances: byKey(object({ revision: optional(text) })) });

/**
 * Where a schedule record (decoded, an object of its `type`) holds what coord never writes
 * there: `field = value` of the first such field, or undefined when every field is coord's.
 *
 * @example
 * ```ts
 * import { foreignValue } from "./record_values.ts";
 * foreignValue({ type: "task", spec: "@daily", next: -5, runs: 0, failures: 0 }, "task");
 * // "next = -5"
 * ```
 */
export function foreignValue(record: unknown, type: "task" | "template"): string | undefined {
  return (type === "task" ? TASK : TEMPLATE)(record, "");
}
