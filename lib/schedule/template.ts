/**
 * Dynamic task templates: each instance, added and removed at run time by
 * `Scheduler.schedule()` / `unschedule()`, runs as task `template/id` and keeps its spec (timing
 * and args) in that task's own record; the template's record lists the instances by id, and every
 * scheduler running the template starts and stops their loops as the list changes. So adding
 * instance N writes its own record (as pyncette writes one row per dynamic task) and a list of
 * ids, some 30 bytes an instance, rather than a record holding every instance's args (999
 * instances of 1 KB: each schedule() read and wrote 1 MB, and each scheduler read it at every
 * change).
 *
 * A template written by an earlier coord holds its instances' specs in its entries: those are
 * run as they are, and moved into their records on the template's next write. An earlier coord
 * running beside this one (a rolling upgrade) runs the entries with a spec, reports the listed
 * ones as errors without running them, and keeps both kinds when it writes.
 *
 * @module
 */

import type { Backend, ChangeWatcher } from "../backend/types.ts";
import { ForeignDataError, isUnrecoverable, sourcedLine, UsageError } from "../errors.ts";
import { MAX_JOB_BYTES } from "../queue/limits.ts";
import { sleep } from "../time.ts";
import {
  decodeRecord,
  type DynamicTaskSpec,
  type InstanceListing,
  isListing,
  startingRecord,
  type TaskRecord,
  type TemplateRecord,
  updateRecord,
} from "./record.ts";
import { type RunnerContext, runTaskLoop } from "./runner.ts";
import type { TaskDefinition } from "./task.ts";
import { parseTiming, storedTiming, type Timing } from "./timing.ts";

/** A template's instances are re-read at least this often, besides change notifications. */
const TEMPLATE_RECHECK_MS = 5_000;

/**
 * The most instances one template holds: every scheduler running it keeps a loop per instance,
 * and reads the whole list at each change.
 */
export const MAX_TEMPLATE_INSTANCES = 10_000;

/**
 * The most a template's list of instances may take as JSON (UTF-8): every scheduler running it
 * reads it at each change and every few seconds, and each `schedule()` or `unschedule()` rewrites
 * it.
 * 10,000 ids of 70 characters fit.
 */
export const MAX_TEMPLATE_BYTES: number = MAX_JOB_BYTES;

/**
 * `Scheduler.schedule()` refused a new instance: its template holds
 * {@link MAX_TEMPLATE_INSTANCES} instances, or its list would take over
 * {@link MAX_TEMPLATE_BYTES}. A {@link UsageError} (64); nothing was stored.
 *
 * @example
 * ```ts
 * import { connect, Scheduler, TemplateFullError } from "../mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * const app = new Scheduler({ backend });
 * app.task({ name: "remind", dynamic: true }, () => {});
 * await app.schedule("remind", "ana", { interval: "1h" })
 *   .catch((e) => e instanceof TemplateFullError); // undefined: it had room
 * ```
 */
export class TemplateFullError extends UsageError {
  /** Names the template, what is full and the way out. */
  constructor(template: string, full: string) {
    super(
      `dynamic task template "${template}" ${full} — unschedule instances it no longer needs, ` +
        `or spread them over more templates`,
    );
  }
}

/** Reads a template's record. */
async function readTemplate(
  backend: Backend,
  template: string,
): Promise<TemplateRecord | undefined> {
  const read = await backend.schedule.read(template);
  return decodeRecord<TemplateRecord>(template, "template", read).record;
}

/**
 * Moves the specs an earlier coord kept in `record`'s entries into their instances' records,
 * so that the template's next write can list them by id alone.
 *
 * @returns each entry moved, as JSON by id: only an entry still so when the template is written
 * becomes a listing (one changed meanwhile keeps its spec, and moves at a later write).
 */
