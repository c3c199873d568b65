/**
 * A queue's page (its counts, workers and a lookup by job id) and a job's page (spec,
 * arguments, result or error, attempts, its flow's parts and their states), with cancel.
 *
 * @module
 */

import {
  cancelJob,
  getJob,
  isRetryable,
  jobRef,
  promoteJob,
  queueReports,
  retryJob,
  UnknownJobError,
  unknownQueues,
} from "../../../lib/queue/queue.ts";
import type {
  FinishedState,
  JobRecord,
  Keep,
  ListState,
  QueueCounts,
} from "../../../lib/queue/steps.ts";
import { isStalled, type JobPage, LIST_STATES, listJobs } from "../../../lib/queue/list.ts";
import { ForeignDataError } from "../../../lib/errors.ts";
import { listedState } from "../../../lib/queue/record.ts";
import {
  configureQueue,
  PURGE_STATES,
  purgeJobs,
  removeQueue,
} from "../../../lib/queue/retention.ts";
import {
  actionForm,
  link,
  type Page,
  READ_ON_REFRESH,
  type UiContext,
  UnknownQueueError,
} from "../context.ts";
import { type Html, html } from "../html.ts";
import { table } from "../table.ts";
import { foreignNotes } from "../foreign.ts";
import { age, instant } from "../time.ts";
import { formatDuration } from "../../../lib/duration.ts";
import { progressView } from "../progress.ts";

/** Jobs a page of the queue's job list holds. */
const JOBS_PER_PAGE = 50;

/**
 * `/queues/QUEUE[?state=S][&after=CURSOR]`: counts per state, whether it is paused, workers, a
 * job lookup, and its jobs of one state (or all), a page at a time.
 */
export const queuePage: Page = async (ctx, url, [queue]) => {
  const [[report], now] = await Promise.all([
    queueReports(ctx.backend, [queue], { readJobs: READ_ON_REFRESH }),
    ctx.backend.now(),
  ]);
  if (report.foreign) throw report.foreign;
  // Known as `coord queue status` knows queues: by a job or settings (counts are zeros else).
  if (!report.counts) throw new UnknownQueueError(queue);
  const { counts } = report;
  const state = url.searchParams.get("state") ?? undefined;
  const after = url.searchParams.get("after") ?? undefined;
  // A job another program wrote over, on this page, leaves the rest of the queue's page (its
  // counts, its actions, the other states' lists) as it is: its list says why it is missing.
  const page = await listJobs(ctx.backend, queue, {
    ...(state !== undefined && { states: [state as ListState] }),
    limit: JOBS_PER_PAGE,
    after,
  }).catch((e) => {
    if (e instanceof ForeignDataError) return { jobs: [], refused: e };
    throw e;
  }) as JobPage & { refused?: ForeignDataError };
  const listed = (s?: string, cursor?: string) => {
    const query = new URLSearchParams({ ...s && { state: s }, ...cursor && { after: cursor } });
    return `${link(ctx, "queues", queue)}${query.size > 0 ? `?${query}` : ""}`;
  };
  return {
    title: `Queue ${queue}`,
    tools: html`<form method="get" action="${link(ctx, "queues", queue, "job")}" class="lookup">
<input type="search" name="id" placeholder="job id" aria-label="job id" required>
<button type="submit">Show job</button></form>`,
    live: html`<section><h2>Jobs by state</h2>${
      table(
        ["pending", "scheduled", "active", "waiting", "completed", "failed", "cancelled"],
        [[
          counts.pending,
          counts.scheduled,
          activeCount(counts),
          counts.waiting,
          counts.completed,
          counts.failed,
          counts.cancelled,
        ]],
        "",
      )
    }<p class="muted">Oldest pending: ${age(counts.oldestPendingAt)}${
      counts.paused
        ? html`
          · <span class="warn queue-paused">paused</span>
        `
        : html``
    }</p>${foreignNotes("queue-jobs", report.unreadable ? [report.unreadable] : [])}${
      queueActions(ctx, queue, counts)
    }</section>
<section><h2>Jobs</h2><nav class="states">${
      [undefined, ...LIST_STATES].map((s) =>
        html`
          <a href="${listed(s)}" ${s === state
            ? html`
              aria-current="page"
            `
            : html``}>${s ?? "all"}</a>
        `
      )
    }</nav>${
      page.refused ? foreignNotes("queue-list", [{ foreign: page.refused }]) : jobTable(
        ctx,
        queue,
        page.jobs,
        now,
        after === undefined ? "No jobs here." : "No more jobs.",
      )
    }${
      page.next === undefined
        ? html``
        : html`<p><a class="next" href="${listed(state, page.next)}">Next page</a></p>`
    }</section>
<section><h2>Workers</h2>${
      table(["worker"], counts.workers.map((w) => [w]), "No live workers.")
    }</section>`,
  };
};

