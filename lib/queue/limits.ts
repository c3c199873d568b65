/**
 * The ranges of a queue's durations and sizes, checked where a value enters the library (the
 * CLI passes its flags through the same checks), so a number no timer or backend can hold is
 * refused with its name instead of misbehaving later (a timer past 2^31 ms fires at once).
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { shownValue } from "../stored_values.ts";
import type { Keep } from "./steps.ts";

/** The longest a timer can wait: a job's timeout, a lease, a grace period. */
export { MAX_DURATION_MS as MAX_TIMER_MS } from "../duration.ts";
/** The furthest a job can be put off (`delay`, `begin-by`, `backoff`): ten years. */
export const MAX_DELAY_MS = 10 * 365 * 24 * 3_600_000;
/** The shortest lease a worker can keep renewed. */
export { MIN_LEASE_MS } from "../lease.ts";
/** Retries one job may ask for. */
export const MAX_RETRIES = 1_000;
/** The highest priority a job may have; the lowest is its negative. */
export const MAX_PRIORITY = 1_000;
/** The most jobs of one group a queue may let run at once (`--group-limit`). */
export const MAX_GROUP_LIMIT = 1_000_000;
/** Jobs one worker may run at once. */
export const MAX_CONCURRENCY = 10_000;
/** How deep a flow's groups may nest. */
export const MAX_FLOW_DEPTH = 32;
/** Jobs and groups in one flow. */
export const MAX_FLOW_NODES = 10_000;
/**
 * How deep a job's args may nest arrays and objects. The backends read a job's stored spec
 * back as JSON in their own steps, and their readers stop at 1000 levels (Redis's cjson in a
 * script, SQLite's `json_valid`): a job nested deeper was stored, then taken for another
 * program's data by the steps that check it (a retry refused with 65, a worker's end of it on
 * SQLite never recorded). The spec around the args, and a flow's results around a part's, nest
 * further, hence the room left.
 */
export const MAX_ARGS_DEPTH = 512;
/**
 * The most a job's spec (its handler or command, args and options, as JSON in UTF-8) may take,
 * and the most specs one put step stores together. PostgreSQL ends a step whose next statement
 * is not in within 5 s of the last (`IDLE_IN_STEP_MS`): a job of 20 MB, quoted as SQL text,
 * took longer, and its put failed as an outage (69, write EPIPE) where the other backends stored
 * it. And one Redis script holds up every other client while it runs.
 */
export const MAX_JOB_BYTES = 1_048_576;

/**
 * The most a flow's jobs may take together (the list of their specs as JSON in UTF-8; each is
 * bounded by {@link MAX_JOB_BYTES} too). A flow is stored in one step, which cannot be split as
 * `putJobs` splits its jobs into steps of at most 1 MiB: a flow must appear whole. One Redis
 * script storing it holds up every other client meanwhile. Measured on a busy 2-core machine,
 * with specs of quotes when each was escaped a second time inside the list the script decoded:
 * 4 MiB held them up for 0.2 s, 8 MiB for 0.55 s, 16 MiB for 1 s (30 parts of 900 KB, 2.2 s);
 * plain text took about half as long. Specs now go as arguments of their own, stored as they
 * come, which sends 4 MiB of quotes in half the bytes and about 60 % of the script's time
 * (bench/README.md). 4 MiB still holds {@link MAX_FLOW_NODES} jobs of 400 bytes each.
 */
export const MAX_FLOW_BYTES = 4 * MAX_JOB_BYTES;

/** A bound on the bytes a stored value takes as JSON, and what holds it, as a refusal says. */
export interface SizeLimit {
  /** The most it may take, in bytes of UTF-8. */
  maxBytes: number;
  /** What holds it, in the message: "a job", "a flow". */
  holder: string;
}

/** What a job may hold: {@link MAX_JOB_BYTES}. */
const JOB_SIZE: SizeLimit = { maxBytes: MAX_JOB_BYTES, holder: "a job" };

/**
 * Why `json`, a value coord stores (a job's spec, its result, its progress; by default bounded
 * as a job is), named `what`, is too large to store; undefined when it fits.
 *
 * @example
 * ```ts
 * import { MAX_FLOW_BYTES, oversize } from "./limits.ts";
 * oversize("the result", JSON.stringify("x".repeat(2_000_000)));
 * // "the result is 2000002 bytes as JSON, over the 1 MiB (1048576 bytes) … — keep the data …"
 * oversize("the result", "{}"); // undefined
 * oversize("the list of its jobs", "[]", { maxBytes: MAX_FLOW_BYTES, holder: "a flow" });
 * // undefined
 * ```
 */
export function oversize(
  what: string,
  json: string,
  { maxBytes, holder }: SizeLimit = JOB_SIZE,
): string | undefined {
  const bytes = new TextEncoder().encode(json).length;
  if (bytes <= maxBytes) return undefined;
  return `${what} is ${bytes} bytes as JSON, over the ${maxBytes / 1_048_576} MiB ` +
    `(${maxBytes} bytes) ${holder} may hold — keep the data elsewhere (a file, a database) and ` +
    `pass its name`;
}

/**
 * Checks that JSON holds `value` (a job's or a triggered run's args, named `what`), as it is
 * stored: a BigInt, a cycle or a function cannot be, and Infinity or NaN (or 1e400, which
 * `JSON.parse` reads as Infinity) would become null without a word.
 *
 * @returns its JSON.
 * @throws {UsageError} naming what JSON cannot hold.
 * @example
 * ```ts
 * import { checkJson } from "./limits.ts";
 * checkJson("args", { to: "ana" }); // '{"to":"ana"}'
 * ```
 */
