/**
 * What the scheduler stores per name (see `steps.ts`): a task's committed tick, lease and last
 * run (and a dynamic task instance's spec), or a dynamic task template's list of instances. Records are JSON, checked when read, so data
 * another program left under a name is reported instead of being run or overwritten.
 *
 * @module
 */

import type { Backend } from "../backend/types.ts";
import { CoordError, ExitCode, ForeignDataError } from "../errors.ts";
import type { ReadResult } from "./steps.ts";
import type { Timing, TimingOptions } from "./timing.ts";
import { foreignValue } from "./record_values.ts";

/**
 * How a task's last run ended; `running` while it runs; `interrupted` when a stop cut it short
 * (no failure of the task's: not counted; an at-least-once tick is run again). `abandoned` is
 * never stored: status reports it for a run still recorded `running` whose instance no longer
 * renews it (killed, or its event loop blocked) — its lease ran out, or
 * {@link LastRun.aliveUntil} passed.
 */
export type Outcome = "running" | "success" | "failure" | "interrupted" | "abandoned";

/** The lease on a tick while an instance runs it (at-least-once tasks). */
export interface TickLease {
  /** The instance running it; `""` while a failed tick waits for its retry. */
  owner: string;
  /** The tick, backend clock, epoch ms. */
  tick: number;
  /** When the lease runs out, backend clock, epoch ms. */
  until: number;
  /** A token of the claim: only the run that made it may renew or commit it. */
  claim?: string;
  /** Failed runs of this tick so far (an overlapping run's, see {@link TaskRecord.overlapping}). */
  failures?: number;
}

/** A task's last run, for `coord schedule status`. */
export interface LastRun {
  /** The tick, backend clock, epoch ms. */
  tick: number;
  /** The instance that ran it. */
  owner: string;
  /** How it ended, or `running`. */
  outcome: Outcome;
  /** When it was claimed, backend clock. */
  startedAt: number;
  /** When its outcome was recorded, backend clock. */
  finishedAt?: number;
  /** The failure, one line. */
  error?: string;
  /** The `coord schedule trigger` request this run was for; absent for a tick's run. */
  trigger?: string;
  /**
   * While a run without a lease (best-effort, triggered) goes on: until when its instance is
   * known to run it, backend clock; marked again every few seconds. Status tells an abandoned
   * run by it.
   */
  aliveUntil?: number;
}

/** A request for one extra run (`coord schedule trigger`), waiting for an instance to claim it. */
export interface TriggerRequest {
  /** Names the request; its run's {@link LastRun.trigger}. */
  id: string;
  /** When it was asked for, backend clock, epoch ms (the run's `ctx.scheduledAt`). */
  requestedAt: number;
  /** The run's `ctx.args` (a command's `COORD_ARGS`), when given. */
  args?: unknown;
}

/** A task's stored state. */
export interface TaskRecord {
  type: "task";
  /** The timing the record was made for ({@link Timing.spec}); another one starts over. */
  spec: string;
  /**
   * When the instance that wrote {@link spec} started, backend clock: of two instances with
   * two timings, the one started last runs the task.
   */
  specSince?: number;
  /** The oldest tick not yet done, backend clock; null once a one-off task has run. */
  next: number | null;
  lease?: TickLease;
  last?: LastRun;
  /** Runs started and runs failed, over the task's life. */
  runs: number;
  failures: number;
  /** Runs failed since the last success (absent in records written before it was kept). */
  consecutiveFailures?: number;
  /** The failed runs of a tick being retried, counted against the task's `maxRetries`. */
  retrying?: { tick: number; failures: number };
  /** Extra runs asked for and not yet claimed, oldest first. */
  triggers?: TriggerRequest[];
  /** The last triggered run. */
  triggered?: LastRun;
  /** Set while paused (`coord schedule pause`): no tick is claimed. */
  paused?: boolean;
  /** When it was paused (backend clock): a resume skips the ticks from here on. */
  pausedAt?: number;
  /**
   * Ticks before this instant are skipped, not run (a resume without catch-up) — those from
   * `skipFrom` on, when given: ticks due before the pause (missed while no instance ran) are
   * run as the task's catch-up policy says.
   */
  skipBefore?: number;
  /** Where the skip up to `skipBefore` starts: when the task was paused. */
  skipFrom?: number;
  /** Ticks skipped without running, over the task's life. */
  missed?: number;
  /** When an instance running the task last said so (every hour or so), backend clock. */
  aliveAt?: number;
  /**
   * With overlap `allow`: the leases of ticks claimed (and `next` moved past them) while
   * running, or failed and waiting for their retry; one that runs out is run again.
   */
  overlapping?: TickLease[];
  /**
   * A dynamic task instance's spec (timing and args), as `Scheduler.schedule()` stored it; its
   * template lists it by id only (see {@link InstanceListing}).
   */
  instance?: DynamicTaskSpec;
  /**
   * The revision of the template's listing written with {@link instance}
   * ({@link InstanceListing.revision}): an instance removed as done is removed only while it is
   * that one.
   */
  revision?: string;
}