async function moveSpecs(
  backend: Backend,
  template: string,
  record: TemplateRecord | undefined,
): Promise<Map<string, Moved>> {
  const moved = new Map<string, Moved>();
  for (const [id, entry] of Object.entries(record?.instances ?? {})) {
    if (isListing(entry)) continue;
    // A timing an earlier coord took that this one refuses (`30d`, February 31st) stays where
    // it is: in the instance's record it would read as another program's, and its instance
    // could no longer be unscheduled. Its loop reports it, as before.
    if (storedTiming(entry) instanceof Error) continue;
    const json = JSON.stringify(entry);
    // An entry without a record is left as it is: its loop finds none, and removes it.
    let listing: InstanceListing | undefined;
    try {
      await updateRecord<TaskRecord>(backend, `${template}/${id}`, "task", (task) => {
        listing = undefined;
        if (!task) return undefined;
        // Moved already by a write of the template that another then beat: its revision is kept.
        if (JSON.stringify(task.instance) === json && task.revision !== undefined) {
          listing = { revision: task.revision };
          return undefined;
        }
        listing = newListing();
        return { ...task, instance: entry, revision: listing.revision };
      });
    } catch (e) {
      // Another program's record: the entry stays as it is (its loop reports the record), and
      // the template's other instances may still change.
      if (!(e instanceof ForeignDataError)) throw e;
      listing = undefined;
    }
    if (listing) moved.set(id, { json, listing });
  }
  return moved;
}

/** An entry `moveSpecs` moved: the entry as it was (JSON), and what lists it now. */
interface Moved {
  json: string;
  listing: InstanceListing;
}

/** `record`'s entries with those `moveSpecs` moved listed instead, unchanged otherwise. */
function listedEntries(
  record: TemplateRecord | undefined,
  moved: Map<string, Moved>,
): TemplateRecord["instances"] {
  const instances = { ...record?.instances };
  for (const [id, entry] of Object.entries(instances)) {
    const move = moved.get(id);
    if (!isListing(entry) && move?.json === JSON.stringify(entry)) instances[id] = move.listing;
  }
  return instances;
}

/**
 * A listing of a new revision, which the instance's record holds too: schedulers running the
 * instance restart it from its record.
 */
function newListing(): InstanceListing {
  return { revision: crypto.randomUUID().slice(0, 8) };
}

/**
 * Throws a {@link TemplateFullError} when `instances` cannot take `id` as a new instance.
 * An instance already there may always change. The limits are those of the template's new
 * form, with every entry listed: one written by an earlier coord (the specs inside) is
 * measured as its next write, which moves them out, leaves it.
 */
function refuseFull(template: string, instances: TemplateRecord["instances"], id: string): void {
  if (id in instances) return;
  const count = Object.keys(instances).length;
  if (count >= MAX_TEMPLATE_INSTANCES) {
    throw new TemplateFullError(
      template,
      `holds ${count} instances, the most a template may hold`,
    );
  }
  const listed = Object.fromEntries(
    Object.entries(instances).map(([key, entry]) => [key, isListing(entry) ? entry : newListing()]),
  );
  const withIt = { type: "template", instances: { ...listed, [id]: newListing() } };
  const bytes = new TextEncoder().encode(JSON.stringify(withIt)).length;
  if (bytes > MAX_TEMPLATE_BYTES) {
    throw new TemplateFullError(
      template,
      `would list its instances in ${bytes} bytes as JSON, over the ` +
        `${MAX_TEMPLATE_BYTES / 1_048_576} MiB (${MAX_TEMPLATE_BYTES} bytes) a template holds ` +
        `(shorter ids take less)`,
    );
  }
}

/**
 * Adds (or changes) instance `id` of `template`; the caller checked that it is a template, the
 * id, the timing and the args.
 *
 * @throws {TemplateFullError} when the template has no room for a new id; nothing is stored.
 */
export async function scheduleInstance(
  backend: Backend,
  template: string,
  id: string,
  spec: DynamicTaskSpec,
): Promise<void> {
  const timing = parseTiming(spec);
  const { cron, interval, executeAt, timezone, secondsField, args } = spec;
  const stored: DynamicTaskSpec = {
    cron,
    interval,
    executeAt: executeAt === undefined ? undefined : new Date(timing.first(0)!).toISOString(),
    timezone,
    secondsField,
    args,
  };
  const before = await readTemplate(backend, template);
  refuseFull(template, before?.instances ?? {}, id);
  const moved = await moveSpecs(backend, template, before);
  const listing = newListing();
  // The task's record first: a scheduler that sees the instance listed finds its spec there.
  let made = false;
  await updateRecord<TaskRecord>(backend, `${template}/${id}`, "task", (record, now) => {
    made = record === undefined;
    const started = record?.spec === timing.spec ? record : startingRecord(timing, now, record);
    return { ...started, instance: stored, revision: listing.revision };
  });
  try {
    await updateRecord<TemplateRecord>(backend, template, "template", (record) => {
      const instances = listedEntries(record, moved);
      refuseFull(template, instances, id); // others may have filled it since
      return { type: "template", instances: { ...instances, [id]: listing } };
    });
  } catch (e) {
    // Filled meanwhile: the record made for it goes, as it would have been without it (unless
    // another schedule() of the id wrote it since).
    if (made && e instanceof TemplateFullError) {
      await updateRecord<TaskRecord>(
        backend,
        `${template}/${id}`,
        "task",
        (record) => record?.revision === listing.revision ? null : undefined,
      );
    }
    throw e;
  }
}