/** A page of jobs; a progress column only when one of them reported progress. */
function jobTable(
  ctx: UiContext,
  queue: string,
  jobs: { job: JobRecord; listedAs: ListState }[],
  now: number,
  empty: string,
): Html {
  const withProgress = jobs.some(({ job }) => job.progress !== undefined);
  return table(
    [
      "job",
      "state",
      "handler",
      "attempts",
      ...(withProgress ? ["progress"] : []),
      "created",
      "finished",
      "error",
    ],
    jobs.map(({ job, listedAs }) => [
      html`<a href="${link(ctx, "queues", queue, "jobs", job.id)}">${job.id}</a>`,
      stateOf(job, now, listedAs),
      job.spec?.handler ??
        (job.spec?.command ? html`<code>${job.spec.command.join(" ")}</code>` : "–"),
      job.attempts,
      ...(withProgress ? [progressView(job.progress)] : []),
      instant(job.createdAt),
      instant(job.finishedAt),
      job.error === undefined ? "–" : html`<span class="bad">${job.error}</span>`,
    ]),
    empty,
  );
}

function queueActions(ctx: UiContext, queue: string, counts: QueueCounts): Html {
  const unfinished = counts.pending + counts.scheduled + counts.active + counts.waiting;
  return html`<div class="actions">${
    counts.paused
      ? actionForm(ctx, ["queues", queue, "resume"], "Resume")
      : actionForm(ctx, ["queues", queue, "pause"], "Pause", {
        confirm: `Pause ${queue}? Workers take no new jobs from it until it is resumed.`,
      })
  }${
    PURGE_STATES.map((state) =>
      actionForm(ctx, ["queues", queue, "purge"], `Purge ${state}`, {
        fields: { state },
        confirm: `Remove every ${state} job of ${queue} now?`,
        danger: true,
      })
    )
  }${
    // As `coord queue remove`: refused while jobs have not finished, so then only forced.
    unfinished === 0
      ? actionForm(ctx, ["queues", queue, "remove"], "Remove queue", {
        confirm: `Remove ${queue} whole: its finished jobs, results and settings?`,
        danger: true,
      })
      : actionForm(ctx, ["queues", queue, "remove"], "Force remove queue", {
        fields: { force: 1 },
        confirm: `Remove ${queue} whole, with its ${unfinished} job(s) waiting to run?`,
        danger: true,
      })}</div>`;
}

/** `coord queue pause|resume`. */
export async function pauseAction(ctx: UiContext, queue: string, paused: boolean): Promise<string> {
  await checkKnown(ctx, queue);
  await configureQueue(ctx.backend, queue, { paused });
  return paused ? `Paused ${queue}: workers take no new jobs from it.` : `Resumed ${queue}.`;
}

/** `coord queue purge --state S`: the form's `state`. */
export async function purgeAction(
  ctx: UiContext,
  queue: string,
  form: FormData,
): Promise<{ notice: string; gone: boolean }> {
  const state = String(form.get("state")) as FinishedState;
  await checkKnown(ctx, queue);
  const removed = await purgeJobs(ctx.backend, queue, { state });
  // Its last jobs purged, a queue with no settings is no more: its page would say 404.
  const gone = (await unknownQueues(ctx.backend, [queue])).length > 0;
  return { notice: `Purged ${removed} ${state} job(s) of ${queue}.`, gone };
}

/** `coord queue remove [--force]`: the form's `force` (1). Whether it was, and the notice. */
export async function removeQueueAction(
  ctx: UiContext,
  queue: string,
  form: FormData,
): Promise<{ removed: boolean; notice: string }> {
  await checkKnown(ctx, queue);
  const { removed, jobs, unfinished, running } = await removeQueue(ctx.backend, queue, {
    force: form.get("force") === "1",
  });
  const notice = removed
    ? `Removed ${queue} and its ${jobs} job(s).`
    : running > 0
    ? `${queue} has ${running} job(s) running; not removed (pause it and let them end).`
    : `${queue} holds ${unfinished} unfinished job(s); not removed.`;
  return { removed, notice };
}

/**
 * Refuses an action on a queue whose page is not found (no job, no settings), before the action
 * would make it: a pause or resume stored settings for a mistyped name, kept for good.
 *
 * @throws {UnknownQueueError} when there is no such queue.
 */
