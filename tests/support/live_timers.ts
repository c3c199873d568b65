/**
 * Counts the timers a piece of code keeps: a queue worker makes a lease keeper per job, so each
 * timer more is a cost per job.
 *
 * @module
 */

/**
 * Runs `fn` with `setTimeout` and `clearTimeout` watched; `live()` says how many timers are set
 * and not yet fired or cleared, `made()` how many were set in all.
 *
 * @example
 * ```ts
 * import { countingTimers } from "./live_timers.ts";
 * await countingTimers(async (live) => {
 *   const id = setTimeout(() => {}, 1_000);
 *   console.log(live()); // 1
 *   clearTimeout(id);
 * });
 * ```
 */
export async function countingTimers(
  fn: (live: () => number, made: () => number) => Promise<void>,
): Promise<void> {
  const live = new Set<unknown>();
  let made = 0;
  const { setTimeout: set, clearTimeout: clear } = globalThis;
  const timers = globalThis as unknown as Record<"setTimeout" | "clearTimeout", unknown>;
  timers.setTimeout = (fn: () => void, ms?: number) => {
    const id = set(() => (live.delete(id), fn()), ms);
    live.add(id);
    made++;
    return id;
  };
  timers.clearTimeout = (id?: ReturnType<typeof set>) => (live.delete(id), clear(id));
  try {
    await fn(() => live.size, () => made);
  } finally {
    timers.setTimeout = set;
    timers.clearTimeout = clear;
  }
}
