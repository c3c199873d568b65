/**
 * Queue steps on SQLite: each one transaction, with the same outcomes as
 * `../redis/queue.lua`.
 *
 * @module
 */

import type {
  Attempt,
  ClaimResult,
  Finish,
  FinishedState,
  FlowNode,
  JobRecord,
  JobState,
  Keep,
  ListCursor,
  ListState,
  PutRequest,
  PutResult,
  QueueConfig,
  QueueCounts,
  QueueSteps,
} from "../../queue/steps.ts";
import { DEFAULT_KEEP, MAX_REMOVED, MAX_STALLS, TRIM_BATCH } from "../../queue/steps.ts";
import { jobRecord } from "../../queue/record.ts";
import { ForeignDataError } from "../../errors.ts";
import { settle, type SqliteBackend } from "./backend.ts";

/** A column's JSON, or the text itself when it is not JSON (the record check then refuses it). */
function parseOr(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}

/** The queue's tables. */
export const QUEUE_DDL = [
  `CREATE TABLE IF NOT EXISTS coord_queue_job (
    namespace TEXT NOT NULL, queue TEXT NOT NULL, id TEXT NOT NULL, state TEXT NOT NULL,
    ready_at INTEGER NOT NULL, lease_until INTEGER, attempts INTEGER NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    stalls INTEGER NOT NULL, worker TEXT, begin_by INTEGER, spec TEXT NOT NULL, result TEXT,
    error TEXT, created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER,
    parent TEXT, grp TEXT, inputs TEXT, progress TEXT, priority INTEGER NOT NULL DEFAULT 0,
    due INTEGER NOT NULL DEFAULT 0, keep TEXT, expires_at INTEGER, outlived_at INTEGER,
    group_key TEXT, PRIMARY KEY (namespace, queue, id))`,
  `CREATE INDEX IF NOT EXISTS coord_queue_job_ready
    ON coord_queue_job (namespace, queue, state, ready_at)`,
  `CREATE INDEX IF NOT EXISTS coord_queue_job_order
    ON coord_queue_job (namespace, queue, state, ready_at, id)`,
  // Priorities: a pending job whose start has come (due = 1, set by the claim that finds it due;
  // every return to pending sets 0) is claimed by priority, then start, then id — one index seek.
  `CREATE INDEX IF NOT EXISTS coord_queue_job_run
    ON coord_queue_job (namespace, queue, priority DESC, ready_at, id)
    WHERE state = 'pending' AND due = 1`,
  // Group limits: a due job of a --group waits parked (due = 2) until its group has room, then
  // joins the run order; its group's next parked job is one index seek.
  `CREATE INDEX IF NOT EXISTS coord_queue_job_parked
    ON coord_queue_job (namespace, queue, group_key, priority DESC, ready_at, id)
    WHERE state = 'pending' AND due = 2`,
  // A group's jobs running and in the run order.
  `CREATE TABLE IF NOT EXISTS coord_queue_group (
    namespace TEXT NOT NULL, queue TEXT NOT NULL, group_key TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 0, ready INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (namespace, queue, group_key))`,
  // The pending jobs not yet due, by start: a claim marks those whose start came, and only those.
  `CREATE INDEX IF NOT EXISTS coord_queue_job_due
    ON coord_queue_job (namespace, queue, ready_at) WHERE state = 'pending' AND due = 0`,
  // Finished jobs that are no flow's part, newest first: list's pages and retention's batches.
  `CREATE INDEX IF NOT EXISTS coord_queue_job_done
    ON coord_queue_job (namespace, queue, state, finished_at, id) WHERE parent IS NULL`,
  `CREATE TABLE IF NOT EXISTS coord_queue_config (
    namespace TEXT NOT NULL, queue TEXT NOT NULL, keep_completed TEXT, keep_failed TEXT,
    paused INTEGER NOT NULL DEFAULT 0, group_limit INTEGER, PRIMARY KEY (namespace, queue))`,
  // The finished jobs the queue's retention governs (put without --keep), oldest first.
  `CREATE INDEX IF NOT EXISTS coord_queue_job_trimmed
    ON coord_queue_job (namespace, queue, state, finished_at, id)
    WHERE parent IS NULL AND keep IS NULL`,
  // Jobs put with their own --keep: when its duration ends (ms), and the count of finished jobs
  // at which its count ends.
  `CREATE INDEX IF NOT EXISTS coord_queue_job_expiring
    ON coord_queue_job (namespace, queue, expires_at) WHERE expires_at IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS coord_queue_job_outlived
    ON coord_queue_job (namespace, queue, outlived_at) WHERE outlived_at IS NOT NULL`,
  // How many finished jobs of a state (no flow's parts, no own --keep) a queue holds: retention
  // by count without counting rows; state "finished" counts every one that ever finished.
  `CREATE TABLE IF NOT EXISTS coord_queue_kept (
    namespace TEXT NOT NULL, queue TEXT NOT NULL, state TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (namespace, queue, state))`,
  // What retention removed, so show and wait can say so; the newest MAX_REMOVED are kept.
  `CREATE TABLE IF NOT EXISTS coord_queue_removed (
    seq INTEGER PRIMARY KEY, namespace TEXT NOT NULL, queue TEXT NOT NULL, id TEXT NOT NULL,
    state TEXT NOT NULL, removed_at INTEGER NOT NULL)`,
  `CREATE UNIQUE INDEX IF NOT EXISTS coord_queue_removed_job
    ON coord_queue_removed (namespace, queue, id)`,
  // A retried job's earlier ends, oldest first.
  `CREATE TABLE IF NOT EXISTS coord_queue_history (
    namespace TEXT NOT NULL, queue TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL,
    entry TEXT NOT NULL, PRIMARY KEY (namespace, queue, id, seq))`,
  // put --dedupe: the job put with a key, and the end of its window.
  `CREATE TABLE IF NOT EXISTS coord_queue_dedupe (
    namespace TEXT NOT NULL, queue TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL,
    until INTEGER NOT NULL, PRIMARY KEY (namespace, queue, key))`,
  `CREATE INDEX IF NOT EXISTS coord_queue_dedupe_until
    ON coord_queue_dedupe (namespace, queue, until)`,
  `CREATE TABLE IF NOT EXISTS coord_queue_counter (
    namespace TEXT NOT NULL, queue TEXT NOT NULL, last INTEGER NOT NULL,
    PRIMARY KEY (namespace, queue))`,
  `CREATE TABLE IF NOT EXISTS coord_queue_worker (
    namespace TEXT NOT NULL, queue TEXT NOT NULL, worker TEXT NOT NULL, until INTEGER NOT NULL,
    PRIMARY KEY (namespace, queue, worker))`,
];

