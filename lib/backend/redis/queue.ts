/**
 * Queue steps on Redis: each step one run of its own script, `queue/<step>.lua`, which
 * includes what it shares with other steps from `queue/includes/`.
 *
 * @module
 */

import type {
  Attempt,
  FailedInStep,
  FailUndecodable,
  Finish,
  FinishAndClaim,
  FinishedAndClaimed,
  FinishedState,
  FlowNode,
  JobRecord,
  Keep,
  ListCursor,
  ListState,
  PutRequest,
  PutResult,
  QueueConfig,
  QueueCounts,
  QueueRemoval,
  QueueSteps,
  Undecodable,
  UndecodableFailed,
  UnreadablePage,
} from "../../queue/steps.ts";
import {
  DEFAULT_KEEP,
  FINISHED_STATES,
  MAX_REMOVED,
  MAX_STALLS,
  TRIM_BATCH,
} from "../../queue/steps.ts";
import type { RedisBackend } from "./backend.ts";
import { RedisSteps, scriptPerStep } from "./script.ts";
import { DELETED_JOB, foreignJob, HELD_PREFIX_BYTES, jobRecord } from "../../queue/record.ts";
import { listedParts } from "./counted_group.ts";
import { ForeignDataError } from "../../errors.ts";
import { shellWord } from "../../shell_word.ts";

/** The Redis type of each key a queue keeps (checked by the script and by doctor). */
export const QUEUE_KEY_TYPES = {
  jobs: "hash",
  specs: "hash",
  results: "hash",
  pending: "zset",
  active: "zset",
  totals: "hash",
  workers: "zset",
  counter: "string",
  inputs: "hash",
  waiting: "zset",
  done_completed: "zset",
  done_failed: "zset",
  done_cancelled: "zset",
  config: "hash",
  removed: "zset",
  dedupe: "hash",
  dedupe_until: "zset",
  progress: "hash",
  ready: "zset",
  promoted: "string",
  trimmed_completed: "zset",
  trimmed_failed: "zset",
  trimmed_cancelled: "zset",
  expiring: "zset",
  outlived: "zset",
  parked: "zset",
  groups: "hash",
};

/**
 * The queue's steps on Redis, each run by the script `queue/<step>.lua`: the one list of them,
 * so a step without a script, or a script no step runs, fails a unit test.
 */
export const QUEUE_STEPS = [
  "put",
  "putmany",
  "putflow",
  "renew",
  "progress",
  "finish",
  "fail_undecodable",
  "cancel",
  "get",
  "purge",
  "remove",
  "unreadable",
  "removed",
  "config",
  "list",
  "retry",
  "promote",
  "counts",
  "check",
  "announce",
] as const;

/** One of the queue's steps on Redis. */
export type QueueStep = typeof QUEUE_STEPS[number];

/** What the steps that end jobs trim by when a queue was never configured. */
const TRIM = JSON.stringify({ ...DEFAULT_KEEP, batch: TRIM_BATCH, maxRemoved: MAX_REMOVED });

/**
 * A put's arguments to the script: id ('' for the next number), spec, when, begin-by, dedupe key
 * and window, priority, its own retention, its group.
 */
function putArgs(r: PutRequest): string[] {
  return [
    r.id ?? "",
    JSON.stringify(r.spec),
    r.at === undefined ? `+${Math.round(r.delayMs)}` : String(Math.round(r.at)),
    r.beginByMs === undefined ? "" : String(Math.round(r.beginByMs)),
    r.dedupe?.key ?? "",
    String(Math.round(r.dedupe?.forMs ?? 0)),
    String(r.priority ?? 0),
    r.keep === undefined ? "" : JSON.stringify(r.keep),
    r.groupKey ?? "",
  ];
}

function putReply(queue: string, reply: string[], at: number): PutResult {
  const [created, state, spec, deduplicated] = reply.slice(at, at + 4);
  return {
    job: storedRecord(queue, state, spec),
    created: Number(created) === 1,
    ...(Number(deduplicated) === 1 && { deduplicated: true }),
  };
}

/**
 * The finish step's arguments: the claims' worker, lease, number, stall limit and the retention
 * defaults, the ids the worker runs after a lost answer, then six for each run (see
 * `queue/finish.lua`). Payloads travel as they are, so a result is stored as the JSON text it
 * was given.
 */
