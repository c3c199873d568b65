/**
 * Tables that read on a phone: each cell carries its column's name, so on a narrow screen the
 * stylesheet shows every row as a card of `name: value` lines instead of scrolling sideways.
 *
 * @module
 */

import { type Html, html } from "./html.ts";

/**
 * A table with a header row; `rows` are lists of cells in the order of `columns`.
 *
 * @example
 * ```ts
 * import { table } from "./table.ts";
 * table(["queue", "pending"], [["reports", 3]], "No queues.");
 * ```
 */
export function table(columns: string[], rows: unknown[][], empty: string): Html {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`
    <table>
      <thead>
        <tr>${columns.map((c) => html`<th>${c}</th>`)}</tr>
      </thead>
      <tbody>${rows.map((cells) =>
        html`<tr>${cells.map((cell, i) => html`<td data-label="${columns[i]}">${cell}</td>`)}</tr>`
      )}</tbody>
    </table>
  `;
}