async function checkKnown(ctx: UiContext, queue: string): Promise<void> {
  if ((await unknownQueues(ctx.backend, [queue])).length > 0) throw new UnknownQueueError(queue);
}

/** `/queues/QUEUE/jobs/ID`: one job. */
export const jobPage: Page = async (ctx, _url, [queue, id]) => {
  const [job, now] = await Promise.all([getJob(ctx.backend, jobRef(queue, id)), ctx.backend.now()]);
  const find = (part: string) => getJob(ctx.backend, jobRef(queue, part)).catch(unlessUnknown);
  const parts = await Promise.all(job.group?.children.map(find) ?? []);
  const postprocess = job.group?.postprocess === undefined
    ? undefined
    : await find(job.group.postprocess);
  return {
    title: `Job ${jobRef(queue, id)}`,
    live: html`<section><h2>State</h2><dl>
<dt>state</dt><dd>${stateOf(job, now)}</dd>
<dt>attempts</dt><dd>${job.attempts} started · ${job.failures} failed · ${job.stalls} stalled</dd>
<dt>created</dt><dd>${instant(job.createdAt)}</dd>
<dt>ready at</dt><dd>${instant(job.readyAt)}</dd>${
      job.beginBy === undefined ? html`` : html`
        <dt>begin by</dt>
        <dd>${instant(job.beginBy)}</dd>
      `
    }
<dt>started</dt><dd>${instant(job.startedAt)}</dd>
<dt>finished</dt><dd>${instant(job.finishedAt)}${
      job.finishedAt !== undefined && job.startedAt !== undefined
        ? ` after ${formatDuration(job.finishedAt - job.startedAt)}`
        : ""
    }</dd>
<dt>worker</dt><dd>${job.worker ?? "–"}</dd>
${schedulingTerms(job)}${
      job.progress === undefined ? html`` : html`
        <dt>progress</dt>
        <dd class="job-progress">${progressView(job.progress)}</dd>
      `
    }${
      job.error === undefined ? html`` : html`
        <dt>error</dt>
        <dd>
          <pre class="bad job-error">${job.error}</pre>
        </dd>
      `
    }${
      job.result === undefined ? html`` : html`
        <dt>result</dt>
        <dd>
          <pre class="job-result">${pretty(job.result)}</pre>
        </dd>
      `
    }${
      job.parent === undefined ? html`` : html`
        <dt>part of</dt>
        <dd><a href="${link(ctx, "queues", queue, "jobs", job.parent)}">${job.parent}</a></dd>
      `
    }</dl>${
      job.state === "pending" || job.state === "waiting"
        ? actionForm(ctx, ["queues", queue, "jobs", id, "cancel"], "Cancel", {
          confirm: `Cancel ${jobRef(queue, id)}?`,
          danger: true,
        })
        : html``
    }${
      isRetryable(job) ? actionForm(ctx, ["queues", queue, "jobs", id, "retry"], "Retry") : html``
    }${
      listedState(job, now) === "scheduled"
        ? actionForm(ctx, ["queues", queue, "jobs", id, "promote"], "Run now")
        : html``
    }</section>
${job.group ? html`` : specSection(job)}${
      job.group
        ? html`<section><h2>Flow: ${job.group.kind} parts (${
          completedParts(parts)
        }/${job.group.children.length} completed)</h2>${
          table(
            ["part", "state", "attempts", "finished"],
            [...parts.map((part, i) => partRow(ctx, queue, job.group!.children[i], part, now))]
              .concat(
                postprocess
                  ? [partRow(ctx, queue, job.group.postprocess!, postprocess, now, "then ")]
                  : [],
              ),
            "No parts.",
          )
        }</section>`
        : html``
    }`,
  };
};

/**
 * Parts that completed, from their own states: the group's `done` stops counting when the group
 * ends, so parts that finish after a failure ended it would not show.
 */
function completedParts(parts: (JobRecord | undefined)[]): number {
  return parts.filter((part) => part?.state === "completed").length;
}

/** What `put` set of how it is run and kept, where it is not the default. */
function schedulingTerms(job: JobRecord): Html {
  return html`${
    job.priority === undefined ? html`` : html`
      <dt>priority</dt>
      <dd>${job.priority}</dd>
    `
  }${
    job.groupKey === undefined ? html`` : html`
      <dt>group</dt>
      <dd>${job.groupKey}</dd>
    `
  }${
    job.keep === undefined ? html`` : html`
      <dt>keep</dt>
      <dd>${keepText(job.keep)}</dd>
    `
  }`;
}

