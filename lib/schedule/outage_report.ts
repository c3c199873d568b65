/**
 * A scheduler's backend outages, reported once each: every task loop meets the same outage,
 * and a line per task and per retry (each second) buries what happened — that the backend went
 * away, and when it came back.
 *
 * @module
 */

import { BackendClosedError, BackendUnavailableError, oneLine } from "../errors.ts";
import type { ScheduleEvent } from "./runner.ts";

/**
 * Reports the backend errors of a scheduler's task loops: an outage (a
 * {@link BackendUnavailableError}) once, when a first task meets it, and its end once, when
 * every task that met it has had an answer again; any other error as it comes, per task.
 * Counting tasks rather than answers keeps a Redis Cluster with one master down from saying
 * "back" each time a task on another master answers.
 *
 * @example
 * ```ts
 * import { BackendUnavailableError } from "../errors.ts";
 * import { OutageReport } from "./outage_report.ts";
 * const report = new OutageReport((event) => console.log(event.type));
 * report.failed("a", new BackendUnavailableError("lost redis://h:6379: connection refused"));
 * report.failed("b", new BackendUnavailableError("lost redis://h:6379: connection refused"));
 * report.answered("a");
 * report.answered("b"); // logs: unavailable, available
 * ```
 */
export class OutageReport {
  readonly #emit: (event: ScheduleEvent) => void;
  /** The tasks that met the outage and have not had an answer since. */
  readonly #failing = new Set<string>();
  #since = 0;

  /** Reports to `emit`. */
  constructor(emit: (event: ScheduleEvent) => void) {
    this.#emit = emit;
  }

  /** `task`'s step failed with `error`; the loop retries it. */
  failed(task: string, error: unknown): void {
    // No failure of the task's: the scheduler ends with it (run() rejects with it).
    if (error instanceof BackendClosedError) return;
    if (!(error instanceof BackendUnavailableError)) {
      this.#emit({ type: "error", task, error: oneLine(error) });
      return;
    }
    if (this.#failing.size === 0) {
      this.#since = performance.now();
      this.#emit({ type: "unavailable", task, error: oneLine(error) });
    }
    this.#failing.add(task);
  }

  /** The backend answered a step of `task`'s. */
  answered(task: string): void {
    if (!this.#failing.delete(task) || this.#failing.size > 0) return;
    this.#emit({ type: "available", outageMs: performance.now() - this.#since });
  }

  /** `task`'s loop ended: it waits for no answer any more (no "back" is said for it). */
  forget(task: string): void {
    this.#failing.delete(task);
  }
}
