/**
 * Putting many jobs at once: a batch a step, every job checked before anything is stored.
 *
 * @module
 */

import type { Backend } from "../backend/types.ts";
import { UsageError } from "../errors.ts";
import { checkQueueName, jobBytes, jobRef, type PutOptions, putRequestOf } from "./queue.ts";
import { MAX_JOB_BYTES } from "./limits.ts";
import { parseKeep } from "./retention.ts";
import type { Keep, PutRequest } from "./steps.ts";
import { parseInstant } from "../time.ts";

/** Jobs stored by one backend step at most. */
export const PUT_BATCH = 500;

/**
 * Puts jobs in a queue, {@link PUT_BATCH} to a backend step (fewer when together they pass
 * {@link MAX_JOB_BYTES}). Every job is checked first, so a
 * malformed one stores nothing; a step the backend refuses (foreign data) or cannot take (an
 * outage) leaves the batches before it stored: `onStored` is told of each as it is.
 *
 * @returns each job's reference and whether it is new, in order.
 * @throws {UsageError} naming the first malformed job by its index.
 * @example
 * ```ts
 * import { connect, putJobs } from "../mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await putJobs(backend, "q", [{ handler: "a" }, { handler: "b", args: 2 }]);
 * // [{ ref: "q/1", created: true }, { ref: "q/2", created: true }]
 * ```
 */
export async function putJobs(
  backend: Backend,
  queue: string,
  jobs: PutOptions[],
  { onStored }: { onStored?: (batch: { ref: string; created: boolean }[]) => void } = {},
): Promise<{ ref: string; created: boolean }[]> {
  checkQueueName(queue);
  const requests = jobs.map((options, i) => {
    try {
      return putRequestOf(options);
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`job ${i}: ${e.message}`);
      throw e;
    }
  });
  const refs: { ref: string; created: boolean }[] = [];
  for (const requestBatch of putBatches(requests)) {
    const stored = await backend.queue.putMany(queue, requestBatch);
    const batch = stored.map(({ job, created }) => ({ ref: jobRef(queue, job.id), created }));
    refs.push(...batch);
    onStored?.(batch);
  }
  return refs;
}

/**
 * `requests` in the batches a step each stores: {@link PUT_BATCH} jobs, fewer when their specs
 * would pass {@link MAX_JOB_BYTES} together.
 */
function* putBatches(requests: PutRequest[]): Generator<PutRequest[]> {
  let batch: PutRequest[] = [];
  let bytes = 0;
  for (const request of requests) {
    const size = jobBytes(request.spec);
    if (batch.length === PUT_BATCH || (batch.length > 0 && bytes + size > MAX_JOB_BYTES)) {
      yield batch;
      [batch, bytes] = [[], 0];
    }
    batch.push(request);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

/** The fields a job line takes: {@link PutOptions}' with durations in seconds, as on the CLI. */
const LINE_KEYS = [
  "handler",
  "args",
  "command",
  "id",
  "delay",
  "at",
  "beginBy",
  "retries",
  "backoff",
  "timeout",
  "dedupe",
  "dedupeFor",
  "priority",
  "keep",
  "group",
];

/**
 * Reads job lines (JSON Lines: one job an object a line; blank lines skipped), each checked as
 * {@link putJob} would.
 *
 * @throws {UsageError} `FILE:LINE: what is wrong` at the first bad line.
 * @example
 * ```ts
 * import { jobLines } from "./bulk.ts";
 * jobLines('{"handler": "resize", "args": 1, "retries": 2}\n', "jobs.jsonl").length; // 1
 * ```
 */
export function jobLines(text: string, file: string): PutOptions[] {
  const jobs: PutOptions[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const fail = (why: string): never => {
      throw new UsageError(`${file}:${i + 1}: ${why}`);
    };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      fail(`not JSON: ${e instanceof Error ? e.message : e}`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      fail('a job is an object, e.g. {"handler": "resize", "args": 1}');
    }
    const fields = value as Record<string, unknown>;
    const unknown = Object.keys(fields).find((k) => !LINE_KEYS.includes(k));
    if (unknown !== undefined) {
      fail(`a job takes no "${unknown}" (it takes ${LINE_KEYS.join(", ")})`);
    }
    const keepOf = (text: unknown): Keep => {
      if (typeof text !== "string") fail(`keep: "forever", a count, a duration or both, as --keep`);
      try {
        return parseKeep("keep", text as string);
      } catch (e) {
        return fail(e instanceof Error ? e.message : String(e));
      }
    };
    const seconds = (key: string) => {
      const v = fields[key];
      if (v === undefined) return undefined;
      if (typeof v !== "number") fail(`${key}: a number of seconds`);
      return (v as number) * 1000;
    };
    let at: number | undefined;
    if (fields.at !== undefined) {
      at = typeof fields.at === "string" ? parseInstant(fields.at) : NaN;
      if (!Number.isFinite(at)) fail(`at: an ISO 8601 time`);
    }
    const options: PutOptions = {
      ...(fields.handler !== undefined && { handler: fields.handler as string }),
      ...(fields.args !== undefined && { args: fields.args }),
      ...(fields.command !== undefined && { command: fields.command as string[] }),
      ...(fields.id !== undefined && { id: fields.id as string }),
      ...(fields.delay !== undefined && { delayMs: seconds("delay") }),
      ...(at !== undefined && { at }),
      ...(fields.beginBy !== undefined && { beginByMs: seconds("beginBy") }),
      ...(fields.retries !== undefined && { retries: fields.retries as number }),
      ...(fields.backoff !== undefined && { backoffMs: seconds("backoff") }),
      ...(fields.timeout !== undefined && { timeoutMs: seconds("timeout") }),
      ...(fields.dedupe !== undefined && { dedupe: fields.dedupe as string }),
      ...(fields.dedupeFor !== undefined && { dedupeForMs: seconds("dedupeFor") }),
      ...(fields.priority !== undefined && { priority: fields.priority as number }),
      ...(fields.keep !== undefined && { keep: keepOf(fields.keep) }),
      ...(fields.group !== undefined && { group: fields.group as string }),
    };
    for (const key of ["id", "dedupe", "group"] as const) {
      if (options[key] !== undefined && typeof options[key] !== "string") fail(`${key}: a string`);
    }
    try {
      // A job line's fields are in seconds, named without "Ms".
      putRequestOf(options, (option) => ({ name: option.replace(/Ms$/, ""), unit: "s" }));
    } catch (e) {
      if (e instanceof UsageError) fail(e.message);
      throw e;
    }
    jobs.push(options);
  });
  return jobs;
}
