/**
 * Counting the ticks a downtime left behind, one by one (a cron expression has no arithmetic
 * for it): bounded, and giving the event loop back as it goes, so a per-second task down for
 * a day holds up neither the scheduler's other tasks nor their lease renewals.
 *
 * @module
 */

import type { Timing } from "./timing.ts";

/** Ticks are counted one by one up to this many (a per-second task down for 2¾ hours). */
export const TICK_WALK_LIMIT = 10_000;
/** The walk lets other work run after this many ticks (≈ 2 ms in UTC, 10 in a named zone). */
const TICKS_PER_TURN = 250;

/** What {@link walkTicks} found. */
export interface TickWalk {
  /** The ticks walked that `counts` took. */
  counted: number;
  /** The first tick not walked (`undefined`: the timing has no more). */
  next: number | undefined;
  /** Whether the limit stopped the walk before `within` did. */
  cut: boolean;
}

/**
 * Walks `timing`'s ticks from `from` while `within` holds, at most {@link TICK_WALK_LIMIT}.
 *
 * @example
 * ```ts ignore
 * const { counted, cut } = await walkTicks(timing, record.next, (tick) => tick <= now);
 * ```
 */
export async function walkTicks(
  timing: Timing,
  from: number | undefined,
  within: (tick: number) => boolean,
  counts: (tick: number) => boolean = () => true,
): Promise<TickWalk> {
  let counted = 0;
  let tick = from;
  for (let walked = 0; tick !== undefined && within(tick); walked++) {
    if (walked === TICK_WALK_LIMIT) return { counted, next: tick, cut: true };
    if (walked > 0 && walked % TICKS_PER_TURN === 0) await turn();
    if (counts(tick)) counted++;
    tick = timing.next(tick);
  }
  return { counted, next: tick, cut: false };
}

/** One turn of the event loop: timers and I/O due meanwhile run first. */
function turn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
