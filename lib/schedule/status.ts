/**
 * What `coord schedule status` shows: each task's committed tick, lease and last run, read
 * from the backend (so it covers every instance, running or not).
 *
 * @module
 */

import { checkNames } from "../backend/keys.ts";
import type { Backend } from "../backend/types.ts";
import { type ForeignDataError, readEach } from "../errors.ts";
import {
  decodeRecord,
  type LastRun,
  recordType,
  type TaskRecord,
  type TemplateRecord,
  type TickLease,
} from "./record.ts";
import type { ReadResult } from "./steps.ts";

/** One task's state as {@link scheduleStatus} reports it. */
export interface TaskStatus {
  /** The task's name. */
  task: string;
  /** The task's timing as stored, e.g. `cron 0 * * * * UTC`, `every 30000ms`. */
  timing: string;
  /** The next tick not yet done (epoch ms, backend clock); null when a one-off task ran. */
  next: number | null;
  /** Who holds the current tick and until when; absent when nobody runs it. */
  lease?: TickLease;
  /** The last run started, by any instance. */
  last?: LastRun;
  /** Runs started, over the task's life. */
  runs: number;
  /** Runs failed, over the task's life. */
  failures: number;
  /** Runs failed since the last success. */
  consecutiveFailures: number;
  /**
   * How long the oldest tick not yet done has been due (backend clock, ms; 0 when it is not):
   * the lateness of a run not started, or the length of one going on.
   */
  lagMs: number;
  /** Ticks skipped without running (paused, catch-up policy), over the task's life. */
  missed: number;
  /** Present (true) while the task is paused. */
  paused?: boolean;
  /** Extra runs asked for (`trigger`) and not yet claimed by an instance. */
  triggers: number;
  /** The last triggered run. */
  triggered?: LastRun;
  /**
   * No instance has run the task for a day: it may be gone from every task file (remove it
   * with `coord schedule remove`), or every instance is down.
   */
  orphaned: boolean;
}

/** A dynamic task template and how many instances it has. */
export interface TemplateStatus {
  /** The template's name. */
  template: string;
  /** How many instances it has. */
  instances: number;
}

/** A task no instance has run for this long is reported as orphaned. */
export const ORPHANED_AFTER_MS = 86_400_000;

/**
 * The state of the named tasks (or of every task and template in the namespace), sorted by
 * name; names without a record are left out. Leases that ran out are not reported.
 *
 * @throws {ForeignDataError} when a name holds data coord did not write.
 */
export async function scheduleStatus(
  backend: Backend,
  names?: string[],
): Promise<(TaskStatus | TemplateStatus)[]> {
  const reports = await scheduleReports(backend, names);
  const foreign = reports.find((r) => r.foreign);
  if (foreign) throw foreign.foreign;
  return reports.flatMap((r) => r.status ?? []);
}

/** One name as {@link scheduleReports} found it: its status, or why it has none. */
export interface ScheduleReport {
  /** The task's or template's name. */
  name: string;
  /** Its state; absent when it has no record, or its record is foreign data. */
  status?: TaskStatus | TemplateStatus;
  /** Why it could not be read: data another program wrote where its record is kept. */
  foreign?: ForeignDataError;
}

/**
 * The state of the named tasks, in the order given (neither field for a name without a
 * record), or of every task and template in the namespace by name; each on its own: a name
 * holding foreign data is reported (`foreign`), not thrown, so it hides none of the others
 * (what `coord schedule status` and the console show).
 *
 * @example
 * ```ts
 * import { connect } from "../backend/connect.ts";
 * import { scheduleReports } from "./status.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * (await scheduleReports(backend, ["typo"])).map((r) => r.status); // [undefined]
 * ```
 */
export async function scheduleReports(
  backend: Backend,
  names?: string[],
): Promise<ScheduleReport[]> {
  const given = names && checkNames("task name", names);
  const read = await readEach(given ?? await backend.schedule.list(), async (name) => {
    const stored = await backend.schedule.read(name);
    return stored.stored ? statusOf(name, stored) : undefined;
  });
  const reports = read.map(({ name, value, foreign }) => ({
    name,
    ...value && { status: value },
    ...foreign && { foreign },
  }));
  // A listed task removed in the meantime is simply no longer there.
  return given ? reports : reports.filter((r) => r.status || r.foreign);
}

/** A task's or template's state from its record as read. */
function statusOf(name: string, read: ReadResult): TaskStatus | TemplateStatus {
  if (recordType(read.stored!.value) === "template") {
    const { record } = decodeRecord<TemplateRecord>(name, "template", read);
    return { template: name, instances: Object.keys(record!.instances).length };
  }
  const { record, now } = decodeRecord<TaskRecord>(name, "task", read);
  const { spec, next, lease, last, runs, failures, consecutiveFailures = 0 } = record!;
  const { paused, missed = 0, triggers = [], triggered } = record!;
  return {
    task: name,
    timing: spec,
    next,
    ...(lease && lease.until > now && { lease }),
    ...(last && { last: reported(last, aliveUntil(record!, last), now) }),
    runs,
    failures,
    consecutiveFailures,
    lagMs: next === null || paused ? 0 : Math.max(0, now - next),
    missed,
    ...(paused && { paused }),
    triggers: triggers.length,
    ...(triggered && { triggered: reported(triggered, triggered.aliveUntil ?? Infinity, now) }),
    orphaned: now - (record!.aliveAt ?? last?.finishedAt ?? last?.startedAt ?? now) >
      ORPHANED_AFTER_MS,
  };
}

/**
 * A run as status reports it: `abandoned` while it is recorded running but its instance no
 * longer renews it (`aliveUntil` passed, backend clock).
 */
function reported(run: LastRun, aliveUntil: number, now: number): LastRun {
  const { aliveUntil: _, ...shown } = run;
  return shown.outcome === "running" && !(aliveUntil > now)
    ? { ...shown, outcome: "abandoned" }
    : shown;
}

/**
 * Until when the last run is known to go on: its mark, else the lease on its tick (the task's,
 * or an overlapping run's). A best-effort run an instance of an older coord started has
 * neither, and is taken to go on: status cannot tell.
 */
function aliveUntil(record: TaskRecord, last: LastRun): number {
  if (last.aliveUntil !== undefined) return last.aliveUntil;
  if (record.lease === undefined && !record.overlapping?.length && record.next !== last.tick) {
    return Infinity;
  }
  const leases = [record.lease, ...record.overlapping ?? []];
  return leases.find((lease) => lease?.tick === last.tick)?.until ?? -Infinity;
}
