/**
 * A one-line progress display on stderr, shown only on a terminal and without `--quiet`.
 *
 * @module
 */

const encoder = new TextEncoder();

/** A status line rewritten in place; a no-op when stderr is not a terminal or when quiet. */
export class Progress {
  readonly #enabled: boolean;
  #shown = "";

  constructor(quiet = false) {
    this.#enabled = !quiet && Deno.stderr.isTerminal();
  }

  /** Replaces the line with `text`. */
  show(text: string): void {
    if (!this.#enabled || text === this.#shown) return;
    Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${text}`));
    this.#shown = text;
  }

  /** Removes the line, so what follows starts clean. */
  clear(): void {
    if (!this.#shown) return;
    Deno.stderr.writeSync(encoder.encode("\r\x1b[2K"));
    this.#shown = "";
  }
}
