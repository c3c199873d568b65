/**
 * Queue steps in portable SQL, for every SQL backend: each one transaction, with the same
 * outcomes as the Redis steps in `../redis/queue/`.
 *
 * Where several steps run at once (Postgres), they meet on rows: a step locks each job row it
 * reads before changing it, claims take the first ready job nobody else holds (`SKIP LOCKED`),
 * retention removes only finished jobs nobody else holds, and puts (which hand out ids and
 * dedupe keys) go one at a time per queue.
 *
 * @module
 */

import type {
  Attempt,
  FailedInStep,
  Finish,
  FinishAndClaim,
  FinishedAndClaimed,
  FinishedState,
  FlowNode,
  JobGroup,
  JobRecord,
  JobState,
  Keep,
  ListCursor,
  ListState,
  PutRequest,
  PutResult,
  QueueConfig,
  QueueCounts,
  QueueRemoval,
  QueueSteps,
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
import { MAX_PRIORITY } from "../../queue/limits.ts";
import {
  DELETED_JOB,
  foreignJob,
  isJobSpec,
  isObject,
  JOB_STATES,
  jobRecord,
  shownTime,
} from "../../queue/record.ts";
import {
  abandonedPart,
  type EndedPart,
  flowProgress,
  gatheredOversize,
  gatheredResults,
} from "../../queue/flow_progress.ts";
import { readFlowTally, storedTally } from "./flow_tally.ts";
import { ForeignDataError, UsageError } from "../../errors.ts";
import { foreignRowError, refuseForeignValues, type ValueRule } from "./foreign_row.ts";
import { shownValue, whole } from "../../stored_values.ts";
import { ddlNames } from "./ddl_names.ts";
import { insertRows } from "./insert_rows.ts";
import { statementChunks, statementSizes } from "./statement_chunks.ts";
import type { SqlQuery, SqlStore, SqlTransaction, SqlValue } from "./transaction.ts";
import { ENDED, PROGRESS } from "../news.ts";

/** A column's JSON, or the text itself when it is not JSON (the record check then refuses it). */
function parseOr(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}

/** The rows a page of `unreadable` reads. */
const UNREADABLE_PAGE = 1000;

/**
 * Where a page of `unreadable` starts: after the text id `after` (the first page: at the start),
 * past `skip` rows more. Only text is bound: on SQLite an id another program wrote as a BLOB
 * (its TEXT column turns a number into text) sorts after every text, and one bound as the
 * cursor fails the statement; the BLOBs read are skipped by count instead.
 */
interface PageCursor {
  after?: string;
  skip: number;
}

/**
 * The cursor `text` (from {@link nextCursor}, as the caller got it back) read back: anything
 * else is refused, its `skip` going into the statement's OFFSET.
 */
function pageCursor(text: string | undefined): PageCursor {
  if (text === undefined) return { skip: 0 };
  let cursor: Partial<PageCursor> | undefined;
  try {
    cursor = JSON.parse(text);
  } catch {
    // Refused below.
  }
  const { after, skip } = cursor ?? {};
  if (
    typeof cursor !== "object" || cursor === null || !Number.isSafeInteger(skip) || skip! < 0 ||
    (after !== undefined && typeof after !== "string")
  ) {
    throw new UsageError(`not a page cursor: ${JSON.stringify(text)}`);
  }
  return { ...(after !== undefined && { after }), skip: skip! };
}

/** The cursor after a page of `ids` (in the order read) that started at `from`. */
function nextCursor(from: PageCursor, ids: unknown[]): PageCursor {
  const lastText = ids.findLastIndex((id) => typeof id === "string");
  if (lastText === -1) return { ...from, skip: from.skip + ids.length };
  return { after: ids[lastText] as string, skip: ids.length - 1 - lastText };
}

/** The message `check` refused with as another program's data, or undefined. */
async function refusalOf(check: () => Promise<void>): Promise<string | undefined> {
  try {
    await check();
  } catch (e) {
    if (!(e instanceof ForeignDataError)) throw e;
    return e.message;
  }
}

/**
 * A job row whose state is none of coord's: another program wrote it. Literal, so that a query
 * holding it may use {@link QUEUE_DDL}'s index of such rows (SQLite matches an index's WHERE by
 * its text).
 */
const FOREIGN_STATE = `state NOT IN (${JOB_STATES.map((state) => `'${state}'`).join(", ")})`;

/**
 * Of the rows in {@link FOREIGN_STATE}, those that the columns coord writes with the state say
 * were pending and come due: in the run order, or parked by their group's limit (due 1, 2),
 * neither running (coord clears the lease as each run ends) nor ended. One in the run order
 * holds its group's place there.
 */
const FOREIGN_WAITING = "lease_until IS NULL AND finished_at IS NULL AND due IN (1, 2)";

/**
 * Of the rows in {@link FOREIGN_STATE}, those the columns coord writes with the state say were
 * pending outside the run order (due 0: delayed, a retry's backoff), neither running nor ended,
 * and no group: once their start comes they are as Redis's in its run order. A flow's part is
 * so once it has started (a retry's backoff): one that never did waits on its flow with the same
 * columns, until its release puts it in the run order. They held no group's place: `#leave`
 * changes no count.
 */
const FOREIGN_DELAYED = "lease_until IS NULL AND finished_at IS NULL AND due = 0 AND grp IS NULL" +
  " AND (parent IS NULL OR started_at IS NOT NULL)";

/**
 * The queue's tables. Times are epoch ms (BIGINT); `coord_queue_removed.seq` is SQLite's row
 * id, and an identity column on Postgres.
 */
export const QUEUE_DDL = [
  `CREATE TABLE IF NOT EXISTS coord_queue_job (
    namespace TEXT NOT NULL, queue TEXT NOT NULL, id TEXT NOT NULL, state TEXT NOT NULL,
    ready_at BIGINT NOT NULL, lease_until BIGINT, attempts BIGINT NOT NULL,
    failures BIGINT NOT NULL DEFAULT 0,
    stalls BIGINT NOT NULL, worker TEXT, begin_by BIGINT, spec TEXT NOT NULL, result TEXT,
    error TEXT, created_at BIGINT NOT NULL, started_at BIGINT, finished_at BIGINT,
    parent TEXT, grp TEXT, inputs TEXT, progress TEXT, priority BIGINT NOT NULL DEFAULT 0,
    due BIGINT NOT NULL DEFAULT 0, keep TEXT, expires_at BIGINT, outlived_at BIGINT,
    group_key TEXT, PRIMARY KEY (namespace, queue, id))`,
  // Jobs by state and start (it replaces coord_queue_job_ready, the same without id: one index
  // less to keep up to date as each job is put, taken and ended).
  `CREATE INDEX IF NOT EXISTS coord_queue_job_order
    ON coord_queue_job (namespace, queue, state, ready_at, id)`,
  // Priorities: a pending job whose start has come (due = 1, set by its put, or its flow's
  // release of it, when it may start at once, else by the claim that finds it due; every other
  // return to pending sets 0) is claimed by priority, then start, then id — one index seek.
  `CREATE INDEX IF NOT EXISTS coord_queue_job_run
    ON coord_queue_job (namespace, queue, priority DESC, ready_at, id)
    WHERE state = 'pending' AND due = 1`,
  // Group limits: a due job of a --group waits parked (due = 2) until its group has room, then
  // joins the run order; its group's next parked job is one index seek.
  `CREATE INDEX IF NOT EXISTS coord_queue_job_parked
    ON coord_queue_job (namespace, queue, group_key, priority DESC, ready_at, id)
    WHERE state = 'pending' AND due = 2`,
  // A group's jobs in the run order, last first: a parked job ahead of the last one takes its
  // place (see #overtake).
  `CREATE INDEX IF NOT EXISTS coord_queue_job_grouped_ready
    ON coord_queue_job (namespace, queue, group_key, priority DESC, ready_at, id)
    WHERE state = 'pending' AND due = 1 AND group_key IS NOT NULL`,
  // Jobs whose state another program wrote: a claim finds those that were running once their
  // lease is over, to fail them (and free their group's place). Empty unless another program
  // wrote there. Not on lease_until: an index of it would make each renewal a write of every
  // index on Postgres (no heap-only update).
  `CREATE INDEX IF NOT EXISTS coord_queue_job_foreign_state
    ON coord_queue_job (namespace, queue) WHERE ${FOREIGN_STATE}`,
  // A group's jobs running and in the run order.
  `CREATE TABLE IF NOT EXISTS coord_queue_group (
    namespace TEXT NOT NULL, queue TEXT NOT NULL, group_key TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 0, ready BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (namespace, queue, group_key))`,
  // The pending jobs not yet due, by start: a claim marks those whose start came, and only those.
  // State and due are columns too, though one value each: SQLite, which plans without
  // statistics, otherwise prefers coord_queue_job_order (one equality more) and walks every
  // pending job, those in the run order too (it replaces coord_queue_job_due, which had not).
  `CREATE INDEX IF NOT EXISTS coord_queue_job_upcoming
    ON coord_queue_job (namespace, queue, state, due, ready_at)
    WHERE state = 'pending' AND due = 0`,
  // Finished jobs that are no flow's part, newest first: list's pages and retention's batches.
  // Only finished ones: with unfinished jobs in it too (it replaces coord_queue_job_done, which
  // had them), each claim and finish moved entries of a long queue's pending jobs, which sit
  // in id order, so on pages far apart (a step wrote 4× the pages with 100,000 jobs queued).
  `CREATE INDEX IF NOT EXISTS coord_queue_job_finished
    ON coord_queue_job (namespace, queue, state, finished_at, id)
    WHERE parent IS NULL AND finished_at IS NOT NULL`,
  `CREATE TABLE IF NOT EXISTS coord_queue_config (
    namespace TEXT NOT NULL, queue TEXT NOT NULL, keep_completed TEXT, keep_failed TEXT,
    paused BIGINT NOT NULL DEFAULT 0, group_limit BIGINT, PRIMARY KEY (namespace, queue))`,
  // The finished jobs the queue's retention governs (put without --keep), oldest first (it
  // replaces coord_queue_job_trimmed, which had the unfinished ones too).
  `CREATE INDEX IF NOT EXISTS coord_queue_job_retention
    ON coord_queue_job (namespace, queue, state, finished_at, id)
    WHERE parent IS NULL AND keep IS NULL AND finished_at IS NOT NULL`,
  // Jobs put with their own --keep: when its duration ends (ms), and the count of finished jobs
  // at which its count ends.
  `CREATE INDEX IF NOT EXISTS coord_queue_job_expiring
    ON coord_queue_job (namespace, queue, expires_at) WHERE expires_at IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS coord_queue_job_outlived
    ON coord_queue_job (namespace, queue, outlived_at) WHERE outlived_at IS NOT NULL`,
  // How many finished jobs of a state (no flow's parts, no own --keep) a queue holds: retention
  // by count without counting rows; state "finished" counts every one that ever finished.
  `CREATE TABLE IF NOT EXISTS coord_queue_kept (
    namespace TEXT NOT NULL, queue TEXT NOT NULL, state TEXT NOT NULL, n BIGINT NOT NULL,
    PRIMARY KEY (namespace, queue, state))`,
  // What retention or purge removed, so show and wait can say so; the newest MAX_REMOVED are kept.
  `CREATE TABLE IF NOT EXISTS coord_queue_removed (
    seq INTEGER PRIMARY KEY, namespace TEXT NOT NULL, queue TEXT NOT NULL, id TEXT NOT NULL,
    state TEXT NOT NULL, removed_at BIGINT NOT NULL)`,
  `CREATE UNIQUE INDEX IF NOT EXISTS coord_queue_removed_job
    ON coord_queue_removed (namespace, queue, id)`,
  // A retried job's earlier ends, oldest first.
  `CREATE TABLE IF NOT EXISTS coord_queue_history (
    namespace TEXT NOT NULL, queue TEXT NOT NULL, id TEXT NOT NULL, seq BIGINT NOT NULL,
    entry TEXT NOT NULL, PRIMARY KEY (namespace, queue, id, seq))`,
  // put --dedupe: the job put with a key, and the end of its window.
  `CREATE TABLE IF NOT EXISTS coord_queue_dedupe (
    namespace TEXT NOT NULL, queue TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL,
    until BIGINT NOT NULL, PRIMARY KEY (namespace, queue, key))`,
  `CREATE INDEX IF NOT EXISTS coord_queue_dedupe_until
    ON coord_queue_dedupe (namespace, queue, until)`,
  `CREATE TABLE IF NOT EXISTS coord_queue_counter (
    namespace TEXT NOT NULL, queue TEXT NOT NULL, last BIGINT NOT NULL,
    PRIMARY KEY (namespace, queue))`,
  `CREATE TABLE IF NOT EXISTS coord_queue_worker (
    namespace TEXT NOT NULL, queue TEXT NOT NULL, worker TEXT NOT NULL, until BIGINT NOT NULL,
    PRIMARY KEY (namespace, queue, worker))`,
];

/** The queue's tables: each has a row or more per queue, keyed by namespace and queue. */
const QUEUE_TABLES = ddlNames(QUEUE_DDL, "TABLE");

/**
 * Indexes earlier coords made that the schema no longer has: a database that has one drops it,
 * so that its writes stop keeping it up to date.
 */
export const QUEUE_RETIRED_INDEXES: readonly string[] = [
  "coord_queue_job_due",
  "coord_queue_job_ready",
  "coord_queue_job_done",
  "coord_queue_job_trimmed",
];

/**
 * Columns the queue's tables gained after they were first created: a database an earlier coord
 * made gets them (`ALTER TABLE … ADD COLUMN`) before the schema's indexes use them.
 */
export const QUEUE_ADDED_COLUMNS: readonly { table: string; column: string; type: string }[] = [
  { table: "coord_queue_job", column: "progress", type: "TEXT" },
  { table: "coord_queue_job", column: "priority", type: "BIGINT NOT NULL DEFAULT 0" },
  { table: "coord_queue_job", column: "due", type: "BIGINT NOT NULL DEFAULT 0" },
  { table: "coord_queue_job", column: "keep", type: "TEXT" },
  { table: "coord_queue_job", column: "expires_at", type: "BIGINT" },
  { table: "coord_queue_job", column: "outlived_at", type: "BIGINT" },
  { table: "coord_queue_job", column: "group_key", type: "TEXT" },
  { table: "coord_queue_config", column: "group_limit", type: "BIGINT" },
];

/**
 * The tables whose rows the steps check one by one: a job another program wrote is handed to a
 * worker to fail, and the others run; a count another program wrote is named with its queue. A
 * read of them must not fail as a whole for one value an engine cannot give as a number (see
 * `../sqlite/statements.ts`).
 */
export const ROW_CHECKED_TABLES: readonly string[] = ["coord_queue_job", "coord_queue_kept"];

interface JobRow {
  id: string;
  state: JobState;
  ready_at: number;
  attempts: number;
  failures: number;
  stalls: number;
  worker: string | null;
  begin_by: number | null;
  spec: string;
  result: string | null;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  parent: string | null;
  /** A group's JobGroup, JSON. */
  grp: string | null;
  inputs: string | null;
  /** The latest progress its run reported, JSON. */
  progress: string | null;
  priority: number;
  /** Its own --keep (a Keep, JSON); null: its queue's. */
  keep: string | null;
  group_key: string | null;
  /** A pending job: 0 not due yet, 1 in the run order, 2 parked by its group's limit. */
  due: number;
  /** An active job's lease end. */
  lease_until: number | null;
}

// A lease end is read only where it means something: a claim writes its own over whatever
// another program left in a pending job's (an integer no JavaScript number holds, say).
const COLUMNS =
  "id, state, ready_at, attempts, failures, stalls, worker, begin_by, spec, result, error, " +
  "created_at, started_at, finished_at, parent, grp, inputs, progress, priority, keep, " +
  "group_key, due, CASE WHEN state = 'active' THEN lease_until END AS lease_until";

/** One step's transaction and the backend's time it runs at (one instant, as in a Redis step). */
interface Step {
  tx: SqlTransaction;
  now: number;
  /**
   * Changes to `coord_queue_kept` by state, written as the step ends: every finish changes
   * one of its few rows, so on Postgres a step holds that row lock for one statement, not for
   * the rest of the step.
   */
  kept: Map<string, number>;
  /**
   * Whether the step read the queue's `coord_queue_kept` rows already and found them coord's
   * (the probe of a step that ends or takes jobs): {@link SqlQueueSteps.#saveKept} need not.
   */
  keptChecked?: boolean;
  /**
   * Jobs with their own --keep count that finished in this step, and how many finished in the
   * step up to each: their `outlived_at` is set once the step's count of finished jobs is.
   */
  outlived: { id: string; count: number; nth: number }[];
  /**
   * While a batch of runs ends: the columns each job's row gets, sent together as the batch
   * ends (see {@link SqlQueueSteps.#sendGathered}) instead of one statement a job.
   */
  gathered?: Map<string, Record<string, SqlValue>>;
  /**
   * Jobs the step failed on its own (abandoned too often, expired, deleted by another program
   * where their flow met them), for the worker whose step it is to tell: no run ends them.
   */
  failed: FailedInStep[];
}

/** The queue's job columns that hold text; the others hold numbers (BIGINT). */
const TEXT_COLUMNS = new Set([
  "state",
  "worker",
  "spec",
  "result",
  "error",
  "parent",
  "grp",
  "inputs",
  "progress",
  "keep",
  "group_key",
]);

/** The states `coord_queue_kept` counts: the finished ones, and all of them together. */
const KEPT_STATES: readonly string[] = [...FINISHED_STATES, "finished"];
const FINISHED = new Set<string>(FINISHED_STATES);

/**
 * What a step that ends or takes jobs reads of its queue, in one query: its settings; per
 * finished state, when the oldest job its queue's retention governs finished and how many the
 * queue holds; the first end of a job's own --keep (a time, a count of finished jobs) and that
 * count — whether the step has anything to trim (most have nothing); and whether any job runs.
 */
const QUEUE_PROBE_SQL = "SELECT " +
  ["keep_completed", "keep_failed", "paused", "group_limit"].map((column) =>
    `(SELECT ${column} FROM coord_queue_config WHERE namespace = ? AND queue = ?) AS ${column}`
  ).join(", ") + ", " +
  KEPT_STATES.map((state) =>
    `(SELECT n FROM coord_queue_kept WHERE namespace = ? AND queue = ? AND state = '${state}')
    AS ${state}_n`
  ).join(", ") + ", " +
  // The first entry of an index, not min(): Postgres planned min() over a young table as a scan
  // of every finished job, on every finish.
  FINISHED_STATES.map((state) =>
    `(SELECT finished_at FROM coord_queue_job WHERE namespace = ? AND queue = ?
    AND state = '${state}' AND parent IS NULL AND keep IS NULL AND finished_at IS NOT NULL
    ORDER BY finished_at LIMIT 1) AS ${state}_at`
  ).join(", ") + ", " +
  ["expires_at", "outlived_at"].map((column) =>
    `(SELECT ${column} FROM coord_queue_job WHERE namespace = ? AND queue = ?
    AND ${column} IS NOT NULL ORDER BY ${column} LIMIT 1) AS ${column}`
  ).join(", ") + ", " +
  `EXISTS (SELECT 1 FROM coord_queue_job WHERE namespace = ? AND queue = ? AND state = 'active')
  AS running`;

/** How many `?` pairs (namespace, queue) {@link QUEUE_PROBE_SQL} takes. */
const QUEUE_PROBE_PAIRS = 4 + FINISHED_STATES.length * 2 + 3 + 1;

/** A queue's row of `coord_queue_config` (all null when it has none). */
type ConfigRow = {
  keep_completed: string | null;
  keep_failed: string | null;
  paused: number | null;
  group_limit: number | null;
};

/** The columns of a queue's settings, read alone. */
const CONFIG_SQL = `SELECT keep_completed, keep_failed, paused, group_limit FROM coord_queue_config
  WHERE namespace = ? AND queue = ?`;

/**
 * What a queue keeps of its finished jobs, as coord stores it: JSON `{ count?, ageMs? }`, a
 * count of jobs and an age ≥ 1 ms (`{}`: forever).
 */
function keepJson(value: unknown): boolean {
  const keep = typeof value === "string" ? parseOr(value) : undefined;
  if (typeof keep !== "object" || keep === null || Array.isArray(keep)) return false;
  return Object.entries(keep).every(([field, n]) =>
    field === "count" ? whole(n, 0) : field === "ageMs" && Number.isFinite(n) && n >= 1
  );
}

/**
 * The values coord writes in a queue's settings (as `SETTINGS` in
 * `../redis/queue/includes/keys.lua`): each step that goes by them refuses another program's.
 */
const CONFIG_RULES: ValueRule[] = [
  { table: "coord_queue_config", column: "keep_completed", writes: keepJson },
  { table: "coord_queue_config", column: "keep_failed", writes: keepJson },
  { table: "coord_queue_config", column: "paused", writes: (v) => v === 0 || v === 1 },
  { table: "coord_queue_config", column: "group_limit", writes: (v) => whole(v, 1) },
];

/** The `due` values coord writes: 0 not due yet, 1 in the run order, 2 parked by its group. */
const DUES: readonly unknown[] = [0, 1, 2];

/**
 * The values coord writes in a job's columns that its record takes as any whole number
 * (`priority`) or leaves out (`due`), checked where every step reads a job into its record:
 * another program's priority beyond ±{@link MAX_PRIORITY} was run ahead of every job of
 * coord's, and a `due` no claim looks for left the job pending for good, shown as waiting its
 * turn. A running job's lease is checked here too, so its refusal names the column (the record
 * refuses it all the same). Refused as any other value coord did not write: show exits 65, a
 * worker fails the job with the reason.
 */
const JOB_RULES: ValueRule[] = [
  {
    table: "coord_queue_job",
    column: "priority",
    writes: (v) => whole(v, -MAX_PRIORITY, MAX_PRIORITY),
  },
  { table: "coord_queue_job", column: "due", writes: (v) => DUES.includes(v) },
  // Read for a running job only (see COLUMNS): a pending one's is not coord's to keep.
  { table: "coord_queue_job", column: "lease_until", writes: shownTime },
];

/**
 * A group's counts as coord writes them, whole numbers from 0, checked where a step reads them
 * (as `group_count_ok` in `../redis/queue/includes/run_order.lua`): another program's were
 * counted on (text made every claim on SQLite fail: datatype mismatch) and written over.
 */
const GROUP_RULES: ValueRule[] = [
  { table: "coord_queue_group", column: "active", writes: (v) => whole(v, 0) },
  { table: "coord_queue_group", column: "ready", writes: (v) => whole(v, 0) },
];

/** A queue's id counter, as a put reads it: the last number given out, from 0. */
const COUNTER_RULES: ValueRule[] = [
  { table: "coord_queue_counter", column: "last", writes: (v) => whole(v, 0) },
];

/** A dedupe key's window end, as a put reads it: a whole number of ms, a time coord wrote. */
const DEDUPE_RULES: ValueRule[] = [
  { table: "coord_queue_dedupe", column: "until", writes: (v) => whole(v, 0) },
];

/**
 * A queue's count of finished jobs of a state as coord writes it, a whole number from 0: another
 * program's (text, a fraction, below 0, near BIGINT's end) was added to — overwritten on SQLite,
 * on Postgres an overflow that failed every step ending a job, as an error a worker retried.
 */
const KEPT_RULE: ValueRule = {
  table: "coord_queue_kept",
  column: "n",
  writes: (v) => whole(v, 0),
};

/** The counts in a {@link QUEUE_PROBE_SQL} row, a column for each state, checked by {@link KEPT_RULE}. */
const PROBE_KEPT_RULES: [state: string, ValueRule][] = KEPT_STATES.map(
  (state) => [state, { ...KEPT_RULE, read: `${state}_n` }],
);

/** A row of {@link QUEUE_PROBE_SQL}. */
type QueueProbe =
  & ConfigRow
  & Record<`${string}_n` | `${string}_at`, number | null>
  & {
    expires_at: number | null;
    outlived_at: number | null;
    /** Whether a job of the queue is active (Postgres: a boolean, SQLite: 0 or 1). */
    running: boolean | number;
  };

/** What a claim reads at once, before it changes anything. */
interface ClaimReads {
  /** The queue's settings, retention, and whether a job runs. */
  probe: QueueProbe;
  /**
   * Active jobs whose lease ran out; then one that ran or came due, its state written over by
   * another program.
   */
  abandoned: JobRow[];
  /** Pending jobs, not yet in the run order, whose start came. */
  touched: { id: string; group_key: string | null }[];
  /** The first jobs of the run order that no other step holds, as many as asked for. */
  first: JobRow[];
}

/** A group's jobs running and in the run order (`coord_queue_group`). */
interface GroupCounts {
  active: number;
  ready: number;
}

/** How many jobs whose start came one claim moves into the run order (the next claim: more). */
const MARK_BATCH = 500;

/** A row of `coord_queue_dedupe`, as a put reads it. */
interface DedupeEntry {
  key: string;
  /** The job put with it. */
  id: string;
  until: number;
}

/** A put's new job, before its own values. */
const NEW_JOB: JobRow = {
  id: "",
  state: "pending",
  ready_at: 0,
  attempts: 0,
  failures: 0,
  stalls: 0,
  worker: null,
  begin_by: null,
  spec: "{}",
  result: null,
  error: null,
  created_at: 0,
  started_at: null,
  finished_at: null,
  parent: null,
  grp: null,
  inputs: null,
  progress: null,
  priority: 0,
  keep: null,
  group_key: null,
  due: 0,
  lease_until: null,
};

/** How many dedupe keys whose window is over one put forgets. */
const TRIM_DEDUPE_BATCH = 10;

/**
 * How many rows one UPDATE of a batch's ends sets: within SQLite's limit of parameters a
 * statement (32,766), and short lists for each column's CASE.
 */
const GATHERED_ROWS = 100;

/** The columns a flow's job and group rows are put with (see {@link insertRows}). */
const FLOW_COLUMNS = [
  "namespace",
  "queue",
  "id",
  "state",
  "ready_at",
  "attempts",
  "stalls",
  "spec",
  "created_at",
  "parent",
  "grp",
  "priority",
  "due",
];

/** The columns a put's job rows are stored with (see {@link insertRows}). */
const PUT_COLUMNS = [
  "namespace",
  "queue",
  "id",
  "state",
  "ready_at",
  "attempts",
  "stalls",
  "begin_by",
  "spec",
  "created_at",
  "priority",
  "keep",
  "group_key",
  "due",
];

/**
 * How many of a put's or a flow's job rows one statement stores: 500 (7,000 parameters at
 * most), the rest 100, 20, 4 or 1 to a statement (see {@link statementSizes}).
 */
const JOB_ROW_SIZES = statementSizes(500);

/** Whether a retry takes a job: failed or cancelled, and no flow's part (as retry.lua). */
function retryable(row: JobRow): boolean {
  return (row.state === "failed" || row.state === "cancelled") && row.parent === null &&
    row.grp === null;
}

/** How many parked jobs of a group one statement lets into the run order. */
const FILL_BATCH = 100;

/** What a refusal of `queue`'s count of finished jobs of `state` names. */
function keptSubject(queue: string, state: unknown): string {
  return `queue "${queue}", state ${JSON.stringify(String(state))}`;
}

/**
 * Whether `f`, no longer its worker's attempt, ended as it says before the step that reads `row`:
 * a call whose answer was lost recorded it, and the worker sends it again. Told as recorded, not
 * as a lost lease; see `ended_before` in `../redis/queue/finish.lua`.
 */
function endedBefore(row: JobRow, f: Attempt & Finish): boolean {
  if (f.outcome !== "completed" && f.outcome !== "failed") return false;
  return row.state === f.outcome && row.worker === f.worker && row.attempts === f.attempt &&
    (f.outcome === "completed" || row.error === f.error);
}

/** Queue steps over one {@link SqlStore}. */
export class SqlQueueSteps implements QueueSteps {
  readonly #store: SqlStore;

  /** Steps on `store`'s namespace. */
  constructor(store: SqlStore) {
    this.#store = store;
  }

  get #ns(): string {
    return this.#store.namespace;
  }

  /**
   * Runs `fn` as one write step; `serial` steps of one queue run one at a time. `first` is the
   * step's first read, sent with the clock's (Postgres: in one round trip); `fn` gets its rows.
   * `each` instead builds the step's first reads with the clock (Postgres: read by the server
   * in the same round trip); `fn` gets the rows of each.
   */
  #write<T, Row = JobRow>(
    queue: string,
    fn: (s: Step, first: Row[], each: Record<string, unknown>[][]) => Promise<T>,
    { serial = false, first, each }: {
      serial?: boolean;
      first?: (tx: SqlTransaction) => SqlQuery;
      each?: (tx: SqlTransaction, now: SqlValue) => SqlQuery[];
    } = {},
  ): Promise<T> {
    return this.#store.write(async (tx) => {
      if (serial) await tx.lock({ kind: "queue", name: queue });
      const read = each
        ? await this.#nowAndEach(tx, (now) => each(tx, now))
        : first
        ? await tx.nowAndAll<Record<string, unknown>>(...first(tx))
          .then(({ now, rows }) => ({ now, rows: [rows] }))
        : { now: await tx.now(), rows: [] };
      const s = {
        tx,
        now: Math.floor(read.now),
        kept: new Map<string, number>(),
        outlived: [],
        failed: [],
      };
      const result = await fn(s, (read.rows[0] ?? []) as unknown as Row[], read.rows);
      await this.#saveKept(s, queue);
      return result;
    });
  }

  /** The clock and the rows of `queries` built with it, as `SqlTransaction.nowAndEach`. */
  async #nowAndEach(
    tx: SqlTransaction,
    queries: (now: SqlValue) => SqlQuery[],
  ): Promise<{ now: number; rows: Record<string, unknown>[][] }> {
    if (tx.nowAndEach) return await tx.nowAndEach(queries);
    const now = Math.floor(await tx.now());
    return { now, rows: await tx.allEach(...queries(now)) };
  }

  /**
   * Runs `fn` as one write step on attempt `r`'s job, its row locked and read with the clock;
   * `fn` gets the row only while the attempt is the worker's: see `owned` in
   * `../redis/queue/includes/job.lua`.
   */
  #attempt<T>(
    queue: string,
    r: Attempt,
    fn: (s: Step, row: JobRow | undefined) => Promise<T>,
  ): Promise<T> {
    return this.#write(queue, async (s, [row]) => {
      await s.tx.refuseForeignRows(`job ${queue}/${r.id}`, ["coord_queue_job"], {
        queue,
        id: r.id,
      });
      const owned = row?.state === "active" && row.worker === r.worker &&
        row.attempts === r.attempt;
      return await fn(s, owned ? row : undefined);
    }, {
      first: (tx) => [
        `SELECT ${COLUMNS} FROM coord_queue_job WHERE namespace = ? AND queue = ? AND id = ?
         ${tx.rowLock()}`,
        this.#ns,
        queue,
        r.id,
      ],
    });
  }

  #read<T>(fn: (s: Step) => Promise<T>): Promise<T> {
    return this.#store.read(async (tx) =>
      fn({ tx, now: Math.floor(await tx.now()), kept: new Map(), outlived: [], failed: [] })
    );
  }

  /**
   * A job's row, locked until the step ends when the step writes (unless `lock` is false: a
   * read that must not wait in a ring with steps that lock rows in another order).
   */
  async #row(s: Step, queue: string, id: string, lock = true): Promise<JobRow | undefined> {
    await s.tx.refuseForeignRows(`job ${queue}/${id}`, ["coord_queue_job"], { queue, id });
    const [row] = await s.tx.all<JobRow>(
      `SELECT ${COLUMNS} FROM coord_queue_job WHERE namespace = ? AND queue = ? AND id = ?
       ${lock ? s.tx.rowLock() : ""}`,
      this.#ns,
      queue,
      id,
    );
    return row;
  }

  /** The rows of jobs `ids`, in id order, locked until the step ends when the step writes. */
  #rowsQuery(tx: SqlTransaction, queue: string, ids: string[]): SqlQuery {
    return [
      `SELECT ${COLUMNS} FROM coord_queue_job WHERE namespace = ? AND queue = ?
       AND id IN (${ids.map(() => "?").join(", ")}) ORDER BY id ${tx.rowLock()}`,
      this.#ns,
      queue,
      ...ids,
    ];
  }

  async #job(s: Step, queue: string, row: JobRow, withResult = false): Promise<JobRecord> {
    const history = withResult
      ? (await s.tx.all<{ entry: string }>(
        `SELECT entry FROM coord_queue_history WHERE namespace = ? AND queue = ? AND id = ?
         ORDER BY seq`,
        this.#ns,
        queue,
        row.id,
      )).map((h) => parseOr(h.entry))
      : [];
    return this.#record(queue, row, withResult, history);
  }

  /** {@link #job} of a row, its history read. */
  #record(queue: string, row: JobRow, withResult: boolean, history: unknown[]): JobRecord {
    refuseForeignValues(`job ${queue}/${row.id}`, JOB_RULES, [{
      priority: row.priority,
      due: row.due,
      lease_until: row.lease_until,
    }]);
    const state = {
      id: row.id,
      state: row.state,
      attempts: row.attempts,
      failures: row.failures,
      stalls: row.stalls,
      readyAt: row.ready_at,
      createdAt: row.created_at,
      ...(row.begin_by !== null && { beginBy: row.begin_by }),
      ...(row.priority !== 0 && { priority: row.priority }),
      ...(row.keep !== null && { keep: parseOr(row.keep) }),
      ...(row.group_key !== null && { groupKey: row.group_key }),
      ...(row.started_at !== null && { startedAt: row.started_at }),
      ...(row.finished_at !== null && { finishedAt: row.finished_at }),
      ...(row.worker !== null && { worker: row.worker }),
      ...(row.state === "active" && row.lease_until !== null && { leaseUntil: row.lease_until }),
      ...(row.error !== null && { error: row.error }),
      ...(row.parent !== null && { parent: row.parent }),
      ...(row.grp !== null && { group: this.#group(queue, row) }),
      ...(history.length > 0 && { history }),
    };
    const result = withResult && row.result !== null ? row.result : undefined;
    return jobRecord(
      queue,
      state,
      row.spec,
      result,
      row.inputs ?? undefined,
      // A group's is its tally, read into its record.
      row.grp === null ? row.progress ?? undefined : undefined,
    );
  }

  /**
   * Group `row`'s record (checked by {@link jobRecord}), counted as its tally says.
   *
   * @throws {ForeignDataError} quoting it when it is not JSON's object, as every backend words
   * a job's text another program wrote: the value as stored, not the row as a step may just
   * have changed it (#abandon's UPDATE).
   */
  #group(queue: string, row: JobRow): unknown {
    const group = parseOr(row.grp!);
    if (!isObject(group)) throw new ForeignDataError(foreignJob(queue, row.grp!));
    if (row.progress === null) return group;
    return { ...group, done: readFlowTally(queue, row.progress).done };
  }

  /**
   * Sets a job's columns. No step reads the outcome (it holds the row it changes), so Postgres
   * sends it with the step's next statement.
   */
  async #update(
    s: Step,
    queue: string,
    id: string,
    fields: Record<string, SqlValue>,
  ): Promise<void> {
    if (s.gathered) {
      s.gathered.set(id, { ...s.gathered.get(id), ...fields });
      return;
    }
    const names = Object.keys(fields);
    await s.tx.later(
      `UPDATE coord_queue_job SET ${names.map((n) => `${n} = ?`).join(", ")}
       WHERE namespace = ? AND queue = ? AND id = ?`,
      ...names.map((n) => fields[n]),
      this.#ns,
      queue,
      id,
    );
  }

  /**
   * Sends the updates {@link Step.gathered} so far, a statement for each {@link GATHERED_ROWS}
   * rows: a column all its rows get the same value of is set to it, any other picks each row's by
   * its id. Postgres plans and runs one UPDATE of many rows several times faster than as many
   * UPDATEs of one row each (and a join with a VALUES list took as long to plan as to run).
   */
  async #sendGathered(s: Step, queue: string): Promise<void> {
    const all = [...s.gathered ?? []];
    s.gathered = undefined;
    for (let i = 0; i < all.length; i += GATHERED_ROWS) {
      await this.#sendRows(s, queue, all.slice(i, i + GATHERED_ROWS));
    }
  }

  /** One statement of {@link #sendGathered}. */
  async #sendRows(
    s: Step,
    queue: string,
    gathered: [string, Record<string, SqlValue>][],
  ): Promise<void> {
    if (gathered.length <= 1) {
      for (const [id, fields] of gathered) await this.#update(s, queue, id, fields);
      return;
    }
    const sets: string[] = [];
    const params: SqlValue[] = [];
    for (const name of new Set(gathered.flatMap(([, fields]) => Object.keys(fields)))) {
      const rows = gathered.filter(([, fields]) => name in fields);
      const [first] = rows.map(([, fields]) => fields[name]);
      if (rows.length === gathered.length && rows.every(([, fields]) => fields[name] === first)) {
        sets.push(`${name} = ?`);
        params.push(first);
        continue;
      }
      const type = TEXT_COLUMNS.has(name) ? "TEXT" : "BIGINT";
      const cases = rows.map(() => "WHEN ? THEN ?").join(" ");
      sets.push(`${name} = CAST(CASE id ${cases} ELSE ${name} END AS ${type})`);
      params.push(...rows.flatMap(([id, fields]) => [id, fields[name]]));
    }
    await s.tx.later(
      `UPDATE coord_queue_job SET ${sets.join(", ")} WHERE namespace = ? AND queue = ?
       AND id IN (${gathered.map(() => "?").join(", ")})`,
      ...params,
      this.#ns,
      queue,
      ...gathered.map(([id]) => id),
    );
  }

  /**
   * Ends job `before` (its row as this step read it) as completed, failed or cancelled, and
   * moves its group on, as `finish` in `../redis/queue/includes/flow.lua` does: the next serial part, the
   * postprocess, or the group's own end. `flowStays`: a part whose flow is not moved on now: one
   * whose turn has not come, cancelled, or one a step failed on its own, whose flow it moves on
   * with {@link #ownPartEnded}. Returns the job's row as it ended.
   */
  async #end(
    s: Step,
    queue: string,
    before: JobRow,
    state: "completed" | "failed" | "cancelled",
    fields: { error?: string | null; result?: string; failures?: number } = {},
    flowStays = false,
  ): Promise<JobRow> {
    await this.#leave(s, queue, before);
    const ended = { state, finished_at: s.now, ...fields };
    await this.#update(s, queue, before.id, {
      ...ended,
      lease_until: null,
      ...(before.parent === null && this.#listed(s, before, state)),
    });
    const row: JobRow = { ...before, ...ended };
    if (row.grp !== null && state !== "completed") await this.#abandon(s, queue, row);
    // A part cancelled while it waited for its turn is counted when that turn comes (#release):
    // counted now, a serial group would start its next part early (and this one in its turn).
    if (row.parent !== null && !flowStays) await this.#partEnded(s, queue, row);
    return row;
  }

  /**
   * Moves on the flow of `part`, which this step failed on its own (abandoned too often,
   * unreadable), no run of a worker's ending it; another program's row met on the way up
   * leaves the flow as it is: what that wrote is undone (a savepoint), the part fails alone, and
   * the refusal is returned, for the worker to tell, as on Redis (`fail_here` in
   * `../redis/queue/includes/take.lua`). Refused with the step, the part would stay running, its
   * lease lapsed, and every later claim of its queue would meet it and be refused.
   */
  async #ownPartEnded(s: Step, queue: string, part: JobRow): Promise<string | undefined> {
    // What the step counts as it ends goes back with the writes (a top group's end is counted).
    const kept = new Map(s.kept);
    const outlived = s.outlived.length;
    const failed = s.failed.length;
    try {
      await s.tx.savepoint(() => this.#partEnded(s, queue, part));
      return undefined;
    } catch (e) {
      if (!(e instanceof ForeignDataError)) throw e;
      s.kept = kept;
      s.outlived.length = outlived;
      s.failed.length = failed;
      return e.message;
    }
  }

  /**
   * Whether job `row`'s turn has come: a part's when its group started it, a group's when its
   * first part's did. Before that a part waits (or was cancelled waiting, then counted in its
   * turn); a group whose first part ended has started.
   */
  async #started(s: Step, queue: string, row: JobRow): Promise<boolean> {
    if (row.grp === null) return row.state !== "waiting" && row.state !== "cancelled";
    const group = (await this.#job(s, queue, row)).group!;
    const tally = row.progress === null
      ? storedTally(row.id, group)
      : readFlowTally(queue, row.progress);
    if (tally.done > 0) return true;
    // Its parts are read, not locked: a worker ending the first locks it, then its group (the
    // cancel holds the group's row). A part leaves `waiting` only by its group's release, under
    // that lock, so the read stays true until the step ends.
    const first = await this.#row(s, queue, group.children[0], false);
    return first === undefined
      ? await this.#turnCame(s, queue, row)
      : await this.#started(s, queue, first);
  }

  /**
   * Whether group `row`'s turn has come, read up its flow: a part of a serial group (or a
   * postprocess) once the parts before it ended, and only if its group's turn came. For a group
   * whose first part's row another program deleted, which cannot tell (as Redis's `cancel`).
   */
  async #turnCame(s: Step, queue: string, row: JobRow): Promise<boolean> {
    for (let part = row; part.parent !== null;) {
      const above = await this.#row(s, queue, part.parent, false);
      if (above === undefined) return true;
      const group = (await this.#job(s, queue, above)).group!;
      const index = part.id === group.postprocess
        ? group.children.length
        : group.kind === "serial"
        ? group.children.indexOf(part.id)
        : undefined;
      const tally = above.progress === null
        ? storedTally(above.id, group)
        : readFlowTally(queue, above.progress);
      if (index !== undefined && index > tally.done) return false;
      part = above;
    }
    return true;
  }

  /**
   * A group's jobs running and in the run order. Its row stays locked until the step ends, so
   * the steps that start or end jobs of one group take turns (Postgres) and its limit holds
   * across workers.
   */
  async #groupCounts(s: Step, queue: string, group: string): Promise<GroupCounts> {
    const [row] = await s.tx.all<GroupCounts>(
      `INSERT INTO coord_queue_group (namespace, queue, group_key) VALUES (?, ?, ?)
       ON CONFLICT (namespace, queue, group_key) DO UPDATE SET active = coord_queue_group.active
       RETURNING active, ready`,
      this.#ns,
      queue,
      group,
    );
    refuseForeignValues(`queue "${queue}", group "${group}"`, GROUP_RULES, [{ ...row }]);
    return row;
  }

  /** Adds to a group's counts (never below 0: a count another program reset stays sane). */
  async #groupAdd(s: Step, queue: string, group: string, delta: Partial<GroupCounts>) {
    const active = delta.active ?? 0;
    const ready = delta.ready ?? 0;
    await s.tx.run(
      `INSERT INTO coord_queue_group (namespace, queue, group_key, active, ready)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT (namespace, queue, group_key) DO UPDATE SET
       active = CASE WHEN coord_queue_group.active + CAST(? AS BIGINT) < 0 THEN 0
         ELSE coord_queue_group.active + CAST(? AS BIGINT) END,
       ready = CASE WHEN coord_queue_group.ready + CAST(? AS BIGINT) < 0 THEN 0
         ELSE coord_queue_group.ready + CAST(? AS BIGINT) END`,
      this.#ns,
      queue,
      group,
      Math.max(0, active),
      Math.max(0, ready),
      active,
      active,
      ready,
      ready,
    );
  }

  async #groupLimit(s: Step, queue: string): Promise<number> {
    return (await this.#config(s, queue)).groupLimit ?? Infinity;
  }

  /** Moves `group`'s next parked jobs into the run order while it has room (`fill`, redis/queue/includes/run_order.lua). */
  async #fill(s: Step, queue: string, group: string): Promise<void> {
    const limit = await this.#groupLimit(s, queue);
    for (;;) {
      const { active, ready } = await this.#groupCounts(s, queue, group);
      const room = Math.min(limit - active - ready, FILL_BATCH);
      if (room <= 0) return;
      // A parked job another step holds (a cancel) is left to it.
      const moved = (await s.tx.all<{ id: string }>(
        `SELECT id FROM coord_queue_job WHERE namespace = ? AND queue = ? AND group_key = ?
         AND state = 'pending' AND due = 2 ORDER BY priority DESC, ready_at, id LIMIT ?
         ${s.tx.rowLock({ skipLocked: true })}`,
        this.#ns,
        queue,
        group,
        room,
      )).map((r) => r.id);
      if (moved.length > 0) {
        await s.tx.run(
          `UPDATE coord_queue_job SET due = 1 WHERE namespace = ? AND queue = ?
           AND id IN (${moved.map(() => "?").join(", ")})`,
          this.#ns,
          queue,
          ...moved,
        );
        await this.#groupAdd(s, queue, group, { ready: moved.length });
      }
      if (moved.length < room) return;
    }
  }

  /**
   * A group's jobs in the run order are its first ones: a parked job ahead of the last of them
   * takes its place, and that one is parked again (`make_ready` in
   * redis/queue/includes/run_order.lua). So a job put, promoted or retried after one of its
   * group joined the run order runs before that one when its priority says so.
   */
  async #overtake(s: Step, queue: string, group: string): Promise<void> {
    for (;;) {
      const [first] = await s.tx.all<{ id: string; priority: number; ready_at: number }>(
        `SELECT id, priority, ready_at FROM coord_queue_job WHERE namespace = ? AND queue = ?
         AND group_key = ? AND state = 'pending' AND due = 2
         ORDER BY priority DESC, ready_at, id LIMIT 1 ${s.tx.rowLock({ skipLocked: true })}`,
        this.#ns,
        queue,
        group,
      );
      if (!first) return;
      const [behind] = await s.tx.all<{ id: string }>(
        `SELECT id FROM coord_queue_job WHERE namespace = ? AND queue = ? AND group_key = ?
         AND state = 'pending' AND due = 1 AND (priority < ? OR priority = ?
           AND (ready_at > ? OR ready_at = ? AND id > ?))
         ORDER BY priority, ready_at DESC, id DESC LIMIT 1 ${s.tx.rowLock({ skipLocked: true })}`,
        this.#ns,
        queue,
        group,
        first.priority,
        first.priority,
        first.ready_at,
        first.ready_at,
        first.id,
      );
      if (!behind) return;
      await s.tx.run(
        `UPDATE coord_queue_job SET due = CASE WHEN id = ? THEN 1 ELSE 2 END
         WHERE namespace = ? AND queue = ? AND id IN (?, ?)`,
        first.id,
        this.#ns,
        queue,
        first.id,
        behind.id,
      );
    }
  }

  /** A job leaves the run order or stops running: its group's place goes to the next job. */
  async #leave(s: Step, queue: string, row: JobRow): Promise<void> {
    if (row.group_key === null) return;
    const delta = row.state === "active"
      ? { active: -1 }
      : row.state === "pending" && row.due === 1
      ? { ready: -1 }
      : undefined;
    if (delta === undefined) return;
    // Read before the add, which would write over another program's counts unrefused.
    await this.#groupCounts(s, queue, row.group_key);
    await this.#groupAdd(s, queue, row.group_key, delta);
    await this.#fill(s, queue, row.group_key);
  }

  /**
   * Makes a waiting job ready; a group starts its parts (all, or the first). A part (or group)
   * cancelled while it waited is not made ready but counted in its group now, in its turn.
   */
  async #release(s: Step, queue: string, id: string, parent: string): Promise<void> {
    const row = await this.#row(s, queue, id);
    if (row === undefined) {
      // Deleted by another program while it waited: it cannot run, and its group goes on
      // without it in its turn, as on Redis, whose worker fails the id it meets with no record.
      await this.#failDeleted(s, queue, id, parent);
      return;
    }
    if (row.state === "cancelled") {
      await this.#partEnded(s, queue, row);
      return;
    }
    if (row.grp !== null) {
      const group = (await this.#job(s, queue, row)).group!;
      const parts = group.kind === "parallel" ? group.children : group.children.slice(0, 1);
      for (const child of parts) await this.#release(s, queue, child, id);
      return;
    }
    // Ready now, so in the run order now, as a put's job (a flow's parts have no --group). One
    // whose state another program wrote over joins it so, its state left as it is: the claim
    // that meets it there fails it as unreadable (FOREIGN_WAITING), as Redis's does.
    const foreign = !JOB_STATES.includes(row.state);
    await this.#update(s, queue, id, {
      ...!foreign && { state: "pending" },
      due: 1,
      ready_at: s.now,
    });
  }

  /**
   * Refuses the step when a row of `ids` holds another program's value, naming the first of
   * them in `ids`' order.
   *
   * @throws {ForeignDataError} naming that job.
   */
  async #refuseForeignJobs(s: Step, queue: string, ids: string[]): Promise<void> {
    const foreign = await s.tx.foreignIds("coord_queue_job", { queue }, ids);
    const first = ids.find((id) => foreign.has(id));
    if (first === undefined) return;
    await s.tx.refuseForeignRows(`job ${queue}/${first}`, ["coord_queue_job"], {
      queue,
      id: first,
    });
  }

  /**
   * A failed group's parts that have not started will not: cancelled, as many to a statement as
   * a put's rows ({@link JOB_ROW_SIZES}; a step for each took ≈ 60 s for 9,000 parts on
   * PostgreSQL at load 15). Their ends are {@link #end}'s but for what none of them does: a
   * flow's part has no --group and is no queue's finished job, and its group, ended, moves on
   * no more. A part that is a group abandons its own parts in turn.
   */
  async #abandon(s: Step, queue: string, group: JobRow): Promise<void> {
    const { children, postprocess } = (await this.#job(s, queue, group)).group!;
    await this.#cancelParts(s, queue, group, [...children, ...(postprocess ? [postprocess] : [])]);
  }

  /** Cancels `parts` of failed or cancelled `group` that have not started (see #abandon). */
  async #cancelParts(
    s: Step,
    queue: string,
    group: Pick<JobRow, "id" | "state">,
    parts: string[],
  ): Promise<void> {
    for (const ids of statementChunks(parts, JOB_ROW_SIZES)) {
      // A part another program wrote over refuses the step, as reading its row would.
      await this.#refuseForeignJobs(s, queue, ids);
      const cancelled = await s.tx.all<JobRow>(
        `UPDATE coord_queue_job SET state = 'cancelled', finished_at = ?, error = ?,
         lease_until = NULL WHERE namespace = ? AND queue = ?
         AND id IN (${ids.map(() => "?").join(", ")}) AND state IN ('waiting', 'pending')
         RETURNING ${COLUMNS}`,
        s.now,
        abandonedPart(group.id, group.state),
        this.#ns,
        queue,
        ...ids,
      );
      for (const part of cancelled) {
        if (part.grp !== null) await this.#abandon(s, queue, part);
      }
    }
  }

  /**
   * Moves `job`'s flow on, as {@link flowProgress} decides from its group's tally: the group's
   * list of parts is read only when the group is done (and when a serial group whose parts are
   * not numbered starts its next part), and the group's row is read whole only to end it.
   */
  async #partEnded(
    s: Step,
    queue: string,
    job: EndedPart & Pick<JobRow, "parent">,
  ): Promise<void> {
    // As #row refuses a row another program wrote: the group's, one indexed row.
    await s.tx.refuseForeignRows(`job ${queue}/${job.parent}`, ["coord_queue_job"], {
      queue,
      id: job.parent!,
    });
    const [parent] = await s.tx.all<{ state: string; progress: string | null }>(
      `SELECT state, progress FROM coord_queue_job WHERE namespace = ? AND queue = ? AND id = ?
       ${s.tx.rowLock()}`,
      this.#ns,
      queue,
      job.parent!,
    );
    if (parent === undefined) {
      await this.#lostGroup(s, queue, job.parent!);
      return;
    }
    // A state another program wrote: the group cannot tell whether it still waits for its
    // parts. Refused (a part a step fails on its own then fails alone), as Redis refuses the
    // group's record: taken for an ended group, the part's end left its flow waiting for good.
    if (!JOB_STATES.includes(parent.state as JobState)) {
      throw new ForeignDataError(foreignJob(queue, parent.state));
    }
    if (parent.state !== "waiting") return;
    const tally = parent.progress === null
      ? storedTally(job.parent!, await this.#groupOf(s, queue, job.parent!))
      : readFlowTally(queue, parent.progress);
    const next = flowProgress(tally, job);
    if (next.kind === "end") {
      const { error, result } = next;
      await this.#end(s, queue, (await this.#row(s, queue, job.parent!))!, next.state, {
        ...(result !== undefined && { result }),
        ...(error !== undefined && { error }),
      });
      return;
    }
    await this.#update(s, queue, job.parent!, {
      progress: JSON.stringify({ ...tally, done: next.done }),
    });
    if (next.kind === "counted") {
      if (next.release !== undefined) {
        const part = tally.numbered
          ? `${job.parent}.${next.release}`
          : (await this.#groupOf(s, queue, job.parent!)).children[next.release];
        await this.#release(s, queue, part, job.parent!);
      }
      return;
    }
    const group = (await this.#row(s, queue, job.parent!))!;
    const parts = [];
    for (const id of (await this.#job(s, queue, group)).group!.children) {
      // A part whose row another program deleted since it ended did not complete, for all the
      // group can tell: its result is null, as on Redis (a TypeError here failed every end of the
      // group's last part as a bug).
      parts.push(await this.#row(s, queue, id) ?? { state: "cancelled" as const, result: null });
    }
    const joined = gatheredResults(parts);
    const over = gatheredOversize(joined);
    if (over !== undefined) {
      await this.#end(s, queue, group, "failed", { error: over });
      return;
    }
    if (next.postprocess) {
      await this.#update(s, queue, next.postprocess, { inputs: joined });
      await this.#release(s, queue, next.postprocess, job.parent!);
    } else {
      await this.#end(s, queue, group, "completed", { result: joined });
    }
  }

  /**
   * Fails job `id`, whose row another program deleted, where its flow meets it: in its turn, or
   * (a group) at one of its parts' end. `parent`: the group that lists it, if any. A row of
   * coord's says so from now on, as the record Redis's `fail_undecodable` writes: the job is
   * counted failed, and its other parts' ends find it ended. Its parts that have not started are
   * cancelled, as a failed group's are: nothing would ever start them. Then its group goes on
   * without it, and the worker whose step met it tells it (`Step.failed`), as on Redis.
   */
  async #failDeleted(s: Step, queue: string, id: string, parent: string | null): Promise<void> {
    // No row to lock: two steps ending parts of one deleted group at once (Postgres) both come
    // here, and the one that waited on the other's row finds the group failed, as it would.
    const written = await s.tx.all(
      `INSERT INTO coord_queue_job (namespace, queue, id, state, ready_at, attempts, stalls, spec,
       created_at, parent) VALUES (?, ?, ?, 'waiting', ?, 0, 0, '{}', ?, ?)
       ON CONFLICT (namespace, queue, id) DO NOTHING RETURNING id`,
      this.#ns,
      queue,
      id,
      s.now,
      s.now,
      parent,
    );
    if (written.length === 0) return;
    await this.#cancelParts(s, queue, { id, state: "failed" }, await this.#partsOf(s, queue, id));
    await this.#end(s, queue, (await this.#row(s, queue, id))!, "failed", { error: DELETED_JOB });
    s.failed.push({ id, attempt: 0, error: DELETED_JOB });
  }

  /**
   * The parts that name group `id`, whose row another program deleted, however many of them were
   * deleted too: the rows whose ids start with its and a dot (`flowNodes` in lib/queue/flow.ts
   * numbers a group's parts so, and theirs under them), a range of the primary key ('/' follows
   * '.' in byte order), so a job met deleted in its turn, most often no group, costs one seek
   * (where the database's collation is byte order: `SqlTransaction.byteOrder`). Redis looks for
   * them by place (`abandon_orphans` in lib/backend/redis/queue/includes/flow.lua).
   */
  async #partsOf(s: Step, queue: string, id: string): Promise<string[]> {
    const key = await s.tx.byteOrder("id");
    const parts = await s.tx.all<{ id: string }>(
      `SELECT id FROM coord_queue_job WHERE namespace = ? AND queue = ? AND ${key} > ?
       AND ${key} < ? AND parent = ? ORDER BY id`,
      this.#ns,
      queue,
      `${id}.`,
      `${id}/`,
      id,
    );
    return parts.map((part) => part.id);
  }

  /**
   * Group `id`, whose part ended, was deleted by another program: it cannot count that part, and
   * its flow would wait for it for good. It fails now ({@link #failDeleted}), under the group
   * that lists it, found by its id (a part's is its group's, a dot and its place: `flowNodes` in
   * lib/queue/flow.ts), as Redis finds it (`listed_by` in
   * lib/backend/redis/queue/fail_undecodable.lua): a change to one is a change to the other.
   */
  async #lostGroup(s: Step, queue: string, id: string): Promise<void> {
    const above = /^(.+)\.[^.]+$/.exec(id)?.[1];
    const row = above === undefined ? undefined : await this.#row(s, queue, above, false);
    const group = row?.grp == null ? undefined : (await this.#job(s, queue, row)).group;
    const listed = group?.children.includes(id) || group?.postprocess === id;
    await this.#failDeleted(s, queue, id, listed ? above! : null);
  }

  /** Group `id`'s record, as its row holds it. */
  async #groupOf(s: Step, queue: string, id: string): Promise<JobGroup> {
    return (await this.#job(s, queue, (await this.#row(s, queue, id))!)).group!;
  }

  /**
   * Adds `delta` to how many finished jobs of `state` (no flow's parts) the queue holds, as the
   * step ends.
   */
  #kept(s: Step, state: string, delta: number): void {
    s.kept.set(state, (s.kept.get(state) ?? 0) + delta);
  }

  /**
   * Writes the step's {@link Step.kept}, rows in one order (two steps never wait in a ring),
   * then the ends of {@link Step.outlived}, counted from the queue's finished jobs. Every
   * finish locks these rows: without outlived jobs to count, Postgres sends the write with the
   * COMMIT, so the step holds them for no round trip of its own.
   */
  async #saveKept(s: Step, queue: string): Promise<void> {
    const changes = [...s.kept].filter(([, delta]) => delta !== 0).sort(([a], [b]) =>
      a < b ? -1 : 1
    );
    if (changes.length === 0) return;
    if (!s.keptChecked) await this.#refuseForeignKept(s, queue);
    const upsert: SqlQuery = [
      `INSERT INTO coord_queue_kept (namespace, queue, state, n)
       VALUES ${changes.map(() => "(?, ?, ?, ?)").join(", ")}
       ON CONFLICT (namespace, queue, state) DO UPDATE SET n = CASE
         WHEN coord_queue_kept.n + excluded.n < 0 THEN 0 ELSE coord_queue_kept.n + excluded.n END
       RETURNING state, n`,
      ...changes.flatMap(([state, delta]) => [this.#ns, queue, state, delta]),
    ];
    if (s.outlived.length === 0) return await s.tx.later(...upsert);
    const counts = await s.tx.all<{ state: string; n: number }>(...upsert);
    const finished = counts.find((c) => c.state === "finished")!.n - s.kept.get("finished")!;
    for (const { id, count, nth } of s.outlived) {
      await s.tx.later(
        "UPDATE coord_queue_job SET outlived_at = ? WHERE namespace = ? AND queue = ? AND id = ?",
        finished + nth + count,
        this.#ns,
        queue,
        id,
      );
    }
  }

  /**
   * Refuses the queue's counts of finished jobs when another program wrote one (see
   * {@link KEPT_RULE}): before a step that has not read them adds to them, and in status and
   * doctor, which name them before a worker meets them.
   *
   * @throws {ForeignDataError} naming the queue, the state and the value; nothing changed.
   */
  async #refuseForeignKept(s: { tx: SqlTransaction }, queue: string): Promise<void> {
    const rows = await s.tx.all<{ state: string; n: unknown }>(
      // Only the states coord counts: an older coord failing a job it could not read wrote a
      // row for the state it left (`pending`: -1), which nothing reads.
      `SELECT state, n FROM coord_queue_kept WHERE namespace = ? AND queue = ?
         AND state IN (${KEPT_STATES.map((state) => `'${state}'`).join(", ")}) ORDER BY state`,
      this.#ns,
      queue,
    );
    for (const row of rows) refuseForeignValues(keptSubject(queue, row.state), [KEPT_RULE], [row]);
  }

  /**
   * Counts a finished job that is no flow's part: toward its queue's retention, or, put with
   * its own --keep, until a duration after it finished and/or until that many more finished
   * (see `listed` in `../redis/queue/includes/retention.lua`).
   *
   * @returns the columns of its own --keep's end (its count's is set as the step ends).
   */
  #listed(s: Step, row: JobRow, state: FinishedState): Record<string, SqlValue> {
    this.#kept(s, "finished", 1);
    if (row.keep === null) {
      this.#kept(s, state, 1);
      return {};
    }
    const keep = parseOr(row.keep) as Keep;
    if (keep.count !== undefined) {
      s.outlived.push({ id: row.id, count: keep.count, nth: s.kept.get("finished")! });
    }
    return { expires_at: keep.ageMs === undefined ? null : s.now + keep.ageMs, outlived_at: null };
  }

  /** The query of a queue's settings, for {@link #settings}. */
  #configQuery(queue: string): SqlQuery {
    return [CONFIG_SQL, this.#ns, queue];
  }

  /**
   * Refuses a queue whose settings another program wrote to: each step that goes by them, now
   * or maybe later on (filling a group's room), checks them first, as on Redis.
   */
  async #checkSettings(s: Step, queue: string): Promise<void> {
    await this.#config(s, queue);
  }

  async #config(s: Step, queue: string): Promise<QueueConfig> {
    const [row] = await s.tx.all<ConfigRow>(...this.#configQuery(queue));
    return this.#settings(queue, row);
  }

  /**
   * A queue's settings from its row, defaults where it has none.
   *
   * @throws {ForeignDataError} when another program wrote a value coord does not write there.
   */
  #settings(queue: string, row: ConfigRow | undefined): QueueConfig {
    if (row) refuseForeignValues(`queue "${queue}"`, CONFIG_RULES, [row]);
    const keep = (json: string | null | undefined, fallback: Keep): Keep =>
      json == null ? fallback : JSON.parse(json);
    return {
      keepCompleted: keep(row?.keep_completed, DEFAULT_KEEP.keepCompleted),
      keepFailed: keep(row?.keep_failed, DEFAULT_KEEP.keepFailed),
      paused: row?.paused === 1,
      ...(row?.group_limit != null && { groupLimit: row.group_limit }),
    };
  }

  /** Whether a finished job's flow has a part still running (see `unfinished` in redis/queue/includes/retention.lua). */
  async #unfinished(s: Step, queue: string, id: string): Promise<boolean> {
    const row = await this.#row(s, queue, id);
    if (!row) return false;
    if (row.state === "active" || row.state === "pending" || row.state === "waiting") return true;
    if (row.grp === null) return false;
    const group = parseOr(row.grp) as { children?: string[]; postprocess?: string };
    for (
      const child of [...(group.children ?? []), ...(group.postprocess ? [group.postprocess] : [])]
    ) {
      if (await this.#unfinished(s, queue, child)) return true;
    }
    return false;
  }

  /** Deletes job `id` and its flow's parts; returns the rows deleted, its own last. */
  async #drop(s: Step, queue: string, id: string): Promise<JobRow[]> {
    const row = await this.#row(s, queue, id);
    const dropped: JobRow[] = [];
    if (row?.grp) {
      const group = parseOr(row.grp) as { children?: string[]; postprocess?: string };
      for (
        const child of [
          ...(group.children ?? []),
          ...(group.postprocess ? [group.postprocess] : []),
        ]
      ) {
        dropped.push(...await this.#drop(s, queue, child));
      }
    }
    for (const table of ["coord_queue_job", "coord_queue_history"]) {
      await s.tx.run(
        `DELETE FROM ${table} WHERE namespace = ? AND queue = ? AND id = ?`,
        this.#ns,
        queue,
        id,
      );
    }
    if (row) dropped.push(row);
    return dropped;
  }

  /** Why show refuses the job in `row` (another program wrote it), if it does. */
  #refusal(queue: string, row: JobRow): ForeignDataError | undefined {
    try {
      this.#record(queue, row, false, []);
    } catch (e) {
      if (e instanceof ForeignDataError) return e;
      throw e;
    }
  }

  /**
   * Removes finished jobs `rows` (of `state`, else of the state each is in; each locked by this
   * step), remembering the newest {@link MAX_REMOVED}. Retention removes about one job for each
   * that finishes: a job that is no flow is removed with a few statements for the whole batch,
   * sent with the step's next one. A row another program wrote (one show refuses) is refused,
   * or, given `left` (a retention pass, which must not stop the worker whose step it is in),
   * left as it is and added to `left`.
   */
  async #remove(
    s: Step,
    queue: string,
    state: FinishedState | undefined,
    rows: JobRow[],
    left?: JobRow[],
  ): Promise<number> {
    const removed: JobRow[] = [];
    const plain: string[] = [];
    // A flow's parts, remembered as each ended: show and wait on one say so, as of its flow.
    const parts: JobRow[] = [];
    const foreign = await s.tx.foreignIds("coord_queue_job", { queue }, rows.map((r) => r.id));
    for (const row of rows) {
      if (foreign.has(row.id)) {
        if (left) {
          left.push(row);
          continue;
        }
        // Refused, naming the value.
        await s.tx.refuseForeignRows(`job ${queue}/${row.id}`, ["coord_queue_job"], {
          queue,
          id: row.id,
        });
      }
      // Of the right types, but holding what coord never writes (a spec, a priority): as show
      // refuses it.
      const refusal = this.#refusal(queue, row);
      if (refusal) {
        if (!left) throw refusal;
        left.push(row);
        continue;
      }
      if (row.grp !== null) {
        // A flow goes as a whole, never while a part still runs.
        if (await this.#unfinished(s, queue, row.id)) continue;
        parts.push(...(await this.#drop(s, queue, row.id)).slice(0, -1));
      } else if (row.state === "active" || row.state === "pending" || row.state === "waiting") {
        continue;
      } else plain.push(row.id);
      if (row.keep === null) this.#kept(s, state ?? row.state, -1);
      removed.push(row);
    }
    const where = "WHERE namespace = ? AND queue = ? AND id IN";
    const list = (n: number) => `(${Array.from({ length: n }, () => "?").join(", ")})`;
    for (let i = 0; i < plain.length; i += GATHERED_ROWS) {
      const ids = plain.slice(i, i + GATHERED_ROWS);
      for (const table of ["coord_queue_job", "coord_queue_history"]) {
        await s.tx.later(
          `DELETE FROM ${table} ${where} ${list(ids.length)}`,
          this.#ns,
          queue,
          ...ids,
        );
      }
    }
    const remembered = [
      ...removed.map((row) => ({ id: row.id, state: state ?? row.state })),
      ...parts.filter((row) => (FINISHED_STATES as readonly string[]).includes(row.state)),
    ];
    for (let i = 0; i < remembered.length; i += GATHERED_ROWS) {
      const batch = remembered.slice(i, i + GATHERED_ROWS);
      // Removed again (a reused id): it counts as the newest.
      await s.tx.later(
        `DELETE FROM coord_queue_removed ${where} ${list(batch.length)}`,
        this.#ns,
        queue,
        ...batch.map((job) => job.id),
      );
      await insertRows(
        s.tx,
        "coord_queue_removed",
        ["namespace", "queue", "id", "state", "removed_at"],
        batch.map((job) => [this.#ns, queue, job.id, job.state, s.now]),
        statementSizes(GATHERED_ROWS),
      );
    }
    if (removed.length > 0) {
      await s.tx.later(
        `DELETE FROM coord_queue_removed
         WHERE seq <= (SELECT max(seq) FROM coord_queue_removed) - ?`,
        MAX_REMOVED,
      );
    }
    return removed.length;
  }

  /**
   * Finished jobs of `state` (no flow's parts; with `trimmed`, only those the queue's retention
   * governs), oldest first, that finished before, locked; jobs another step holds are left to
   * it.
   */
  async #oldest(
    s: Step,
    queue: string,
    state: FinishedState,
    before: number,
    limit: number,
    trimmed = false,
  ): Promise<JobRow[]> {
    // The state written out, as in QUEUE_PROBE_SQL: SQLite compiles a statement again each
    // time a parameter is bound that it compared with a partial index's constant (state =
    // 'pending'), and retention runs this on every finish.
    if (!FINISHED_STATES.includes(state)) throw new Error(`not a finished state: ${state}`);
    return await s.tx.all<JobRow>(
      `SELECT ${COLUMNS} FROM coord_queue_job WHERE namespace = ? AND queue = ?
       AND state = '${state}' AND parent IS NULL ${trimmed ? "AND keep IS NULL" : ""}
       AND finished_at < ? ORDER BY finished_at, id LIMIT ?
       ${s.tx.rowLock({ skipLocked: true })}`,
      this.#ns,
      queue,
      before,
      limit,
    );
  }

  /**
   * Removes up to `batch` of the oldest jobs of `state` (not put with their own --keep) finished
   * before `before`, and no more than `over`, reading past those it leaves — another program's
   * (taken out of what retention goes by: {@link #passBy}), a flow whose part still runs: else
   * the same few would head every batch, and nothing after them would go. What it passes is out
   * of `over` too, as Redis takes such a job out of what its retention counts: else the newest
   * of the queue's own jobs would go in their place. A few reads at most. Returns how many it
   * removed.
   */
  async #removeOldest(
    s: Step,
    queue: string,
    state: FinishedState,
    before: number,
    batch: number,
    over = Infinity,
  ): Promise<number> {
    // Rows passed, and those of them still in the retention order (a flow's part still runs).
    let passed = 0;
    let behind = 0;
    for (let read = 0; read < 4; read++) {
      const limit = Math.min(over - passed, batch);
      if (limit <= 0) return 0;
      const rows = (await this.#oldest(s, queue, state, before, behind + limit, true))
        .slice(behind);
      const foreign: JobRow[] = [];
      // Removals are written at the step's end: only a read that removed none is read past.
      const removed = await this.#remove(s, queue, state, rows, foreign);
      await this.#passBy(s, queue, foreign);
      if (removed > 0 || rows.length < limit) return removed;
      passed += rows.length;
      behind += rows.length - foreign.length;
    }
    return 0;
  }

  /**
   * Takes finished jobs `rows` that retention left as another program's (show refuses them) out
   * of what it goes by, as Redis takes them off its retention lists: kept for good (an own --keep
   * of forever, or the one it holds, with no end) and no longer counted, their other columns left
   * as they are. Else past a batch or a few of them at the head of an order retention reads,
   * nothing after them went.
   */
  async #passBy(s: Step, queue: string, left: JobRow[]): Promise<void> {
    // Only a finished job: another program's values in a pending one (an end of retention it
    // cannot have) are not retention's to take out, and its run fails it with the reason.
    const rows = left.filter((row) => (FINISHED_STATES as readonly string[]).includes(row.state));
    if (rows.length === 0) return;
    for (const row of rows) if (row.keep === null) this.#kept(s, row.state, -1);
    await s.tx.later(
      `UPDATE coord_queue_job SET keep = COALESCE(keep, '{}'), expires_at = NULL,
       outlived_at = NULL WHERE namespace = ? AND queue = ?
       AND id IN (${rows.map(() => "?").join(", ")})`,
      this.#ns,
      queue,
      ...rows.map((row) => row.id),
    );
  }

  /** How many finished jobs of `state` the queue holds, locked until the step ends. */
  async #keptLocked(s: Step, queue: string, state: string): Promise<number> {
    const [row] = await s.tx.all<{ n: number }>(
      `SELECT n FROM coord_queue_kept WHERE namespace = ? AND queue = ? AND state = ?
       ${s.tx.rowLock()}`,
      this.#ns,
      queue,
      state,
    );
    return row?.n ?? 0;
  }

  /**
   * Removes up to `batch` jobs of each finished state past what the queue keeps (see `trim`).
   */
  async #trim(
    s: Step,
    queue: string,
    held: QueueProbe,
    config: QueueConfig,
    batch: number,
  ): Promise<void> {
    // In the order #saveKept locks the counts in, as the counts are locked here too.
    for (const state of [...FINISHED_STATES].sort()) {
      const keep = state === "completed" ? config.keepCompleted : config.keepFailed;
      const oldest = held[`${state}_at`];
      const removed = keep.ageMs === undefined || oldest === null || oldest >= s.now - keep.ageMs
        ? 0
        : await this.#removeOldest(s, queue, state, s.now - keep.ageMs, batch);
      if (removed === 0 && keep.count !== undefined) {
        let over = (held[`${state}_n`] ?? 0) + (s.kept.get(state) ?? 0) - keep.count;
        if (over > 0) {
          // Steps that finish at once read the same count, and each would remove the same
          // excess: the count is read again, locked, so the next step sees what this one left.
          over = await this.#keptLocked(s, queue, state) + (s.kept.get(state) ?? 0) - keep.count;
        }
        if (over > 0) {
          await this.#removeOldest(s, queue, state, Number.MAX_SAFE_INTEGER, batch, over);
        }
      }
    }
    // Jobs put with their own --keep, past it.
    const finished = (held.finished_n ?? 0) + (s.kept.get("finished") ?? 0);
    for (const [column, end] of [["expires_at", s.now], ["outlived_at", finished]] as const) {
      const first = held[column];
      if (first === null || first > end) continue;
      const over = await s.tx.all<JobRow>(
        `SELECT ${COLUMNS} FROM coord_queue_job WHERE namespace = ? AND queue = ?
         AND ${column} <= ? ORDER BY ${column} LIMIT ? ${s.tx.rowLock({ skipLocked: true })}`,
        this.#ns,
        queue,
        end,
        batch,
      );
      const foreign: JobRow[] = [];
      await this.#remove(s, queue, undefined, over, foreign);
      await this.#passBy(s, queue, foreign);
    }
  }

  async putFlow(queue: string, nodes: FlowNode[]): Promise<boolean | { taken: string }> {
    // Written out before the step: megabytes of JSON made between two of its round trips left
    // a busy machine's Postgres waiting past its idle-in-transaction timer (IDLE_IN_STEP_MS).
    const specs = nodes.map((node) => JSON.stringify(node.spec ?? {}));
    const groups = nodes.map((node) =>
      node.group ? JSON.stringify({ ...node.group, done: 0 }) : null
    );
    const stored = await this.#write(queue, async (s) => {
      await this.#checkSettings(s, queue);
      if (await this.#row(s, queue, nodes[0].id)) return false;
      const ids = nodes.slice(1).map((node) => node.id);
      const [taken] = ids.length === 0 ? [] : await s.tx.all<{ id: string }>(
        `SELECT id FROM coord_queue_job WHERE namespace = ? AND queue = ?
         AND id IN (${ids.map(() => "?").join(", ")}) LIMIT 1`,
        this.#ns,
        queue,
        ...ids,
      );
      if (taken) return { taken: taken.id };
      await insertRows(
        s.tx,
        "coord_queue_job",
        FLOW_COLUMNS,
        nodes.map((node, i) => [
          this.#ns,
          queue,
          node.id,
          node.released ? "pending" : "waiting",
          s.now,
          0,
          0,
          specs[i],
          s.now,
          node.parent ?? null,
          groups[i],
          node.priority ?? 0,
          // A part released at once joins the run order now, as a put's job does (a flow's
          // parts have no --group): else each claim wrote its row twice.
          node.released ? 1 : 0,
        ]),
        JOB_ROW_SIZES,
      );
      await s.tx.notify({ kind: "queue", name: queue });
      return true;
    }, { serial: true });
    if (stored === true) await this.#added(queue, nodes.length);
    return stored;
  }

  async put(queue: string, r: PutRequest): Promise<PutResult> {
    return (await this.putMany(queue, [r]))[0];
  }

  async putMany(queue: string, requests: PutRequest[]): Promise<PutResult[]> {
    const results = await this.#write(
      queue,
      async (s, dedupes: DedupeEntry[], [, [config], [counter]]) => {
        this.#settings(queue, config as ConfigRow | undefined);
        await this.#trimDedupe(s, queue, dedupes);
        const results = await this.#putAll(s, queue, requests, counter?.last as string | undefined);
        if (results.some((r) => r.created)) await s.tx.notify({ kind: "queue", name: queue });
        return results;
      },
      { serial: true, each: () => this.#putReads(queue) },
    );
    await this.#added(queue, results.filter((r) => r.created).length);
    return results;
  }

  /**
   * What a put reads first, with the clock (Postgres: one round trip): the dedupe keys whose
   * window ends first, the queue's settings, which it refuses when another program wrote
   * them (a job put there would wait for a worker that refuses the queue), and its id counter.
   */
  #putReads(queue: string): SqlQuery[] {
    return [
      this.#firstDedupes(queue),
      this.#configQuery(queue),
      // As text: an integer past 2^53 (another program's) fails no read of SQLite's, and is
      // refused only when a put numbers a job.
      [
        `SELECT CAST(last AS TEXT) AS last FROM coord_queue_counter
         WHERE namespace = ? AND queue = ?`,
        this.#ns,
        queue,
      ],
    ];
  }

  /** Tells the store that a step added `created` jobs to `queue` (see `SqlStore.added`). */
  async #added(queue: string, created: number): Promise<void> {
    await this.#store.added?.("coord_queue_job", { namespace: this.#ns, queue }, created);
  }

  /**
   * The dedupe keys whose window ends first, read with a put's clock (the clock is not known
   * yet, so the read cannot say which windows are over).
   */
  #firstDedupes(queue: string): SqlQuery {
    return [
      `SELECT key, id, until FROM coord_queue_dedupe WHERE namespace = ? AND queue = ?
       ORDER BY until LIMIT ${TRIM_DEDUPE_BATCH}`,
      this.#ns,
      queue,
    ];
  }

  /**
   * The job put with dedupe `entry`'s key (found by `rowOf`), while it is unfinished or its
   * window lasts.
   */
  async #deduplicated(
    s: Step,
    queue: string,
    entry: DedupeEntry | undefined,
    rowOf: (id: string) => Promise<JobRow | undefined>,
  ): Promise<JobRow | undefined> {
    // Another program's `until` (text, on SQLite) compares with no clock; another program's job
    // row says nothing of whether that job runs: refused, as Redis refuses (`load`).
    if (entry) refuseForeignValues(`queue "${queue}"`, DEDUPE_RULES, [{ until: entry.until }]);
    const row = entry && await rowOf(entry.id);
    if (!row) return undefined;
    await this.#job(s, queue, row);
    const live = row.state === "pending" || row.state === "active" || row.state === "waiting";
    return live || entry.until > s.now ? row : undefined;
  }

  /**
   * Forgets a few dedupe keys whose window is over (see `trim_dedupe` in redis/queue/includes/new_job.lua), among
   * `first`, those of {@link #firstDedupes}.
   */
  async #trimDedupe(s: Step, queue: string, first: DedupeEntry[]): Promise<void> {
    const over = first.filter((d) => d.until <= s.now);
    for (const entry of over) {
      const { key } = entry;
      if (await this.#deduplicated(s, queue, entry, (id) => this.#row(s, queue, id))) continue;
      await s.tx.run(
        "DELETE FROM coord_queue_dedupe WHERE namespace = ? AND queue = ? AND key = ?",
        this.#ns,
        queue,
        key,
      );
    }
  }

  /**
   * Adds each of `requests` in order unless its id or dedupe key is taken, as that many puts
   * one after the other would (see `put` in `../redis/queue/includes/new_job.lua`): what each
   * would read is read at once for the lot (Postgres: a round trip or two), and their rows go
   * 500 to a statement ({@link JOB_ROW_SIZES}), with the commit. Each was a statement and, on
   * Postgres, a round trip (20,000 jobs put from a file: bench/README.md). `counter` is the
   * queue's, read first. Puts of a queue run one at a time (`serial`), so no other step adds a
   * job between these reads and the rows.
   */
  async #putAll(
    s: Step,
    queue: string,
    requests: PutRequest[],
    counter: string | undefined,
  ): Promise<PutResult[]> {
    const { tx, now } = s;
    // Rows read, by id, and the new ones as they are made; those of them another program wrote.
    const rows = new Map<string, JobRow>();
    const foreign = new Set<string>();
    const keep = async (read: JobRow[], ids: string[]) => {
      for (const row of read) rows.set(row.id, row);
      for (const id of await tx.foreignIds("coord_queue_job", { queue }, ids)) foreign.add(id);
    };
    const read = async (ids: string[]) => {
      if (ids.length > 0) await keep(await tx.all<JobRow>(...this.#rowsQuery(tx, queue, ids)), ids);
    };
    // A job's row, refused as #row refuses it.
    const known = async (id: string) => {
      if (foreign.has(id)) {
        await tx.refuseForeignRows(`job ${queue}/${id}`, ["coord_queue_job"], { queue, id });
      }
      return rows.get(id);
    };
    // The numbers the jobs without an id would take are read with the ids given: a number an
    // --id took is skipped, and as many more read then.
    let last = Number(counter ?? 0);
    let readUpTo = last + requests.filter((r) => r.id === undefined).length;
    const numbers = (to: number) =>
      Number.isSafeInteger(to)
        ? Array.from({ length: to - last }, (_, i) => `${last + i + 1}`)
        : [];
    const ids = [
      ...new Set([
        ...requests.flatMap((r) => r.id === undefined ? [] : [r.id]),
        ...numbers(readUpTo),
      ]),
    ];
    const keys = [...new Set(requests.flatMap((r) => r.dedupe ? [r.dedupe.key] : []))];
    const dedupeQuery: SqlQuery = [
      `SELECT key, id, until FROM coord_queue_dedupe WHERE namespace = ? AND queue = ?
       AND key IN (${keys.map(() => "?").join(", ")})`,
      this.#ns,
      queue,
      ...keys,
    ];
    const [found = [], entryRows = []] = await tx.allEach(
      ...(ids.length === 0 ? [] : [this.#rowsQuery(tx, queue, ids)]),
      ...(keys.length === 0 ? [] : [dedupeQuery]),
    ) as unknown as [JobRow[]?, DedupeEntry[]?];
    await keep(found, ids);
    await read([...new Set(entryRows.map((e) => e.id))].filter((id) => !rows.has(id)));
    const entries = new Map(entryRows.map((e) => [e.key, e]));
    const results: PutResult[] = [];
    const added: JobRow[] = [];
    const written = new Map<string, DedupeEntry>();
    let counted = false;
    for (const r of requests) {
      if (r.dedupe && (r.id === undefined || !await known(r.id))) {
        const first = await this.#deduplicated(s, queue, entries.get(r.dedupe.key), known);
        if (first) {
          results.push({
            job: await this.#job(s, queue, first),
            created: false,
            deduplicated: true,
          });
          continue;
        }
      }
      let id = r.id;
      if (id === undefined) {
        if (!counted) {
          await tx.refuseForeignRows(`queue "${queue}"`, ["coord_queue_counter"], { queue });
          // One below 0 (another program's, an UPDATE by hand) would name the queue's jobs -6,
          // -5 … as Redis's counter refuses to.
          refuseForeignValues(`queue "${queue}"`, COUNTER_RULES, [{ last }]);
          counted = true;
        }
        do {
          if (last === readUpTo) {
            readUpTo += requests.length - results.length;
            await read(numbers(readUpTo));
          }
          id = String(++last);
        } while (rows.has(id));
      } else {
        const existing = await known(id);
        if (existing) {
          results.push({ job: await this.#job(s, queue, existing), created: false });
          continue;
        }
      }
      // An --at in the past is now: the job became pending when it was put, which its oldest-
      // pending age, --begin-by and place among jobs of its priority count from (as on Redis).
      const readyAt = Math.max(now, Math.round(r.at ?? now + r.delayMs));
      const row: JobRow = {
        ...NEW_JOB,
        id,
        ready_at: readyAt,
        // --begin-by counts from when the job may start.
        begin_by: r.beginByMs === undefined ? null : readyAt + Math.round(r.beginByMs),
        spec: JSON.stringify(r.spec),
        created_at: now,
        priority: r.priority ?? 0,
        keep: r.keep === undefined ? null : JSON.stringify(r.keep),
        group_key: r.groupKey ?? null,
        // A job that may start at once joins the run order now, as on Redis: left for a claim
        // to mark, it was written a second time, and a long backlog had each claim mark a batch
        // far ahead of those it took. (A group's job waits for that claim, which counts it in
        // its group.)
        due: readyAt <= now && r.groupKey === undefined ? 1 : 0,
      };
      rows.set(id, row);
      added.push(row);
      if (r.dedupe) {
        const entry = { key: r.dedupe.key, id, until: now + Math.round(r.dedupe.forMs) };
        entries.set(entry.key, entry);
        written.set(entry.key, entry);
      }
      results.push({ job: await this.#job(s, queue, row), created: true });
    }
    // Read by no one in this step: Postgres sends them with the COMMIT.
    if (counted) {
      await tx.later(
        `INSERT INTO coord_queue_counter (namespace, queue, last) VALUES (?, ?, ?)
         ON CONFLICT (namespace, queue) DO UPDATE SET last = excluded.last`,
        this.#ns,
        queue,
        last,
      );
    }
    await insertRows(
      tx,
      "coord_queue_job",
      PUT_COLUMNS,
      added.map((row) =>
        PUT_COLUMNS.map((column) =>
          column === "namespace"
            ? this.#ns
            : column === "queue"
            ? queue
            : row[column as keyof JobRow]
        )
      ),
      JOB_ROW_SIZES,
    );
    await insertRows(
      tx,
      "coord_queue_dedupe",
      ["namespace", "queue", "key", "id", "until"],
      [...written.values()].map((e) => [this.#ns, queue, e.key, e.id, e.until]),
      JOB_ROW_SIZES,
      "ON CONFLICT (namespace, queue, key) DO UPDATE SET id = excluded.id, until = excluded.until",
    );
    return results;
  }

  finish(queue: string, r: Attempt & Finish): Promise<boolean> {
    return this.finishAndClaim(queue, { finishes: [r], worker: r.worker, leaseMs: 0, claims: 0 })
      .then(({ recorded: [recorded] }) => recorded);
  }

  finishAndClaim(queue: string, r: FinishAndClaim): Promise<FinishedAndClaimed> {
    // Rows locked in one order: two steps finishing the same jobs never wait in a ring.
    const ids = [...new Set(r.finishes.map((f) => f.id))].sort();
    const finishing = (tx: SqlTransaction): SqlQuery => [
      `SELECT ${COLUMNS} FROM coord_queue_job WHERE namespace = ? AND queue = ?
       AND id IN (${ids.map(() => "?").join(", ")}) ORDER BY id ${tx.rowLock()}`,
      this.#ns,
      queue,
      ...ids,
    ];
    // A step that only claims reads what it takes with the clock (Postgres: one round trip).
    const claimOnly = ids.length === 0 && r.claims > 0 && !r.holding;
    return this.#write(queue, async (s, rows, each) => {
      const running = new Map(rows.map((row) => [row.id, row]));
      // Another program wrote over the job: its run records nothing, and the others do.
      // (Its lease runs out, and a claim hands it to a worker to fail.)
      for (const id of await s.tx.foreignIds("coord_queue_job", { queue }, ids)) {
        running.delete(id);
      }
      const recorded = [];
      // The runs this step ends (a run's end sent again is recorded, but ended before it).
      let ended = 0;
      let woke = false;
      s.gathered = new Map();
      for (const f of r.finishes) {
        // Only while the attempt is the worker's: see `owned` in ../redis/queue/includes/job.lua.
        const row = running.get(f.id);
        const owned = row?.state === "active" && row.worker === f.worker &&
          row.attempts === f.attempt;
        recorded.push(owned || (row !== undefined && endedBefore(row, f)));
        if (!owned) continue;
        ended++;
        // Every outcome ends the run: a later finish of the job in this batch records nothing.
        running.delete(f.id);
        // A job of a flow or a group reads other rows as it ends, and sees the batch so far.
        const plain = row.parent === null && row.grp === null && row.group_key === null;
        if (!plain) await this.#sendGathered(s, queue);
        if (await this.#finish(s, queue, row, f)) woke = true;
        s.gathered ??= new Map();
      }
      await this.#sendGathered(s, queue);
      if (r.holding && await this.#handBack(s, queue, r.worker, r.holding)) woke = true;
      if (ended === 0 && r.claims === 0 && !woke) return { recorded, jobs: [], now: s.now };
      const reads = claimOnly
        ? this.#claimReadsOf(each)
        : await this.#claimReads(s, queue, r.claims);
      // Settings another program wrote to refuse the whole step, its ends too, as on Redis.
      const settings = this.#settings(queue, reads.probe);
      for (const [state, rule] of PROBE_KEPT_RULES) {
        refuseForeignValues(keptSubject(queue, state), [rule], [reads.probe]);
      }
      s.keptChecked = true;
      const failed = s.failed;
      const taken = await this.#take(s, queue, r, reads, settings, failed);
      // Idle queues age out too: a step that takes nothing removes a few past what the queue
      // keeps. One that takes jobs leaves it to their ends, as on Redis, and saves the queries.
      if (ended > 0 || taken.jobs.length === 0) {
        await this.#trim(s, queue, reads.probe, settings, TRIM_BATCH * Math.max(1, ended));
      }
      // Waiters for a queue to drain hear when its last run ends: news a worker sleeps through
      // (see news.ts), where a job that became ready wakes it.
      if (woke) await s.tx.notify({ kind: "queue", name: queue });
      else if (ended > 0 && !reads.probe.running && taken.jobs.length === 0) {
        await s.tx.notify({ kind: "queue", name: queue }, [ENDED]);
      }
      return { recorded, ...taken, now: s.now, ...(failed.length > 0 && { failed }) };
    }, {
      first: ids.length > 0 ? finishing : undefined,
      each: claimOnly ? (tx, now) => this.#claimQueries(tx, queue, r.claims, now) : undefined,
    });
  }

  /**
   * Jobs leased to `worker` that it does not run (`holding`: see {@link FinishAndClaim}), back to
   * pending as a run its worker's stop cut short: a call whose answer the worker never got took
   * them, and waiting out their leases would count a stall against jobs that never ran.
   *
   * @returns whether it handed any back.
   */
  async #handBack(s: Step, queue: string, worker: string, holding: string[]): Promise<boolean> {
    const runs = new Set(holding);
    const rows = await s.tx.all<JobRow>(
      `SELECT ${COLUMNS} FROM coord_queue_job WHERE namespace = ? AND queue = ?
       AND state = 'active' AND worker = ? ORDER BY id ${s.tx.rowLock()}`,
      this.#ns,
      queue,
      worker,
    );
    const orphans = rows.filter((row) => !runs.has(row.id));
    const foreign = await s.tx.foreignIds("coord_queue_job", { queue }, orphans.map((r) => r.id));
    for (const row of orphans) {
      if (!foreign.has(row.id)) await this.#finish(s, queue, row, { outcome: "release" });
    }
    return orphans.length > foreign.size;
  }

  /** The probe row's query for `queue`. */
  #probe(queue: string): SqlQuery {
    return [
      QUEUE_PROBE_SQL,
      ...Array.from({ length: QUEUE_PROBE_PAIRS }, () => [this.#ns, queue]).flat(),
    ];
  }

  /** The first `limit` jobs of the run order that no other step holds, locked. */
  #firstQuery(tx: SqlTransaction, queue: string, limit: number): SqlQuery {
    return [
      `SELECT ${COLUMNS} FROM coord_queue_job WHERE namespace = ? AND queue = ?
       AND state = 'pending' AND due = 1 ORDER BY priority DESC, ready_at, id LIMIT ?
       ${tx.rowLock({ skipLocked: true })}`,
      this.#ns,
      queue,
      limit,
    ];
  }

  /**
   * The pending job that starts first among those not in the run order. Text sorts after every
   * number in SQLite: a ready_at that is not one comes last. (Due jobs parked by their group's
   * limit wait for a slot, not for a time.)
   */
  #nextQuery(queue: string): SqlQuery {
    return [
      `SELECT ${COLUMNS} FROM coord_queue_job WHERE namespace = ? AND queue = ?
       AND state = 'pending' AND due = 0 ORDER BY ready_at LIMIT 1`,
      this.#ns,
      queue,
    ];
  }

  /**
   * What a step that takes `claims` jobs reads, all at once (Postgres: one round trip): most
   * find nothing abandoned and nothing newly due, and then the first jobs read here are the
   * ones they take. The rows read are locked (another claim skips them) until the step ends.
   */
  async #claimReads(s: Step, queue: string, claims: number): Promise<ClaimReads> {
    if (claims === 0) {
      const [probe] = await s.tx.all<QueueProbe>(...this.#probe(queue));
      return { probe, abandoned: [], touched: [], first: [] };
    }
    return this.#claimReadsOf(
      await s.tx.allEach(...this.#claimQueries(s.tx, queue, claims, s.now)),
    );
  }

  /** The queries of {@link #claimReads} for a step whose clock reads `now`. */
  #claimQueries(tx: SqlTransaction, queue: string, claims: number, now: SqlValue): SqlQuery[] {
    const skipLocked = tx.rowLock({ skipLocked: true });
    return [
      this.#probe(queue),
      [
        `SELECT ${COLUMNS} FROM coord_queue_job WHERE namespace = ? AND queue = ?
         AND state = 'active' AND lease_until < ? LIMIT 100 ${skipLocked}`,
        this.#ns,
        queue,
        now,
      ],
      // A run whose state another program wrote over, its lease over as coord's own would be, or
      // a job come due so: failed as unreadable, as a Redis claim finds a run by its lease and a
      // job in its run order whatever its record holds. One parked by its group is failed as it
      // is met, not at its turn: it would never run, and its group goes on without it. A delayed
      // one is failed once its start comes, as Redis then moves it into its run order.
      [
        `SELECT ${COLUMNS} FROM coord_queue_job WHERE namespace = ? AND queue = ?
         AND ${FOREIGN_STATE} AND (lease_until < ? OR ${FOREIGN_WAITING}
           OR (${FOREIGN_DELAYED} AND ready_at <= ?)) LIMIT 1 ${skipLocked}`,
        this.#ns,
        queue,
        now,
        now,
      ],
      // Jobs another claim is marking are its own.
      [
        `SELECT id, group_key FROM coord_queue_job WHERE namespace = ? AND queue = ?
         AND state = 'pending' AND due = 0 AND ready_at <= ? ORDER BY ready_at LIMIT ?
         ${skipLocked}`,
        this.#ns,
        queue,
        now,
        // A step that asks for more jobs than that finds as many.
        Math.max(MARK_BATCH, claims),
      ],
      this.#firstQuery(tx, queue, claims),
    ];
  }

  /** The rows of {@link #claimQueries}, typed. */
  #claimReadsOf(
    [[probe], abandoned, overwritten, touched, first]: Record<string, unknown>[][],
  ): ClaimReads {
    return {
      probe: probe as QueueProbe,
      abandoned: [...abandoned, ...overwritten] as unknown as JobRow[],
      touched: touched as ClaimReads["touched"],
      first: first as unknown as JobRow[],
    };
  }

  /**
   * Takes up to `r.claims` jobs for `r.worker`, as that many claims would one after another:
   * first returns jobs whose lease ran out to pending (or fails them after
   * {@link MAX_STALLS}), fails jobs past their `beginBy` (each added to `failed`, for the
   * worker to log), and keeps each group within its limit. A part failed so whose flow's end
   * meets another program's row fails alone (see {@link #ownPartEnded}).
   */
  async #take(
    s: Step,
    queue: string,
    r: { worker: string; leaseMs: number; claims: number },
    reads: ClaimReads,
    settings: QueueConfig,
    failed: FailedInStep[],
  ): Promise<Omit<FinishedAndClaimed, "recorded" | "failed" | "now">> {
    const { tx, now } = s;
    const jobs: JobRecord[] = [];
    if (r.claims === 0) return { jobs };
    const fail = async (row: JobRow, attempt: number, error: string) => {
      // A part's row is read already, and it holds no --group: only its flow can refuse its end.
      const part = row.parent !== null;
      const ended = await this.#end(s, queue, row, "failed", { error }, part);
      const flowRefused = part ? await this.#ownPartEnded(s, queue, ended) : undefined;
      await tx.notify({ kind: "queue", name: queue });
      failed.push({
        id: row.id,
        attempt,
        error,
        ...(flowRefused !== undefined && { flowRefused }),
      });
    };
    // A job this step cannot read is handed back to the worker to fail: taking stops there,
    // and the worker's next step finds the jobs after it. So is one in `foreign`, holding
    // another program's value in a column its record leaves out.
    const decoded = async (
      row: JobRow,
      foreign = new Set<string>(),
    ): Promise<
      { job: JobRecord; refused?: undefined } | {
        job?: undefined;
        refused: { id: string; reason: string };
      }
    > => {
      try {
        const job = await this.#job(s, queue, row);
        if (foreign.has(row.id)) {
          await tx.refuseForeignRows(`job ${queue}/${row.id}`, ["coord_queue_job"], {
            queue,
            id: row.id,
          });
        }
        return { job };
      } catch (e) {
        if (!(e instanceof ForeignDataError)) throw e;
        return { refused: { id: row.id, reason: e.message } };
      }
    };
    // Jobs whose worker died: back to pending, or failed once abandoned too often. Or run by a
    // worker whose finish found another program's value in the row and recorded nothing (a
    // claim does not look for one: a query for each batch cost 8 % of a worker's throughput):
    // it goes no further, failed with the reason instead of run again.
    const recovered: ClaimReads["touched"] = [];
    const foreignAbandoned = await tx.foreignIds(
      "coord_queue_job",
      { queue },
      reads.abandoned.map((row) => row.id),
    );
    for (const row of reads.abandoned) {
      const { refused } = await decoded(row, foreignAbandoned);
      if (refused) return { jobs, undecodable: [refused] };
      const { id, stalls } = row;
      if (stalls + 1 > MAX_STALLS) {
        await this.#update(s, queue, id, { stalls: stalls + 1 });
        await fail(
          row,
          row.attempts,
          `abandoned ${stalls + 1} times by workers that stopped answering`,
        );
      } else {
        await this.#leave(s, queue, row);
        await this.#update(s, queue, id, {
          state: "pending",
          due: 0,
          stalls: stalls + 1,
          ready_at: now,
          lease_until: null,
        });
        recovered.push({ id, group_key: row.group_key });
      }
    }
    if (settings.paused) return { jobs };
    // The pending jobs whose start came since the last claim join the run order. A job of a
    // group is parked, and its group lets in what it has room for (groups in one order: two
    // claims never wait for each other in a ring).
    // Read, then changed by key: one UPDATE … WHERE id IN (a locking sub-SELECT) made each
    // claim several times slower on Postgres.
    // Those back to pending since the reads started now too.
    const touched = [...reads.touched, ...recovered];
    for (const grouped of [false, true]) {
      const ids = touched.filter((t) => (t.group_key !== null) === grouped).map((t) => t.id);
      if (ids.length === 0) continue;
      await tx.run(
        `UPDATE coord_queue_job SET due = ${grouped ? 2 : 1} WHERE namespace = ? AND queue = ?
         AND id IN (${ids.map(() => "?").join(", ")})`,
        this.#ns,
        queue,
        ...ids,
      );
    }
    const groups = [...new Set(touched.map((t) => t.group_key))].filter((g) => g !== null).sort();
    for (const group of groups) {
      await this.#fill(s, queue, group);
      await this.#overtake(s, queue, group);
    }
    // The jobs read with the rest are still the first unless this step changed the order.
    const unchanged = reads.abandoned.length === 0 && touched.length === 0;
    const groupLimit = settings.groupLimit ?? Infinity;
    for (let round = 0; round < 100; round++) {
      const wanted = r.claims - jobs.length;
      // Another worker's claim holds its jobs until it commits: the next ones are taken.
      const rows = round === 0 && unchanged
        ? reads.first
        : await tx.all<JobRow>(...this.#firstQuery(tx, queue, wanted));
      const leased: string[] = [];
      for (const row of rows) {
        const taken = { state: "active" as const, attempts: row.attempts + 1, worker: r.worker };
        const { job, refused } = await decoded({ ...row, ...taken, started_at: now });
        if (refused) {
          await this.#lease(s, queue, leased, r);
          return { jobs, undecodable: [refused] };
        }
        // Only a first start can be too late: a retry or a recovered job has started in time.
        if (row.begin_by !== null && row.begin_by < now && row.attempts === 0) {
          await fail(row, 0, "expired: not started by its --begin-by");
          continue;
        }
        if (row.group_key !== null) {
          const { active } = await this.#groupCounts(s, queue, row.group_key);
          if (active >= groupLimit) {
            // Its group's limit was lowered since it joined the run order: parked again.
            await this.#update(s, queue, row.id, { due: 2 });
            await this.#groupAdd(s, queue, row.group_key, { ready: -1 });
            continue;
          }
          await this.#groupAdd(s, queue, row.group_key, { active: 1, ready: -1 });
        }
        leased.push(row.id);
        jobs.push(job);
      }
      // Marked before the run order is read again, which would otherwise return them.
      await this.#lease(s, queue, leased, r);
      if (jobs.length === r.claims) return { jobs };
      if (rows.length < wanted) {
        // The run order is empty: when the next job is due, or whether it cannot be read.
        const [next] = await tx.all<JobRow>(...this.#nextQuery(queue));
        if (!next) return { jobs };
        const { refused } = await decoded(next);
        return refused ? { jobs, undecodable: [refused] } : { jobs, nextReadyAt: next.ready_at };
      }
    }
    return { jobs, nextReadyAt: now };
  }

  /** Leases jobs `ids` to `r.worker`, each under its next attempt. */
  async #lease(
    s: Step,
    queue: string,
    ids: string[],
    r: { worker: string; leaseMs: number },
  ): Promise<void> {
    if (ids.length === 0) return;
    // Taking jobs makes none ready: no one needs to hear of it.
    await s.tx.later(
      `UPDATE coord_queue_job SET state = 'active', attempts = attempts + 1, worker = ?,
       started_at = ?, lease_until = ? WHERE namespace = ? AND queue = ?
       AND id IN (${ids.map(() => "?").join(", ")})`,
      r.worker,
      s.now,
      s.now + r.leaseMs,
      this.#ns,
      queue,
      ...ids,
    );
  }

  failUndecodable(
    queue: string,
    r: { id: string; error: string },
  ): Promise<UndecodableFailed> {
    return this.#write(queue, async (s) => {
      await this.#checkSettings(s, queue);
      const [before] = await s.tx.all<Record<string, unknown>>(
        `SELECT ${COLUMNS}, lease_until AS run_lease FROM coord_queue_job
         WHERE namespace = ? AND queue = ? AND id = ? ${s.tx.rowLock()}`,
        this.#ns,
        queue,
        r.id,
      );
      if (!before) return false;
      // The claim that met it read it in an earlier step: since then another worker may have
      // failed it, and a `queue retry` made it coord's own again, to run. Only a row this step
      // cannot read either, by the claim's checks, is failed: a pending one also as the claim
      // would take it (its attempts one more: 2^53 − 1 there is refused).
      const row = before as unknown as JobRow;
      const taken = row.state === "pending"
        ? { ...row, state: "active" as const, attempts: row.attempts + 1, started_at: s.now }
        : row;
      const unreadable = await refusalOf(async () => {
        await s.tx.refuseForeignRows(`job ${queue}/${r.id}`, ["coord_queue_job"], {
          queue,
          id: r.id,
        });
        await this.#job(s, queue, row);
        await this.#job(s, queue, taken);
      });
      if (unreadable === undefined) return false;
      if (before.parent === null && before.state !== "failed") {
        // A job with its own --keep was not counted; from now on it is, as coord's own.
        if (before.keep === null && FINISHED.has(before.state as string)) {
          this.#kept(s, before.state as string, -1);
        }
        this.#kept(s, "failed", 1);
      }
      // What cannot be read is replaced by coord's own, so show and wait answer from now on.
      const count = (value: unknown) => whole(value, 0) ? value as number : 0;
      const time = <T>(value: unknown, otherwise: T) =>
        shownTime(value) ? value as number : otherwise;
      const json = (value: unknown, fits: (parsed: unknown) => boolean) => {
        if (typeof value !== "string") return null;
        try {
          return fits(JSON.parse(value)) ? value : null;
        } catch {
          return null;
        }
      };
      const failed = {
        state: "failed",
        error: r.error,
        finished_at: s.now,
        lease_until: null,
        ready_at: time(before.ready_at, s.now),
        created_at: time(before.created_at, s.now),
        attempts: count(before.attempts),
        failures: count(before.failures),
        stalls: count(before.stalls),
        priority: whole(before.priority, -MAX_PRIORITY, MAX_PRIORITY)
          ? before.priority as number
          : 0,
        begin_by: time(before.begin_by, null),
        due: DUES.includes(before.due) ? before.due as number : 0,
        started_at: time(before.started_at, null),
        worker: typeof before.worker === "string" ? before.worker : null,
        spec: json(before.spec, isJobSpec) ?? "{}",
        grp: json(before.grp, (g) => Array.isArray((g as { children?: unknown })?.children)),
        result: json(before.result, () => true),
        inputs: json(before.inputs, Array.isArray),
        keep: null,
        expires_at: null,
        outlived_at: null,
      };
      await this.#update(s, queue, r.id, failed);
      // Its place in its group (running, or in the run order) goes to the group's next job. A
      // job whose state another program wrote over is placed by the columns coord writes with
      // it: a run by its lease, a job come due by its due (FOREIGN_WAITING, FOREIGN_DELAYED).
      const was = JOB_STATES.includes(before.state as JobState)
        ? before.state
        : before.run_lease !== null
        ? "active"
        : before.finished_at === null
        ? "pending"
        : before.state;
      await this.#leave(s, queue, { ...before, state: was } as unknown as JobRow);
      await s.tx.notify({ kind: "queue", name: queue });
      if (typeof before.parent !== "string") return true;
      // A flow's part moves its flow on as any failed part does: its group fails, or goes on.
      const flowRefused = await this.#ownPartEnded(s, queue, {
        ...before,
        ...failed,
      } as unknown as JobRow);
      return flowRefused === undefined || { flowRefused };
    });
  }

  renew(queue: string, r: Attempt & { leaseMs: number }): Promise<boolean> {
    return this.#attempt(queue, r, async (s, row) => {
      if (!row) return false;
      await this.#update(s, queue, r.id, { lease_until: s.now + r.leaseMs });
      return true;
    });
  }

  progress(queue: string, r: Attempt & { progress: string }): Promise<boolean> {
    return this.#attempt(queue, r, async (s, row) => {
      if (!row) return false;
      await this.#update(s, queue, r.id, { progress: r.progress });
      // For a console: as the Redis step publishes it.
      await s.tx.notify({ kind: "queue", name: queue }, [PROGRESS]);
      return true;
    });
  }

  /**
   * Ends attempt `row` as `r` says.
   *
   * @returns whether idle workers must hear of it (a job became ready, a flow or group moved):
   *   else only when nothing is left running, as in the Redis steps (`../redis/queue/`) — a
   *   worker busy with many jobs need not hear each of its own end.
   */
  async #finish(s: Step, queue: string, row: JobRow, r: Finish): Promise<boolean> {
    const { now } = s;
    if (r.outcome === "completed") {
      await this.#end(s, queue, row, "completed", {
        result: JSON.stringify(r.result ?? null),
        error: null,
      });
    } else if (r.outcome === "failed") {
      await this.#end(s, queue, row, "failed", { error: r.error, failures: row.failures + 1 });
    } else if (r.outcome === "retry") {
      await this.#leave(s, queue, row);
      await this.#update(s, queue, row.id, {
        state: "pending",
        due: 0,
        error: r.error,
        failures: row.failures + 1,
        ready_at: now + Math.round(r.delayMs),
        lease_until: null,
      });
    } else {
      await this.#leave(s, queue, row);
      await this.#update(s, queue, row.id, {
        state: "pending",
        due: 0,
        ready_at: now,
        lease_until: null,
      });
    }
    return r.outcome === "retry" || r.outcome === "release" || row.parent !== null ||
      row.group_key !== null;
  }

  cancel(
    queue: string,
    id: string,
  ): Promise<{ job: JobRecord; cancelled: boolean } | undefined> {
    return this.#write(queue, async (s) => {
      await this.#checkSettings(s, queue);
      const row = await this.#row(s, queue, id);
      if (!row) return undefined;
      // A record coord cannot read is refused before anything changes.
      await this.#job(s, queue, row);
      // A running job ends here; its worker sees it is no longer its own and stops the run.
      const cancelled = row.state === "pending" || row.state === "waiting" ||
        row.state === "active";
      if (cancelled) {
        const error = row.state === "active" ? "cancelled while running" : "cancelled";
        const waits = row.parent !== null && !await this.#started(s, queue, row);
        await this.#end(s, queue, row, "cancelled", { error }, waits);
        await s.tx.notify({ kind: "queue", name: queue });
      }
      // With its history, as Redis' record holds it (a retried job's earlier ends).
      const job = await this.#job(s, queue, (await this.#row(s, queue, id))!, true);
      return { job, cancelled };
    }, { serial: true });
  }

  get(queue: string, id: string): Promise<JobRecord | undefined> {
    return this.#read(async (s) => {
      const row = await this.#row(s, queue, id);
      return row && await this.#job(s, queue, row, true);
    });
  }

  refused(queue: string, ids: string[]): Promise<{ id: string; error: ForeignDataError }[]> {
    return this.#read(async (s) => {
      const refused: { id: string; error: ForeignDataError }[] = [];
      const refuse = (id: string, e: unknown) => {
        if (!(e instanceof ForeignDataError)) throw e;
        refused.push({ id, error: e });
      };
      // As get reads each (#row, then #job), in one query each for the lot. A history entry
      // is shown whatever it holds: it is not read here.
      const typed = new Set(ids);
      for (const id of await s.tx.foreignIds("coord_queue_job", { queue }, ids)) {
        typed.delete(id);
        try {
          const row = await this.#row(s, queue, id);
          if (row) this.#record(queue, row, true, []);
        } catch (e) {
          refuse(id, e);
        }
      }
      const read = [...typed];
      const rows = read.length === 0 ? [] : await s.tx.all<JobRow>(
        `SELECT ${COLUMNS} FROM coord_queue_job WHERE namespace = ? AND queue = ?
         AND id IN (${read.map(() => "?").join(", ")})`,
        this.#ns,
        queue,
        ...read,
      );
      for (const row of rows) {
        try {
          this.#record(queue, row, true, []);
        } catch (e) {
          refuse(row.id, e);
        }
      }
      return refused;
    });
  }

  counts(queue: string): Promise<QueueCounts> {
    return this.#read(async (s) => {
      const { tx, now } = s;
      const counts = {
        waiting: 0,
        pending: 0,
        scheduled: 0,
        active: 0,
        stalled: 0,
        completed: 0,
        failed: 0,
        cancelled: 0,
      };
      const rows = await tx.all<{ state: JobState; future: number | boolean; n: number }>(
        `SELECT state, ready_at > ? AS future, count(*) AS n FROM coord_queue_job
         WHERE namespace = ? AND queue = ? GROUP BY state, future`,
        now,
        this.#ns,
        queue,
      );
      let overwritten = false;
      for (const { state, future, n } of rows) {
        if (JOB_STATES.includes(state)) {
          counts[state === "pending" && future ? "scheduled" : state] += Number(n);
        } else overwritten = true;
      }
      if (overwritten) {
        // A run whose state another program wrote over is running by its lease, a job come due
        // so is pending, a delayed one scheduled until its start, then pending, until a claim
        // fails it, as Redis counts one by its lease or its run order whatever its record holds
        // (a worker's --drain waits for it). A flow's part not yet released is waiting, which a
        // --drain does not wait for, until its release puts it in the run order. Any other row of
        // a state coord has not is refused, as Redis refuses a key of another type.
        const placed = await tx.all<
          { was: "active" | "pending" | "scheduled" | "waiting" | null; state: unknown; n: number }
        >(
          `SELECT CASE WHEN lease_until IS NOT NULL THEN 'active'
             WHEN ${FOREIGN_WAITING} THEN 'pending'
             WHEN ${FOREIGN_DELAYED} THEN CASE WHEN ready_at > ? THEN 'scheduled' ELSE 'pending' END
             WHEN lease_until IS NULL AND finished_at IS NULL AND due = 0 THEN 'waiting'
           END AS was, min(state) AS state, count(*) AS n
           FROM coord_queue_job WHERE namespace = ? AND queue = ? AND ${FOREIGN_STATE}
           GROUP BY was`,
          now,
          this.#ns,
          queue,
        );
        for (const { was, state, n } of placed) {
          if (was === null) throw new ForeignDataError(foreignJob(queue, String(state)));
          counts[was] += Number(n);
        }
      }
      const [oldest] = await tx.all<{ ready_at: number | null }>(
        `SELECT min(ready_at) AS ready_at FROM coord_queue_job WHERE namespace = ? AND queue = ?
         AND state = 'pending' AND ready_at <= ?`,
        this.#ns,
        queue,
        now,
      );
      const [stalled] = await tx.all<{ n: number }>(
        `SELECT count(*) AS n FROM coord_queue_job WHERE namespace = ? AND queue = ?
         AND state = 'active' AND lease_until < ?`,
        this.#ns,
        queue,
        now,
      );
      counts.stalled = Number(stalled.n);
      await this.#refuseForeignGroups(s, queue);
      await this.#refuseForeignKept(s, queue);
      const workers = (await tx.all<{ worker: string }>(
        `SELECT worker FROM coord_queue_worker WHERE namespace = ? AND queue = ? AND until >= ?
         ORDER BY worker`,
        this.#ns,
        queue,
        now,
      )).map((w) => w.worker);
      return {
        queue,
        ...counts,
        // Not another program's text (SQLite holds any value).
        ...(typeof oldest?.ready_at === "number" && { oldestPendingAt: oldest.ready_at }),
        workers,
        paused: (await this.#config(s, queue)).paused,
      };
    });
  }

  /**
   * Refuses a group's counts another program wrote (as {@link #groupCounts} does), which
   * otherwise only the steps that move its jobs read: so status and doctor name them before a
   * worker meets them. Only such rows are read: a queue keeps a row for every group it had.
   */
  async #refuseForeignGroups(s: Step, queue: string): Promise<void> {
    // SQLite keeps any value in a column: text sorts after every number, a fraction casts apart.
    const coords = (column: string) =>
      `${column} BETWEEN 0 AND ${Number.MAX_SAFE_INTEGER} AND CAST(${column} AS BIGINT) = ${column}`;
    const [row] = await s.tx.all<GroupCounts & { group_key: string }>(
      `SELECT group_key, active, ready FROM coord_queue_group WHERE namespace = ? AND queue = ?
       AND NOT (${coords("active")} AND ${coords("ready")}) ORDER BY group_key LIMIT 1`,
      this.#ns,
      queue,
    );
    if (!row) return;
    const { group_key, ...counts } = row;
    refuseForeignValues(`queue "${queue}", group "${group_key}"`, GROUP_RULES, [counts]);
  }

  jobIds(
    queue: string,
    r: { after?: string; limit: number },
  ): Promise<{ ids: string[]; after?: string }> {
    return this.#read(async ({ tx }) => {
      // Id order, the primary key's: each page starts where the last ended, whatever was put or
      // removed in between.
      const ids = (await tx.all<{ id: string }>(
        `SELECT id FROM coord_queue_job WHERE namespace = ? AND queue = ? AND id > ?
         ORDER BY id LIMIT ?`,
        this.#ns,
        queue,
        r.after ?? "",
        r.limit,
      )).map((row) => String(row.id));
      return { ids, ...ids.length === r.limit && { after: ids[ids.length - 1] } };
    });
  }

  announce(queue: string, r: { worker: string; ttlMs: number }): Promise<void> {
    return this.#write(queue, async ({ tx, now }) => {
      await tx.run(
        "DELETE FROM coord_queue_worker WHERE namespace = ? AND queue = ? AND (until < ? OR worker = ?)",
        this.#ns,
        queue,
        now,
        r.worker,
      );
      if (r.ttlMs > 0) {
        await tx.run(
          "INSERT INTO coord_queue_worker (namespace, queue, worker, until) VALUES (?, ?, ?, ?)",
          this.#ns,
          queue,
          r.worker,
          now + r.ttlMs,
        );
      }
    });
  }

  list(): Promise<string[]> {
    return this.#read(async ({ tx }) =>
      (await tx.all<{ queue: string }>(
        // A queue with settings and no job yet (paused before its first put) is a queue too.
        `SELECT queue FROM coord_queue_job WHERE namespace = ?
         UNION SELECT queue FROM coord_queue_config WHERE namespace = ? ORDER BY queue`,
        this.#ns,
        this.#ns,
      )).map((r) => r.queue)
    );
  }

  listJobs(
    queue: string,
    r: { state: ListState; after?: ListCursor; limit: number },
  ): Promise<{ job: JobRecord; cursor: ListCursor }[]> {
    // Every order here is a whole number of ms: a score with a fraction is no cursor of it.
    if (r.after && !Number.isSafeInteger(r.after.score)) {
      throw new UsageError(
        `--after is not a cursor of this list — give the "next" a page of the same --state printed`,
      );
    }
    return this.#read(async (s) => {
      const { now } = s;
      const finished = r.state === "completed" || r.state === "failed" ||
        r.state === "cancelled";
      const state = r.state === "scheduled" ? "pending" : r.state;
      const order = finished ? "finished_at" : "ready_at";
      // Bound, not written into the text: each new text is a statement compiled and kept.
      const when = r.state === "pending"
        ? "AND ready_at <= ?"
        : r.state === "scheduled"
        ? "AND ready_at > ?"
        : "";
      const after = r.after === undefined
        ? ""
        : `AND (${order}, id) ${finished ? "<" : ">"} (CAST(? AS BIGINT), ?)`;
      const rows = await s.tx.all<JobRow>(
        `SELECT ${COLUMNS} FROM coord_queue_job WHERE namespace = ? AND queue = ? AND state = ?
         ${finished ? "AND parent IS NULL AND finished_at IS NOT NULL" : ""} ${when} ${after}
         ORDER BY ${order} ${finished ? "DESC" : ""}, id ${finished ? "DESC" : ""} LIMIT ?`,
        this.#ns,
        queue,
        state,
        ...(when ? [now] : []),
        ...(r.after === undefined ? [] : [r.after.score, r.after.id]),
        r.limit,
      );
      const page = [];
      for (const row of rows) {
        page.push({
          job: await this.#job(s, queue, row),
          cursor: { score: finished ? row.finished_at! : row.ready_at, id: row.id },
        });
      }
      return page;
    });
  }

  retry(
    queue: string,
    ids: string[],
    { dryRun = false }: { dryRun?: boolean } = {},
  ): Promise<({ job: JobRecord; retried: boolean } | undefined)[]> {
    return this.#onNamed(queue, ids, async (s, rows) => {
      const retried = new Set<string>();
      for (const id of ids) {
        const row = rows.get(id);
        if (dryRun || !row || !retryable(row)) continue;
        retried.add(id);
      }
      const nextSeq = await this.#nextHistorySeq(s, queue, [...retried]);
      for (const id of retried) {
        rows.set(id, await this.#retried(s, queue, rows.get(id)!, nextSeq.get(id) ?? 0));
      }
      await this.#sendGathered(s, queue);
      if (retried.size > 0) await s.tx.notify({ kind: "queue", name: queue });
      const history = await this.#histories(s, queue, [...rows.keys()]);
      const told = new Set<string>();
      return ids.map((id) => {
        const row = rows.get(id);
        if (!row) return undefined;
        // A job named twice was retried at its first name only.
        const retriedHere = retried.has(id) && !told.has(id);
        told.add(id);
        return {
          job: this.#record(queue, row, false, history.get(id) ?? []),
          retried: retriedHere || (dryRun && retryable(row)),
        };
      });
    });
  }

  /**
   * Puts a failed or cancelled job's `row` back to pending (see {@link retry}); the update is
   * gathered, and the row as it will be is returned.
   */
  async #retried(s: Step, queue: string, row: JobRow, seq: number): Promise<JobRow> {
    await s.tx.later(
      `INSERT INTO coord_queue_history (namespace, queue, id, seq, entry) VALUES (?, ?, ?, ?, ?)`,
      this.#ns,
      queue,
      row.id,
      seq,
      JSON.stringify({
        state: row.state,
        error: row.error ?? "",
        attempts: row.attempts,
        ...(row.finished_at !== null && { finishedAt: row.finished_at }),
      }),
    );
    if (row.keep === null) this.#kept(s, row.state, -1);
    // As in retry.lua: one cancelled before its start came keeps it, and its --begin-by.
    const keepsStart = row.state === "cancelled" && row.attempts === 0 && row.ready_at > s.now;
    const fields = {
      state: "pending",
      due: 0,
      // Attempts go on counting, as in retry.lua: they fence a cancelled run still stopping.
      failures: 0,
      stalls: 0,
      error: null,
      finished_at: null,
      begin_by: keepsStart ? row.begin_by : null,
      progress: null,
      expires_at: null,
      outlived_at: null,
      ready_at: keepsStart ? row.ready_at : s.now,
      // A pending job has no worker or start; the history keeps how the run ended, not who
      // ran it.
      worker: null,
      started_at: null,
    };
    await this.#update(s, queue, row.id, fields);
    return { ...row, ...fields } as JobRow;
  }

  /**
   * The seq each of `ids` writes its next history entry at, in one query: coord numbers a job's
   * entries 0, 1, … with none missing, so a job whose entries are not so holds one another
   * program wrote — refused, where the insert could fail on its key (a bug's exit).
   */
  async #nextHistorySeq(s: Step, queue: string, ids: string[]): Promise<Map<string, number>> {
    const next = new Map<string, number>();
    if (ids.length === 0) return next;
    const counts = await s.tx.all<{ id: string; n: number; top: unknown }>(
      `SELECT id, count(*) AS n, max(seq) AS top FROM coord_queue_history
       WHERE namespace = ? AND queue = ? AND id IN (${ids.map(() => "?").join(", ")}) GROUP BY id`,
      this.#ns,
      queue,
      ...ids,
    );
    for (const { id, n, top } of counts) {
      if (top !== Number(n) - 1) {
        throw foreignRowError(
          `job ${queue}/${id}`,
          "coord_queue_history",
          "seq",
          shownValue(top),
        );
      }
      next.set(id, Number(n));
    }
    return next;
  }

  /** The history of each of `ids` that has one, in one query. */
  async #histories(s: Step, queue: string, ids: string[]): Promise<Map<string, unknown[]>> {
    const history = new Map<string, unknown[]>();
    if (ids.length === 0) return history;
    const entries = await s.tx.all<{ id: string; entry: string }>(
      `SELECT id, entry FROM coord_queue_history WHERE namespace = ? AND queue = ?
       AND id IN (${ids.map(() => "?").join(", ")}) ORDER BY id, seq`,
      this.#ns,
      queue,
      ...ids,
    );
    for (const { id, entry } of entries) {
      history.set(id, [...history.get(id) ?? [], parseOr(entry)]);
    }
    return history;
  }

  promote(
    queue: string,
    ids: string[],
    { dryRun = false }: { dryRun?: boolean } = {},
  ): Promise<({ job: JobRecord; promoted: boolean } | undefined)[]> {
    return this.#onNamed(queue, ids, async (s, rows) => {
      const outcomes = [];
      for (const id of ids) {
        const row = rows.get(id);
        if (!row) {
          outcomes.push(undefined);
          continue;
        }
        const promoted = row.state === "pending" && row.due === 0 && row.ready_at > s.now;
        if (promoted && !dryRun) {
          // Due now: the next claim marks it for the run order (or its group), as any job come
          // due.
          await this.#update(s, queue, id, { ready_at: s.now });
          rows.set(id, { ...row, ready_at: s.now });
        }
        outcomes.push({ id, promoted });
      }
      await this.#sendGathered(s, queue);
      const history = await this.#histories(s, queue, [...rows.keys()]);
      if (!dryRun && outcomes.some((o) => o?.promoted)) {
        await s.tx.notify({ kind: "queue", name: queue });
      }
      return outcomes.map((o) =>
        o && {
          job: this.#record(queue, rows.get(o.id)!, false, history.get(o.id) ?? []),
          promoted: o.promoted,
        }
      );
    });
  }

  /**
   * A step on named jobs (retry, promote): `step` gets their rows, read and locked in one
   * query, in one transaction, its updates gathered (see {@link Step.gathered}); a row another
   * program wrote refuses them all.
   */
  #onNamed<T>(
    queue: string,
    ids: string[],
    step: (s: Step, rows: Map<string, JobRow>) => Promise<T>,
  ): Promise<T> {
    // Rows locked in one order: two steps on the same jobs never wait in a ring.
    const sorted = [...new Set(ids)].sort();
    return this.#write(queue, async (s) => {
      await this.#checkSettings(s, queue);
      await this.#refuseForeignJobs(s, queue, ids);
      const rows = await s.tx.all<JobRow>(
        `SELECT ${COLUMNS} FROM coord_queue_job WHERE namespace = ? AND queue = ?
         AND id IN (${sorted.map(() => "?").join(", ")}) ORDER BY id ${s.tx.rowLock()}`,
        this.#ns,
        queue,
        ...sorted,
      );
      s.gathered = new Map();
      return await step(s, new Map(rows.map((row) => [row.id, row])));
    }, { serial: true });
  }

  purge(
    queue: string,
    r: { state: FinishedState; olderThanMs?: number; limit: number },
  ): Promise<number> {
    return this.#write(queue, async (s) => {
      const before = r.olderThanMs === undefined ? Number.MAX_SAFE_INTEGER : s.now - r.olderThanMs;
      const n = await this.#remove(
        s,
        queue,
        r.state,
        await this.#oldest(s, queue, r.state, before, r.limit),
      );
      if (n > 0) await s.tx.notify({ kind: "queue", name: queue });
      return n;
    }, { serial: true });
  }

  remove(queue: string, r: { force: boolean; dryRun?: boolean }): Promise<QueueRemoval> {
    const step = async (s: Step): Promise<QueueRemoval> => {
      await this.#checkSettings(s, queue);
      // Its rows would go with the queue's: another program's are left, as its settings are.
      await this.#refuseForeignKept(s, queue);
      const [held] = await s.tx.all<
        { jobs: number; unfinished: number | null; running: number | null }
      >(
        // A state coord never writes counts as unfinished: not taken for a finished job's.
        // Counted over the rows locked: a claim does not wait for the queue's lock, and one
        // that took a job as this began would otherwise commit it active before the delete.
        // A dry run only reads: what it says may change before the removal, which counts again.
        `WITH held AS (SELECT state FROM coord_queue_job WHERE namespace = ? AND queue = ?
           ${r.dryRun ? "" : s.tx.rowLock()})
         SELECT count(*) AS jobs,
         sum(CASE WHEN state IN ('completed', 'failed', 'cancelled') THEN 0 ELSE 1 END)
           AS unfinished,
         sum(CASE WHEN state = 'active' THEN 1 ELSE 0 END) AS running
         FROM held`,
        this.#ns,
        queue,
      );
      const jobs = Number(held.jobs);
      const unfinished = Number(held.unfinished ?? 0);
      const running = Number(held.running ?? 0);
      if (running > 0 || (unfinished > 0 && !r.force)) {
        return { removed: false, jobs, unfinished, running };
      }
      if (r.dryRun) return { removed: true, jobs, unfinished, running };
      // Every table of the queue's schema, one added later too, but the id counter: see
      // remove.lua.
      for (const table of QUEUE_TABLES.filter((t) => t !== "coord_queue_counter")) {
        await s.tx.run(`DELETE FROM ${table} WHERE namespace = ? AND queue = ?`, this.#ns, queue);
      }
      // Its workers and waiters re-read it, and find it gone.
      await s.tx.notify({ kind: "queue", name: queue });
      return { removed: true, jobs, unfinished, running };
    };
    return r.dryRun ? this.#read(step) : this.#write(queue, step, { serial: true });
  }

  unreadable(queue: string, after?: string): Promise<UnreadablePage> {
    return this.#read(async ({ tx }) => {
      const from = pageCursor(after);
      const rows = await tx.all<JobRow>(
        `SELECT ${COLUMNS} FROM coord_queue_job WHERE namespace = ? AND queue = ?
         ${from.after !== undefined ? "AND id > ?" : ""} ORDER BY id
         LIMIT ${UNREADABLE_PAGE} OFFSET ${from.skip}`,
        this.#ns,
        queue,
        ...(from.after !== undefined ? [from.after] : []),
      );
      const foreign = await tx.foreignIds("coord_queue_job", { queue }, rows.map((r) => r.id));
      const refused = [];
      for (const row of rows) {
        const reason = await refusalOf(async () => {
          if (foreign.has(row.id)) {
            await tx.refuseForeignRows(`job ${queue}/${row.id}`, ["coord_queue_job"], {
              queue,
              id: row.id,
            });
          }
          this.#record(queue, row, true, []);
        });
        if (reason !== undefined) refused.push({ id: String(row.id), reason });
      }
      if (rows.length < UNREADABLE_PAGE) return { refused };
      return { refused, next: JSON.stringify(nextCursor(from, rows.map((r) => r.id))) };
    });
  }

  removed(
    queue: string,
    id: string,
  ): Promise<{ state: FinishedState; removedAt: number } | undefined> {
    return this.#read(async ({ tx }) => {
      const [row] = await tx.all<{ state: FinishedState; removed_at: number }>(
        `SELECT state, removed_at FROM coord_queue_removed
         WHERE namespace = ? AND queue = ? AND id = ?`,
        this.#ns,
        queue,
        id,
      );
      return row && { state: row.state, removedAt: row.removed_at };
    });
  }

  configure(queue: string, patch: Partial<QueueConfig>): Promise<QueueConfig> {
    // Nothing to change: only read, as on Redis — no row stored, no waiter woken.
    if (Object.keys(patch).length === 0) {
      return this.#read(async (s) => {
        const config = await this.#config(s, queue);
        // Retention goes by the counts as by the settings: a worker, which reads them so as it
        // starts, is refused (65) then, not met by the refusal at each step for ever.
        await this.#refuseForeignKept(s, queue);
        return shownConfig(config);
      });
    }
    return this.#write(queue, async (s) => {
      const { groupLimit, ...config } = { ...await this.#config(s, queue), ...patch };
      await s.tx.run(
        `INSERT INTO coord_queue_config
         (namespace, queue, keep_completed, keep_failed, paused, group_limit)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (namespace, queue) DO UPDATE SET keep_completed = excluded.keep_completed,
           keep_failed = excluded.keep_failed, paused = excluded.paused,
           group_limit = excluded.group_limit`,
        this.#ns,
        queue,
        JSON.stringify(config.keepCompleted),
        JSON.stringify(config.keepFailed),
        config.paused ? 1 : 0,
        groupLimit ?? null,
      );
      // A raised limit lets each group's parked jobs in at once.
      if (patch.groupLimit !== undefined) {
        const groups = await s.tx.all<{ group_key: string }>(
          `SELECT group_key FROM coord_queue_group WHERE namespace = ? AND queue = ?
           ORDER BY group_key`,
          this.#ns,
          queue,
        );
        for (const { group_key } of groups) await this.#fill(s, queue, group_key);
      }
      await s.tx.notify({ kind: "queue", name: queue });
      return shownConfig({ ...config, groupLimit });
    }, { serial: true });
  }
}

/** `config` as the steps return it: no group limit but a set one. */
function shownConfig({ groupLimit, ...config }: QueueConfig): QueueConfig {
  return { ...config, ...(groupLimit != null && { groupLimit }) };
}