/**
 * Removes instance `id` of `template` (a run in progress finishes).
 *
 * @returns whether it was there.
 */
export async function unscheduleInstance(
  backend: Backend,
  template: string,
  id: string,
): Promise<boolean> {
  const name = `${template}/${id}`;
  // Another program's record is refused before the listing goes, so nothing is changed.
  decodeRecord<TaskRecord>(name, "task", await backend.schedule.read(name));
  const moved = await moveSpecs(backend, template, await readTemplate(backend, template));
  const removed = await updateRecord<TemplateRecord>(backend, template, "template", (record) => {
    if (!record || !(id in record.instances)) return undefined;
    const { [id]: _, ...instances } = listedEntries(record, moved);
    return { type: "template", instances };
  });
  await updateRecord<TaskRecord>(backend, name, "task", () => null);
  return removed;
}

/**
 * Removes an instance that is done (a one-off that has run, or one whose record is gone) as its
 * loop found it: its listing only while the template still holds `entry` (the one the loop was
 * started from), then its record only while that is still of `entry`'s revision. A
 * `schedule()` of the id meanwhile (a new `executeAt`, from another process or the run itself)
 * changed both, and is kept.
 */
async function removeDone(
  backend: Backend,
  template: string,
  id: string,
  entry: InstanceListing | DynamicTaskSpec,
): Promise<void> {
  const json = JSON.stringify(entry);
  const moved = await moveSpecs(backend, template, await readTemplate(backend, template));
  const removed = await updateRecord<TemplateRecord>(backend, template, "template", (record) => {
    if (JSON.stringify(record?.instances[id]) !== json) return undefined;
    const { [id]: _, ...instances } = listedEntries(record, moved);
    return { type: "template", instances };
  });
  if (!removed) return;
  await updateRecord<TaskRecord>(backend, `${template}/${id}`, "task", (record) => {
    // A record an earlier coord wrote has no revision. An entry it wrote (the spec inside) has
    // none either: its record is the one `moveSpecs` gave that spec, or a later schedule()'s.
    const same = record?.revision === undefined ||
      (isListing(entry)
        ? record.revision === entry.revision
        : JSON.stringify(record.instance) === json);
    return same ? null : undefined;
  });
}

/**
 * The spec of a template's entry: its own, or its instance's record's; undefined when that
 * record is gone (removed since the template was read).
 */
async function entrySpec(
  backend: Backend,
  template: string,
  id: string,
  entry: InstanceListing | DynamicTaskSpec,
): Promise<DynamicTaskSpec | undefined> {
  if (!isListing(entry)) return entry;
  const name = `${template}/${id}`;
  const { record } = decodeRecord<TaskRecord>(name, "task", await backend.schedule.read(name));
  if (record && record.instance === undefined) {
    throw new ForeignDataError(
      `schedule "${name}": its template lists it, but its record holds no spec — another ` +
        `program wrote there; schedule it again, or remove it`,
    );
  }
  return record?.instance;
}

/** Instance `id` of `template`, or undefined. */
export async function getInstance(
  backend: Backend,
  template: string,
  id: string,
): Promise<DynamicTaskSpec | undefined> {
  const entry = (await readTemplate(backend, template))?.instances[id];
  return entry && await entrySpec(backend, template, id, entry);
}

/** Every instance of `template`, by id: the template's record, then each instance's. */
export async function listInstances(
  backend: Backend,
  template: string,
): Promise<Record<string, DynamicTaskSpec>> {
  const listed: Record<string, DynamicTaskSpec> = {};
  for (
    const [id, entry] of Object.entries((await readTemplate(backend, template))?.instances ?? {})
  ) {
    const spec = await entrySpec(backend, template, id, entry);
    if (spec) listed[id] = spec;
  }
  return listed;
}

