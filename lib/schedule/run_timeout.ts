/**
 * A run's time limit (a task's `timeout`): a hung run is stopped, and a handler that ignores
 * being stopped no longer holds its task.
 *
 * @module
 */

import { abortion, sleep } from "../time.ts";

/**
 * A run past its timeout whose handler still has not returned this long after its signal
 * aborted is left behind: its outcome is recorded as failed and the task moves on. (A command
 * is killed well within it: SIGTERM, then SIGKILL.)
 */
export const TIMEOUT_ABANDON_MS = 5_000;

/**
 * A run's time limit: aborts the run's signal when it passes, and stops waiting for a handler
 * that ignores its signal {@link TIMEOUT_ABANDON_MS} later.
 */
export class RunTimeout {
  readonly #timeoutMs: number | undefined;
  readonly #timer: ReturnType<typeof setTimeout> | undefined;
  /** Aborts when the wait for the run ends: abandoned, or stopped. */
  readonly #abandon = new AbortController();
  #passed = false;
  #abandoned = false;

  /** Starts the clock of a run whose signal `run` aborts; no limit when `timeoutMs` is undefined. */
  constructor(timeoutMs: number | undefined, run: AbortController) {
    this.#timeoutMs = timeoutMs;
    if (timeoutMs === undefined) return;
    this.#timer = setTimeout(() => {
      this.#passed = true;
      run.abort(new Error(`timed out after ${timeoutMs / 1000} s`));
      sleep(TIMEOUT_ABANDON_MS, this.#abandon.signal).then(() => {
        this.#abandoned = true;
        this.#abandon.abort();
      }, () => {});
    }, timeoutMs);
  }

  /** Whether the run outlived its timeout. */
  get passed(): boolean {
    return this.#passed;
  }

  /** Waits for `run`, but not past {@link TIMEOUT_ABANDON_MS} after the timeout. */
  async bound(run: Promise<void>): Promise<void> {
    if (this.#timer === undefined) return await run;
    const abandoned = abortion(this.#abandon.signal).then(() => {
      if (this.#abandoned) {
        throw new Error(`did not stop within ${TIMEOUT_ABANDON_MS / 1000} s of its signal`);
      }
    });
    await Promise.race([run, abandoned]);
  }

  /** The error a run past its timeout is recorded with, whatever it ended with. */
  failure(error: string | undefined): string {
    return `timed out after ${this.#timeoutMs! / 1000} s` + (error ? ` (${error})` : "");
  }

  /** The run ended: no more timers. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#abandon.abort();
  }
}