/** How one instance of a dynamic task is scheduled: its timing and its arguments. */
export interface DynamicTaskSpec extends TimingOptions {
  /** Handed to the template's handler as `ctx.args`. */
  args?: unknown;
}

/**
 * A template's entry for an instance whose spec its own record holds
 * ({@link TaskRecord.instance}): what schedulers running the template compare to restart the
 * instance when `schedule()` changed it, so a change writes the instance's record and this.
 */
export interface InstanceListing {
  /** Changes with each `schedule()` of the instance; random, so no two are alike. */
  revision: string;
}

/**
 * A dynamic task template's instances, by id: listed, or with their spec inside as coord wrote
 * them before instances had their own (still read and run; moved out on the template's next
 * write, see `template.ts`).
 */
export interface TemplateRecord {
  type: "template";
  instances: Record<string, InstanceListing | DynamicTaskSpec>;
}

/** Whether a template's entry lists an instance whose spec is in the instance's own record. */
export function isListing(entry: InstanceListing | DynamicTaskSpec): entry is InstanceListing {
  return typeof (entry as Partial<InstanceListing>).revision === "string";
}

/** A record as read, with the version to write it back with. */
export interface Versioned<T> {
  now: number;
  version: number;
  record?: T;
}

/** The lease a claim holds: the task's `lease`, or one of its `overlapping` ones. */
export function leaseOf(record: TaskRecord, claim: string): TickLease | undefined {
  return record.lease?.claim === claim
    ? record.lease
    : record.overlapping?.find((lease) => lease.claim === claim);
}

/** `record` with the lease `claim` holds replaced by `lease`, or dropped when undefined. */
export function withLease(
  record: TaskRecord,
  claim: string,
  lease: TickLease | undefined,
): TaskRecord {
  if (record.lease?.claim === claim) return { ...record, lease };
  const overlapping = (record.overlapping ?? []).flatMap((held) =>
    held.claim !== claim ? [held] : lease ? [lease] : []
  );
  const changed: TaskRecord = { ...record, overlapping };
  if (overlapping.length === 0) delete changed.overlapping;
  return changed;
}

/**
 * Decodes a read record of the expected type.
 *
 * @throws {ForeignDataError} when the name holds something else.
 */
export function decodeRecord<T extends TaskRecord | TemplateRecord>(
  name: string,
  type: T["type"],
  read: ReadResult,
): Versioned<T> {
  if (!read.stored) return { now: read.now, version: 0 };
  let record: unknown;
  try {
    record = JSON.parse(read.stored.value);
  } catch {
    // reported below
  }
  const isType = typeof record === "object" && record !== null &&
    (record as { type?: unknown }).type === type;
  // The field that is not coord's when one is, else the text as stored.
  const held = isType ? foreignValue(record, type) : read.stored.value.slice(0, 60);
  if (held !== undefined) {
    throw new ForeignDataError(
      `schedule "${name}": the stored record is not a coord ${type} (${held}) — another ` +
        `program wrote there, or a task and a dynamic template share the name; remove it or ` +
        `use another --namespace`,
    );
  }
  return { now: read.now, version: read.stored.version, record: record as T };
}

/** The type a stored record says it is (`task`, `template`), undecoded; for listing. */
export function recordType(value: string): unknown {
  try {
    return JSON.parse(value)?.type;
  } catch {
    return undefined;
  }
}

/**
 * The record a task starts from, or starts over from when its timing changed: the timing's
 * first tick after `from` (default now), keeping the history, the lease of a tick still running,
 * a pause and the triggers not yet run.
 */
export function startingRecord(
  timing: Timing,
  now: number,
  previous?: TaskRecord,
  from = now,
): TaskRecord {
  const record: TaskRecord = {
    runs: 0,
    failures: 0,
    ...previous,
    type: "task",
    spec: timing.spec,
    next: timing.first(from) ?? null,
    aliveAt: now,
  };
  // Retries and skips were counted in the old timing's ticks.
  delete record.retrying;
  delete record.skipBefore;
  delete record.skipFrom;
  return record;
}

/** Tries at changing a record that other instances change too. */
const UPDATE_ATTEMPTS = 20;

/**
 * Changes a record by compare-and-set, reading it again when another instance changed it
 * first. `change` returns the new record, `null` to remove it, or `undefined` to leave it.
 *
 * @returns whether it was changed.
 * @throws {ForeignDataError} when the name holds something else.
 */
export async function updateRecord<T extends TaskRecord | TemplateRecord>(
  backend: Backend,
  name: string,
  type: T["type"],
  change: (record: T | undefined, now: number) => T | null | undefined,
): Promise<boolean> {
  for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
    const { now, version, record } = decodeRecord<T>(name, type, await backend.schedule.read(name));
    const changed = change(record, now);
    if (changed === undefined || (changed === null && version === 0)) return false;
    const value = changed === null ? null : JSON.stringify(changed);
    if (await backend.schedule.write(name, { expect: version, value })) return true;
  }
  throw new CoordError(
    `schedule "${name}" changed under every attempt — try again`,
    ExitCode.timedOut,
  );
}
