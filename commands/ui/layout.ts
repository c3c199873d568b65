/**
 * The frame around every page: header with navigation and mode, the live part (with the
 * backend-outage banner), the page's tools, the stylesheet and the script.
 *
 * @module
 */

import type { Backend } from "../../lib/backend/types.ts";
import type { UiContext, View } from "./context.ts";
import { link } from "./context.ts";
import { type Html, html } from "./html.ts";

const SECTIONS = [
  ["Overview", ""],
  ["Schedules", "schedules"],
  ["Locks", "locks"],
  ["Barriers", "barriers"],
] as const;

/** The live part of a page as the browser swaps it in: outage banner, then the view's. */
export function livePart(view: View | undefined, outage: string | undefined): Html {
  return html`${
    outage === undefined ? html`` : html`
      <div class="banner"
        role="alert">Cannot read the backend: ${outage} — ${view
          ? "showing the last state read; retrying."
          : "retrying; the page loads once it answers."}</div>
    `
  }${view?.live}`;
}

/**
 * What the frame of a page shows of the console: its base path, its mode, and its backend, which
 * a console still waiting for it at its start has not opened: its pages are marked
 * `data-waiting`, so that the script waits for the console to serve instead of following the
 * page's changes.
 */
export type Frame = Pick<UiContext, "base" | "readOnly"> & {
  backend?: Pick<Backend, "displayUrl" | "namespace">;
};

/**
 * What tells one console's pages from another's: its backend and namespace. A page follows the
 * console that answers at its address only while this stays the same — another one started
 * there (every console's default address is the same) shows other state, and its forms act on
 * another backend.
 *
 * @example
 * ```ts
 * import { consoleOf } from "./layout.ts";
 * consoleOf({ displayUrl: "redis://127.0.0.1:6379", namespace: "coord" });
 * // "redis://127.0.0.1:6379 coord"
 * ```
 */
export function consoleOf(backend: Pick<Backend, "displayUrl" | "namespace">): string {
  return `${backend.displayUrl} ${backend.namespace}`;
}

/** A whole page. `section` is the first path segment, for the navigation's current mark. */
export function layout(
  ctx: Frame,
  { view, live, section, now, notice, reloadWhenBack = false }: {
    view: View;
    live: Html;
    section: string;
    now: number;
    notice?: string;
    /** The page holds only the outage banner: the script reloads it once the backend is back. */
    reloadWhenBack?: boolean;
  },
): Html {
  return html`
    <!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>${view.title} · coord</title>
        <link rel="stylesheet" href="${ctx.base}/assets/style.css">
        <link rel="icon" href="data:,">
      </head>
      <body data-base="${ctx.base}" ${ctx.backend
        ? html`
          data-console="${consoleOf(ctx.backend)}"
        `
        : html`
          data-waiting
        `}>
        <header><strong>coord</strong><nav>${SECTIONS.map(([name, path]) =>
          html`
            <a href="${link(ctx, path)}" ${path === section
              ? html`
                aria-current="page"
              `
              : html``}>${name}</a>
          `
        )}</nav><span class="mode">${ctx.backend
          ? `${ctx.backend.displayUrl} · `
          : ""}${ctx.readOnly
          ? "read-only · "
          : ""}<span id="stream">connecting…</span></span></header>
        <main><h1>${view.title}</h1>${notice === undefined
          ? html``
          : html`<p class="notice" role="status">${notice}</p>`}${view
          .tools}<div id="live" data-now="${Math.round(now)}" ${reloadWhenBack
          ? html`
            data-reload-when-back
          `
          : html``}>${live}</div></main>
        <script src="${ctx.base}/assets/client.js"></script>
      </body>
    </html>
  `;
}
