/**
 * The barriers page: each known barrier's open generation, its arrivals and its last release,
 * with abort. Barriers keep no list of names, so the page shows those seen in events since
 * the console started and those looked up by name.
 *
 * @module
 */

import { abortBarrier, barrierStatus } from "../../../lib/barrier/barrier.ts";
import type { BarrierStatus } from "../../../lib/barrier/steps.ts";
import { checkName } from "../../../lib/backend/keys.ts";
import { actionForm, link, type Page, rememberBarrier, type UiContext } from "../context.ts";
import { html } from "../html.ts";
import { table } from "../table.ts";
import { age, instant } from "../time.ts";

/** The barriers page; `?name=NAME` looks one up and keeps it on the page. */
export const barriersPage: Page = async (ctx, url) => {
  const asked = url.searchParams.get("name");
  if (asked !== null && asked !== "") rememberBarrier(ctx.barriers, checkName("barrier", asked));
  const names = [...ctx.barriers].sort();
  const statuses = await Promise.all(names.map((name) => barrierStatus(ctx.backend, name)));
  return {
    title: "Barriers",
    tools: html`<form method="get" action="${link(ctx, "barriers")}" class="lookup">
<input type="search" name="name" placeholder="barrier name" aria-label="barrier name" required>
<button type="submit">Look up</button></form>`,
    live: names.length === 0
      ? html`<p class="empty">No barriers seen yet: they appear when someone arrives, or look one up by name.</p>`
      : html`${names.map((name, i) => barrierSection(ctx, name, statuses[i]))}`,
  };
};

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
