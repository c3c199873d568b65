/**
 * A running job's progress: what a handler reports with `ctx.progress(value)` and a command job
 * with `::progress <json>` lines on its stderr, written to the backend at most once per
 * {@link PROGRESS_INTERVAL_MS} so a chatty job cannot flood it (the latest value wins, and the
 * last one is written before the job finishes).
 *
 * @module
 */

import { oversize } from "./limits.ts";
import { BackendUnavailableError } from "../errors.ts";

/** A job's progress is written to the backend at most this often. */
export const PROGRESS_INTERVAL_MS = 250;

/** What starts a command job's stderr line that reports progress: `::progress {"done":4}`. */
export const PROGRESS_PREFIX = "::progress ";

/**
 * One job's progress reports, throttled: the first is written at once, later ones at most one per
 * `intervalMs`, each the latest reported by then. Writes happen one after another, in order.
 *
 * @example
 * ```ts
 * import { ProgressReporter } from "./progress.ts";
 * const written: string[] = [];
 * const reporter = new ProgressReporter(async (json) => void written.push(json));
 * for (let done = 1; done <= 100; done++) reporter.report({ done, of: 100 });
 * await reporter.close();
 * written.at(-1); // '{"done":100,"of":100}'
 * ```
 */
export class ProgressReporter {
  readonly #write: (json: string) => Promise<unknown>;
  readonly #intervalMs: number;
  /** The latest value not written yet (a new one, or one whose write failed), numbered. */
  #latest?: { json: string; seq: number };
  /** The number of the last value reported: a failed write gives way to any later one. */
  #seq = 0;
  /** The last write failed because the backend was unavailable (a restart, a failover). */
  #unavailable = false;
  #timer?: ReturnType<typeof setTimeout>;
  #lastWriteAt = -Infinity;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  /**
   * `write` stores one value (JSON text). A write that fails keeps its value for the next one
   * (a later report's, or {@link close}'s), unless a newer value came meanwhile.
   */
  constructor(write: (json: string) => Promise<unknown>, intervalMs = PROGRESS_INTERVAL_MS) {
    this.#write = write;
    this.#intervalMs = intervalMs;
  }

  /**
   * Records `value` (JSON; undefined is null) as the job's progress.
   *
   * @throws {TypeError} when it cannot be JSON (a BigInt, a cycle).
   * @throws {RangeError} when it takes more than `MAX_JOB_BYTES` as JSON.
   */
  report(value: unknown): void {
    if (this.#closed) return;
    const json = JSON.stringify(value ?? null);
    const over = oversize("the progress value", json);
    if (over !== undefined) throw new RangeError(over);
    this.#latest = { json, seq: ++this.#seq };
    this.#schedule();
  }

  /**
   * Writes the value still unwritten (also one whose write failed), waits for the writes under
   * way, and takes no more. While the backend is unavailable, it tries again for up to
   * `retryForMs` (default 0: once more), so the last value survives a short outage.
   */
  async close({ retryForMs = 0 }: { retryForMs?: number } = {}): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#send();
    await this.#writing;
    // The write under way when close began may have failed after its value was sent again.
    this.#send();
    await this.#writing;
    const deadline = performance.now() + retryForMs;
    for (let pauseMs = 100; this.#latest !== undefined && this.#unavailable; pauseMs *= 2) {
      const leftMs = deadline - performance.now();
      if (leftMs <= 0) break;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pauseMs, 1_000, leftMs)));
      this.#send();
      await this.#writing;
    }
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed) return;
    const waitMs = Math.max(0, this.#lastWriteAt + this.#intervalMs - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#send();
    }, waitMs);
  }

  #send(): void {
    const sent = this.#latest;
    if (sent === undefined) return;
    this.#latest = undefined;
    this.#lastWriteAt = performance.now();
    this.#writing = this.#writing.then(() => this.#write(sent.json)).then(() => {
      this.#unavailable = false;
    }, (e) => {
      // Dropping it lost a job's last progress when the backend was away as it was written
      // (a job ended at 250 of 1500): it is written next, unless a newer value was reported
      // since — also one already sent, queued behind this write, which it must not follow.
      this.#unavailable = e instanceof BackendUnavailableError;
      if (sent.seq === this.#seq) {
        this.#latest = sent;
        this.#schedule();
      }
    });
  }
}

/**
 * A filter for a command job's stderr: each line `::progress <json>` goes to `report` and is
 * taken out; every other line (and a `::progress` line whose rest is not JSON) passes through.
 *
 * @example
 * ```ts
 * import { progressLines } from "./progress.ts";
 * const values: unknown[] = [];
 * const stderr = new Blob(['::progress {"done":1}\noops\n']).stream()
 *   .pipeThrough(progressLines((value) => values.push(value)));
 * await new Response(stderr).text(); // "oops\n"
 * ```
 */
export function progressLines(
  report: (value: unknown) => void,
): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let partial = "";
  /** Whether `line` reported progress (and is to be taken out). */
  const consumed = (line: string) => {
    if (!line.startsWith(PROGRESS_PREFIX)) return false;
    let value: unknown;
    try {
      value = JSON.parse(line.slice(PROGRESS_PREFIX.length));
    } catch {
      return false;
    }
    report(value);
    return true;
  };
  return new TransformStream({
    transform(chunk, controller) {
      const lines = (partial + decoder.decode(chunk, { stream: true })).split("\n");
      partial = lines.pop()!;
      let kept = lines.filter((line) => !consumed(line.replace(/\r$/, "")))
        .map((line) => `${line}\n`).join("");
      // A line that never ends is no progress report (nor is one of 64 KiB): it passes on
      // instead of filling memory, and of being split again at every chunk.
      if (partial.length > 65_536) {
        kept += partial;
        partial = "";
      }
      if (kept !== "") controller.enqueue(encoder.encode(kept));
    },
    flush(controller) {
      const rest = partial + decoder.decode();
      if (rest !== "" && !consumed(rest)) controller.enqueue(encoder.encode(rest));
    },
  });
}