export function checkJson(what: string, value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value, (_key, v) => {
      if (typeof v === "number" && !Number.isFinite(v)) {
        throw new UsageError(`${what} hold ${v}, a number JSON has not — give it as text`);
      }
      return v;
    });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${what} are not JSON: ${e instanceof Error ? e.message : e}`);
  }
  if (json === undefined) throw new UsageError(`${what} are not JSON: a ${typeof value}`);
  return json;
}

/**
 * Checks that `json` (a job's args as JSON, named `what`) nests arrays and objects at most
 * {@link MAX_ARGS_DEPTH} deep. Read from the text, without recursion, so any depth JSON.stringify
 * wrote is measured.
 *
 * @throws {UsageError} naming the depth and the limit.
 * @example
 * ```ts
 * import { checkNesting } from "./limits.ts";
 * checkNesting("args", '{"to":["ana"]}'); // fine: 2 deep
 * ```
 */
export function checkNesting(what: string, json: string): void {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) deepest = Math.max(deepest, ++depth);
    else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
  if (deepest > MAX_ARGS_DEPTH) {
    throw new UsageError(
      `${what} nest arrays and objects ${deepest} deep, over the ${MAX_ARGS_DEPTH} a job's ` +
        `args may — flatten them, or give the deep part as text (a JSON string)`,
    );
  }
}

const [QUOTE, BACKSLASH, OPEN_ARRAY, CLOSE_ARRAY, OPEN_OBJECT, CLOSE_OBJECT] = [...'"\\[]{}']
  .map((c) => c.charCodeAt(0));

/**
 * A checked value's name in a message, as its giver wrote it, with the unit they wrote it in: a
 * library option (`{ name: "delayMs", unit: "ms" }`), a CLI flag or a file's field in seconds
 * (`{ name: "--delay", unit: "s" }`). A bare string is a CLI flag's name without `--`.
 */
export type ValueName = string | { name: string; unit: "ms" | "s" };

/** The name and unit of `what` (see {@link ValueName}). */
function named(what: ValueName): { name: string; unit: "ms" | "s" } {
  return typeof what === "string" ? { name: `--${what}`, unit: "s" } : what;
}

/**
 * Checks a duration given in ms, named in the message as its giver named it (see
 * {@link ValueName}).
 *
 * @throws {UsageError} when it is not a number from `minMs` to `maxMs`.
 * @example
 * ```ts
 * import { checkDuration, MAX_TIMER_MS } from "./limits.ts";
 * checkDuration("timeout", 5_000, { minMs: 1, maxMs: MAX_TIMER_MS }); // 5000
 * checkDuration({ name: "timeoutMs", unit: "ms" }, 5_000, { maxMs: MAX_TIMER_MS }); // 5000
 * ```
 */
export function checkDuration(
  what: ValueName,
  ms: number,
  { minMs = 0, maxMs }: { minMs?: number; maxMs: number },
): number {
  if (typeof ms !== "number" || !(ms >= minMs && ms <= maxMs)) {
    const { name, unit } = named(what);
    const inUnit = (n: number) => unit === "s" ? n / 1000 : n;
    const range = maxMs === Infinity
      ? `≥ ${inUnit(minMs)}`
      : `from ${inUnit(minMs)} to ${inUnit(maxMs)}`;
    const got = typeof ms === "number" ? inUnit(ms) : JSON.stringify(ms);
    const units = unit === "s" ? "seconds" : "milliseconds";
    throw new UsageError(`${name} must be a number of ${units} ${range}, got ${got}`);
  }
  return ms;
}

/** The most finished jobs of a state a queue may be told to keep by count. */
export const MAX_KEEP_COUNT = 100_000_000;

/**
 * Checks what retention keeps, a program's option (`keepCompleted`): a count and/or an age,
 * `{}` for forever.
 *
 * @throws {UsageError} when it is not `{ count?, ageMs? }` within range.
 */
export function checkKeep(option: string, keep: Keep): Keep {
  if (typeof keep !== "object" || keep === null || Array.isArray(keep)) {
    throw new UsageError(`${option} must be { count?, ageMs? }, got ${JSON.stringify(keep)}`);
  }
  return {
    ...(keep.count !== undefined && {
      count: checkCount({ name: `${option}.count`, unit: "ms" }, keep.count, 0, MAX_KEEP_COUNT),
    }),
    ...(keep.ageMs !== undefined && {
      ageMs: checkKeepAge({ name: `${option}.ageMs`, unit: "ms" }, keep.ageMs),
    }),
  };
}

/** Checks how long retention keeps a job (ms). */
export function checkKeepAge(what: ValueName, ms: number): number {
  return checkDuration(what, ms, { minMs: 1, maxMs: MAX_DELAY_MS });
}

/**
 * Checks a whole number, named in the message as its giver named it (see {@link ValueName}).
 *
 * @throws {UsageError} when it is not a whole number from `min` to `max`.
 */
export function checkCount(what: ValueName, n: number, min: number, max: number): number {
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(
      `${named(what).name} must be a whole number from ${min} to ${max}, got ${shownValue(n)}`,
    );
  }
  return n;
}
