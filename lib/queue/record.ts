/**
 * Reading a job as a backend stored it, refusing what coord did not write.
 *
 * @module
 */

import { ForeignDataError } from "../errors.ts";
import { instant, whole } from "../stored_values.ts";
import { MAX_PRIORITY } from "./limits.ts";
import type { JobRecord, JobSpec, JobState, ListState } from "./steps.ts";

/** Every state a job coord wrote may be in. */
export const JOB_STATES: readonly JobState[] = [
  "waiting",
  "pending",
  "active",
  "completed",
  "failed",
  "cancelled",
];
/**
 * The state `list` shows a job under at `now` (backend clock): "scheduled" for a pending job
 * whose start is still to come, else its state — the rule each backend's listing applies.
 *
 * @example
 * ```ts
 * import { listedState } from "./record.ts";
 * const job = { state: "pending", readyAt: 2_000 } as const;
 * listedState(job, 1_000); // "scheduled"
 * ```
 */
export function listedState(job: Pick<JobRecord, "state" | "readyAt">, now: number): ListState {
  return job.state === "pending" && job.readyAt > now ? "scheduled" : job.state;
}

/** The state fields the steps compute with. */
const NUMBERS = ["attempts", "stalls", "readyAt", "createdAt"] as const;
/** Those that count from 0, with the optional one: beyond 2^53 adding one may change nothing. */
const TALLIES = ["attempts", "stalls", "failures"] as const;
/** The times a job keeps, with the optional ones. */
const TIMES = ["readyAt", "createdAt", "startedAt", "finishedAt", "beginBy", "leaseUntil"] as const;
/** The last instant a JavaScript Date holds: a later one could not be shown. */
const LAST_DATE_MS = 8.64e15;

/**
 * A job from its stored parts: coord's state fields (JSON, or the object a SQL step built from
 * its columns: no text to parse), the spec and the result as given.
 *
 * @throws {ForeignDataError} when they are not coord's.
 * @example
 * ```ts
 * import { jobRecord } from "./record.ts";
 * const state = { id: "1", state: "pending", attempts: 0, stalls: 0, readyAt: 0, createdAt: 0 };
 * jobRecord("q", JSON.stringify(state), '{"handler":"h","retries":0,"backoffMs":0}').state;
 * // "pending"
 * ```
 */
export function jobRecord(
  queue: string,
  state: string | Record<string, unknown>,
  specJson: string,
  resultJson?: string,
  inputsJson?: string,
  progressJson?: string,
): JobRecord {
  const foreign = (held: string): never => {
    throw new ForeignDataError(foreignJob(queue, held));
  };
  const read = (json: string | undefined, valid: (value: unknown) => boolean) => {
    if (json === undefined) return undefined;
    try {
      const value = JSON.parse(json);
      if (valid(value)) return value;
    } catch {
      // reported below
    }
    return foreign(json);
  };
  const fields = typeof state === "string"
    ? read(state, isState)
    : isState(state)
    ? state
    : foreign(JSON.stringify(state));
  const spec = read(specJson, isJobSpec) as JobSpec;
  const result = read(resultJson, () => true);
  const inputs = read(inputsJson, Array.isArray);
  const progress = read(progressJson, () => true);
  return {
    failures: 0,
    ...fields,
    spec,
    ...(resultJson !== undefined && { result }),
    ...(inputs !== undefined && { inputs }),
    ...(progressJson !== undefined && { progress }),
  } as JobRecord;
}

/**
 * The one line saying `queue` holds `count` jobs that `coord queue show` refuses, naming the
 * first, `id`, refused with `reason` (its own message): what status, doctor and remove say.
 *
 * @example
 * ```ts
 * import { foreignJob, unreadableJobs } from "./record.ts";
 * unreadableJobs("q", 2, "7", foreignJob("q", "junk"));
 * // 'queue "q": 2 jobs coord cannot read (q/7: a job holds "junk" and 1 more) — …'
 * ```
 */
export function unreadableJobs(queue: string, count: number, id: string, reason: string): string {
  const where = `queue ${JSON.stringify(queue)}`;
  // The first's own way out ("delete the row…") is for that job alone; named, as not every
  // refusal names its job ("a job holds …").
  const first = `${queue}/${id}: ${reason.split(" — ")[0].replace(`${where}: `, "")}`;
  const others = count > 1 ? ` and ${count - 1} more` : "";
  return `${where}: ${count} job${count === 1 ? "" : "s"} coord cannot read (${first}${others}) ` +
    `— another program wrote there; coord doctor lists them`;
}

