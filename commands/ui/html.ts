/**
 * The console's one way to make HTML: the {@link html} tagged template escapes every value it
 * is given unless that value is itself made by `html`, so job arguments, labels and errors
 * (written by anyone who can put a job) reach the page only as text.
 *
 * @module
 */

/** HTML made by {@link html}: safe to put in a page as it is. */
export class Html {
  /** The markup. */
  readonly text: string;

  private constructor(text: string) {
    this.text = text;
  }

  /** Only {@link html} makes these, so every `Html` went through escaping. */
  static fromTemplate(strings: TemplateStringsArray, values: unknown[]): Html {
    let text = strings[0];
    values.forEach((value, i) => text += render(value) + strings[i + 1]);
    return new Html(text);
  }

  /** The markup, for a response body. */
  toString(): string {
    return this.text;
  }
}

/**
 * Builds HTML; each interpolated value is escaped, except `Html` (already built this way).
 * Arrays are joined; `undefined`, `null` and `false` render as nothing.
 *
 * @example
 * ```ts
 * import { html } from "./html.ts";
 * const label = "<script>alert(1)</script>";
 * html`<td>${label}</td>`.text; // "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"
 * ```
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  return Html.fromTemplate(strings, values);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === undefined || value === null || value === false) return "";
  return escapeHtml(String(value));
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/**
 * Text made safe for an element's content and for a quoted attribute's value.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./html.ts";
 * escapeHtml(`"a" & <b>`); // "&quot;a&quot; &amp; &lt;b&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ENTITIES[c]);
}
