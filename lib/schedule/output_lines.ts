/**
 * A command task's output, split into the lines the scheduler logs. A line is passed on whole
 * up to a bound: output with no newline for megabytes (a binary, `head -c 40M /dev/zero`, a
 * progress meter's `\r`) was kept and scanned again at every chunk — time growing with its
 * square, the scheduler's event loop held for seconds to minutes, leases lost and ticks run
 * again — and held in memory without end. Past the bound the line is cut, said so, and the
 * rest of it dropped up to its newline.
 *
 * @module
 */

/** The longest line passed on whole, in UTF-16 units. */
export const MAX_LINE_LENGTH = 65_536;

/**
 * Splits text, given a chunk at a time, into lines for `emit`, each cut at `maxLength`.
 *
 * @example
 * ```ts
 * import { OutputLines } from "./output_lines.ts";
 * const lines: string[] = [];
 * const out = new OutputLines((line) => lines.push(line), 4);
 * out.push("ab\ncdefgh");
 * out.push("ij\nk");
 * out.end();
 * lines; // ["ab", "cdef… (cut at 4 characters)", "k"]
 * ```
 */
export class OutputLines {
  readonly #emit: (line: string) => void;
  readonly #maxLength: number;
  /** The line so far, at most `maxLength` long. */
  #line = "";
  /** Whether the line went past `maxLength`: what follows, up to its newline, is dropped. */
  #cut = false;

  constructor(emit: (line: string) => void, maxLength = MAX_LINE_LENGTH) {
    this.#emit = emit;
    this.#maxLength = maxLength;
  }

  /** Takes the next chunk of text: emits each line it ends. */
  push(text: string): void {
    let start = 0;
    for (let newline = text.indexOf("\n"); newline >= 0; newline = text.indexOf("\n", start)) {
      this.#add(text.slice(start, newline));
      this.#endLine();
      start = newline + 1;
    }
    this.#add(text.slice(start));
  }

  /** The output ended: emits its last line, when it had no newline. */
  end(): void {
    if (this.#line !== "" || this.#cut) this.#endLine();
  }

  #add(part: string): void {
    if (this.#cut || part === "") return;
    const room = this.#maxLength - this.#line.length;
    if (part.length <= room) {
      this.#line += part;
      return;
    }
    // Not between the two halves of a surrogate pair (an emoji): a lone half shows as U+FFFD.
    const end = /[\ud800-\udbff]/.test(part[room - 1] ?? "") ? room - 1 : room;
    this.#line += part.slice(0, end);
    this.#cut = true;
  }

  #endLine(): void {
    this.#emit(this.#cut ? `${this.#line}… (cut at ${this.#maxLength} characters)` : this.#line);
    this.#line = "";
    this.#cut = false;
  }
}
