/**
 * Acting on a task from outside its scheduler instances (`coord schedule trigger|pause|resume`):
 * each is one compare-and-set on the task's record, which wakes every instance watching it.
 *
 * @module
 */

import type { Backend } from "../backend/types.ts";
import { checkName } from "../backend/keys.ts";
import { CoordError, ExitCode, ForeignDataError, UsageError } from "../errors.ts";
import { checkJson, MAX_JOB_BYTES, oversize } from "../queue/limits.ts";
import {
  decodeRecord,
  recordType,
  type TaskRecord,
  type TemplateRecord,
  type TickLease,
  type TriggerRequest,
  updateRecord,
} from "./record.ts";

/** Options of {@link triggerTask}. */
export interface TriggerOptions {
  /**
   * The run's `ctx.args` (a command task's `COORD_ARGS`, as JSON); default the task's own. At
   * most 1 MiB as JSON, as a job's (see {@link checkRunArgs}).
   */
  args?: unknown;
}

/**
 * Checks run args before they are stored in a task's record (a triggered run's, a dynamic task
 * instance's): JSON holds them, and they take at most `MAX_JOB_BYTES` (1 MiB) as JSON, as a
 * job's do — every instance running the task reads that record, and rewrites it with each
 * claim. `holder` names what holds them in the message.
 *
 * @throws {UsageError} naming what JSON cannot hold, or the size and the limit.
 * @example
 * ```ts
 * import { checkRunArgs } from "./control.ts";
 * checkRunArgs({ to: "ana" }, "a triggered run"); // fits
 * try {
 *   checkRunArgs("x".repeat(2_000_000), "a triggered run");
 * } catch (e) {
 *   console.log((e as Error).message); // the run's args is 2000002 bytes as JSON, over the 1 MiB …
 * }
 * ```
 */
export function checkRunArgs(
  args: unknown,
  holder: "a triggered run" | "a dynamic task instance",
): void {
  const over = oversize("the run's args", checkJson("args", args), {
    maxBytes: MAX_JOB_BYTES,
    holder,
  });
  if (over !== undefined) throw new UsageError(over);
}

/**
 * The most triggered runs one task may have waiting: more than a loop gone wrong needs to be
 * told, far more than anyone asks for by hand while its instances are down.
 */
export const MAX_WAITING_TRIGGERS = 100;

/**
 * The most the args of a task's waiting triggered runs may take together (JSON in UTF-8), as
 * one run's may ({@link checkRunArgs}): the task's record holds them all, and every instance
 * running the task reads it and rewrites it with each claim. 100 runs of 1 MiB each would take
 * 100 MiB, which PostgreSQL does not take in one step (see `MAX_JOB_BYTES`); at 4 MiB a trigger
 * took 2 s on PostgreSQL on a busy 2-core machine, and each claim as long.
 */
export const MAX_WAITING_TRIGGER_BYTES: number = MAX_JOB_BYTES;

/**
 * Asks for one extra run of a task, now, beside its ticks (its timing does not move). The first
 * instance to see the request claims it, so it runs once however many instances run the task.
 *
 * @returns the request's id, which `status` shows with the run.
 * @throws {UnknownTaskError} when the task has no record (no instance has run it).
 * @throws {UsageError} when the name is a dynamic template's (name one of its instances), or
 * `args` are not JSON or take more than 1 MiB as JSON ({@link checkRunArgs}).
 * @throws {TriggersWaitingError} (exit 75) when the task has {@link MAX_WAITING_TRIGGERS}
 * triggered runs waiting already, or their args and these would take more than
 * {@link MAX_WAITING_TRIGGER_BYTES} together; the record is left as it was.
 * @throws {ForeignDataError} when the name holds something other than a task.
 * @example
 * ```ts
 * import { connect, Scheduler } from "../mod.ts";
 * import { triggerTask } from "./control.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * const app = new Scheduler({ backend }).task({ name: "report", cron: "@daily" }, () => {});
 * const stop = new AbortController();
 * const running = app.run({ signal: stop.signal });
 * await new Promise((r) => setTimeout(r, 100)); // the instance made the task's record
 * await triggerTask(backend, "report", { args: { to: "ana" } });
 * stop.abort();
 * await running;
 * ```
 */
export async function triggerTask(
  backend: Backend,
  name: string,
  { args }: TriggerOptions = {},
): Promise<string> {
  if (args !== undefined) checkRunArgs(args, "a triggered run");
  const id = crypto.randomUUID();
  await changeTask(backend, name, (record, now) => {
    const waiting = record.triggers ?? [];
    checkRoomForTrigger(name, waiting, args);
    const request = { id, requestedAt: now, ...(args !== undefined && { args }) };
    return { ...record, triggers: [...waiting, request] };
  });
  return id;
}

