/**
 * The two-step stop of long-running coord processes (a scheduler, a queue worker): the first
 * SIGINT, SIGTERM or SIGHUP asks for a graceful stop, a second one for a stop by force.
 *
 * @module
 */

import { SIGNAL_NUMBERS } from "./errors.ts";

/**
 * The signals that stop coord, the one list: a long-running process stops on them (see
 * {@link StopSignals}), a wait is left cleanly, and `coord lock run` passes them to its command.
 */
export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** Listens for stop signals until disposed. */
export class StopSignals implements Disposable {
  readonly #stop = new AbortController();
  readonly #force = new AbortController();
  #first: (typeof STOP_SIGNALS)[number] | undefined;
  readonly #removers: (() => void)[];

  /** Starts listening. */
  constructor() {
    this.#removers = STOP_SIGNALS.map((name) => {
      const listener = () => {
        // The reason is what a run that rethrows its aborted signal is cut short with.
        if (this.#first) this.#force.abort(new Error(`a second ${name} stopped it by force`));
        this.#first ??= name;
        this.#stop.abort();
      };
      Deno.addSignalListener(name, listener);
      return () => Deno.removeSignalListener(name, listener);
    });
  }

  /** Aborts at the first signal: stop taking work, let running work finish. */
  get stop(): AbortSignal {
    return this.#stop.signal;
  }

  /** Aborts at the second signal: stop running work now. */
  get force(): AbortSignal {
    return this.#force.signal;
  }

  /**
   * The exit code after the stop: 0 when running work ended in time, else 128 + the first
   * signal's number (SIGTERM's when work was cut short by a grace period, without a signal).
   */
  exitCode(cutShort: number): number {
    return cutShort > 0 || this.#force.signal.aborted
      ? 128 + SIGNAL_NUMBERS[this.#first ?? "SIGTERM"]
      : 0;
  }

  /** Stops listening. */
  [Symbol.dispose](): void {
    this.#removers.forEach((remove) => remove());
  }
}
