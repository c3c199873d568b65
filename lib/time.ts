/**
 * Local time helpers: a precise wall clock and an abortable sleep.
 *
 * @module
 */

import { MAX_DURATION_MS } from "./duration.ts";

/**
 * This host's wall clock in epoch milliseconds with sub-millisecond precision
 * (`Date.now()` has whole milliseconds only).
 *
 * @example
 * ```ts
 * import { localNow } from "./time.ts";
 * const t = localNow(); // e.g. 1763885527123.417
 * ```
 */
export function localNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Resolves after `ms` milliseconds, or early when `wake` resolves.
 *
 * @throws the signal's reason when `signal` aborts first.
 * @example
 * ```ts
 * import { sleep } from "./time.ts";
 * await sleep(10);
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal, wake?: Promise<unknown>): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve();
    };
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
    wake?.then(done, done);
  });
}

/** The last stretch before an instant is spun rather than slept: timers fire ±1 ms late. */
const SPIN_MS = 2;

/**
 * Resolves at a local wall-clock instant (epoch ms), within a fraction of a millisecond:
 * a timer for the coarse part, then a short spin.
 *
 * @throws the signal's reason when `signal` aborts first.
 * @example
 * ```ts
 * import { localNow, sleepUntil } from "./time.ts";
 * await sleepUntil(localNow() + 5);
 * ```
 */
export async function sleepUntil(instant: number, signal?: AbortSignal): Promise<void> {
  // Timers longer than 2^31-1 ms fire at once: sleep in chunks.
  for (let coarseMs; (coarseMs = instant - localNow() - SPIN_MS) > 0;) {
    await sleep(Math.min(coarseMs, MAX_DURATION_MS), signal);
  }
  while (localNow() < instant) {
    // spin
  }
}

/**
 * Resolves when `signal` aborts (at once if it has).
 *
 * @example
 * ```ts
 * import { abortion } from "./time.ts";
 * await abortion(AbortSignal.timeout(1));
 * ```
 */
export function abortion(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/**
 * An ISO 8601 time as epoch ms, or `NaN` when it is none or names a day its month has not
 * (`Date.parse` takes 2027-02-30 for March 2nd).
 *
 * @example
 * ```ts
 * import { parseInstant } from "./time.ts";
 * parseInstant("2027-01-02T03:04:05Z"); // 1798859045000
 * parseInstant("2027-02-30"); // NaN
 * ```
 */
export function parseInstant(text: string): number {
  const instant = Date.parse(text);
  const date = /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!Number.isFinite(instant) || !date) return NaN;
  const [year, month, day] = date.slice(1).map(Number);
  // Day 0 of the next month is the last of this one.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth ? instant : NaN;
}
