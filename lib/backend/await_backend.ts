/**
 * Opening the backend of a long-running command (a worker, a scheduler, a waiter) that starts
 * while its server is briefly away — a restart, a failover, containers started together: it
 * waits for the server, as it would ride out the outage once running, instead of exiting at once.
 *
 * @module
 */

import { BackendUnreachableError } from "../errors.ts";
import { formatDuration } from "../duration.ts";
import { sleep } from "../time.ts";
import type { Backend } from "./types.ts";

/**
 * How long `queue work` and `schedule run` wait at their start for a server that cannot be
 * reached: as long as `queue wait` rides out an outage. Past it they exit 69, so a service
 * manager (systemd's `Restart=`, a container's restart policy) sees a backend that stays away.
 */
export const START_OUTAGE_MS = 60_000;

/** How often an unreachable server is tried again, as a running worker's steps are. */
const RETRY_MS = 1_000;

/** Options of {@link awaitBackend}. */
export interface AwaitBackendOptions {
  /** How long the server may stay unreachable before giving up; 0 tries once. */
  limitMs: number;
  /** Told once, when a first try failed on a server that could not be reached. */
  onUnreachable?: (error: BackendUnreachableError) => void;
  /**
   * Told at each try that failed on a server that could not be reached, the first too, before
   * it is tried again: the cause may change as the server comes up (a name not found yet, then
   * connection refused), and what shows it (a page) shows the latest.
   */
  onRetry?: (error: BackendUnreachableError) => void;
  /**
   * Stops the wait (rejects with its reason), a try under way too: `open` is given it to drop
   * the connections it is making, and a backend it opens after all is closed.
   */
  signal?: AbortSignal;
}

/**
 * `open(signal)`'s backend, tried again every second while its server cannot be reached
 * ({@link BackendUnreachableError}), for up to `limitMs` from the first try. Any other failure
 * (a login refused, a malformed URL, foreign data) is thrown at once: asking again gets the same.
 *
 * @throws {BackendUnreachableError} when the server is still away after `limitMs`, saying how long
 * it was waited for.
 * @example
 * ```ts
 * import { awaitBackend } from "./await_backend.ts";
 * import { connect } from "./connect.ts";
 * await using backend = await awaitBackend(() => connect({ url: "sqlite::memory:" }), {
 *   limitMs: 60_000,
 *   onUnreachable: (e) => console.error(`waiting: ${e.message}`),
 * });
 * ```
 */
export async function awaitBackend(
  open: (signal?: AbortSignal) => Promise<Backend>,
  { limitMs, onUnreachable, onRetry, signal }: AwaitBackendOptions,
): Promise<Backend> {
  const since = performance.now();
  for (let tries = 0;; tries++) {
    try {
      return await unlessAborted(open, signal);
    } catch (e) {
      if (!(e instanceof BackendUnreachableError)) throw e;
      // Each try may have taken up to the connect timeout: the time measured is said.
      const leftMs = limitMs - (performance.now() - since);
      if (leftMs <= 0) {
        if (limitMs === 0) throw e;
        throw new BackendUnreachableError(
          `${e.message} (waited ${formatDuration(performance.now() - since)} for it)`,
          { cause: e },
        );
      }
      onRetry?.(e);
      if (tries === 0) onUnreachable?.(e);
      await sleep(Math.min(RETRY_MS, leftMs), signal);
    }
  }
}

/**
 * `open(signal)`, or `signal`'s reason as soon as it aborts: a try may take up to the connect
 * timeout, which a stop signal must not wait for, whether or not `open` heeds it.
 */
async function unlessAborted(
  open: (signal?: AbortSignal) => Promise<Backend>,
  signal: AbortSignal | undefined,
): Promise<Backend> {
  if (signal === undefined) return await open();
  signal.throwIfAborted();
  const opening = open(signal);
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([opening, aborted]);
  } catch (e) {
    // Not left open behind the caller's back, nor failing unheard.
    if (signal.aborted) opening.then((backend) => backend.close()).catch(() => {});
    throw e;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