/**
 * Throws a {@link TriggersWaitingError} when a task with the triggered runs `waiting` has no
 * room for one more with `args`: {@link MAX_WAITING_TRIGGERS}, {@link MAX_WAITING_TRIGGER_BYTES}.
 */
function checkRoomForTrigger(name: string, waiting: TriggerRequest[], args: unknown): void {
  if (waiting.length >= MAX_WAITING_TRIGGERS) {
    throw new TriggersWaitingError(
      `task "${name}" has ${waiting.length} triggered runs waiting, the most one task may — ` +
        `wait for an instance running it to run them (status shows them), then trigger again`,
    );
  }
  if (args === undefined) return;
  const all = [...waiting.flatMap((request) => "args" in request ? [request.args] : []), args];
  // Their JSON one after the other: each run's args alone may take all the bytes there are.
  const over = oversize(
    `the args of task "${name}"'s triggered runs waiting, these with them,`,
    all.map((each) => JSON.stringify(each)).join(""),
    { maxBytes: MAX_WAITING_TRIGGER_BYTES, holder: "a task's triggered runs waiting" },
  );
  if (over !== undefined) throw new TriggersWaitingError(over);
}

/**
 * `triggerTask` refused a run because the task has as many triggered runs waiting as it may
 * (`coord schedule trigger` exits 75): its instances run them first — is one running?
 *
 * @example
 * ```ts
 * import { connect, TriggersWaitingError, triggerTask } from "../mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * const record = { type: "task", spec: "every 3600000ms", runs: 0, failures: 0, next: 0 };
 * await backend.schedule.write("report", { expect: 0, value: JSON.stringify(record) });
 * for (let i = 0; i < 100; i++) await triggerTask(backend, "report"); // no instance runs them
 * await triggerTask(backend, "report").catch((e) => e instanceof TriggersWaitingError); // true
 * ```
 */
export class TriggersWaitingError extends CoordError {
  /** Says what is full and the way out. */
  constructor(message: string) {
    super(message, ExitCode.timedOut);
  }
}

/**
 * Pauses a task: no instance claims its ticks until {@link resumeTask} (a run going on ends as
 * usual; triggered runs still run). Stored, so it outlives instance restarts.
 *
 * @returns false when it was paused already.
 * @throws {UnknownTaskError} when the task has no record.
 * @throws {UsageError} when the name is a dynamic template's (name one of its instances).
 * @example
 * ```ts ignore
 * await pauseTask(backend, "report"); // during the migration
 * ```
 */
export function pauseTask(backend: Backend, name: string): Promise<boolean> {
  return changeTask(
    backend,
    name,
    (record, now) => record.paused ? undefined : { ...record, paused: true, pausedAt: now },
  );
}

/** Options of {@link resumeTask}. */
export interface ResumeOptions {
  /** Run the ticks that passed while paused (by the task's catch-up policy) instead of skipping them. */
  catchUp?: boolean;
}

/**
 * Resumes a paused task. The ticks that passed while it was paused are skipped (counted as
 * missed) unless `catchUp`; those due before the pause are run as the task's catch-up policy
 * says (no instance ran them).
 *
 * @returns false when it was not paused.
 * @throws {UnknownTaskError} when the task has no record.
 * @throws {UsageError} when the name is a dynamic template's (name one of its instances).
 * @example
 * ```ts ignore
 * await resumeTask(backend, "report", { catchUp: true }); // run the reports missed meanwhile
 * ```
 */
export function resumeTask(
  backend: Backend,
  name: string,
  { catchUp = false }: ResumeOptions = {},
): Promise<boolean> {
  return changeTask(backend, name, (record, now) => {
    if (!record.paused) return undefined;
    const resumed: TaskRecord = { ...record };
    delete resumed.paused;
    delete resumed.pausedAt;
    // Only the ticks that came while paused: those missed before it (no instance ran) are the
    // catch-up policy's. A task paused by an older coord has no pausedAt: all are skipped.
    if (!catchUp && record.next !== null && record.next < now) {
      resumed.skipBefore = now;
      if (record.pausedAt !== undefined) resumed.skipFrom = record.pausedAt;
    }
    return resumed;
  });
}

/**
 * Throws as {@link pauseTask} and {@link resumeTask} would for `name`, changing nothing: a
 * command naming several tasks checks them all before it changes any, so a mistyped one leaves
 * the others as they were.
 *
 * @throws {UnknownTaskError} when the task has no record.
 * @throws {UsageError} when the name is no task's (malformed, or a dynamic template's).
 * @throws {ForeignDataError} when the name holds something coord did not write.
 * @example
 * ```ts
 * import { checkTaskToChange, connect, UnknownTaskError } from "../mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await checkTaskToChange(backend, "typo").catch((e) => e instanceof UnknownTaskError); // true
 * ```
 */
