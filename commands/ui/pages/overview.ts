/**
 * The overview: every queue, schedule task, lock queue and barrier, one table each.
 *
 * @module
 */

import { queueReports } from "../../../lib/queue/queue.ts";
import { scheduleReports } from "../../../lib/schedule/status.ts";
import { ticketLines } from "../../../lib/lock/console.ts";
import { barrierReports } from "../../../lib/barrier/barrier.ts";
import { ForeignDataError } from "../../../lib/errors.ts";
import { foreignNotes } from "../foreign.ts";
import { link, type Page } from "../context.ts";
import { html } from "../html.ts";
import { table } from "../table.ts";
import { age, instant } from "../time.ts";
import { formatDuration } from "../../../lib/duration.ts";
import { isTask, outcomeOf } from "./schedules.ts";
import { holdersOf, waitersOf } from "./locks.ts";
import { activeCount } from "./queue.ts";
import { MAX_SHOWN_BARRIERS, moreBarriers } from "./barriers.ts";
import { type Throughput, throughput } from "../finished.ts";

/** The overview page. */
export const overviewPage: Page = async (ctx) => {
  const { backend } = ctx;
  const [reports, scheduleReads, lockReads, barrierReads, now] = await Promise.all([
    queueReports(backend),
    scheduleReports(backend),
    ticketLines(backend),
    barrierReports(backend, { limit: MAX_SHOWN_BARRIERS }),
    backend.now(),
  ]);
  // An item another program wrote into is named under its table, not the end of the page.
  const queues = reports.flatMap((r) => r.counts ?? []);
  const schedules = scheduleReads.flatMap((r) => r.status ?? []);
  const locks = lockReads.filter((r) => r.status);
  const barriers = barrierReads.flatMap(({ name, status }) => status ? [{ name, status }] : []);
  const rates = await Promise.all(
    queues.map((q) =>
      throughput(backend, q.queue, now).catch((error) => {
        // One job another program wrote must not hide every queue: the job's page says more.
        if (error instanceof ForeignDataError) return undefined;
        throw error;
      })
    ),
  );
  const tasks = schedules.filter(isTask);
  return {
    title: "Overview",
    live: html`<section><h2>Queues</h2>${
      table(
        [
          "queue",
          "pending",
          "scheduled",
          "active",
          "waiting",
          "completed",
          "failed",
          "cancelled",
          "oldest pending",
          "workers",
          "last minute",
        ],
        queues.map((q, i) => [
          html`<a href="${link(ctx, "queues", q.queue)}">${q.queue}</a>${
            q.paused
              ? html`
                <span class="warn queue-paused">paused</span>
              `
              : html``
          }`,
          q.pending,
          q.scheduled,
          activeCount(q),
          q.waiting,
          q.completed,
          html`<span class="${q.failed > 0 ? "bad" : ""}">${q.failed}</span>`,
          q.cancelled,
          age(q.oldestPendingAt),
          q.workers.length,
          throughputCell(rates[i]),
        ]),
        "No queues yet — coord queue put makes one.",
      )
    }${foreignNotes("queue", reports)}</section>
<section><h2><a href="${link(ctx, "schedules")}">Schedules</a></h2>${
      table(
        ["task", "timing", "next tick", "last outcome", "lateness"],
        tasks.map((t) => [
          t.task,
          html`<code>${t.timing}</code>`,
          t.paused ? html`<span class="warn paused">paused</span>` : instant(t.next),
          outcomeOf(t),
          t.last ? formatDuration(Math.max(0, t.last.startedAt - t.last.tick)) : "–",
        ]),
        "No schedule tasks yet.",
      )
    }${foreignNotes("schedule", scheduleReads)}</section>
<section><h2><a href="${link(ctx, "locks")}">Locks</a></h2>${
      table(
        ["resource", "holder", "waiters"],
        locks.map(({ resource, status }) => [
          html`<a href="${link(ctx, "locks")}#${resource}">${resource}</a>`,
          holdersOf(status!).map((u) => u.label).join(", ") || "–",
          waitersOf(status!).length,
        ]),
        "No lock queues.",
      )
    }${foreignNotes("lock", lockReads)}</section>
<section><h2><a href="${link(ctx, "barriers")}">Barriers</a></h2>${
      table(
        ["barrier", "generation", "arrived"],
        barriers.map(({ name, status }) => [
          name,
          status.generation,
          `${status.arrivals.length}/${status.n ?? "–"}`,
        ]),
        "No barriers yet.",
      )
    }${foreignNotes("barrier", barrierReads)}${
      barrierReads.length === MAX_SHOWN_BARRIERS ? moreBarriers() : html``
    }</section>`,
  };
};

/** Jobs finished in the last minute: completed + failed, the failed ones named. */
function throughputCell(rate: Throughput | undefined) {
  if (rate === undefined) {
    return html`<span class="bad" title="a finished job is not coord's">?</span>`;
  }
  const { completed, failed, capped } = rate;
  return html`
    <span class="throughput"
      title="completed + failed in the last 60 s">${capped ? "≥" : ""}${completed +
        failed}${failed > 0
        ? html`
          <span class="bad">(${failed} failed)</span>
        `
        : html``}</span>
  `;
}
