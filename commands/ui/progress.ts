/**
 * A job's progress as its handler reported it (any JSON value): `{done, of}` as a bar and
 * "40/100", anything else as compact JSON, cut short. Handlers are not ours: every value is
 * escaped, and one that is not the shape a bar needs is shown as text rather than refused.
 *
 * @module
 */

import { type Html, html } from "./html.ts";

/** The longest JSON shown in a cell before it is cut with "…". */
export const MAX_PROGRESS_CHARS = 80;

/**
 * A job's progress for a page: "–" when it reported none.
 *
 * @example
 * ```ts
 * import { progressView } from "./progress.ts";
 * progressView({ done: 40, of: 100 }).text.includes("40/100"); // true
 * progressView("<b>").text.includes("&lt;b&gt;"); // true
 * ```
 */
export function progressView(progress: unknown): Html {
  if (progress === undefined) return html`–`;
  const bar = barOf(progress);
  if (bar) {
    const { done, of } = bar;
    return html`
      <span
        class="progress"><progress value="${Math.min(Math.max(done, 0), of)}" max="${of}">${percent(
          done,
          of,
        )}</progress> ${done}/${of}</span>
    `;
  }
  const json = JSON.stringify(progress) ?? String(progress);
  const shown = json.length > MAX_PROGRESS_CHARS
    ? `${json.slice(0, MAX_PROGRESS_CHARS - 1)}…`
    : json;
  return html`<code class="progress-json">${shown}</code>`;
}

/** `{done, of}` with finite numbers and `of` above 0, or undefined. */
function barOf(progress: unknown): { done: number; of: number } | undefined {
  if (typeof progress !== "object" || progress === null) return undefined;
  const { done, of } = progress as Record<string, unknown>;
  if (typeof done !== "number" || typeof of !== "number") return undefined;
  if (!Number.isFinite(done) || !Number.isFinite(of) || of <= 0) return undefined;
  return { done, of };
}

function percent(done: number, of: number): string {
  return `${Math.round(Math.min(Math.max(done / of, 0), 1) * 100)} %`;
}