function finishArgs(r: FinishAndClaim): (string | number)[] {
  const holding = r.holding ? JSON.stringify(r.holding) : "";
  const args: (string | number)[] = [
    r.worker,
    Math.round(r.leaseMs),
    r.claims,
    MAX_STALLS,
    TRIM,
    holding,
  ];
  for (const run of r.finishes) {
    const payload = run.outcome === "completed"
      ? JSON.stringify(run.result ?? null)
      : run.outcome === "release"
      ? ""
      : run.error;
    const delayMs = run.outcome === "retry" ? Math.round(run.delayMs) : 0;
    args.push(run.id, run.worker, run.attempt, run.outcome, payload, delayMs);
  }
  return args;
}

/**
 * The finish step's reply: what was recorded, the jobs taken, and where taking stopped. Taken
 * jobs whose stored parts coord cannot read are handed back to fail (each is the worker's now,
 * and would otherwise wait out its lease), with the one taking stopped at and its stored parts'
 * fingerprint.
 */
function finishReply(queue: string, reply: string[]): FinishedAndClaimed {
  const [recorded, nextReadyAt, stoppedAt, held, failed, now, stoppedAtFingerprint, deleted] =
    reply;
  const jobs: JobRecord[] = [];
  const undecodable: Undecodable[] = [];
  for (let i = 8; i < reply.length; i += 5) {
    const [state, spec, inputs, id, attempt] = reply.slice(i, i + 5);
    try {
      jobs.push(storedRecord(queue, state, spec, undefined, inputs || undefined));
    } catch (e) {
      if (!(e instanceof ForeignDataError)) throw e;
      undecodable.push({ id, reason: e.message, attempt: Number(attempt) });
    }
  }
  if (stoppedAt !== "") {
    // A record deleted is no text another program wrote (`a job holds ""` said it was).
    const reason = deleted === "1" ? { reason: DELETED_JOB, deleted: true } : {
      reason: foreignJob(queue, held),
    };
    undecodable.push({ id: stoppedAt, ...reason, fingerprint: stoppedAtFingerprint });
  }
  return {
    recorded: [...recorded].map((flag) => flag === "1"),
    jobs,
    ...(undecodable.length > 0 && { undecodable }),
    // Written by the script from the job records it read, so coord's own.
    ...(failed !== "" && { failed: JSON.parse(failed) as FailedInStep[] }),
    ...(nextReadyAt !== "" && { nextReadyAt: Number(nextReadyAt) }),
    now: Number(now),
  };
}

/** Queue steps over one {@link RedisBackend}. */
export class RedisQueueSteps extends RedisSteps<QueueStep> implements QueueSteps {
  constructor(backend: RedisBackend) {
    const scripts = scriptPerStep(new URL("./queue/", import.meta.url), QUEUE_STEPS);
    super(backend, "queue", QUEUE_KEY_TYPES, scripts);
  }

  async put(queue: string, r: PutRequest): Promise<PutResult> {
    const reply = (await this.runCreating(queue, "put", ...putArgs(r))) as string[];
    return putReply(queue, reply, 0);
  }

  async putMany(queue: string, requests: PutRequest[]): Promise<PutResult[]> {
    // Each spec travels as an argument of its own, after the list of the others, which the
    // script stores as it comes: as a string inside the list's JSON it was escaped twice.
    const args = requests.map(putArgs);
    const list = JSON.stringify(args.map(([id, _spec, ...rest]) => [id, ...rest]));
    const specs = args.map(([_id, spec]) => spec);
    const reply = (await this.runCreating(queue, "putmany", list, ...specs)) as string[];
    return requests.map((_, i) => putReply(queue, reply, i * 4));
  }

  async putFlow(queue: string, nodes: FlowNode[]): Promise<boolean | { taken: string }> {
    // Each spec travels as an argument of its own, after the list, which the script stores as
    // it comes: as a string inside the list's JSON it was escaped twice, and decoded for nothing.
    const list = nodes.map(({ spec: _, ...node }) => node);
    const specs = nodes.map((node) => JSON.stringify(node.spec ?? {}));
    const reply = await this.runCreating(queue, "putflow", JSON.stringify(list), ...specs);
    return Array.isArray(reply) ? { taken: String(reply[0]) } : Number(reply) === 1;
  }

