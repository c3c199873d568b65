/**
 * Instants and ages on the page. The server knows only the backend's clock; the browser shows
 * each instant in its own zone with a relative age (see `client.ts`), measured against the
 * backend's clock it was sent with, so a skewed laptop clock does not make ages wrong.
 *
 * @module
 */

import { type Html, html } from "./html.ts";

/**
 * An instant (epoch ms, backend clock), shown by the browser as local time and age.
 *
 * @example
 * ```ts
 * import { instant } from "./time.ts";
 * instant(0).text; // '<time datetime="1970-01-01T00:00:00.000Z" data-at="0">…'
 * ```
 */
export function instant(ms: number | null | undefined): Html {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return html`–`;
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}" data-at="${Math.round(ms)}">${iso}</time>`;
}

/**
 * How long ago an instant was (epoch ms, backend clock), kept current by the browser.
 *
 * @example
 * ```ts
 * import { age } from "./time.ts";
 * age(0).text; // '<time datetime="…" data-at="0" data-age>…'
 * ```
 */
export function age(ms: number | null | undefined): Html {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return html`–`;
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}" data-at="${Math.round(ms)}" data-age>${iso}</time>`;
}
