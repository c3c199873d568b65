/**
 * What every page of the console is rendered with, and the two ways a page points elsewhere:
 * a link under the base path, and an action form (a POST carrying the CSRF token).
 *
 * @module
 */

import type { Backend } from "../../lib/backend/types.ts";
import { CoordError, ExitCode } from "../../lib/errors.ts";
import { type Html, html } from "./html.ts";

/**
 * Jobs a queue's page and `/metrics` read at most, in all, for those coord cannot read: they
 * refresh with every change, and reading 10,000 jobs (as `coord queue status` does) took a
 * page 70–180 ms instead of 1–6. A damaged job past them is for `status` and `doctor` to find.
 */
export const READ_ON_REFRESH = 500;

/** The console's state shared by every request. */
export interface UiContext {
  /** Where coord's state lives. */
  backend: Backend;
  /** No action is shown, and every POST is refused. */
  readOnly: boolean;
  /** The token every action form carries (see `csrf.ts`). */
  csrfToken: string;
  /** The path prefix the console is served under: `""` or e.g. `/coord`. */
  base: string;
}

/** A rendered page: the part kept live over server-sent events, and the rest. */
export interface View {
  /** The page's title. */
  title: string;
  /** Re-rendered and pushed to the browser when the backend changes. */
  live: Html;
  /** Forms the user types into, rendered once so a push does not wipe them. */
  tools?: Html;
}

/** A page: its view for a request, `params` being the path's decoded segments after its own. */
export type Page = (ctx: UiContext, url: URL, params: string[]) => Promise<View>;

/**
 * The URL of a console path, each segment percent-encoded (names may hold `/`).
 *
 * @example
 * ```ts ignore
 * link(ctx, "queues", "a/b"); // "/coord/queues/a%2Fb"
 * ```
 */
export function link(ctx: Pick<UiContext, "base">, ...segments: string[]): string {
  return `${ctx.base}/${segments.map(encodeURIComponent).join("/")}`;
}

/**
 * A button that POSTs to a console path with the CSRF token and `fields`; nothing in
 * read-only mode. `confirm` asks before sending.
 */
export function actionForm(
  ctx: UiContext,
  segments: string[],
  label: string,
  { fields = {}, confirm, danger = false }: {
    fields?: Record<string, string | number>;
    confirm?: string;
    danger?: boolean;
  } = {},
): Html {
  if (ctx.readOnly) return html``;
  return html`
    <form method="post" action="${link(ctx, ...segments)}" class="action"
      ${confirm
        ? html`
          data-confirm="${confirm}"
        `
        : html``}><input type="hidden" name="csrf" value="${ctx.csrfToken}">${Object.entries(fields)
        .map(([name, value]) =>
          html`<input type="hidden" name="${name}" value="${value}">`
        )}<button type="submit"${danger
        ? html`
          class="danger"
        `
        : html``}>${label}</button></form>
  `;
}

/** A queue's page asked for by a name no queue has (404). */
export class UnknownQueueError extends CoordError {
  /** Names the queue. */
  constructor(queue: string) {
    super(
      `no queue ${JSON.stringify(queue)}: it has no job and no settings — check the name`,
      ExitCode.usage,
    );
  }
}

/** A lock queue acted on (reset) by a name no lock queue has (404). */
export class UnknownLockError extends CoordError {
  /** Names the lock queue. */
  constructor(resource: string) {
    super(
      `no lock queue ${JSON.stringify(resource)}: nobody took a ticket since its last reset — ` +
        `check the name`,
      ExitCode.usage,
    );
  }
}

/** A job looked up by no id at all (404, as a job no id names). */
export class NoJobIdError extends CoordError {
  /** Names the queue looked in. */
  constructor(queue: string) {
    super(
      `no job id given — type one to look it up in queue ${JSON.stringify(queue)}`,
      ExitCode.usage,
    );
  }
}
