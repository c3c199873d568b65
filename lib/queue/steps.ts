/**
 * The atomic steps a backend provides for `coord queue`. Each is one Lua script on Redis and one
 * transaction on SQLite, reads time from the backend's clock, and announces the change so idle
 * workers and waiters wake. Deciding what to do (retry or fail, the backoff, running a job) is
 * in `queue.ts` and `worker.ts`.
 *
 * A job is pending (ready at a time; "scheduled" while that is in the future), active (leased to
 * a worker, renewed by heartbeat), then completed, failed or cancelled. A lease that runs out
 * (a worker killed) returns the job to pending, at most {@link MAX_STALLS} times.
 *
 * @module
 */

import type { ForeignDataError } from "../errors.ts";

/** How many times a job may be found abandoned (its worker's lease ran out) and run again. */
export const MAX_STALLS = 3;

/** Where a job is. */
export type JobState = "waiting" | "pending" | "active" | "completed" | "failed" | "cancelled";

/** A flow's group: its parts run in parallel or one after another, then its postprocess. */
export interface JobGroup {
  /** Parts at once, or one after another. */
  kind: "parallel" | "serial";
  /** The parts' ids, in order. */
  children: string[];
  /** The job that gets the parts' results when they are done; the group's result is its. */
  postprocess?: string;
  /** Go on when a part fails (its result is null) instead of failing the group. */
  continueOnFailure: boolean;
  /** Parts finished so far. */
  done: number;
}

/** One node of a flow as {@link QueueSteps.putFlow} stores it. */
export interface FlowNode {
  /** Its id in the queue. */
  id: string;
  /** The group it is a part (or the postprocess) of. */
  parent?: string;
  /** A job's spec; absent for a group. */
  spec?: JobSpec;
  /** A group's parts; absent for a job. */
  group?: Omit<JobGroup, "done">;
  /** Ready to run at once (pending); else waiting for its turn. */
  released: boolean;
  /** Its priority (its group's); absent: 0. */
  priority?: number;
}

/** What a job is asked to do; fixed when it is put. */
export interface JobSpec {
  /** A handler job: the name of a function the worker's module exports… */
  handler?: string;
  /** …and its arguments (JSON). */
  args?: unknown;
  /** A command job: argv, run without a shell, only by workers started with --allow-commands. */
  command?: string[];
  /** Retries after a failure (not counting the first attempt). */
  retries: number;
  /** The first retry's delay; each next one doubles it. */
  backoffMs: number;
  /** A run taking longer fails (and may be retried); undefined: no limit. */
  timeoutMs?: number;
}

/** What {@link QueueSteps.put} stores: an id (else the next number), spec and start. */
export interface PutRequest {
  /** The job's id; absent: the queue's next number. */
  id?: string;
  /** What it runs. */
  spec: JobSpec;
  /** Ready this long from now (backend clock)… */
  delayMs: number;
  /** …or at this instant (epoch ms). */
  at?: number;
  /** Fails as expired if not started this long after it may start. */
  beginByMs?: number;
  /**
   * While the job put with this key is pending or active, or for `forMs` after it was put, a
   * put with the key returns that job instead.
   */
  dedupe?: { key: string; forMs: number };
  /** Higher runs first among jobs ready to run; absent: 0. */
  priority?: number;
  /** What retention keeps of it once finished, instead of what its queue keeps. */
  keep?: Keep;
  /** Its group: at most the queue's `groupLimit` jobs of one group run at once. */
  groupKey?: string;
}

/** What {@link QueueSteps.put} did. */
export interface PutResult {
  /** The job as stored: the new one, or the one that had the id or the dedupe key. */
  job: JobRecord;
  /** Whether this put created it. */
  created: boolean;
  /** The job is the one put earlier with the same dedupe key. */
  deduplicated?: boolean;
}