/** A job's own retention, in `put --keep`'s terms: a count, an age after it finished, both. */
function keepText({ count, ageMs }: Keep): string {
  const parts = [
    ...(count !== undefined ? [`${count} jobs`] : []),
    ...(ageMs !== undefined ? [formatDuration(ageMs)] : []),
  ];
  return parts.join(" · ") || "forever";
}

/** A job's spec; a flow's group has none (it is never run itself), so it gets no section. */
function specSection(job: JobRecord): Html {
  const { spec } = job;
  return html`
    <section>
      <h2>Spec</h2>
      <dl>${spec.handler === undefined ? html`` : html`
        <dt>handler</dt>
        <dd><code>${spec.handler}</code></dd>
      `}${spec.command === undefined ? html`` : html`
        <dt>command</dt>
        <dd>
          <pre class="job-command">${JSON.stringify(spec.command)}</pre>
        </dd>
      `}${spec.args === undefined ? html`` : html`
        <dt>args</dt>
        <dd>
          <pre class="job-args">${pretty(spec.args)}</pre>
        </dd>
      `}${job.inputs === undefined ? html`` : html`
        <dt>inputs</dt>
        <dd>
          <pre>${pretty(job.inputs)}</pre>
        </dd>
      `}<dt>retries</dt><dd>${spec.retries} (backoff ${formatDuration(
        spec.backoffMs,
      )}, doubling)</dd>
    <dt>timeout</dt><dd>${spec.timeoutMs === undefined
      ? "none"
      : formatDuration(spec.timeoutMs)}</dd>
      </dl>
    </section>
  `;
}

function partRow(
  ctx: UiContext,
  queue: string,
  id: string,
  part: JobRecord | undefined,
  now: number,
  prefix = "",
): unknown[] {
  return [
    html`${prefix}<a href="${link(ctx, "queues", queue, "jobs", id)}">${id}</a>`,
    part ? stateOf(part, now) : "missing",
    part?.attempts ?? "–",
    instant(part?.finishedAt),
  ];
}

/** A part removed meanwhile is shown as missing rather than failing the page. */
function unlessUnknown(error: unknown): undefined {
  if (error instanceof UnknownJobError) return undefined;
  throw error;
}

/**
 * A job's state as `list` names it at `now` (a pending job not yet due is scheduled); an active
 * one whose lease ran out says it is stalled, and since when.
 */
function stateOf(job: JobRecord, now: number, shown: string = listedState(job, now)): Html {
  return html`<span class="state-${shown}">${shown}</span>${
    isStalled(job, now)
      ? html`
        <span class="warn job-stalled">stalled: lease ran out at ${instant(
          job.leaseUntil,
        )}, no worker holds it</span>
      `
      : html``
  }`;
}

/** The active count, with how many of them are stalled (their lease ran out) when any. */
export function activeCount(counts: { active: number; stalled: number }): Html {
  return counts.stalled > 0
    ? html`${counts.active} <span class="warn">(${counts.stalled} stalled)</span>`
    : html`${counts.active}`;
}

function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/**
 * Cancels a job that has not finished, as `coord queue cancel` does (the page offers it before
 * the job starts; one a worker took since is cancelled while running); the notice shown after it.
 */
export async function cancelAction(ctx: UiContext, queue: string, id: string): Promise<string> {
  const ref = jobRef(queue, id);
  const { job, cancelled } = await cancelJob(ctx.backend, ref);
  return cancelled
    ? `Cancelled ${ref}.`
    : job.state === "cancelled"
    ? `${ref} was cancelled already.`
    : `${ref} is ${job.state}; a finished job cannot be cancelled.`;
}

/** Starts a scheduled job now, as `coord queue promote` does. */
export async function promoteAction(ctx: UiContext, queue: string, id: string): Promise<string> {
  const { promoted, refusal } = await promoteJob(ctx.backend, jobRef(queue, id));
  return promoted ? `Promoted ${jobRef(queue, id)}: ready to run now.` : `${refusal}.`;
}

/** Puts a failed or cancelled job back to pending, as `coord queue retry` does. */
export async function retryAction(ctx: UiContext, queue: string, id: string): Promise<string> {
  const { retried, refusal } = await retryJob(ctx.backend, jobRef(queue, id));
  return retried
    ? `Retried ${jobRef(queue, id)}: pending again, its failures reset.`
    : `${refusal}.`;
}