  async failUndecodable(
    queue: string,
    r: FailUndecodable,
  ): Promise<UndecodableFailed> {
    const failed = await this.run(
      queue,
      "fail_undecodable",
      r.id,
      r.error,
      r.fingerprint ?? "",
      r.worker ?? "",
      r.attempt ?? "",
    );
    if (Array.isArray(failed)) return { flowRefused: this.#flowRefused(queue, String(failed[1])) };
    return Number(failed) === 1;
  }

  /** The refusal a flow's record of another program's met: the part failed alone. */
  #flowRefused(queue: string, text: string): string {
    return this.backend.foreignData(`queue ${JSON.stringify(queue)}`, text).message;
  }

  async renew(queue: string, r: Attempt & { leaseMs: number }): Promise<boolean> {
    return Number(await this.run(queue, "renew", r.id, r.worker, r.attempt, r.leaseMs)) === 1;
  }

  async progress(queue: string, r: Attempt & { progress: string }): Promise<boolean> {
    const stored = await this.run(queue, "progress", r.id, r.worker, r.attempt, r.progress);
    return Number(stored) === 1;
  }

  async finish(queue: string, r: Attempt & Finish): Promise<boolean> {
    const { recorded } = await this.finishAndClaim(queue, {
      finishes: [r],
      worker: r.worker,
      leaseMs: 0,
      claims: 0,
    });
    return recorded[0];
  }

  async finishAndClaim(queue: string, r: FinishAndClaim): Promise<FinishedAndClaimed> {
    const reply = finishReply(
      queue,
      (await this.run(queue, "finish", ...finishArgs(r))) as string[],
    );
    for (const failed of reply.failed ?? []) {
      if (failed.flowRefused !== undefined) {
        failed.flowRefused = this.#flowRefused(queue, failed.flowRefused);
      }
    }
    return reply;
  }

  async cancel(
    queue: string,
    id: string,
  ): Promise<{ job: JobRecord; cancelled: boolean } | undefined> {
    const [state, spec, cancelled] = (await this.run(queue, "cancel", id)) as string[];
    if (state === undefined) return undefined;
    return { job: storedRecord(queue, state, spec), cancelled: Number(cancelled) === 1 };
  }

  async get(queue: string, id: string): Promise<JobRecord | undefined> {
    const [state, spec, result, inputs, progress, lease] =
      (await this.run(queue, "get", id)) as string[];
    if (state === undefined) return undefined;
    return withLease(storedJob(queue, state, [spec, result, inputs, progress]), lease);
  }

  async counts(queue: string): Promise<QueueCounts> {
    const [ready, scheduled, active, oldest, workers, paused, stalled, ...totals] =
      ((await this.run(queue, "counts")) as unknown[]).map(String);
    const total = (state: string) => {
      const i = totals.indexOf(state);
      return i % 2 === 0 ? Number(totals[i + 1]) : 0;
    };
    const names = JSON.parse(workers);
    return {
      queue,
      waiting: total("waiting"),
      pending: Number(ready),
      scheduled: Number(scheduled),
      active: Number(active),
      stalled: Number(stalled),
      completed: total("completed"),
      failed: total("failed"),
      cancelled: total("cancelled"),
      ...(oldest !== "" && { oldestPendingAt: Number(oldest) }),
      workers: Array.isArray(names) ? names : [],
      paused: paused === "1",
    };
  }

  async listJobs(
    queue: string,
    r: { state: ListState; after?: ListCursor; limit: number },
  ): Promise<{ job: JobRecord; cursor: ListCursor }[]> {
    const reply = (await this.run(
      queue,
      "list",
      r.state,
      r.after?.score ?? "",
      r.after?.id ?? "",
      r.limit,
    )) as string[];
    const page = [];
    for (let i = 0; i < reply.length; i += 5) {
      const deleted = reply[i + 4];
      if (deleted !== "") throw deletedListed(queue, r.state, deleted);
      const progress = reply[i + 3] || undefined;
      const job = storedRecord(queue, reply[i + 1], reply[i + 2], undefined, undefined, progress);
      // An active job's score is its lease end.
      const listed = r.state === "active" ? withLease(job, reply[i]) : job;
      page.push({ job: listed, cursor: { score: Number(reply[i]), id: job.id } });
    }
    return page;
  }

