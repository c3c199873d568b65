/**
 * Writing whole lines at once to stdout or stderr, for output that is read live.
 *
 * @module
 */

import { padColumns, textWidth } from "./text_width.ts";

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
  const shown = rows.map((row) => row.map(printable));
  const widths = shown[0].map((_, i) => Math.max(...shown.map((row) => textWidth(row[i]))));
  for (const row of shown) {
    console.log(row.map((cell, i) => padColumns(cell, widths[i])).join("  ").trimEnd());
  }
}

/**
 * `text` with its control characters escaped (`\x1b`): stored text (a job's error, a name
 * another program wrote) printed as it is could break a line in two, or move the cursor, clear
 * the screen or retitle the window of whoever reads it in a terminal.
 *
 * @example
 * ```ts
 * import { printable } from "./output.ts";
 * printable("boom\x1b[2J"); // "boom\\x1b[2J"
 * ```
 */
export function printable(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
}

/**
 * `word` as a POSIX shell reads it back: as it is when it holds nothing the shell would take
 * apart, else in single quotes — for a command printed for the user to run.
 *
 * @example
 * ```ts
 * import { shellWord } from "./output.ts";
 * shellWord("mail"); // "mail"
 * shellWord("two words"); // "'two words'"
 * ```
 */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
