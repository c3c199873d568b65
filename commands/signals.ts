/**
 * Turns SIGINT/SIGTERM/SIGHUP into an `AbortSignal` for the duration of a wait, so `lib/` can
 * leave queues and barriers cleanly; a second signal stops at once.
 *
 * @module
 */

import { InterruptedError, SIGNAL_NUMBERS } from "../lib/errors.ts";

/** The signals coord turns into a clean stop while waiting, and passes to a child it runs. */
export const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Runs `fn` with a signal that aborts (reason: {@link InterruptedError}) at the first SIGINT,
 * SIGTERM or SIGHUP. A second one exits at once with 128 + its number: the user insists.
 */
export async function withSignals<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const listeners = FORWARDED_SIGNALS.map((name) => {
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
