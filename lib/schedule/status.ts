/**
 * What `coord schedule status` shows: each task's committed tick, lease and last run, read
 * from the backend (so it covers every instance, running or not).
 *
 * @module
 */

import type { Backend } from "../backend/types.ts";
import {
  decodeRecord,
  type LastRun,
  recordType,
  type TaskRecord,
  type TemplateRecord,
  type TickLease,
} from "./record.ts";

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
  const statuses: (TaskStatus | TemplateStatus)[] = [];
  for (const name of names ?? await backend.schedule.list()) {
    const read = await backend.schedule.read(name);
    if (!read.stored) continue;
    if (recordType(read.stored.value) === "template") {
      const { record } = decodeRecord<TemplateRecord>(name, "template", read);
      statuses.push({ template: name, instances: Object.keys(record!.instances).length });
      continue;
    }
    const { record, now } = decodeRecord<TaskRecord>(name, "task", read);
    const { spec, next, lease, last, runs, failures, consecutiveFailures = 0 } = record!;
    const { paused, missed = 0, triggers = [], triggered } = record!;
    statuses.push({
      task: name,
      timing: spec,
      next,
      ...(lease && lease.until > now && { lease }),
      ...(last && { last }),
      runs,
      failures,
      consecutiveFailures,
      lagMs: next === null || paused ? 0 : Math.max(0, now - next),
      missed,
      ...(paused && { paused }),
      triggers: triggers.length,
      ...(triggered && { triggered }),
      orphaned: now - (record!.aliveAt ?? last?.finishedAt ?? last?.startedAt ?? now) >
        ORPHANED_AFTER_MS,
    });
  }
  return statuses;
}