/**
 * Columns the queue's tables gained after they were first created: a file an earlier coord made
 * gets them (`ALTER TABLE … ADD COLUMN`) before the schema's indexes use them.
 */
export const QUEUE_ADDED_COLUMNS: readonly { table: string; column: string; type: string }[] = [
  { table: "coord_queue_job", column: "progress", type: "TEXT" },
  { table: "coord_queue_job", column: "priority", type: "INTEGER NOT NULL DEFAULT 0" },
  { table: "coord_queue_job", column: "due", type: "INTEGER NOT NULL DEFAULT 0" },
  { table: "coord_queue_job", column: "keep", type: "TEXT" },
  { table: "coord_queue_job", column: "expires_at", type: "INTEGER" },
  { table: "coord_queue_job", column: "outlived_at", type: "INTEGER" },
  { table: "coord_queue_job", column: "group_key", type: "TEXT" },
  { table: "coord_queue_config", column: "group_limit", type: "INTEGER" },
];

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
}

const COLUMNS =
  "id, state, ready_at, attempts, failures, stalls, worker, begin_by, spec, result, error, " +
  "created_at, started_at, finished_at, parent, grp, inputs, progress, priority, keep, " +
  "group_key, due";

/** Queue steps over one {@link SqliteBackend}. */
export class SqliteQueueSteps implements QueueSteps {
  readonly #backend: SqliteBackend;

  constructor(backend: SqliteBackend) {
    this.#backend = backend;
  }