  async retry(
    queue: string,
    ids: string[],
    { dryRun = false }: { dryRun?: boolean } = {},
  ): Promise<({ job: JobRecord; retried: boolean } | undefined)[]> {
    return (await this.#onNamed(queue, "retry", ids, dryRun)).map((o) =>
      o && { job: o.job, retried: o.changed }
    );
  }

  async promote(
    queue: string,
    ids: string[],
    { dryRun = false }: { dryRun?: boolean } = {},
  ): Promise<({ job: JobRecord; promoted: boolean } | undefined)[]> {
    return (await this.#onNamed(queue, "promote", ids, dryRun)).map((o) =>
      o && { job: o.job, promoted: o.changed }
    );
  }

  /** A step on named jobs (named_jobs.lua): each job afterwards, and whether it changed. */
  async #onNamed(
    queue: string,
    step: "retry" | "promote",
    ids: string[],
    dryRun: boolean,
  ): Promise<({ job: JobRecord; changed: boolean } | undefined)[]> {
    const reply = (await this.run(queue, step, JSON.stringify(ids), dryRun ? "dry" : "")) as (
      | string
      | number
    )[];
    return ids.map((_, i) => {
      const [state, spec, changed] = reply.slice(3 * i, 3 * i + 3);
      return state === ""
        ? undefined
        : { job: storedRecord(queue, String(state), String(spec)), changed: Number(changed) === 1 };
    });
  }

  async purge(
    queue: string,
    r: { state: FinishedState; olderThanMs?: number; limit: number },
  ): Promise<number> {
    return Number(
      await this.run(queue, "purge", r.state, r.olderThanMs ?? "", r.limit, MAX_REMOVED),
    );
  }

  async remove(queue: string, r: { force: boolean; dryRun?: boolean }): Promise<QueueRemoval> {
    const reply =
      (await this.run(queue, "remove", r.force ? "1" : "0", r.dryRun ? "dry" : "")) as number[];
    const [removed, jobs, unfinished, running] = reply.map(Number);
    return { removed: removed === 1, jobs, unfinished, running };
  }

  async unreadable(queue: string, after = "1:0"): Promise<UnreadablePage> {
    // Which of the jobs' hashes, and HSCAN's cursor in it (see unreadable.lua).
    const [hash, cursor] = after.split(":");
    const reply =
      (await this.run(queue, "unreadable", hash, cursor, HELD_PREFIX_BYTES) as unknown[])
        .map(String);
    const refused = [];
    for (let i = 2; i < reply.length; i += 2) {
      refused.push({ id: reply[i], reason: foreignJob(queue, reply[i + 1]) });
    }
    return { refused, ...(reply[0] !== "0" && { next: `${reply[0]}:${reply[1]}` }) };
  }

  async removed(
    queue: string,
    id: string,
  ): Promise<{ state: FinishedState; removedAt: number } | undefined> {
    const [state, at] = (await this.run(queue, "removed", id)) as string[];
    return state === undefined
      ? undefined
      : { state: state as FinishedState, removedAt: Number(at) };
  }

  async configure(queue: string, patch: Partial<QueueConfig>): Promise<QueueConfig> {
    const json = (keep: Keep | undefined) => keep === undefined ? "" : JSON.stringify(keep);
    // Settings stored before a queue's first job make it one that listings show.
    const writes = Object.values(patch).some((value) => value !== undefined);
    const args = [
      json(patch.keepCompleted),
      json(patch.keepFailed),
      patch.paused === undefined ? "" : patch.paused ? "1" : "0",
      patch.groupLimit === undefined ? "" : patch.groupLimit === null ? "none" : patch.groupLimit,
    ];
    const [completed, failed, paused, groupLimit] =
      (writes
        ? await this.runCreating(queue, "config", ...args)
        : await this.run(queue, "config", ...args)) as string[];
    // The script refused values coord does not write: these are coord's, or absent.
    return {
      keepCompleted: completed ? JSON.parse(completed) : DEFAULT_KEEP.keepCompleted,
      keepFailed: failed ? JSON.parse(failed) : DEFAULT_KEEP.keepFailed,
      paused: paused === "1",
      ...(groupLimit && { groupLimit: Number(groupLimit) }),
    };
  }

  async jobIds(
    queue: string,
    r: { after?: string; limit: number },
  ): Promise<{ ids: string[]; after?: string }> {
    // Every job has its record in `jobs`; HSCAN's cursor survives writes between pages (a job
    // put meanwhile may be missed, none there throughout is).
    const key = this.backend.key("queue", queue, "jobs");
    const [next, flat] = (await this.backend.conn.send(
      key,
      ["HSCAN", key, r.after ?? "0", "COUNT", String(r.limit)],
    )) as [string, string[]];
    return {
      ids: flat.filter((_, i) => i % 2 === 0),
      ...next !== "0" && { after: next },
    };
  }

  async refused(queue: string, ids: string[]): Promise<{ id: string; error: ForeignDataError }[]> {
    if (ids.length === 0) return [];
    const reply = (await this.run(queue, "check", JSON.stringify(ids))) as string[];
    return ids.flatMap((id, i) => {
      const [kind, state, ...parts] = reply.slice(i * 6, i * 6 + 6);
      if (kind === "N") return [];
      if (kind === "F") {
        return [{ id, error: this.backend.foreignData(`queue ${JSON.stringify(queue)}`, state) }];
      }
      try {
        storedJob(queue, state, parts);
        return [];
      } catch (e) {
        if (!(e instanceof ForeignDataError)) throw e;
        return [{ id, error: e }];
      }
    });
  }

  async announce(queue: string, r: { worker: string; ttlMs: number }): Promise<void> {
    await this.run(queue, "announce", r.worker, r.ttlMs);
  }

  list(): Promise<string[]> {
    return this.backend.indexedNames("queue");
  }
}