/** A job as stored. */
export interface JobRecord {
  /** The job's id within its queue. */
  id: string;
  /** What it runs. */
  spec: JobSpec;
  /** Where it is. */
  state: JobState;
  /** Attempts started so far; an attempt's number fences its run (see renew, finish). */
  attempts: number;
  /** Attempts that failed (a stall or a stop by force is not one). */
  failures: number;
  /** Times it was found abandoned by a worker that died. */
  stalls: number;
  /** When it may start (pending) — backend clock, epoch ms. */
  readyAt: number;
  /** Not started by then (`put --begin-by`), it fails instead — backend clock, epoch ms. */
  beginBy?: number;
  /**
   * Among jobs ready to run, a higher priority runs first, then the earlier start, then the id;
   * absent: 0.
   */
  priority?: number;
  /** Its own retention (`put --keep`), instead of its queue's; `{}` is forever. */
  keep?: Keep;
  /** Its group (`put --group`): the queue's `groupLimit` caps how many of it run at once. */
  groupKey?: string;
  /** When it was put (backend clock, epoch ms). */
  createdAt: number;
  /** When its last attempt started. */
  startedAt?: number;
  /** When it was completed, failed or cancelled. */
  finishedAt?: number;
  /** The worker running it (active), or that ran it last. */
  worker?: string;
  /**
   * An active job's lease end (backend clock, epoch ms): its worker renews it while it lives.
   * Once past, no worker holds the job — its worker died: it is _stalled_ (BullMQ's word) until
   * a worker takes it again.
   */
  leaseUntil?: number;
  /** A completed job's result (JSON). */
  result?: unknown;
  /** Why it failed or was cancelled, one line. */
  error?: string;
  /** The group this job is a part (or the postprocess) of. */
  parent?: string;
  /** A group's parts and progress (a group is never run itself). */
  group?: JobGroup;
  /** A postprocess job's input: the parts' results in order (null for a failed part). */
  inputs?: unknown[];
  /** How its earlier runs ended, oldest first, when it was retried by hand. */
  history?: JobEnd[];
  /** What its handler last reported of its progress (any JSON, e.g. `{"done":40,"of":100}`). */
  progress?: unknown;
}

/** How a job ended before it was retried by hand. */
export interface JobEnd {
  /** Failed or cancelled. */
  state: "failed" | "cancelled";
  /** Why. */
  error: string;
  /** Attempts it had made. */
  attempts: number;
  /** When it ended (epoch ms). */
  finishedAt?: number;
}

/** The job states after which nothing more happens. */
export const FINISHED_STATES = ["completed", "failed", "cancelled"] as const;

/** The states a job ends in. */
export type FinishedState = typeof FINISHED_STATES[number];

/** What a queue keeps of its finished jobs of one kind; an absent field is no limit. */
export interface Keep {
  /** At most this many, the newest. */
  count?: number;
  /** Those that finished at most this long ago (ms). */
  ageMs?: number;
}

/** A queue's settings, stored in the backend. */
export interface QueueConfig {
  /** What retention keeps of completed jobs. */
  keepCompleted: Keep;
  /** What retention keeps of failed and cancelled jobs. */
  keepFailed: Keep;
  /** Workers take no new jobs from it. */
  paused: boolean;
  /**
   * At most this many jobs of one group (`groupKey`) run at once, across all workers; absent: no
   * limit (null in a change removes it).
   */
  groupLimit?: number | null;
}

/** The states `list` pages through: a job's state, "pending" split into ready and scheduled. */
export type ListState = Exclude<JobState, "pending"> | "pending" | "scheduled";

/** Where a page of {@link QueueSteps.listJobs} goes on from: the last job's order and id. */
export interface ListCursor {
  /** Its order: when it may start (pending, scheduled, waiting), its lease (active, on Redis),
   * or when it finished. */
  score: number;
  /** Its id. */
  id: string;
}

/** One run of a job: who runs it and which attempt it is. */
export interface Attempt {
  /** The job's id in its queue. */
  id: string;
  /** The worker running it. */
  worker: string;
  /** The job's `attempts` when it was claimed. */
  attempt: number;
}

