/**
 * `/metrics` in Prometheus' text format, read from the backend at each scrape, so it covers
 * every worker, scheduler and lock user, not this process alone.
 *
 * @module
 */

import type { Backend } from "../../lib/backend/types.ts";
import { queueReports } from "../../lib/queue/queue.ts";
import { ticketLines } from "../../lib/lock/console.ts";
import { scheduleReports } from "../../lib/schedule/status.ts";
import { type ForeignDataError, oneLine } from "../../lib/errors.ts";
import { isTask } from "./pages/schedules.ts";
import { holdersOf, waitersOf } from "./pages/locks.ts";
import { quoteLabel } from "./histogram.ts";
import { READ_ON_REFRESH } from "./context.ts";

const JOB_STATES = [
  "waiting",
  "pending",
  "scheduled",
  "active",
  "completed",
  "failed",
  "cancelled",
] as const;

/** Histograms the console keeps itself, from what it saw while running. */
export interface HistogramSource {
  /** Its families in the exposition format. */
  lines(): string[];
}

/** The metrics text, read from the backend, then the `histograms`' lines. */
export async function metricsText(
  backend: Backend,
  histograms: HistogramSource[] = [],
): Promise<string> {
  const [queueReads, lockReads, scheduleReads, now] = await Promise.all([
    queueReports(backend, undefined, { readJobs: READ_ON_REFRESH }),
    ticketLines(backend),
    scheduleReports(backend),
    backend.now(),
  ]);
  // An item another program wrote into is left out of the families below and counted in
  // coord_foreign_records: one such key must not cost every other series (a 503 would read
  // as the backend being down).
  const queues = queueReads.flatMap((r) => r.counts ?? []);
  const locks = lockReads.filter((r) => r.status);
  const schedules = scheduleReads.flatMap((r) => r.status ?? []);
  const foreign: [string, { foreign?: ForeignDataError }[]][] = [
    ["queue", queueReads],
    ["lock", lockReads],
    ["schedule", scheduleReads],
  ];
  const out = new Exposition();
  out.family(
    "coord_foreign_records",
    "gauge",
    "Items holding data coord did not write, left out of the other families (coord doctor lists them).",
  );
  for (const [kind, reports] of foreign) {
    out.sample({ kind }, reports.filter((r) => r.foreign).length);
  }
  for (const [, reports] of foreign) {
    for (const { foreign } of reports) if (foreign) out.comment(oneLine(foreign));
  }
  // Completed and failed jobs are counted as stored, so purge and retention lower them: a
  // gauge's states, not counters of their own, which Prometheus would read as resets. The
  // throughput is the job histograms' `_count`, which only grows.
  out.family("coord_queue_jobs", "gauge", "Jobs stored per queue and state.");
  for (const q of queues) {
    for (const state of JOB_STATES) out.sample({ queue: q.queue, state }, q[state]);
  }
  out.family(
    "coord_queue_unreadable_jobs",
    "gauge",
    "Jobs holding data coord did not write, counted in coord_queue_jobs all the same (coord doctor lists them).",
  );
  for (const r of queueReads) {
    if (r.counts) out.sample({ queue: r.queue }, r.unreadable?.count ?? 0);
  }
  for (const { unreadable } of queueReads) if (unreadable) out.comment(oneLine(unreadable.foreign));
  out.family("coord_queue_oldest_pending_seconds", "gauge", "Age of the oldest ready job.");
  for (const q of queues) {
    out.sample({ queue: q.queue }, q.oldestPendingAt ? (now - q.oldestPendingAt) / 1000 : 0);
  }
  out.family("coord_queue_workers", "gauge", "Workers announced within their lease.");
  for (const q of queues) out.sample({ queue: q.queue }, q.workers.length);
  out.family("coord_lock_holders", "gauge", "Users holding each lock.");
  for (const { resource, status } of locks) out.sample({ resource }, holdersOf(status!).length);
  out.family("coord_lock_waiters", "gauge", "Users waiting for each lock.");
  for (const { resource, status } of locks) out.sample({ resource }, waitersOf(status!).length);
  const tasks = schedules.filter(isTask);
  out.family("coord_schedule_runs_total", "counter", "Runs started, by any instance.");
  for (const t of tasks) out.sample({ task: t.task }, t.runs);
  out.family("coord_schedule_failures_total", "counter", "Runs that failed, on any instance.");
  for (const t of tasks) out.sample({ task: t.task }, t.failures);
  out.family("coord_schedule_next_tick_seconds", "gauge", "Next tick, Unix time.");
  for (const t of tasks) if (t.next !== null) out.sample({ task: t.task }, t.next / 1000);
  for (const source of histograms) out.raw(source.lines());
  return out.text();
}

/** Lines of the exposition format. */
class Exposition {
  readonly #lines: string[] = [];
  #name = "";

  family(name: string, type: "gauge" | "counter", help: string): void {
    this.#name = name;
    this.#lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  }

  sample(labels: Record<string, string>, value: number): void {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}=${quoteLabel(v)}`).join(",");
    this.#lines.push(`${this.#name}{${pairs}} ${value}`);
  }

  /** A line Prometheus ignores, for the reader of the page. */
  comment(text: string): void {
    this.#lines.push(`# ${text}`);
  }

  raw(lines: string[]): void {
    this.#lines.push(...lines);
  }

  text(): string {
    return this.#lines.join("\n") + "\n";
  }
}