/**
 * Runs a template's instances as they are added and removed, until `stop` aborts. Backend
 * errors are reported and retried, never thrown, but for a closed backend's.
 */
export async function runTemplate(
  def: TaskDefinition,
  context: RunnerContext,
  stop: AbortSignal,
): Promise<void> {
  /** Running instances by id, with the template's entry they were started from, as JSON. */
  const running = new Map<string, { entry: string; stop: AbortController }>();
  const loops = new Set<Promise<void>>();
  let watcher: ChangeWatcher | undefined;
  try {
    while (!stop.aborted) {
      try {
        watcher ??= await context.backend.watch({ kind: "schedule", name: def.name });
        const instances = (await readTemplate(context.backend, def.name))?.instances ?? {};
        context.outages.answered(def.name);
        for (const [id, started] of running) {
          if (JSON.stringify(instances[id]) !== started.entry) {
            started.stop.abort();
            running.delete(id);
          }
        }
        for (const [id, entry] of Object.entries(instances)) {
          if (running.has(id)) continue;
          const started = { entry: JSON.stringify(entry), stop: new AbortController() };
          running.set(id, started);
          const signal = AbortSignal.any([stop, started.stop.signal]);
          const loop = runInstance(def, id, entry, context, signal).finally(() => {
            loops.delete(loop);
            if (running.get(id) === started) running.delete(id);
          });
          loops.add(loop);
        }
        await watcher.next(TEMPLATE_RECHECK_MS, stop);
      } catch (e) {
        if (stop.aborted) break;
        if (isUnrecoverable(e)) throw e;
        context.outages.failed(def.name, e);
        await sleep(TEMPLATE_RECHECK_MS / 5, stop).catch(() => {});
      }
    }
  } finally {
    await watcher?.[Symbol.asyncDispose]();
    await Promise.all(loops);
    context.outages.forget(def.name);
  }
}

/**
 * Runs one instance's ticks; a one-off that has run, or an instance whose record is gone, is
 * removed from the template.
 */
async function runInstance(
  def: TaskDefinition,
  id: string,
  entry: InstanceListing | DynamicTaskSpec,
  context: RunnerContext,
  stop: AbortSignal,
): Promise<void> {
  const name = `${def.name}/${id}`;
  try {
    const spec = await readSpec(def.name, id, entry, context, stop);
    if (stop.aborted) return;
    const ended = spec === undefined ? "done" : await runTaskLoop(
      { ...def, name, timing: runnableTiming(spec), args: spec.args },
      context,
      stop,
      { createRecord: false },
    );
    // A loop stopped (its entry changed, the scheduler stopping) leaves the instance to others.
    if (ended === "done" && !stop.aborted) await removeDone(context.backend, def.name, id, entry);
  } catch (e) {
    // The template's own loop meets a closed or damaged backend too, and ends the scheduler.
    if (isUnrecoverable(e)) return;
    context.emit({ type: "error", task: name, error: sourcedLine(name, e) });
  }
}

/** `spec`'s timing; an earlier coord's entry whose timing this coord refuses is reported. */
function runnableTiming(spec: DynamicTaskSpec): Timing {
  const timing = storedTiming(spec);
  if (timing instanceof Error) throw timing;
  return timing;
}

/**
 * An entry's spec ({@link entrySpec}), read again while the backend fails, as a task's loop
 * reads its record: an outage reported once for the instance, not an error for each try.
 */
async function readSpec(
  template: string,
  id: string,
  entry: InstanceListing | DynamicTaskSpec,
  context: RunnerContext,
  stop: AbortSignal,
): Promise<DynamicTaskSpec | undefined> {
  const name = `${template}/${id}`;
  while (!stop.aborted) {
    try {
      const spec = await entrySpec(context.backend, template, id, entry);
      context.outages.answered(name);
      return spec;
    } catch (e) {
      if (isUnrecoverable(e)) throw e;
      if (stop.aborted) break;
      context.outages.failed(name, e);
      await sleep(TEMPLATE_RECHECK_MS / 5, stop).catch(() => {});
    }
  }
  context.outages.forget(name);
}