export async function checkTaskToChange(backend: Backend, name: string): Promise<void> {
  await changeTask(backend, name, () => undefined);
}

async function changeTask(
  backend: Backend,
  name: string,
  change: (record: TaskRecord, now: number) => TaskRecord | undefined,
): Promise<boolean> {
  // As status checks it: a name no task can have is a mistake, said as such.
  checkName("task name", name);
  try {
    return await updateRecord<TaskRecord>(backend, name, "task", (record, now) => {
      if (!record) throw new UnknownTaskError(name, backend.namespace);
      return change(record, now);
    });
  } catch (e) {
    // Not a task's record: coord's own template's, or another program's.
    if (e instanceof ForeignDataError) await refuseTemplate(backend, name);
    throw e;
  }
}

/**
 * Throws a {@link UsageError} (64) when `name` is a dynamic template, which has no ticks of
 * its own to pause, resume or run: its instances have, and are named.
 */
async function refuseTemplate(backend: Backend, name: string): Promise<void> {
  const read = await backend.schedule.read(name);
  if (!read.stored || recordType(read.stored.value) !== "template") return;
  const { record } = decodeRecord<TemplateRecord>(name, "template", read);
  const ids = Object.keys(record!.instances);
  const named = ids.slice(0, 3).map((id) => JSON.stringify(`${name}/${id}`)).join(", ");
  throw new UsageError(
    `${JSON.stringify(name)} is a dynamic template, not a task: pause, resume or trigger its ` +
      (ids.length === 0
        ? "instances (it has none)"
        : `instances (${named}${ids.length > 3 ? ", …" : ""})`),
  );
}

/**
 * A task that has no record, asked to change (a mistyped name, or one no instance ran yet):
 * a {@link UsageError} (exit 64), which the console answers as a page not found (404).
 *
 * @example
 * ```ts
 * import { connect, pauseTask, UnknownTaskError } from "../mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await pauseTask(backend, "typo").catch((e) => e instanceof UnknownTaskError); // true
 * ```
 */
export class UnknownTaskError extends UsageError {
  /** Names the task and the namespace looked in. */
  constructor(name: string, namespace: string) {
    super(
      `no task ${JSON.stringify(name)} in namespace ${JSON.stringify(namespace)} — a task has ` +
        `a record once an instance ran its file; check the name and --namespace`,
    );
  }
}

/** Options of {@link removeTask}. */
export interface RemoveOptions {
  /**
   * Remove it even while a run holds its tick (that run's outcome is then not recorded, and the
   * run is stopped at its next renewal if an instance has made the record again by then).
   */
  force?: boolean;
}

/**
 * Removes a task's record (or a dynamic template's, with its instances'): for a task gone from
 * every task file, which `status` would show forever. An instance still running the task
 * makes its record again.
 *
 * @returns false when there was no such record.
 * @throws {TaskRunningError} (exit 75) when a run holds the task's tick, unless `force`.
 * @throws {ForeignDataError} when the name holds something coord did not write.
 * @example
 * ```ts ignore
 * await removeTask(backend, "old-report");
 * ```
 */
export async function removeTask(
  backend: Backend,
  name: string,
  { force = false }: RemoveOptions = {},
): Promise<boolean> {
  checkName("task name", name);
  const read = await backend.schedule.read(name);
  if (!read.stored) return false;
  if (recordType(read.stored.value) === "template") {
    const { record } = decodeRecord<TemplateRecord>(name, "template", read);
    // Every instance not running goes; the template stays while one runs, to be removed later.
    let refused: TaskRunningError | undefined;
    for (const id of Object.keys(record!.instances)) {
      try {
        await removeTask(backend, `${name}/${id}`, { force });
      } catch (e) {
        if (!(e instanceof TaskRunningError)) throw e;
        refused ??= e;
      }
    }
    if (refused) throw refused;
    return await updateRecord<TemplateRecord>(backend, name, "template", () => null);
  }
  return await updateRecord<TaskRecord>(backend, name, "task", (record, now) => {
    const lease = record?.lease;
    // A failed tick waiting for its retry keeps its lease, but nothing runs it.
    const running = lease && lease.owner !== "" && lease.until > now &&
      record!.last?.outcome === "running";
    if (!force && running) throw new TaskRunningError(name, lease);
    return record ? null : undefined;
  });
}

/** `removeTask` refused a task whose tick a run holds (`coord schedule remove` exits 75). */
export class TaskRunningError extends CoordError {
  /** Names the task and who runs it until when. */
  constructor(name: string, lease: TickLease) {
    super(
      `task "${name}" is running on ${lease.owner} (its lease ends ` +
        `${new Date(lease.until).toISOString()}) — wait for it, or remove it with --force`,
      ExitCode.timedOut,
    );
  }
}