/** The characters of a job's held text that {@link foreignJob} shows. */
const HELD_SHOWN = 60;

/**
 * The bytes of a refused job's held text a step sends for {@link foreignJob}: its first 60
 * characters (UTF-16) in any UTF-8, 3 bytes each at most, and one cut short after them. A value
 * of megabytes another program wrote is not sent whole to show 60 characters of it.
 */
export const HELD_PREFIX_BYTES = HELD_SHOWN * 3 + 3;

/**
 * Why a job's stored `held` text is refused: what it holds (its first 60 characters: only
 * {@link HELD_PREFIX_BYTES} of it need be read), and what to do.
 */
export function foreignJob(queue: string, held: string): string {
  return `queue "${queue}": a job holds ${JSON.stringify(held.slice(0, HELD_SHOWN))} — another ` +
    `program wrote there; remove it or use another --namespace`;
}

/**
 * What a job whose record another program deleted fails with, where the backend still meets
 * it: a flow's part in its turn, or (on Redis) an id left in the run order or running.
 *
 * @example
 * ```ts
 * import { DELETED_JOB } from "./record.ts";
 * `part f.1 failed: ${DELETED_JOB}`; // what its flow's group fails with
 * ```
 */
export const DELETED_JOB = "its record was deleted by another program";

/**
 * Whether `value` is a JSON object: not null, not an array.
 *
 * @example
 * ```ts
 * import { isObject } from "./record.ts";
 * isObject({}); // true
 * isObject([]); // false
 * ```
 */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Whether a spec is one coord writes (as `spec_ok` in ../backend/redis/queue/includes/job.lua):
 * empty (a group's, or a job's failed as unreadable), or a handler's name or a command's argv
 * with whole retries and a backoff. A worker would otherwise run the first letter of a command
 * given as text, or retry for ever a failure whose delay is not a number.
 *
 * @example
 * ```ts
 * import { isJobSpec } from "./record.ts";
 * isJobSpec({ command: ["make"], retries: 0, backoffMs: 1_000 }); // true
 * isJobSpec({ command: "make", retries: 0, backoffMs: 1_000 }); // false
 * ```
 */
export function isJobSpec(spec: unknown): boolean {
  if (!isObject(spec)) return false;
  if (Object.keys(spec).length === 0) return true;
  const { handler, command, retries, backoffMs, timeoutMs } = spec;
  const runs = command === undefined
    ? typeof handler === "string"
    : handler === undefined && Array.isArray(command) && command.length > 0 &&
      command.every((arg) => typeof arg === "string");
  return runs && Number.isSafeInteger(retries) && (retries as number) >= 0 &&
    Number.isFinite(backoffMs) && (backoffMs as number) >= 0 &&
    (timeoutMs === undefined || (Number.isFinite(timeoutMs) && (timeoutMs as number) > 0));
}

/** Whether `value` is an instant coord keeps of a job: one a Date can show. */
export function shownTime(value: unknown): boolean {
  return instant(value) && (value as number) <= LAST_DATE_MS;
}

function isState(state: unknown): state is Record<string, unknown> {
  // Finite: JSON has no infinity, but a SQL row built into the state has what its columns hold.
  // A count below 0 or beyond 2^53 would not fence an attempt, a time past a Date's last could
  // not be shown, a priority beyond what a put takes was run ahead of every job: another
  // program's.
  return isObject(state) && typeof state.id === "string" &&
    JOB_STATES.includes(state.state as JobState) &&
    NUMBERS.every((field) => Number.isFinite(state[field])) &&
    TALLIES.every((field) => state[field] === undefined || whole(state[field], 0)) &&
    (state.priority === undefined || whole(state.priority, -MAX_PRIORITY, MAX_PRIORITY)) &&
    TIMES.every((field) => state[field] === undefined || shownTime(state[field])) &&
    (state.keep === undefined || isObject(state.keep)) &&
    (state.groupKey === undefined || typeof state.groupKey === "string") &&
    (state.group === undefined ||
      (isObject(state.group) && Array.isArray(state.group.children)));
}
