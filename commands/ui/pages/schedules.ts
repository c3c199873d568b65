/**
 * The schedules page: each task's timing, next tick, who runs it now, its latest run (a
 * tick's or a triggered one's), its failures and missed ticks, whether it is paused or
 * orphaned; dynamic task templates with their instance counts. Its actions are
 * `coord schedule trigger|pause|resume|remove`, with the same rules.
 *
 * @module
 */

import {
  pauseTask,
  removeTask,
  resumeTask,
  TaskRunningError,
  triggerTask,
  UnknownTaskError,
} from "../../../lib/schedule/control.ts";
import type { LastRun } from "../../../lib/schedule/record.ts";
import {
  scheduleReports,
  type TaskStatus,
  type TemplateStatus,
} from "../../../lib/schedule/status.ts";
import { UsageError } from "../../../lib/errors.ts";
import { actionForm, link, type Page, type UiContext } from "../context.ts";
import { type Html, html } from "../html.ts";
import { foreignNotes } from "../foreign.ts";
import { table } from "../table.ts";
import { instant } from "../time.ts";
import { formatDuration } from "../../../lib/duration.ts";

/** Tells a task's status from a template's. */
export function isTask(status: TaskStatus | TemplateStatus): status is TaskStatus {
  return "task" in status;
}

/** The latest run started, a tick's or a triggered one's (as `coord schedule status` shows). */
export function latestRun(task: TaskStatus): LastRun | undefined {
  const { last, triggered } = task;
  return triggered && triggered.startedAt >= (last?.startedAt ?? -Infinity) ? triggered : last;
}

/** A task's latest outcome, coloured; its error as the tooltip. */
export function outcomeOf(task: TaskStatus): Html {
  const run = latestRun(task);
  if (!run) return html`<span class="muted">never ran</span>`;
  const { outcome, error } = run;
  // A run a stop cut short is no failure of the task's (see Outcome).
  const tone = outcome === "success"
    ? "ok"
    : outcome === "running" || outcome === "interrupted"
    ? "warn"
    : "bad";
  return html`<span class="${tone}" title="${error ?? ""}">${outcome}</span>`;
}

/** The schedules page. */
export const schedulesPage: Page = async (ctx) => {
  const reports = await scheduleReports(ctx.backend);
  const statuses = reports.flatMap((r) => r.status ?? []);
  const tasks = statuses.filter(isTask);
  const templates = statuses.filter((s): s is TemplateStatus => !isTask(s));
  return {
    title: "Schedules",
    tools: runWithArgsForm(ctx, tasks),
    live: html`<section><h2>Tasks</h2>${
      table(
        [
          "task",
          "timing",
          "next tick",
          "running on",
          "last run",
          "outcome",
          "runs",
          "failures",
          "missed",
          ...ctx.readOnly ? [] : ["actions"],
        ],
        tasks.map((t) => {
          const run = latestRun(t);
          return [
            html`<span class="task">${t.task}</span>${
              t.orphaned
                ? html`
                  <span class="warn" title="no instance has run it for a day">orphaned</span>
                `
                : html``
            }`,
            html`<code>${t.timing}</code>`,
            html`${t.paused ? html`<span class="warn paused">paused</span>` : instant(t.next)}${
              t.triggers > 0
                ? html`
                  <span class="muted">+ ${t.triggers} run(s) asked</span>
                `
                : html``
            }`,
            t.lease ? (t.lease.owner || "retry pending") : "–",
            html`${instant(run?.tick)}${
              run?.trigger
                ? html`
                  <span class="muted">(run now)</span>
                `
                : html``
            }`,
            html`${outcomeOf(t)}${
              run?.finishedAt !== undefined
                ? ` in ${formatDuration(run.finishedAt - run.startedAt)}`
                : ""
            }${run?.error ? html`<br><span class="bad">${run.error}</span>` : html``}`,
            t.runs,
            html`<span class="${t.failures > 0 ? "bad" : ""}">${t.failures}</span>${
              t.consecutiveFailures > 0
                ? html`
                  (${t.consecutiveFailures} in a row)
                `
                : html``
            }`,
            t.missed,
            ...ctx.readOnly ? [] : [taskActions(ctx, t)],
          ];
        }),
        "No schedule tasks yet — coord schedule run starts them.",
      )
    }${foreignNotes("schedule", reports)}</section>${
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

function taskActions(ctx: UiContext, task: TaskStatus): Html {
  const on = (verb: string) => ["schedules", task.task, verb];
  return html`<div class="actions">${
    actionForm(ctx, ["schedules", "trigger"], "Run now", { fields: { task: task.task } })
  }${
    task.paused ? actionForm(ctx, on("resume"), "Resume") : actionForm(ctx, on("pause"), "Pause")
  }${
    actionForm(ctx, on("remove"), "Remove", {
      confirm: `Remove ${task.task}'s record? An instance still running it makes it again.`,
      danger: true,
    })
  }${
    // Only where plain Remove refuses: a run holds the tick (not a failed one awaiting its retry).
    task.lease && task.last?.outcome === "running"
      ? actionForm(ctx, on("remove"), "Force remove", {
        fields: { force: 1 },
        confirm: `Remove ${task.task} while a run holds its tick? That run's outcome is lost.`,
        danger: true,
      })
      : html``}</div>`;
}

/** A run now with arguments: in the page's tools, so a live update does not wipe what is typed. */
function runWithArgsForm(ctx: UiContext, tasks: TaskStatus[]): Html {
  if (ctx.readOnly || tasks.length === 0) return html``;
  return html`<form method="post" action="${
    link(ctx, "schedules", "trigger")
  }" class="run-with-args">
<input type="hidden" name="csrf" value="${ctx.csrfToken}">
<select name="task" aria-label="task">${tasks.map((t) => html`<option>${t.task}</option>`)}</select>
<input type="text" name="args" placeholder='args as JSON, e.g. {"to":"ana"}' aria-label="args as JSON">
<button type="submit">Run now with args</button></form>`;
}

/** `coord schedule trigger`: the form's `task`, with its `args` (JSON) when given. */
export async function triggerAction(ctx: UiContext, form: FormData): Promise<string> {
  const task = String(form.get("task") ?? "");
  const text = String(form.get("args") ?? "").trim();
  let args: unknown;
  if (text !== "") {
    try {
      args = JSON.parse(text);
    } catch {
      throw new UsageError(`args are not JSON: ${text}`);
    }
  }
  const id = await triggerTask(ctx.backend, task, { args });
  return `Asked for a run of ${task} now (request ${id}).`;
}

/** `coord schedule pause`. */
export async function pauseAction(ctx: UiContext, task: string): Promise<string> {
  return await pauseTask(ctx.backend, task) ? `Paused ${task}.` : `${task} was paused already.`;
}

/** `coord schedule resume`: the ticks that passed while paused are skipped. */
export async function resumeAction(ctx: UiContext, task: string): Promise<string> {
  return await resumeTask(ctx.backend, task)
    ? `Resumed ${task}; the ticks due while it was paused are skipped.`
    : `${task} was not paused.`;
}

/** `coord schedule remove`, refused while a run holds the task's tick unless `force`. */
export async function removeAction(
  ctx: UiContext,
  task: string,
  form: FormData,
): Promise<string> {
  try {
    if (!await removeTask(ctx.backend, task, { force: form.get("force") === "1" })) {
      throw new UnknownTaskError(task, ctx.backend.namespace);
    }
    return `Removed ${task}.`;
  } catch (error) {
    if (!(error instanceof TaskRunningError)) throw error;
    return `${task} is running (a run holds its tick); not removed.`;
  }
}