  #row(queue: string, id: string): JobRow | undefined {
    this.#backend.refuseForeignRows(`job ${queue}/${id}`, ["coord_queue_job"], { queue, id });
    return this.#backend.all<JobRow>(
      `SELECT ${COLUMNS} FROM coord_queue_job WHERE namespace = ? AND queue = ? AND id = ?`,
      this.#backend.namespace,
      queue,
      id,
    )[0];
  }

  #job(queue: string, row: JobRow, withResult = false): JobRecord {
    const history = withResult
      ? this.#backend.all<{ entry: string }>(
        `SELECT entry FROM coord_queue_history WHERE namespace = ? AND queue = ? AND id = ?
         ORDER BY seq`,
        this.#backend.namespace,
        queue,
        row.id,
      ).map((h) => parseOr(h.entry))
      : [];
    const state = {
      id: row.id,
      state: row.state,
      attempts: row.attempts,
      failures: row.failures,
      stalls: row.stalls,
      readyAt: row.ready_at,
      createdAt: row.created_at,
      ...(row.priority !== 0 && { priority: row.priority }),
      ...(row.keep !== null && { keep: parseOr(row.keep) }),
      ...(row.group_key !== null && { groupKey: row.group_key }),
      ...(row.started_at !== null && { startedAt: row.started_at }),
      ...(row.finished_at !== null && { finishedAt: row.finished_at }),
      ...(row.worker !== null && { worker: row.worker }),
      ...(row.error !== null && { error: row.error }),
      ...(row.parent !== null && { parent: row.parent }),
      ...(row.grp !== null && { group: parseOr(row.grp) }),
      ...(history.length > 0 && { history }),
    };
    const result = withResult && row.result !== null ? row.result : undefined;
    return jobRecord(
      queue,
      JSON.stringify(state),
      row.spec,
      result,
      row.inputs ?? undefined,
      row.progress ?? undefined,
    );
  }

  /** Sets a job's columns. */
  #update(queue: string, id: string, fields: Record<string, string | number | null>): void {
    const names = Object.keys(fields);
    this.#backend.run(
      `UPDATE coord_queue_job SET ${names.map((n) => `${n} = ?`).join(", ")}
       WHERE namespace = ? AND queue = ? AND id = ?`,
      ...names.map((n) => fields[n]),
      this.#backend.namespace,
      queue,
      id,
    );
  }

  /**
   * Ends a job (completed, failed, cancelled) and moves its group on, as `finish` in
   * `../redis/queue.lua` does: the next serial part, the postprocess, or the group's own end.
   */
  #end(
    queue: string,
    id: string,
    state: "completed" | "failed" | "cancelled",
    fields: { error?: string | null; result?: string; failures?: number } = {},
  ): void {
    const before = this.#row(queue, id);
    if (before) this.#leave(queue, before);
    this.#update(queue, id, {
      state,
      finished_at: Math.floor(this.#backend.clock.now()),
      lease_until: null,
      ...fields,
    });
    const row = this.#row(queue, id)!;
    if (row.parent === null) this.#listed(queue, row, state);
    if (row.grp !== null && state !== "completed") this.#abandon(queue, row);
    if (row.parent !== null) this.#partEnded(queue, row);
  }

  /** A group's jobs running or in the run order. */
  #groupCounts(queue: string, group: string): { active: number; ready: number } {
    const [row] = this.#backend.all<{ active: number; ready: number }>(
      `SELECT active, ready FROM coord_queue_group
       WHERE namespace = ? AND queue = ? AND group_key = ?`,
      this.#backend.namespace,
      queue,
      group,
    );
    return row ?? { active: 0, ready: 0 };
  }

  #groupAdd(queue: string, group: string, delta: { active?: number; ready?: number }): void {
    this.#backend.run(
      `INSERT INTO coord_queue_group (namespace, queue, group_key, active, ready)
       VALUES (?, ?, ?, max(0, ?), max(0, ?)) ON CONFLICT (namespace, queue, group_key)
       DO UPDATE SET active = max(0, active + ?), ready = max(0, ready + ?)`,
      this.#backend.namespace,
      queue,
      group,
      delta.active ?? 0,
      delta.ready ?? 0,
      delta.active ?? 0,
      delta.ready ?? 0,
    );
  }

  #groupLimit(queue: string): number {
    const [row] = this.#backend.all<{ group_limit: number | null }>(
      "SELECT group_limit FROM coord_queue_config WHERE namespace = ? AND queue = ?",
      this.#backend.namespace,
      queue,
    );
    return row?.group_limit ?? Infinity;
  }

  /** Moves `group`'s next parked jobs into the run order while it has room (`fill`, queue.lua). */
  #fill(queue: string, group: string): void {
    const limit = this.#groupLimit(queue);
    for (;;) {
      const { active, ready } = this.#groupCounts(queue, group);
      if (active + ready >= limit) return;
      const [next] = this.#backend.all<{ id: string }>(
        `SELECT id FROM coord_queue_job WHERE namespace = ? AND queue = ? AND group_key = ?
         AND state = 'pending' AND due = 2 ORDER BY priority DESC, ready_at, id LIMIT 1`,
        this.#backend.namespace,
        queue,
        group,
      );
      if (!next) return;
      this.#update(queue, next.id, { due: 1 });
      this.#groupAdd(queue, group, { ready: 1 });
    }
  }

  /** A job leaves the run order or stops running: its group's place goes to the next job. */
  #leave(queue: string, row: JobRow): void {
    if (row.group_key === null) return;
    if (row.state === "active") this.#groupAdd(queue, row.group_key, { active: -1 });
    else if (row.state === "pending" && row.due === 1) {
      this.#groupAdd(queue, row.group_key, { ready: -1 });
    } else return;
    this.#fill(queue, row.group_key);
  }

  /** Makes a waiting job ready; a group starts its parts (all, or the first). */
  #release(queue: string, id: string): void {
    const row = this.#row(queue, id)!;
    if (row.grp !== null) {
      const group = this.#job(queue, row).group!;
      const parts = group.kind === "parallel" ? group.children : group.children.slice(0, 1);
      for (const child of parts) this.#release(queue, child);
      return;
    }
    this.#update(queue, id, {
      state: "pending",
      due: 0,
      ready_at: Math.floor(this.#backend.clock.now()),
    });
  }

  /** A failed group's parts that have not started will not: cancelled. */
  #abandon(queue: string, group: JobRow): void {
    const { children, postprocess } = this.#job(queue, group).group!;
    for (const id of [...children, ...(postprocess ? [postprocess] : [])]) {
      const state = this.#row(queue, id)?.state;
      if (state === "waiting" || state === "pending") {
        this.#end(queue, id, "cancelled", { error: `its group ${group.id} failed` });
      }
    }
  }

  #partEnded(queue: string, job: JobRow): void {
    const parent = this.#row(queue, job.parent!);
    if (parent?.state !== "waiting") return;
    const group = this.#job(queue, parent).group!;
    const why = `${job.state}: ${job.error ?? ""}`;
    if (job.id === group.postprocess) {
      const ok = job.state === "completed";
      this.#end(queue, parent.id, ok ? "completed" : "failed", {
        ...(job.result !== null && { result: job.result }),
        ...(!ok && { error: `postprocess ${job.id} ${why}` }),
      });
      return;
    }
    if (job.state !== "completed" && !group.continueOnFailure) {
      this.#end(queue, parent.id, "failed", { error: `part ${job.id} ${why}` });
      return;
    }
    group.done++;
    this.#update(queue, parent.id, { grp: JSON.stringify(group) });
    if (group.done < group.children.length) {
      if (group.kind === "serial") this.#release(queue, group.children[group.done]);
      return;
    }
    const parts = group.children.map((id) => {
      const part = this.#row(queue, id)!;
      return part.state === "completed" ? part.result ?? "null" : "null";
    });
    const joined = `[${parts.join(",")}]`;
    if (group.postprocess) {
      this.#update(queue, group.postprocess, { inputs: joined });
      this.#release(queue, group.postprocess);
    } else {
      this.#end(queue, parent.id, "completed", { result: joined });
    }
  }

  /**
   * Adds `delta` to how many finished jobs of `state` (no flow's parts) the queue holds.
   *
   * @returns the new count.
   */
  #kept(queue: string, state: string, delta: number): number {
    return this.#backend.all<{ n: number }>(
      `INSERT INTO coord_queue_kept (namespace, queue, state, n) VALUES (?, ?, ?, ?)
       ON CONFLICT (namespace, queue, state) DO UPDATE SET n = max(0, n + excluded.n)
       RETURNING n`,
      this.#backend.namespace,
      queue,
      state,
      delta,
    )[0].n;
  }

  /**
   * A finished job that is no flow's part is kept by its queue's retention, or by its own
   * --keep: for a duration after it finished, and/or until that many more finished (see
   * `listed` in `../redis/queue.lua`).
   */
  #listed(queue: string, row: JobRow, state: FinishedState): void {
    const finished = this.#kept(queue, "finished", 1);
    if (row.keep === null) {
      this.#kept(queue, state, 1);
      return;
    }
    const keep = parseOr(row.keep) as Keep;
    this.#update(queue, row.id, {
      expires_at: keep.ageMs === undefined ? null : row.finished_at! + keep.ageMs,
      outlived_at: keep.count === undefined ? null : finished + keep.count,
    });
  }

  #paused(queue: string): boolean {
    return this.#backend.all<{ paused: number }>(
      "SELECT paused FROM coord_queue_config WHERE namespace = ? AND queue = ?",
      this.#backend.namespace,
      queue,
    )[0]?.paused === 1;
  }

  #config(queue: string): QueueConfig {
    const [row] = this.#backend.all<{
      keep_completed: string | null;
      keep_failed: string | null;
      paused: number;
      group_limit: number | null;
    }>(
      `SELECT keep_completed, keep_failed, paused, group_limit FROM coord_queue_config
       WHERE namespace = ? AND queue = ?`,
      this.#backend.namespace,
      queue,
    );
    const keep = (json: string | null | undefined, fallback: Keep): Keep => {
      if (json == null) return fallback;
      const value = parseOr(json);
      if (typeof value === "object" && value !== null && !Array.isArray(value)) {
        return value as Keep;
      }
      throw new ForeignDataError(
        `queue "${queue}": its settings hold ${JSON.stringify(String(json).slice(0, 60))} — ` +
          `another program wrote there; remove the row or use another --namespace`,
      );
    };
    return {
      keepCompleted: keep(row?.keep_completed, DEFAULT_KEEP.keepCompleted),
      keepFailed: keep(row?.keep_failed, DEFAULT_KEEP.keepFailed),
      paused: row?.paused === 1,
      ...(typeof row?.group_limit === "number" && { groupLimit: row.group_limit }),
    };
  }

  /** Whether a finished job's flow has a part still running (see `unfinished` in queue.lua). */
  #unfinished(queue: string, id: string): boolean {
    const row = this.#row(queue, id);
    if (!row) return false;
    if (row.state === "active" || row.state === "pending" || row.state === "waiting") return true;
    if (row.grp === null) return false;
    const group = parseOr(row.grp) as { children?: string[]; postprocess?: string };
    return [...(group.children ?? []), ...(group.postprocess ? [group.postprocess] : [])]
      .some((child) => this.#unfinished(queue, child));
  }

  #drop(queue: string, id: string): void {
    const row = this.#row(queue, id);
    if (row?.grp) {
      const group = parseOr(row.grp) as { children?: string[]; postprocess?: string };
      for (
        const child of [
          ...(group.children ?? []),
          ...(group.postprocess ? [group.postprocess] : []),
        ]
      ) {
        this.#drop(queue, child);
      }
    }
    for (const table of ["coord_queue_job", "coord_queue_history"]) {
      this.#backend.run(
        `DELETE FROM ${table} WHERE namespace = ? AND queue = ? AND id = ?`,
        this.#backend.namespace,
        queue,
        id,
      );
    }
  }

  /**
   * Removes finished jobs `ids` (of `state`, else of the state each is in), remembering the
   * newest {@link MAX_REMOVED}.
   */
  #remove(queue: string, state: FinishedState | undefined, ids: string[]): number {
    const now = Math.floor(this.#backend.clock.now());
    let n = 0;
    for (const id of ids) {
      const row = this.#row(queue, id);
      if (!row || this.#unfinished(queue, id)) continue;
      const ended = state ?? row.state;
      if (row.keep === null) this.#kept(queue, ended, -1);
      this.#drop(queue, id);
      this.#backend.run(
        `INSERT OR REPLACE INTO coord_queue_removed (namespace, queue, id, state, removed_at)
         VALUES (?, ?, ?, ?, ?)`,
        this.#backend.namespace,
        queue,
        id,
        ended,
        now,
      );
      n++;
    }
    if (n > 0) {
      this.#backend.run(
        `DELETE FROM coord_queue_removed
         WHERE seq <= (SELECT max(seq) FROM coord_queue_removed) - ?`,
        MAX_REMOVED,
      );
    }
    return n;
  }

  /**
   * Ids of finished jobs of `state` (no flow's parts; with `trimmed`, only those the queue's
   * retention governs), oldest first, that finished before.
   */
  #oldest(
    queue: string,
    state: FinishedState,
    before: number,
    limit: number,
    trimmed = false,
  ): string[] {
    return this.#backend.all<{ id: string }>(
      `SELECT id FROM coord_queue_job WHERE namespace = ? AND queue = ? AND state = ?
       AND parent IS NULL ${trimmed ? "AND keep IS NULL" : ""} AND finished_at < ?
       ORDER BY finished_at, id LIMIT ?`,
      this.#backend.namespace,
      queue,
      state,
      before,
      limit,
    ).map((r) => r.id);
  }

  /** Removes a few jobs of each finished state past what the queue keeps (see `trim`). */
  #trim(queue: string): void {
    // Settings another program wrote over must not stop the workers: trim by the defaults, as
    // `keep` in queue.lua does; `config` reports them.
    let config: Pick<QueueConfig, "keepCompleted" | "keepFailed"> = DEFAULT_KEEP;
    try {
      config = this.#config(queue);
    } catch (e) {
      if (!(e instanceof ForeignDataError)) throw e;
    }
    const now = Math.floor(this.#backend.clock.now());
    for (const state of ["completed", "failed", "cancelled"] as const) {
      const keep = state === "completed" ? config.keepCompleted : config.keepFailed;
      let doomed = keep.ageMs === undefined
        ? []
        : this.#oldest(queue, state, now - keep.ageMs, TRIM_BATCH, true);
      if (doomed.length === 0 && keep.count !== undefined) {
        const [held] = this.#backend.all<{ n: number }>(
          "SELECT n FROM coord_queue_kept WHERE namespace = ? AND queue = ? AND state = ?",
          this.#backend.namespace,
          queue,
          state,
        );
        const over = (held?.n ?? 0) - keep.count;
        if (over > 0) {
          const limit = Math.min(over, TRIM_BATCH);
          doomed = this.#oldest(queue, state, Number.MAX_SAFE_INTEGER, limit, true);
        }
      }
      this.#remove(queue, state, doomed);
    }
    // Jobs put with their own --keep, past it.
    const [finished] = this.#backend.all<{ n: number }>(
      "SELECT n FROM coord_queue_kept WHERE namespace = ? AND queue = ? AND state = 'finished'",
      this.#backend.namespace,
      queue,
    );
    for (const [column, end] of [["expires_at", now], ["outlived_at", finished?.n ?? 0]]) {
      const over = this.#backend.all<{ id: string }>(
        `SELECT id FROM coord_queue_job WHERE namespace = ? AND queue = ? AND ${column} <= ?
         ORDER BY ${column} LIMIT ?`,
        this.#backend.namespace,
        queue,
        end,
        TRIM_BATCH,
      ).map((r) => r.id);
      this.#remove(queue, undefined, over);
    }
  }

  putFlow(queue: string, nodes: FlowNode[]): Promise<boolean> {
    const { namespace } = this.#backend;
    return settle(() =>
      this.#backend.write(() => {
        if (this.#row(queue, nodes[0].id)) return false;
        const now = Math.floor(this.#backend.clock.now());
        for (const node of nodes) {
          this.#backend.run(
            `INSERT INTO coord_queue_job (namespace, queue, id, state, ready_at, attempts, stalls,
             spec, created_at, parent, grp, priority) VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?)`,
            namespace,
            queue,
            node.id,
            node.released ? "pending" : "waiting",
            now,
            JSON.stringify(node.spec ?? {}),
            now,
            node.parent ?? null,
            node.group ? JSON.stringify({ ...node.group, done: 0 }) : null,
            node.priority ?? 0,
          );
        }
        return true;
      })
    );
  }

  put(queue: string, r: PutRequest): Promise<PutResult> {
    return settle(() => this.#backend.write(() => this.#put(queue, r)));
  }

  putMany(queue: string, requests: PutRequest[]): Promise<PutResult[]> {
    return settle(() => this.#backend.write(() => requests.map((r) => this.#put(queue, r))));
  }

  /** The job put with dedupe `key`, while it is unfinished or its window lasts. */
  #deduplicated(queue: string, key: string, now: number): JobRow | undefined {
    const [entry] = this.#backend.all<{ id: string; until: number }>(
      "SELECT id, until FROM coord_queue_dedupe WHERE namespace = ? AND queue = ? AND key = ?",
      this.#backend.namespace,
      queue,
      key,
    );
    const row = entry && this.#row(queue, entry.id);
    if (!row) return undefined;
    const live = row.state === "pending" || row.state === "active" || row.state === "waiting";
    return live || entry.until > now ? row : undefined;
  }

  /** Forgets a few dedupe keys whose window is over (see `trim_dedupe` in queue.lua). */
  #trimDedupe(queue: string, now: number): void {
    const { namespace } = this.#backend;
    const over = this.#backend.all<{ key: string }>(
      `SELECT key FROM coord_queue_dedupe WHERE namespace = ? AND queue = ? AND until <= ?
       ORDER BY until LIMIT 10`,
      namespace,
      queue,
      now,
    );
    for (const { key } of over) {
      if (this.#deduplicated(queue, key, now)) continue;
      this.#backend.run(
        "DELETE FROM coord_queue_dedupe WHERE namespace = ? AND queue = ? AND key = ?",
        namespace,
        queue,
        key,
      );
    }
  }

  /** Adds a job unless its id or dedupe key is taken (see `put` in `../redis/queue.lua`). */
  #put(queue: string, r: PutRequest): PutResult {
    const { namespace } = this.#backend;
    const now = Math.floor(this.#backend.clock.now());
    this.#trimDedupe(queue, now);
    if (r.dedupe && (r.id === undefined || !this.#row(queue, r.id))) {
      const first = this.#deduplicated(queue, r.dedupe.key, now);
      if (first) return { job: this.#job(queue, first), created: false, deduplicated: true };
    }
    let id = r.id;
    if (id === undefined) {
      this.#backend.refuseForeignRows(`queue "${queue}"`, ["coord_queue_counter"], { queue });
      // Numbers taken by an --id are skipped.
      do {
        this.#backend.run(
          `INSERT INTO coord_queue_counter (namespace, queue, last) VALUES (?, ?, 1)
           ON CONFLICT (namespace, queue) DO UPDATE SET last = last + 1`,
          namespace,
          queue,
        );
        id = String(
          this.#backend.all<{ last: number }>(
            "SELECT last FROM coord_queue_counter WHERE namespace = ? AND queue = ?",
            namespace,
            queue,
          )[0].last,
        );
      } while (this.#row(queue, id));
    } else {
      const existing = this.#row(queue, id);
      if (existing) return { job: this.#job(queue, existing), created: false };
    }
    const readyAt = Math.round(r.at ?? now + r.delayMs);
    this.#backend.run(
      `INSERT INTO coord_queue_job (namespace, queue, id, state, ready_at, attempts, stalls,
       begin_by, spec, created_at, priority, keep, group_key)
       VALUES (?, ?, ?, 'pending', ?, 0, 0, ?, ?, ?, ?, ?, ?)`,
      namespace,
      queue,
      id,
      readyAt,
      // --begin-by counts from when the job may start.
      r.beginByMs === undefined ? null : readyAt + Math.round(r.beginByMs),
      JSON.stringify(r.spec),
      now,
      r.priority ?? 0,
      r.keep === undefined ? null : JSON.stringify(r.keep),
      r.groupKey ?? null,
    );
    if (r.dedupe) {
      this.#backend.run(
        `INSERT OR REPLACE INTO coord_queue_dedupe (namespace, queue, key, id, until)
         VALUES (?, ?, ?, ?, ?)`,
        namespace,
        queue,
        r.dedupe.key,
        id,
        now + Math.round(r.dedupe.forMs),
      );
    }
    return { job: this.#job(queue, this.#row(queue, id)!), created: true };
  }

  claim(queue: string, r: { worker: string; leaseMs: number }): Promise<ClaimResult> {
    const { namespace } = this.#backend;
    return settle(() =>
      this.#backend.write((): ClaimResult => {
        const now = Math.floor(this.#backend.clock.now());
        // A job this step cannot read is handed back to the worker to fail, without stopping
        // the claim for good: the same claim then finds the next job.
        const undecodable = (row: JobRow): ClaimResult | undefined => {
          try {
            this.#job(queue, row);
          } catch (e) {
            if (!(e instanceof ForeignDataError)) throw e;
            return { undecodable: { id: row.id, reason: e.message } };
          }
        };
        // Jobs whose worker died: back to pending, or failed once abandoned too often.
        const abandoned = this.#backend.all<JobRow>(
          `SELECT ${COLUMNS} FROM coord_queue_job WHERE namespace = ? AND queue = ?
           AND state = 'active' AND lease_until < ? LIMIT 100`,
          namespace,
          queue,
          now,
        );
        // Idle queues age out too: every claim removes a few jobs past what the queue keeps.
        this.#trim(queue);
        for (const row of abandoned) {
          const refused = undecodable(row);
          if (refused) return refused;
          const { id, stalls } = row;
          if (stalls + 1 > MAX_STALLS) {
            this.#update(queue, id, { stalls: stalls + 1 });
            this.#end(queue, id, "failed", {
              error: `abandoned ${stalls + 1} times by workers that stopped answering`,
            });
          } else {
            this.#leave(queue, row);
            this.#update(queue, id, {
              state: "pending",
              due: 0,
              stalls: stalls + 1,
              ready_at: now,
              lease_until: null,
            });
          }
        }
        if (this.#paused(queue)) return {};
        // The pending jobs whose start came since the last claim join the run order.
        // A job of a group is parked, and its group lets in what it has room for.
        const touched = this.#backend.all<{ group_key: string | null }>(
          `UPDATE coord_queue_job SET due = CASE WHEN group_key IS NULL THEN 1 ELSE 2 END
           WHERE namespace = ? AND queue = ? AND state = 'pending' AND due = 0 AND ready_at <= ?
           RETURNING group_key`,
          namespace,
          queue,
          now,
        );
        const groups = new Set(touched.map((t) => t.group_key).filter((g) => g !== null));
        for (const group of groups) this.#fill(queue, group!);
        for (let i = 0; i < 100; i++) {
          const [first] = this.#backend.all<JobRow>(
            `SELECT ${COLUMNS} FROM coord_queue_job WHERE namespace = ? AND queue = ?
             AND state = 'pending' AND due = 1 ORDER BY priority DESC, ready_at, id LIMIT 1`,
            namespace,
            queue,
          );
          if (!first) {
            // Text sorts after every number in SQLite: a ready_at that is not one comes last.
            // Due jobs parked by their group's limit wait for a slot, not for a time.
            const [next] = this.#backend.all<JobRow>(
              `SELECT ${COLUMNS} FROM coord_queue_job WHERE namespace = ? AND queue = ?
               AND state = 'pending' AND due = 0 ORDER BY ready_at LIMIT 1`,
              namespace,
              queue,
            );
            return next ? undecodable(next) ?? { nextReadyAt: next.ready_at } : {};
          }
          const refused = undecodable(first);
          if (refused) return refused;
          // Only a first start can be too late: a retry or a recovered job has started in time.
          if (first.begin_by !== null && first.begin_by < now && first.attempts === 0) {
            this.#end(queue, first.id, "failed", {
              error: "expired: not started by its --begin-by",
            });
            continue;
          }
          if (first.group_key !== null) {
            if (this.#groupCounts(queue, first.group_key).active >= this.#groupLimit(queue)) {
              // Its group's limit was lowered since it joined the run order: parked again.
              this.#update(queue, first.id, { due: 2 });
              this.#groupAdd(queue, first.group_key, { ready: -1 });
              continue;
            }
            this.#groupAdd(queue, first.group_key, { active: 1, ready: -1 });
          }
          this.#backend.run(
            `UPDATE coord_queue_job SET state = 'active', attempts = attempts + 1, worker = ?,
             started_at = ?, lease_until = ? WHERE namespace = ? AND queue = ? AND id = ?`,
            r.worker,
            now,
            now + r.leaseMs,
            namespace,
            queue,
            first.id,
          );
          return { job: this.#job(queue, this.#row(queue, first.id)!) };
        }
        return { nextReadyAt: now };
      })
    );
  }

  failUndecodable(queue: string, r: { id: string; error: string }): Promise<void> {
    return settle(() =>
      this.#backend.write(() => {
        const now = Math.floor(this.#backend.clock.now());
        const [before] = this.#backend.all<{ state: unknown; parent: unknown }>(
          "SELECT state, parent FROM coord_queue_job WHERE namespace = ? AND queue = ? AND id = ?",
          this.#backend.namespace,
          queue,
          r.id,
        );
        if (before?.parent === null && before.state !== "failed") {
          if (typeof before.state === "string") this.#kept(queue, before.state, -1);
          this.#kept(queue, "failed", 1);
        }
        // What cannot be read is replaced by coord's own, so show and wait answer from now on.
        this.#backend.run(
          `UPDATE coord_queue_job SET state = 'failed', error = ?, finished_at = ?,
           lease_until = NULL, keep = NULL, expires_at = NULL, outlived_at = NULL,
           ready_at = CASE WHEN typeof(ready_at) = 'integer' THEN ready_at ELSE ? END,
           created_at = CASE WHEN typeof(created_at) = 'integer' THEN created_at ELSE ? END,
           attempts = CASE WHEN typeof(attempts) = 'integer' THEN attempts ELSE 0 END,
           failures = CASE WHEN typeof(failures) = 'integer' THEN failures ELSE 0 END,
           stalls = CASE WHEN typeof(stalls) = 'integer' THEN stalls ELSE 0 END,
           started_at = CASE WHEN typeof(started_at) = 'integer' THEN started_at END,
           worker = CASE WHEN typeof(worker) = 'text' THEN worker END,
           spec = CASE WHEN json_valid(spec) AND json_type(spec) = 'object' THEN spec
             ELSE '{}' END,
           grp = CASE WHEN json_valid(grp) AND json_type(grp, '$.children') = 'array' THEN grp END,
           result = CASE WHEN json_valid(result) THEN result END,
           inputs = CASE WHEN json_valid(inputs) AND json_type(inputs) = 'array' THEN inputs END
           WHERE namespace = ? AND queue = ? AND id = ?`,
          r.error,
          now,
          now,
          now,
          this.#backend.namespace,
          queue,
          r.id,
        );
      })
    );
  }

  /** The attempt fences a run: see `owned` in `../redis/queue.lua`. */
  #owned(queue: string, r: Attempt): JobRow | undefined {
    const row = this.#row(queue, r.id);
    return row?.state === "active" && row.worker === r.worker && row.attempts === r.attempt
      ? row
      : undefined;
  }

  renew(queue: string, r: Attempt & { leaseMs: number }): Promise<boolean> {
    return settle(() =>
      this.#backend.write(() => {
        if (!this.#owned(queue, r)) return false;
        this.#update(queue, r.id, {
          lease_until: Math.floor(this.#backend.clock.now()) + r.leaseMs,
        });
        return true;
      })
    );
  }

  progress(queue: string, r: Attempt & { progress: string }): Promise<boolean> {
    return settle(() =>
      this.#backend.write(() => {
        if (!this.#owned(queue, r)) return false;
        this.#update(queue, r.id, { progress: r.progress });
        return true;
      })
    );
  }

  finish(queue: string, r: Attempt & Finish): Promise<boolean> {
    return settle(() =>
      this.#backend.write(() => {
        const row = this.#owned(queue, r);
        if (!row) return false;
        const now = Math.floor(this.#backend.clock.now());
        if (r.outcome === "completed") {
          this.#end(queue, r.id, "completed", {
            result: JSON.stringify(r.result ?? null),
            error: null,
          });
        } else if (r.outcome === "failed") {
          this.#end(queue, r.id, "failed", { error: r.error, failures: row.failures + 1 });
        } else if (r.outcome === "retry") {
          this.#leave(queue, row);
          this.#update(queue, r.id, {
            state: "pending",
            due: 0,
            error: r.error,
            failures: row.failures + 1,
            ready_at: now + Math.round(r.delayMs),
            lease_until: null,
          });
        } else {
          this.#leave(queue, row);
          this.#update(queue, r.id, {
            state: "pending",
            due: 0,
            ready_at: now,
            lease_until: null,
          });
        }
        this.#trim(queue);
        return true;
      })
    );
  }

  cancel(
    queue: string,
    id: string,
  ): Promise<{ job: JobRecord; cancelled: boolean } | undefined> {
    return settle(() =>
      this.#backend.write(() => {
        const row = this.#row(queue, id);
        if (!row) return undefined;
        // A record coord cannot read is refused before anything changes.
        this.#job(queue, row);
        // A running job ends here; its worker sees it is no longer its own and stops the run.
        const cancelled = row.state === "pending" || row.state === "waiting" ||
          row.state === "active";
        if (cancelled) {
          const error = row.state === "active" ? "cancelled while running" : "cancelled";
          this.#end(queue, id, "cancelled", { error });
        }
        return { job: this.#job(queue, this.#row(queue, id)!), cancelled };
      })
    );
  }

  get(queue: string, id: string): Promise<JobRecord | undefined> {
    return settle(() => {
      const row = this.#row(queue, id);
      return row && this.#job(queue, row, true);
    });
  }

  counts(queue: string): Promise<QueueCounts> {
    const { namespace } = this.#backend;
    return settle(() =>
      this.#backend.read(() => {
        const now = Math.floor(this.#backend.clock.now());
        const counts = {
          waiting: 0,
          pending: 0,
          scheduled: 0,
          active: 0,
          completed: 0,
          failed: 0,
          cancelled: 0,
        };
        const rows = this.#backend.all<{ state: JobState; future: number; n: number }>(
          `SELECT state, ready_at > ? AS future, count(*) AS n FROM coord_queue_job
           WHERE namespace = ? AND queue = ? GROUP BY state, future`,
          now,
          namespace,
          queue,
        );
        for (const { state, future, n } of rows) {
          counts[state === "pending" && future ? "scheduled" : state] += Number(n);
        }
        const [oldest] = this.#backend.all<{ ready_at: number }>(
          `SELECT min(ready_at) AS ready_at FROM coord_queue_job WHERE namespace = ? AND queue = ?
           AND state = 'pending' AND ready_at <= ?`,
          namespace,
          queue,
          now,
        );
        const workers = this.#backend.all<{ worker: string }>(
          `SELECT worker FROM coord_queue_worker WHERE namespace = ? AND queue = ? AND until >= ?
           ORDER BY worker`,
          namespace,
          queue,
          now,
        ).map((w) => w.worker);
        return {
          queue,
          ...counts,
          ...(oldest?.ready_at != null && { oldestPendingAt: oldest.ready_at }),
          workers,
          paused: this.#paused(queue),
        };
      })
    );
  }

  announce(queue: string, r: { worker: string; ttlMs: number }): Promise<void> {
    const { namespace } = this.#backend;
    return settle(() =>
      this.#backend.write(() => {
        const now = Math.floor(this.#backend.clock.now());
        this.#backend.run(
          "DELETE FROM coord_queue_worker WHERE namespace = ? AND queue = ? AND (until < ? OR worker = ?)",
          namespace,
          queue,
          now,
          r.worker,
        );
        if (r.ttlMs > 0) {
          this.#backend.run(
            "INSERT INTO coord_queue_worker (namespace, queue, worker, until) VALUES (?, ?, ?, ?)",
            namespace,
            queue,
            r.worker,
            now + r.ttlMs,
          );
        }
      })
    );
  }

  list(): Promise<string[]> {
    return settle(() =>
      this.#backend.all<{ queue: string }>(
        "SELECT DISTINCT queue FROM coord_queue_job WHERE namespace = ? ORDER BY queue",
        this.#backend.namespace,
      ).map((r) => r.queue)
    );
  }

  listJobs(
    queue: string,
    r: { state: ListState; after?: ListCursor; limit: number },
  ): Promise<{ job: JobRecord; cursor: ListCursor }[]> {
    const { namespace } = this.#backend;
    return settle(() =>
      this.#backend.read(() => {
        const now = Math.floor(this.#backend.clock.now());
        const finished = r.state === "completed" || r.state === "failed" ||
          r.state === "cancelled";
        const state = r.state === "scheduled" ? "pending" : r.state;
        const order = finished ? "finished_at" : "ready_at";
        const when = r.state === "pending"
          ? `AND ready_at <= ${now}`
          : r.state === "scheduled"
          ? `AND ready_at > ${now}`
          : "";
        const after = r.after === undefined
          ? ""
          : `AND (${order}, id) ${finished ? "<" : ">"} (?, ?)`;
        const rows = this.#backend.all<JobRow>(
          `SELECT ${COLUMNS} FROM coord_queue_job WHERE namespace = ? AND queue = ? AND state = ?
           ${finished ? "AND parent IS NULL" : ""} ${when} ${after}
           ORDER BY ${order} ${finished ? "DESC" : ""}, id ${finished ? "DESC" : ""} LIMIT ?`,
          namespace,
          queue,
          state,
          ...(r.after === undefined ? [] : [r.after.score, r.after.id]),
          r.limit,
        );
        return rows.map((row) => ({
          job: this.#job(queue, row),
          cursor: { score: finished ? row.finished_at! : row.ready_at, id: row.id },
        }));
      })
    );
  }

  retry(queue: string, id: string): Promise<{ job: JobRecord; retried: boolean } | undefined> {
    const { namespace } = this.#backend;
    return settle(() =>
      this.#backend.write(() => {
        const row = this.#row(queue, id);
        if (!row) return undefined;
        const job = this.#job(queue, row);
        const retried = (row.state === "failed" || row.state === "cancelled") &&
          row.parent === null && row.grp === null;
        if (retried) {
          this.#backend.run(
            `INSERT INTO coord_queue_history (namespace, queue, id, seq, entry)
             VALUES (?, ?, ?, (SELECT count(*) FROM coord_queue_history
               WHERE namespace = ? AND queue = ? AND id = ?), ?)`,
            namespace,
            queue,
            id,
            namespace,
            queue,
            id,
            JSON.stringify({
              state: row.state,
              error: row.error ?? "",
              attempts: row.attempts,
              ...(row.finished_at !== null && { finishedAt: row.finished_at }),
            }),
          );
          if (row.keep === null) this.#kept(queue, row.state, -1);
          this.#update(queue, id, {
            state: "pending",
            due: 0,
            attempts: 0,
            failures: 0,
            stalls: 0,
            error: null,
            finished_at: null,
            begin_by: null,
            progress: null,
            expires_at: null,
            outlived_at: null,
            ready_at: Math.floor(this.#backend.clock.now()),
          });
        }
        return { job: retried ? this.#job(queue, this.#row(queue, id)!, true) : job, retried };
      })
    );
  }

  purge(
    queue: string,
    r: { state: FinishedState; olderThanMs?: number; limit: number },
  ): Promise<number> {
    return settle(() =>
      this.#backend.write(() => {
        const before = r.olderThanMs === undefined
          ? Number.MAX_SAFE_INTEGER
          : Math.floor(this.#backend.clock.now()) - r.olderThanMs;
        return this.#remove(queue, r.state, this.#oldest(queue, r.state, before, r.limit));
      })
    );
  }

  removed(
    queue: string,
    id: string,
  ): Promise<{ state: FinishedState; removedAt: number } | undefined> {
    return settle(() => {
      const [row] = this.#backend.all<{ state: FinishedState; removed_at: number }>(
        `SELECT state, removed_at FROM coord_queue_removed
         WHERE namespace = ? AND queue = ? AND id = ?`,
        this.#backend.namespace,
        queue,
        id,
      );
      return row && { state: row.state, removedAt: row.removed_at };
    });
  }

  configure(queue: string, patch: Partial<QueueConfig>): Promise<QueueConfig> {
    return settle(() =>
      this.#backend.write(() => {
        const { groupLimit, ...config } = { ...this.#config(queue), ...patch };
        this.#backend.run(
          `INSERT INTO coord_queue_config
           (namespace, queue, keep_completed, keep_failed, paused, group_limit)
           VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (namespace, queue) DO UPDATE SET
           keep_completed = excluded.keep_completed, keep_failed = excluded.keep_failed,
           paused = excluded.paused, group_limit = excluded.group_limit`,
          this.#backend.namespace,
          queue,
          JSON.stringify(config.keepCompleted),
          JSON.stringify(config.keepFailed),
          config.paused ? 1 : 0,
          groupLimit ?? null,
        );
        // A raised limit lets each group's parked jobs in at once.
        if (patch.groupLimit !== undefined) {
          for (
            const { group_key } of this.#backend.all<{ group_key: string }>(
              "SELECT group_key FROM coord_queue_group WHERE namespace = ? AND queue = ?",
              this.#backend.namespace,
              queue,
            )
          ) this.#fill(queue, group_key);
        }
        return { ...config, ...(groupLimit != null && { groupLimit }) };
      })
    );
  }
}
