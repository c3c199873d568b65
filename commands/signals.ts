/**
 * Turns SIGINT/SIGTERM/SIGHUP into an `AbortSignal` for the duration of a wait, so `lib/` can
 * leave queues and barriers cleanly; a second signal stops at once.
 *
 * @module
 */

import { InterruptedError, SIGNAL_NUMBERS } from "../lib/errors.ts";
import { STOP_SIGNALS } from "../lib/stop_signals.ts";

/** The signals `coord lock run` passes to its command: the stop signals. */
export { STOP_SIGNALS as FORWARDED_SIGNALS };

/**
 * Runs `fn` with a signal that aborts (reason: {@link InterruptedError}) at the first SIGINT,
 * SIGTERM or SIGHUP. A second one exits at once with 128 + its number: the user insists.
 */
export async function withSignals<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const listeners = STOP_SIGNALS.map((name) => {
    const listener = () => {
      if (controller.signal.aborted) Deno.exit(128 + SIGNAL_NUMBERS[name]);
      controller.abort(new InterruptedError(name));
    };
    Deno.addSignalListener(name, listener);
    return () => Deno.removeSignalListener(name, listener);
  });
  try {
    return await fn(controller.signal);
  } finally {
    listeners.forEach((remove) => remove());
  }
}
