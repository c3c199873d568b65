/**
 * The locks page: each queue's holders (label, ticket, held for) and waiters in ticket order,
 * and its reset, with `coord turn reset`'s rules: refused while in use or when a ticket was
 * taken since the page showed it, unless forced.
 *
 * @module
 */

import { resetTicketLine, ticketLines } from "../../../lib/lock/console.ts";
import type { TicketLine, TicketUser } from "../../../lib/lock/steps.ts";
import { actionForm, type Page, type UiContext, UnknownLockError } from "../context.ts";
import { html } from "../html.ts";
import { foreignNotes } from "../foreign.ts";
import { table } from "../table.ts";
import { age, instant } from "../time.ts";

/** The users holding the lock. */
export function holdersOf(status: TicketLine): TicketUser[] {
  return status.users.filter((u) => u.grantedAt !== undefined);
}

/** The users waiting, in ticket order. */
export function waitersOf(status: TicketLine): TicketUser[] {
  return status.users.filter((u) => u.grantedAt === undefined);
}

/** The locks page. */
export const locksPage: Page = async (ctx) => {
  const reports = await ticketLines(ctx.backend);
  return {
    title: "Locks",
    live: reports.length === 0
      ? html`<p class="empty">No lock queues — coord lock run makes one.</p>`
      : html`${
        reports.map(({ resource, status }) => status ? lockSection(ctx, resource, status) : html``)
      }${foreignNotes("lock", reports)}`,
  };
};

function lockSection(ctx: UiContext, resource: string, status: TicketLine) {
  const fields = { tickets: status.tickets };
  return html`<section id="${resource}"><h2>${resource}</h2>
<p class="muted">turn ${status.indicator} · ${status.tickets} tickets taken · limit ${status.limit}</p>
<h3>Holders</h3>${
    table(
      ["label", "ticket", "since", "held for"],
      holdersOf(status).map((u) => [
        html`<span class="holder">${u.label}</span>`,
        u.ticket,
        instant(u.grantedAt),
        age(u.grantedAt),
      ]),
      "Nobody holds it.",
    )
  }<h3>Waiters</h3>${
    table(
      ["label", "ticket", "waiting since", "waited"],
      waitersOf(status).map((u) => [u.label, u.ticket, instant(u.since), age(u.since)]),
      "Nobody waits.",
    )
  }${actionForm(ctx, ["locks", resource, "reset"], "Reset", { fields })}${
    actionForm(ctx, ["locks", resource, "reset"], "Force reset", {
      fields: { ...fields, force: 1 },
      confirm: `Force-reset ${resource}? Its holders stop their commands, its waiters give up.`,
      danger: true,
    })
  }</section>`;
}

/**
 * What a reset did, as the notice shown after it.
 *
 * @throws {UnknownLockError} when there is no such lock queue (reset since the page showed it,
 * or never taken), answered as a page not there (404), as an unknown queue's or job's is.
 */
export async function resetAction(
  ctx: UiContext,
  resource: string,
  form: FormData,
): Promise<string> {
  const force = form.get("force") === "1";
  const seenTickets = Number(form.get("tickets"));
  const [{ status: current }] = await ticketLines(ctx.backend, [resource]);
  // The decision was made on the page the operator saw: a ticket taken since is activity.
  const seen = current && Number.isSafeInteger(seenTickets)
    ? { ...current, tickets: seenTickets }
    : current;
  const result = await resetTicketLine(ctx.backend, resource, { force, seen });
  switch (result.outcome) {
    case "removed":
      return `Reset ${resource}.`;
    case "missing":
      throw new UnknownLockError(resource);
    case "in-use":
      return `${resource} is in use by ${result.users} user(s); not reset.`;
    case "activity":
      return `Activity detected for ${resource} since the page was shown; not reset.`;
  }
}
