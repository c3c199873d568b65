/**
 * Steering a scheduled task's stored record in tests, to make a tick due when the test is
 * ready for it instead of at a wall-clock instant a busy machine may miss.
 *
 * @module
 */

import type { Backend } from "../../lib/backend/types.ts";
import { until } from "./wait.ts";

/** The start of the current hour, UTC: the tick an hourly task (`1h`, `0 0 * * * *`) is on. */
export function currentHourlyTick(): number {
  return Math.floor(Date.now() / 3_600_000) * 3_600_000;
}

/**
 * Makes an hourly task's next tick due now, once a scheduler has stored its record, by moving
 * the stored `next` back to {@linkcode currentHourlyTick}; returns that tick.
 *
 * @example
 * ```ts ignore
 * app.task({ name: "hourly", interval: "1h" }, handler);
 * await dueNow(backend, "hourly"); // runs now, not at the top of the next hour
 * ```
 */
export async function dueNow(backend: Backend, name: string): Promise<number> {
  let tick = currentHourlyTick();
  await until(async () => {
    const { stored } = await backend.schedule.read(name);
    if (!stored) return false;
    const record = JSON.parse(stored.value);
    record.next = tick = currentHourlyTick();
    const value = JSON.stringify(record);
    return await backend.schedule.write(name, { expect: stored.version, value });
  }, { what: `a stored record of task ${name}` });
  return tick;
}
