/**
 * Dynamic task templates: a template's instances are stored in its record (added and removed
 * at run time by `Scheduler.schedule()` / `unschedule()`), each runs as task `template/id` with
 * its own record, and every scheduler instance running the template starts and stops their
 * loops as the stored list changes.
 *
 * @module
 */

import type { Backend, ChangeWatcher } from "../backend/types.ts";
import { isUnrecoverable, sourcedLine } from "../errors.ts";
import { sleep } from "../time.ts";
import {
  decodeRecord,
  type DynamicTaskSpec,
  startingRecord,
  type TaskRecord,
  type TemplateRecord,
  updateRecord,
} from "./record.ts";
import { type RunnerContext, runTaskLoop } from "./runner.ts";
import type { TaskDefinition } from "./task.ts";
import { parseStoredTiming, parseTiming } from "./timing.ts";

/** A template's instances are re-read at least this often, besides change notifications. */
const TEMPLATE_RECHECK_MS = 5_000;

/** Adds (or changes) instance `id` of `template`; the caller checked that it is a template. */
export async function scheduleInstance(
  backend: Backend,
  template: string,
  id: string,
  spec: DynamicTaskSpec,
): Promise<void> {
  const timing = parseTiming(spec);
  const stored: DynamicTaskSpec = {
    ...spec,
    ...(spec.executeAt !== undefined && { executeAt: new Date(timing.first(0)!).toISOString() }),
  };
  // The task's record first: a scheduler that sees the instance listed finds its record.
  await updateRecord<TaskRecord>(
    backend,
    `${template}/${id}`,
    "task",
    (record, now) => record?.spec === timing.spec ? undefined : startingRecord(timing, now, record),
  );
  await updateRecord<TemplateRecord>(backend, template, "template", (record) => ({
    type: "template",
    instances: { ...record?.instances, [id]: stored },
  }));
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
  const removed = await updateRecord<TemplateRecord>(backend, template, "template", (record) => {
    if (!record || !(id in record.instances)) return undefined;
    const { [id]: _, ...instances } = record.instances;
    return { type: "template", instances };
  });
  await updateRecord<TaskRecord>(backend, `${template}/${id}`, "task", () => null);
  return removed;
}

/** Every instance of `template`, by id. */
export async function listInstances(
  backend: Backend,
  template: string,
): Promise<Record<string, DynamicTaskSpec>> {
  const { record } = decodeRecord<TemplateRecord>(
    template,
    "template",
    await backend.schedule.read(template),
  );
  return record?.instances ?? {};
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
  /** Running instances by id, with the stored spec they were started from. */
  const running = new Map<string, { spec: string; stop: AbortController }>();
  const loops = new Set<Promise<void>>();
  let watcher: ChangeWatcher | undefined;
  try {
    while (!stop.aborted) {
      try {
        watcher ??= await context.backend.watch({ kind: "schedule", name: def.name });
        const instances = await listInstances(context.backend, def.name);
        context.outages.answered(def.name);
        for (const [id, entry] of running) {
          if (JSON.stringify(instances[id]) !== entry.spec) {
            entry.stop.abort();
            running.delete(id);
          }
        }
        for (const [id, spec] of Object.entries(instances)) {
          if (running.has(id)) continue;
          const entry = { spec: JSON.stringify(spec), stop: new AbortController() };
          running.set(id, entry);
          const signal = AbortSignal.any([stop, entry.stop.signal]);
          const loop = runInstance(def, id, spec, context, signal).finally(() => {
            loops.delete(loop);
            if (running.get(id) === entry) running.delete(id);
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

/** Runs one instance's ticks; a one-off that has run is removed from the template. */
async function runInstance(
  def: TaskDefinition,
  id: string,
  spec: DynamicTaskSpec,
  context: RunnerContext,
  stop: AbortSignal,
): Promise<void> {
  const name = `${def.name}/${id}`;
  try {
    const instance = { ...def, name, timing: parseStoredTiming(spec), args: spec.args };
    const ended = await runTaskLoop(instance, context, stop, { createRecord: false });
    if (ended === "done") await unscheduleInstance(context.backend, def.name, id);
  } catch (e) {
    // The template's own loop meets a closed or damaged backend too, and ends the scheduler.
    if (isUnrecoverable(e)) return;
    context.emit({ type: "error", task: name, error: sourcedLine(name, e) });
  }
}
