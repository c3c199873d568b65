/**
 * Writing whole lines at once to stdout or stderr, for output that is read live.
 *
 * @module
 */

import { padColumns, textWidth } from "./text_width.ts";
import { BIDI_CONTROLS } from "../lib/backend/keys.ts";

const encoder = new TextEncoder();

/**
 * Writes one line to `stream` at once (a console is read live, e.g. through grep); false when
 * the reader is gone (`coord turn follow | head -3`), where console.log would go on silently.
 */
export function writeLine(line: string, stream: typeof Deno.stdout = Deno.stdout): boolean {
  let bytes = encoder.encode(`${line}\n`);
  try {
    while (bytes.length > 0) bytes = bytes.subarray(stream.writeSync(bytes));
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.BrokenPipe) return false;
    throw error;
  }
}

/**
 * Prints rows as columns two spaces apart, each as wide in a terminal as its widest cell (the
 * first row heads); each cell {@link printable}.
 */
export function printTable(rows: string[][]): void {
  const shown = rows.map((row) => row.map((cell) => printable(cell)));
  const widths = shown[0].map((_, i) => Math.max(...shown.map((row) => textWidth(row[i]))));
  for (const row of shown) {
    console.log(row.map((cell, i) => padColumns(cell, widths[i])).join("  ").trimEnd());
  }
}

// C0 and C1 controls and DEL, the invisible characters that reorder the text around them in a
// terminal (Trojan Source), and the line and paragraph separators, which end a line for a
// JavaScript or JSON reader of the output (a one-line message would read as two).
const UNPRINTABLE_CHARS = String.raw`\u0000-\u001f\u007f-\u009f${BIDI_CONTROLS}\u2028\u2029`;
const UNPRINTABLE = new RegExp(`[${UNPRINTABLE_CHARS}]`, "g");
const UNPRINTABLE_OR_BACKSLASH = new RegExp(`[${UNPRINTABLE_CHARS}\\\\]`, "g");

/** Options of {@link printable}. */
export interface PrintableOptions {
  /**
   * Whether `\` is escaped as `\\`, so that stored text spelling `\x1b` reads apart from an
   * escaped ESC. Off for text that quotes its values in JSON, as coord's error messages do,
   * whose `\"` and `\\` a second escape would double.
   *
   * @default {true}
   */
  backslash?: boolean;
}

/**
 * `text` with its control characters escaped (`\x1b`), its bidi controls too (`\u{202e}`) and
 * its backslashes doubled: stored text (a job's error, a name another program wrote) printed as
 * it is could break a line in two, or move the cursor, clear the screen, retitle the window or
 * reorder the line of whoever reads it in a terminal; and with `\` escaped, what is shown reads
 * back one way only.
 *
 * @example
 * ```ts
 * import { printable } from "./output.ts";
 * printable("boom\x1b[2J"); // "boom\\x1b[2J"
 * printable("boom\\x1b"); // "boom\\\\x1b"
 * printable("abc\u202edef"); // "abc\\u{202e}def"
 * ```
 */
export function printable(text: string, { backslash = true }: PrintableOptions = {}): string {
  return text.replace(backslash ? UNPRINTABLE_OR_BACKSLASH : UNPRINTABLE, (c) => {
    if (c === "\\") return "\\\\";
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}

/**
 * `value` as JSON a terminal shows as it is: JSON already escapes `\`, `"` and C0 controls;
 * what it leaves raw (DEL, C1 controls, bidi controls) is escaped as JSON does it (`\u202e`),
 * so the line is still JSON.
 *
 * @example
 * ```ts
 * import { printableJson } from "./output.ts";
 * printableJson('say "hi"\u202e'); // '"say \\"hi\\"\\u202e"'
 * ```
 */
export function printableJson(value: unknown): string {
  // undefined (or a function) has no JSON: shown as JavaScript spells it.
  return (JSON.stringify(value) ?? String(value)).replace(
    UNPRINTABLE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

export { shellWord } from "../lib/shell_word.ts";
