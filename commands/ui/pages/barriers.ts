/**
 * The barriers page: every barrier's open generation, its arrivals and its last release, with
 * abort.
 *
 * @module
 */

import { abortBarrier, barrierReports } from "../../../lib/barrier/barrier.ts";
import type { BarrierStatus } from "../../../lib/barrier/steps.ts";
import { actionForm, type Page, type UiContext } from "../context.ts";
import { html } from "../html.ts";
import { foreignNotes } from "../foreign.ts";
import { table } from "../table.ts";
import { age, instant } from "../time.ts";

/**
 * The most barriers a page shows, first by name (each costs a status read; run-scoped names
 * can number thousands); `coord barrier list` shows them all.
 */
export const MAX_SHOWN_BARRIERS = 200;

/** The barriers page. */
export const barriersPage: Page = async (ctx) => {
  const barriers = await barrierReports(ctx.backend, { limit: MAX_SHOWN_BARRIERS });
  return {
    title: "Barriers",
    live: barriers.length === 0
      ? html`<p class="empty">No barriers yet: one appears when someone arrives.</p>`
      : html`${
        barriers.map(({ name, status }) => status ? barrierSection(ctx, name, status) : html``)
      }${foreignNotes("barrier", barriers)}${
        barriers.length === MAX_SHOWN_BARRIERS ? moreBarriers() : html``
      }`,
  };
};

/** The line under a list cut at {@link MAX_SHOWN_BARRIERS}. */
export function moreBarriers() {
  return html`
    <p
      class="empty">The first ${MAX_SHOWN_BARRIERS} by name are shown: <code>coord barrier list</code> lists them all.</p>
  `;
}

function barrierSection(ctx: UiContext, name: string, status: BarrierStatus) {
  const { lastRelease } = status;
  return html`<section><h2>${name}</h2>
<p>Generation ${status.generation}: ${status.arrivals.length}/${status.n ?? "–"} arrived${
    lastRelease
      ? html`
        · last release: generation ${lastRelease.generation} (${lastRelease.n}) at ${instant(
          lastRelease.releaseAt,
        )}
      `
      : html``
  }</p>${
    table(
      ["arrival", "host", "pid", "since", "waiting"],
      status.arrivals.map((a) => [a.arrival, a.host, a.pid, instant(a.since), age(a.since)]),
      "Nobody waits here now.",
    )
  }${
    status.arrivals.length > 0
      ? actionForm(ctx, ["barriers", name, "abort"], "Abort generation", {
        confirm: `Abort generation ${status.generation} of ${name}? Its waiters fail.`,
        danger: true,
      })
      : html``
  }</section>`;
}

/** Aborts a barrier's open generation; the notice shown after it. */
export async function abortAction(ctx: UiContext, name: string): Promise<string> {
  const { generation, waiting } = await abortBarrier(ctx.backend, name);
  return `Aborted generation ${generation} of ${name}; ${waiting} waiter(s) released with an error.`;
}
