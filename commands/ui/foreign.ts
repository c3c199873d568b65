/**
 * How a page names the items of a listing that hold foreign data: one line each under the
 * listing, which shows every other item, as `coord … status` names them on stderr.
 *
 * @module
 */

import { type ForeignDataError, oneLine } from "../../lib/errors.ts";
import { type Html, html } from "./html.ts";

/**
 * A line per report holding foreign data, classed `bad KIND-foreign`; nothing for the others.
 *
 * @example
 * ```ts
 * import { ForeignDataError } from "../../lib/errors.ts";
 * import { foreignNotes } from "./foreign.ts";
 * foreignNotes("lock", [{ foreign: new ForeignDataError("lock \"fx\": …") }]).text;
 * // '<p class="bad lock-foreign">lock &quot;fx&quot;: …</p>'
 * ```
 */
export function foreignNotes(
  kind: string,
  reports: readonly { foreign?: ForeignDataError }[],
): Html {
  return html`${
    reports.flatMap(({ foreign }) =>
      foreign ? [html`<p class="bad ${kind}-foreign">${oneLine(foreign)}</p>`] : []
    )
  }`;
}
