/**
 * The backend of a long-running command (`queue work`, `schedule run`, `queue wait`, a lock or
 * barrier waiter), waited for at its start as the command rides out an outage once running.
 *
 * @module
 */

import { awaitBackend, START_OUTAGE_MS } from "../lib/backend/await_backend.ts";
import type { Backend } from "../lib/backend/types.ts";
import { BackendLockedError, BackendUnreachableError, oneLine } from "../lib/errors.ts";
import { openBackend } from "./flags.ts";
import { writeLine } from "./output.ts";
import { errorLine, outageLine } from "./report.ts";

/**
 * A waiter's own deadline (`--wait`, `--timeout`), which its start-up wait for the backend counts
 * toward: the command gives up at it whatever the backend does.
 */
export interface StartDeadline {
  /** The command's start, a `performance.now()` instant, which its deadline counts from. */
  startedAt: number;
  /** Its `--wait`/`--timeout` as given: the wait says it, not what is left of it as measured. */
  timeoutMs: number;
  /**
   * What the command gives up with when the deadline comes before the server answers: what it
   * says when the deadline comes in an outage later (exit 75), not that the backend stayed away
   * too long (exit 69).
   */
  timedOut: (cause: BackendUnreachableError) => Error;
}

/**
 * Why a deadline came before the backend was had, for the message of a `timedOut`: a file held
 * locked is no outage, and is not called one.
 *
 * @example
 * ```ts
 * import { notHadBecause } from "./open_waiting.ts";
 * import { BackendUnreachableError } from "../lib/errors.ts";
 * notHadBecause(new BackendUnreachableError("cannot reach redis://h:6379: connection refused"));
 * // "the backend did not answer (cannot reach redis://h:6379: connection refused)"
 * ```
 */
export function notHadBecause(cause: BackendUnreachableError): string {
  const why = cause instanceof BackendLockedError
    ? "the file stayed locked"
    : "the backend did not answer";
  return `${why} (${cause.message})`;
}

/** How a command opens its backend (see `openBackend`), and who else is told it waits. */
export type WaitingOptions = Parameters<typeof openBackend>[2] & {
  /**
   * Told at each try that failed on a server that could not be reached, before it is tried
   * again (the line on stderr is said at the first only): the latest cause, for a page that shows
   * it.
   */
  onRetry?: (error: BackendUnreachableError) => void;
};

/**
 * Opens the backend the flags name; a server that cannot be reached (a restart, containers
 * started together) is tried again every second for up to `limitMs`, and no later than the
 * deadline, saying so on stderr as the running command says an outage (unless `quiet`), and
 * when it answers. One-shot commands call `openBackend`, and fail at once: a script wants their
 * answer now. A SQLite file another process holds locked answers: it is waited for (see
 * `openBackend`) until the deadline (a second at least, so that `-n` rides out another coord's
 * opening of a new file), not the outage limit.
 *
 * @throws {BackendUnreachableError} when the server is still away after `limitMs` (exit 69), or
 * at once when a deadline has no time left (`--wait 0` tries once).
 * @throws `deadline.timedOut(cause)` when the deadline came first.
 * @throws `signal`'s reason when it aborts first (the command's stop signals, installed before
 * it is called: a signal must find the command with a handler from its start).
 * @example
 * ```ts
 * import { openBackendWaiting } from "./open_waiting.ts";
 * import { LockTimeoutError } from "../lib/errors.ts";
 * await using backend = await openBackendWaiting("lock", { url: "sqlite::memory:" }, {
 *   limitMs: 10_000,
 *   deadline: {
 *     startedAt: performance.now(),
 *     timeoutMs: 5_000,
 *     timedOut: (cause) => new LockTimeoutError(`not granted within 5 s (${cause.message})`),
 *   },
 * });
 * ```
 */
export async function openBackendWaiting(
  command: string,
  values: Parameters<typeof openBackend>[1],
  { limitMs, deadline, quiet = false, signal, onRetry, ...opening }:
    & WaitingOptions
    & { limitMs: number; deadline?: StartDeadline; quiet?: boolean; signal?: AbortSignal },
): Promise<Backend> {
  const startedAt = performance.now();
  const leftMs = deadline === undefined
    ? Infinity
    : Math.max(0, deadline.startedAt + deadline.timeoutMs - startedAt);
  const waitMs = Math.min(limitMs, leftMs);
  // Said as the user gave it (`--wait 1`: "for up to 1 s"), not as what is left of it by now,
  // counted from the command's start ("999 ms").
  const saidMs = Math.min(limitMs, deadline?.timeoutMs ?? Infinity);
  let waited = false;
  let backend: Backend;
  try {
    const lockedWaitMs = deadline === undefined ? undefined : leftMs;
    const open = (signal?: AbortSignal) =>
      openBackend(command, values, { ...opening, signal, lockedWaitMs });
    backend = await awaitBackend(open, {
      limitMs: waitMs,
      signal,
      onUnreachable: (e) => {
        waited = true;
        say(outageLine({ type: "unavailable", error: oneLine(e), limitMs: saidMs }), quiet);
      },
      onRetry,
    });
  } catch (e) {
    // A deadline with no time left tried once, as a one-shot command does: nothing was waited
    // for, and a script's `-n -E 0` must not take a backend that is down for a lock held. The
    // deadline ended the wait when it came before the outage limit, or (a file locked past the
    // limit) when it has passed.
    const deadlineCame = deadline !== undefined && leftMs > 0 &&
      (leftMs < limitMs || performance.now() >= deadline.startedAt + deadline.timeoutMs);
    if (e instanceof BackendUnreachableError && deadlineCame) {
      throw deadline!.timedOut(e.cause instanceof BackendUnreachableError ? e.cause : e);
    }
    throw e;
  }
  if (waited) {
    say(outageLine({ type: "available", outageMs: performance.now() - startedAt }), quiet);
  }
  return backend;
}

/** As every error line is: the URL and the cause quoted may hold a password or an escape. */
function say(line: string, quiet: boolean): void {
  if (!quiet) writeLine(errorLine(line), Deno.stderr);
}

/**
 * The backend of a command that runs until stopped — a service (`queue work`, `schedule run`) or
 * a console started beside them (`turn follow`, `ui`) — waited for at its start for up to
 * START_OUTAGE_MS (see {@link openBackendWaiting}); undefined when `stop` (the command's stop
 * signals) aborted first, which ends the command as a stop ends it once running (exit 0), not by
 * the signal's default action.
 *
 * @example
 * ```ts
 * import { openServiceBackend } from "./open_waiting.ts";
 * const stop = new AbortController().signal;
 * await using backend = await openServiceBackend("ui", { url: "sqlite::memory:" }, stop, {
 *   create: false,
 * });
 * ```
 */
export async function openServiceBackend(
  command: string,
  values: Parameters<typeof openBackend>[1],
  stop: AbortSignal,
  opening: WaitingOptions = {},
): Promise<Backend | undefined> {
  try {
    return await openBackendWaiting(command, values, {
      limitMs: START_OUTAGE_MS,
      signal: stop,
      ...opening,
    });
  } catch (e) {
    if (stop.aborted && e === stop.reason) return undefined;
    throw e;
  }
}
