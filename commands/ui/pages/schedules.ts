/**
 * The schedules page: each task's timing, next tick, who runs it now, its last run and its
 * failures; dynamic task templates with their instance counts.
 *
 * @module
 */

import {
  scheduleStatus,
  type TaskStatus,
  type TemplateStatus,
} from "../../../lib/schedule/status.ts";
import type { Page } from "../context.ts";
import { type Html, html } from "../html.ts";
import { table } from "../table.ts";
import { duration, instant } from "../time.ts";

/** Tells a task's status from a template's. */
export function isTask(status: TaskStatus | TemplateStatus): status is TaskStatus {
  return "task" in status;
}

/** A task's last outcome, coloured; its error as the tooltip. */
export function outcomeOf(task: TaskStatus): Html {
  if (!task.last) return html`<span class="muted">never ran</span>`;
  const { outcome, error } = task.last;
  const tone = outcome === "success" ? "ok" : outcome === "running" ? "warn" : "bad";
  return html`<span class="${tone}" title="${error ?? ""}">${outcome}</span>`;
}

/** The schedules page. */
export const schedulesPage: Page = async (ctx) => {
  const statuses = await scheduleStatus(ctx.backend);
  const tasks = statuses.filter(isTask);
  const templates = statuses.filter((s): s is TemplateStatus => !isTask(s));
  return {
    title: "Schedules",
    live: html`<section><h2>Tasks</h2>${
      table(
        [
          "task",
          "timing",
          "next tick",
          "running on",
          "last tick",
          "outcome",
          "took",
          "error",
          "runs",
          "failures",
        ],
        tasks.map((t) => [
          t.task,
          html`<code>${t.timing}</code>`,
          instant(t.next),
          t.lease ? (t.lease.owner || "retry pending") : "–",
          instant(t.last?.tick),
          outcomeOf(t),
          t.last?.finishedAt !== undefined ? duration(t.last.finishedAt - t.last.startedAt) : "–",
          t.last?.error ? html`<span class="bad">${t.last.error}</span>` : "–",
          t.runs,
          html`<span class="${t.failures > 0 ? "bad" : ""}">${t.failures}</span>`,
        ]),
        "No schedule tasks yet — coord schedule run starts them.",
      )
    }</section>${
      templates.length === 0 ? html`` : html`<section><h2>Templates</h2>${
        table(
          ["template", "instances"],
          templates.map((t) => [t.template, t.instances]),
          "",
        )
      }</section>`
    }`,
  };
};
