/**
 * A long-running process's backend outages, reported once each: every loop (a scheduler's
 * tasks, a worker's queues) meets the same outage, and a line per loop and per retry (each
 * second) buries what happened — that the backend went away, and when it came back.
 *
 * @module
 */

import { BackendUnavailableError, isUnrecoverable, oneLine, sourcedLine } from "./errors.ts";

/** The same error of one source is said again only after this long (see `failed`). */
const REPEAT_AFTER_MS = 60_000;

/** What an {@link OutageReport} says. */
export type OutageEvent =
  /** The backend became unavailable, as `source` found first. */
  | { type: "unavailable"; source: string; error: string }
  /** The backend answers again, every source that met the outage included, after `outageMs`. */
  | { type: "available"; outageMs: number }
  /** `source`'s step failed otherwise than by an outage; `error` says which source it was. */
  | { type: "error"; source: string; error: string };

/**
 * Reports the backend errors of a process's loops: an outage (a
 * {@link BackendUnavailableError}) once, when a first source meets it, and its end once, when
 * every source that met it has had an answer again; any other error as it comes, per source.
 * Counting sources rather than answers keeps a Redis Cluster with one master down from saying
 * "back" each time a source on another master answers.
 *
 * @example
 * ```ts
 * import { BackendUnavailableError } from "./errors.ts";
 * import { OutageReport } from "./outage_report.ts";
 * const report = new OutageReport((event) => console.log(event.type));
 * report.failed("a", new BackendUnavailableError("lost redis://h:6379: connection refused"));
 * report.failed("b", new BackendUnavailableError("lost redis://h:6379: connection refused"));
 * report.answered("a");
 * report.answered("b"); // logs: unavailable, available
 * ```
 */
export class OutageReport {
  readonly #emit: (event: OutageEvent) => void;
  readonly #describe: (source: string) => string;
  /** The sources that met the outage and have not had an answer since. */
  readonly #failing = new Set<string>();
  /** The error each source last said, and when. */
  readonly #said = new Map<string, { line: string; at: number }>();
  #since = 0;

  /** Reports to `emit`; an error's line names its source as `describe` says (`queue q`). */
  constructor(
    emit: (event: OutageEvent) => void,
    describe: (source: string) => string = (source) => source,
  ) {
    this.#emit = emit;
    this.#describe = describe;
  }

  /**
   * `source`'s step failed with `error`; its loop retries it. `sentAt` (`performance.now()`)
   * is when the step was sent: an outage it opens is timed from there, since a step may fail
   * only after a connect timeout, or after waiting for a connection, well into the outage.
   */
  failed(source: string, error: unknown, sentAt: number = performance.now()): void {
    // No failure of the source's: the process ends with it (its loop rethrows it).
    if (isUnrecoverable(error)) return;
    if (!(error instanceof BackendUnavailableError)) {
      // Foreign data under one name is met again on every retry, a second apart: the same
      // line is said at most once a minute.
      const line = sourcedLine(this.#describe(source), error);
      const said = this.#said.get(source);
      if (said?.line === line && performance.now() - said.at < REPEAT_AFTER_MS) return;
      this.#said.set(source, { line, at: performance.now() });
      this.#emit({ type: "error", source, error: line });
      return;
    }
    if (this.#failing.size === 0) {
      this.#since = sentAt;
      this.#emit({ type: "unavailable", source, error: oneLine(error) });
    }
    this.#failing.add(source);
  }

  /** The backend answered a step of `source`'s. */
  answered(source: string): void {
    if (!this.#failing.delete(source) || this.#failing.size > 0) return;
    this.#emit({ type: "available", outageMs: performance.now() - this.#since });
  }

  /** `source`'s loop ended: it waits for no answer any more (no "back" is said for it). */
  forget(source: string): void {
    this.#said.delete(source);
    this.#failing.delete(source);
  }
}