/**
 * What {@link QueueSteps.claim} returns; in every case `failed` lists the jobs the claim failed
 * as it looked for one to take (as {@link FinishedAndClaimed.failed}), when there were any.
 */
export type ClaimResult =
  & (
    | { job: JobRecord; undecodable?: undefined }
    /**
     * The next job's stored record is not coord's (another program wrote there): the worker
     * fails it with {@link QueueSteps.failUndecodable} and claims again.
     */
    | { job?: undefined; undecodable: Undecodable }
    /** Nothing to run now; the earliest scheduled job's start (epoch ms), if any. */
    | { job?: undefined; undecodable?: undefined; nextReadyAt?: number }
  )
  & { failed?: FailedInStep[] };

/** A job a claim met whose stored record is not coord's: the worker fails it. */
export interface Undecodable {
  /** The job's id in its queue. */
  id: string;
  /** Why it cannot be read. */
  reason: string;
  /**
   * Its record is gone (another program deleted it): `reason` (`DELETED_JOB` in record.ts) is
   * the whole error it fails with, not what a reading of a record met.
   */
  deleted?: boolean;
  /**
   * On Redis, for the job a claim stopped at, a digest of the stored parts it could not read:
   * the fail changes the job only while they are the same (see
   * {@link QueueSteps.failUndecodable}).
   */
  fingerprint?: string;
  /**
   * On Redis, for a job the claim took: the attempt it took it under, which the fail changes
   * the job only while it is still the caller's.
   */
  attempt?: number;
}

/** What {@link QueueSteps.failUndecodable} fails, and what it checks first (see there). */
export interface FailUndecodable {
  /** The job's id in its queue. */
  id: string;
  /** The error it fails with. */
  error: string;
  /** The claim's {@link Undecodable.fingerprint}. */
  fingerprint?: string;
  /** With {@link Undecodable.attempt}: the worker whose claim took the job. */
  worker?: string;
  /** The claim's {@link Undecodable.attempt}. */
  attempt?: number;
}

/** How {@link QueueSteps.finish} ends an attempt. */
export type Finish =
  | { outcome: "completed"; result: unknown }
  | { outcome: "failed"; error: string }
  /** Back to pending, ready `delayMs` from now (backend clock): a failure with retries left. */
  | { outcome: "retry"; error: string; delayMs: number }
  /** Back to pending at once, not counted as a failure: the worker was stopped by force. */
  | { outcome: "release" };

/** What {@link QueueSteps.finishAndClaim} is asked. */
export interface FinishAndClaim {
  /** Runs to end, in order: each attempt's outcome. */
  finishes: (Attempt & Finish)[];
  /** The worker the claimed jobs are leased to. */
  worker: string;
  /** The claimed jobs' lease. */
  leaseMs: number;
  /** How many jobs to take after the finishes; 0 takes none. */
  claims: number;
  /**
   * Sent after a call whose answer was lost: the ids of the jobs of this queue the worker runs.
   * Any other job leased to `worker` here was taken by that call and never started: after the
   * finishes, before the claims, each goes back to pending as a `release` would (no stall, no
   * failure counted), so the claims may take it again at once.
   */
  holding?: string[];
}

/**
 * A job a claim failed for good itself, no run having ended it: one abandoned by its workers
 * more than {@link MAX_STALLS} times, or not started by its `beginBy`.
 */
export interface FailedInStep {
  /** The job's id in its queue. */
  id: string;
  /** Its `attempts` when it failed (0: it never started). */
  attempt: number;
  /** Why, as stored in its `error`. */
  error: string;
  /**
   * A flow's part whose flow holds a record (a row) of another program's its end would read on
   * the way up: the refusal ({@link ForeignDataError}'s message). The part failed alone, its flow
   * left as it is; refused, the part would stay running and stop every claim of its queue.
   */
  flowRefused?: string;
}

