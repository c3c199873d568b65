/**
 * This host's clock as the benchmarks read it: one wall clock that every process on the host
 * agrees with to about a microsecond, so instants taken in different processes compare.
 *
 * @module
 */

/**
 * This host's wall clock in epoch milliseconds, with sub-millisecond precision, as coord's
 * `localNow()`.
 *
 * @example
 * ```ts
 * import { now } from "./clock.ts";
 * const startAt = now() + 100;
 * ```
 */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Resolves after `ms` (at once when `ms` is not positive).
 *
 * @example
 * ```ts
 * import { now, sleep } from "./clock.ts";
 * const startAt = now() + 100;
 * await sleep(startAt - now()); // then spin the last stretch, as the workers do
 * ```
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
