/**
 * How many terminal columns text takes: a table pads its cells by this, not by UTF-16 units, or
 * a name in Chinese, Japanese or Korean (two columns a character), an emoji, or a letter with a
 * combining accent (none) shifts every column after it.
 *
 * @module
 */

/** Characters a terminal draws two columns wide: East Asian Wide and Fullwidth, and emoji. */
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}\p{Emoji_Presentation}]/u;
/**
 * What a terminal draws as one: a character with its marks, a joined or flag emoji. Made at the
 * first text that is not ASCII: making one loads ICU's break rules, 16–19 ms of every start of a
 * `queue`, `schedule` or `turn` command otherwise.
 */
let graphemes: Intl.Segmenter | undefined;
/** Characters drawn on the one before them, or not at all. */
const ZERO = /[\p{Mn}\p{Me}\u200b-\u200f\u2060\ufeff]/u;

/**
 * The columns `text` takes in a terminal.
 *
 * @example
 * ```ts
 * import { textWidth } from "./text_width.ts";
 * textWidth("queue"); // 5
 * textWidth("報告"); // 4
 * ```
 */
export function textWidth(text: string): number {
  // ASCII, the common case, is one column a character.
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = 0;
  // A terminal draws a grapheme (a family emoji joined by ZWJ, a flag, a letter with its accents)
  // as one: two columns when a character of it is wide, else one, or none when all are marks.
  graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  for (const { segment } of graphemes.segment(text)) {
    let columns = 0;
    for (const c of segment) {
      if (WIDE.test(c)) columns = 2;
      else if (!ZERO.test(c)) columns ||= 1;
    }
    width += columns;
  }
  return width;
}

/** `text` followed by spaces up to `width` columns (as it is when it is that wide already). */
export function padColumns(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - textWidth(text)));
}