/**
 * A job as `get` reads it (and `check`, many at once): its record, then its spec, result,
 * inputs and progress (`""` where it has none).
 */
function storedJob(queue: string, state: string, [spec, result, inputs, progress]: string[]) {
  return storedRecord(
    queue,
    state,
    spec,
    result || undefined,
    inputs || undefined,
    progress || undefined,
  );
}

/** {@link jobRecord} of a record as the scripts store it: a counted group's parts listed. */
function storedRecord(
  queue: string,
  state: string,
  ...rest: Parameters<typeof jobRecord> extends [string, unknown, ...infer R] ? R : never
): JobRecord {
  return jobRecord(queue, listedParts(queue, state), ...rest);
}

/**
 * Why `list` refuses a page holding job `id`, whose record another program deleted while its id
 * stayed in `state`'s order (`a job holds ""` said it was text another program wrote).
 */
function deletedListed(queue: string, state: ListState, id: string): ForeignDataError {
  return new ForeignDataError(
    `queue ${JSON.stringify(queue)}: ${deletedJobWords(queue, state, id)}`,
  );
}

/**
 * How `list` and `coord doctor` name job `id` of `queue`, whose record another program deleted
 * while its id stayed in `state`'s order, and the way out: a purge removes a finished one; a
 * worker fails one it comes to run, as it does a deleted job it claims; a waiting one only goes
 * with its queue.
 *
 * @example
 * ```ts
 * import { deletedJobWords } from "./queue.ts";
 * deletedJobWords("q", "failed", "1");
 * // "q/1 (failed): its record was deleted by another program — coord queue purge q --state failed removes it"
 * ```
 */
export function deletedJobWords(queue: string, state: ListState, id: string): string {
  const way = (FINISHED_STATES as readonly string[]).includes(state)
    ? `coord queue purge ${shellWord(queue)} --state ${state} removes it`
    // Nothing releases a waiting part whose flow's records went with it.
    : state === "waiting"
    ? `coord queue remove ${shellWord(queue)} --force clears the queue`
    : `coord queue work fails it when it comes to run`;
  return `${queue}/${id} (${state}): ${DELETED_JOB} — ${way}`;
}

/** An active job with its lease end, kept in the active set's score rather than its record. */
function withLease(job: JobRecord, score: string | undefined): JobRecord {
  return job.state === "active" && score ? { ...job, leaseUntil: Number(score) } : job;
}