/**
 * What {@link QueueSteps.failUndecodable} did: whether it failed the job, or that it failed it
 * alone, with the refusal its flow's record of another program's met (as
 * {@link FailedInStep.flowRefused}).
 */
export type UndecodableFailed = boolean | { flowRefused: string };

/** What {@link QueueSteps.finishAndClaim} did. */
export interface FinishedAndClaimed {
  /** For each finish, in order: whether it was still the worker's attempt, and was recorded. */
  recorded: boolean[];
  /** The jobs taken (at most `claims`), in the order they run, each leased to the worker. */
  jobs: JobRecord[];
  /**
   * Jobs whose stored record is not coord's, each once: taken ones that could not be read, and
   * the one taking stopped at. The worker fails each with {@link QueueSteps.failUndecodable}
   * before it claims again.
   */
  undecodable?: Undecodable[];
  /**
   * Jobs the step failed on its own (the worker logs them), in the order it failed them: while
   * it took, and, on SQL, a flow's part or group whose row another program deleted, met as the
   * step moved its flow on (Redis's claim meets such an id in the run order, to fail).
   */
  failed?: FailedInStep[];
  /**
   * Fewer jobs than asked and nothing else ready: the earliest scheduled job's start (epoch
   * ms), if any.
   */
  nextReadyAt?: number;
  /**
   * The backend's clock at the step (epoch ms): a worker waits `nextReadyAt − now` from the
   * step, so no offset between its clock and the backend's, measured earlier, can have drifted.
   */
  now: number;
}

/** What {@link QueueSteps.remove} did. */
export interface QueueRemoval {
  /** Whether it removed the queue (false: a job running, or jobs waiting and no `force`). */
  removed: boolean;
  /** The jobs the queue held, finished or not. */
  jobs: number;
  /** Of those, the jobs not finished: pending, scheduled, waiting or active. */
  unfinished: number;
  /** Of those, the jobs running (active): a queue with any is not removed. */
  running: number;
}

/** One page of {@link QueueSteps.unreadable}. */
export interface UnreadablePage {
  /**
   * The jobs of the page that `get` refuses, each with its refusal: each job once over the
   * pages (on Redis, one may come again where its hash was resized while the pages were read).
   */
  refused: { id: string; reason: string }[];
  /** Where the next page starts; undefined after the last. */
  next?: string;
}

/** A queue's numbers for `coord queue status`. */
export interface QueueCounts {
  /** The queue's name. */
  queue: string;
  /** Flow parts and postprocess jobs waiting for their turn (and the groups themselves). */
  waiting: number;
  /** Jobs ready to run. */
  pending: number;
  /** Jobs waiting for their start time (delayed, or a retry's backoff). */
  scheduled: number;
  /** Jobs running. */
  active: number;
  /** Of the active jobs, those whose lease ran out: no worker holds them (stalled). */
  stalled: number;
  /** Jobs completed. */
  completed: number;
  /** Jobs failed for good. */
  failed: number;
  /** Jobs cancelled. */
  cancelled: number;
  /** When the oldest job ready to run became ready (epoch ms), if any. */
  oldestPendingAt?: number;
  /** Workers that announced themselves within their lease. */
  workers: string[];
  /** Workers take no new jobs from it. */
  paused: boolean;
}

