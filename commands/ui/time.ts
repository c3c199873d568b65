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

/**
 * A duration in ms as people read it: `850 ms`, `12.5 s`, `3 min`, `2 h 5 min`.
 *
 * @example
 * ```ts
 * import { duration } from "./time.ts";
 * duration(90_000); // "1 min 30 s"
 * ```
 */
export function duration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) {
    const seconds = Math.round((ms % 60_000) / 1000);
    return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
  }
  const rest = minutes % 60;
  return rest ? `${Math.floor(minutes / 60)} h ${rest} min` : `${Math.floor(minutes / 60)} h`;
}