/** Per-backend atomic steps of a queue. */
export interface QueueSteps {
  /**
   * Adds a flow's groups and jobs at once, unless its first node's id exists, or another node's
   * id is a job of its own (put with that `--id`): then nothing is stored.
   *
   * @returns whether this call created it, or the id of a node that is a job already.
   */
  putFlow(queue: string, nodes: FlowNode[]): Promise<boolean | { taken: string }>;
  /**
   * Adds a job unless one with its id exists (putting the same id twice is one job).
   *
   * @returns the job as stored, and whether this call created it.
   */
  put(queue: string, request: PutRequest): Promise<PutResult>;
  /** {@link put} for each request, all in one step; the outcomes in order. */
  putMany(queue: string, requests: PutRequest[]): Promise<PutResult[]>;
  /**
   * Fails a job whose stored record cannot be read, with `error`; parts of the record that
   * cannot be read are replaced by coord's own, so the job can be shown and waited for.
   *
   * @returns whether it failed the job. One readable by now (another worker failed it, then
   * `queue retry` made it coord's own), or gone, is left as it is: on SQL the row is checked
   * again; on Redis, whose step cannot read a record as the claim's caller did, a job whose
   * stored parts changed since the claim (`fingerprint`), or one taken whose attempt is no
   * longer `worker`'s (`attempt`, checked when both are given), is left, and an id the claim
   * met in the run order or running with no record, still so, is failed, or every claim would
   * stop at it. With neither, Redis fails the job as it finds it. A flow's part whose end would
   * read another program's record on its way up fails alone, its flow left as it is, with that
   * refusal told.
   */
  failUndecodable(queue: string, request: FailUndecodable): Promise<UndecodableFailed>;
  /** Extends an active job's lease; false when this attempt is no longer this worker's. */
  renew(queue: string, request: Attempt & { leaseMs: number }): Promise<boolean>;
  /**
   * Stores a running job's progress (JSON text) as its `progress`; false, storing nothing,
   * when the attempt is no longer this worker's.
   */
  progress(queue: string, request: Attempt & { progress: string }): Promise<boolean>;
  /** Ends an attempt; false when it is no longer this worker's (its lease ran out). */
  finish(queue: string, request: Attempt & Finish): Promise<boolean>;
  /**
   * Ends runs and takes jobs for their worker in one step: each of `finishes` as
   * {@link finish} would (in order; an attempt no longer the worker's records nothing), then
   * up to `claims` jobs as that many {@link claim}s would, each leased to `worker` for
   * `leaseMs` under its own attempt. One round trip for a worker's ended runs and the slots
   * they free: the step's fixed costs (checks, settings, retention) are paid once per call, not
   * once per job. A stopping worker asks for no claims.
   */
  finishAndClaim(queue: string, request: FinishAndClaim): Promise<FinishedAndClaimed>;
  /**
   * Cancels a job that has not finished (a running one's worker stops it); a finished one is
   * left as it is.
   *
   * @returns the job, and whether this call cancelled it; undefined when there is none.
   */
  cancel(queue: string, id: string): Promise<{ job: JobRecord; cancelled: boolean } | undefined>;
  /** A job, or undefined. */
  get(queue: string, id: string): Promise<JobRecord | undefined>;
  /**
   * Of `ids`, the jobs {@link get} refuses (another program wrote their records), each with
   * its refusal: get's own checks, many jobs a round trip. An id with no job is passed over.
   */
  refused(queue: string, ids: string[]): Promise<{ id: string; error: ForeignDataError }[]>;
  /** Counts per state, the oldest ready job, live workers. */
  counts(queue: string): Promise<QueueCounts>;
  /**
   * A page of the ids of the queue's jobs of every state (flows' parts too), about `limit` of
   * them, from `after` (the page before's `after`; absent: the first page), and where the next
   * page starts, absent after the last. In no particular order; nothing is decoded.
   */
  jobIds(
    queue: string,
    request: { after?: string; limit: number },
  ): Promise<{ ids: string[]; after?: string }>;
  /** Records that `worker` works on `queue` until `untilMs` from now (or leaves, with 0). */
  announce(queue: string, request: { worker: string; ttlMs: number }): Promise<void>;
  /** Names of every queue in the namespace. */
  list(): Promise<string[]>;
  /**
   * Up to `limit` jobs of a state after `after`: finished ones (no flow's parts) newest first,
   * others by when they may start (a worker takes a higher priority first). Each page costs
   * O(log N + limit).
   */
  listJobs(
    queue: string,
    request: { state: ListState; after?: ListCursor; limit: number },
  ): Promise<{ job: JobRecord; cursor: ListCursor }[]>;
  /**
   * Puts each failed or cancelled job of `ids` (no flow's part) back to pending, failures and
   * stalls reset (attempts go on counting: they fence its runs), its end kept in its history;
   * any other job is left as it is. Every job is read and checked before any is written:
   * another program's data at one refuses them all.
   *
   * With `dryRun`, refuses what the retry would (foreign data) and changes nothing: a retry of
   * more jobs than one call takes makes a dry run of each call first, so that a later job's
   * refusal leaves every job as it was.
   *
   * @returns for each id, the job afterwards and whether this call retried it (would, on a dry
   * run); undefined when there is none.
   */
  retry(
    queue: string,
    ids: string[],
    options?: { dryRun?: boolean },
  ): Promise<({ job: JobRecord; retried: boolean } | undefined)[]>;
  /**
   * Makes each scheduled job of `ids` (pending, its start still to come: put with a delay, or a
   * retry's backoff) ready now, as BullMQ's `job.promote()`; it keeps its `beginBy`. Any other
   * job is left as it is. Every job is read and checked before any is written (see `retry`).
   *
   * With `dryRun`, refuses what the promotion would and changes nothing (see `retry`).
   *
   * @returns for each id, the job afterwards and whether this call promoted it (would, on a
   * dry run); undefined when there is none.
   */
  promote(
    queue: string,
    ids: string[],
    options?: { dryRun?: boolean },
  ): Promise<({ job: JobRecord; promoted: boolean } | undefined)[]>;
  /**
   * Removes up to `limit` finished jobs of `state` (with their flows' parts), those that
   * finished more than `olderThanMs` ago when given, oldest first.
   *
   * @returns how many it removed.
   */
  purge(
    queue: string,
    request: { state: FinishedState; olderThanMs?: number; limit: number },
  ): Promise<number>;
  /**
   * Removes the queue, in one step: its jobs, results, settings, workers and what it remembers
   * of removed jobs — not its id counter, so no later job takes a removed one's id. A queue
   * with a job running is left as it is (its run would end on a job put again under its id);
   * so is one with jobs waiting to run (pending, scheduled, waiting), unless `force`. With
   * `dryRun`, only says whether it would. It does not check for jobs another program wrote over,
   * and removes them with the rest: call `removeQueue` (from `coord`), which checks
   * first, a page at a time through {@link QueueSteps.unreadable}.
   */
  remove(queue: string, request: { force: boolean; dryRun?: boolean }): Promise<QueueRemoval>;
  /**
   * One page of the jobs of `queue` that coord cannot read (`get` refuses them: another program
   * wrote over their records), from `after` (the last page's `next`; undefined: the first). Each
   * page is a short step of its own, which holds no lock: a big queue is read without holding
   * the backend up for others.
   */
  unreadable(queue: string, after?: string): Promise<UnreadablePage>;
  /** How a job that retention or purge removed had ended, or undefined. */
  removed(
    queue: string,
    id: string,
  ): Promise<{ state: FinishedState; removedAt: number } | undefined>;
  /** Changes the settings given, and returns them all (defaults for those never set). */
  configure(queue: string, patch: Partial<QueueConfig>): Promise<QueueConfig>;
}

/**
 * What a queue keeps when never configured: completed jobs for 24 h and at most 10,000,
 * failed and cancelled ones for 7 days (BullMQ keeps everything; pg-boss keeps 7 days).
 */
export const DEFAULT_KEEP: Pick<QueueConfig, "keepCompleted" | "keepFailed"> = {
  keepCompleted: { count: 10_000, ageMs: 24 * 3_600_000 },
  keepFailed: { ageMs: 7 * 24 * 3_600_000 },
};

/** Jobs one backend step removes past what a queue keeps, each time a job finishes. */
export const TRIM_BATCH = 10;

/** Removed jobs remembered (per queue on Redis, per file on SQLite) so show and wait say so. */
export const MAX_REMOVED = 100_000;
