/**
 * How far this host's clock is from the backend's: anything that must happen at one instant
 * on several hosts is agreed in the backend's clock and converted with this offset, so hosts'
 * clocks are never compared with each other.
 *
 * @module
 */

import { localNow } from "./time.ts";

/** The estimate {@link estimateClockOffset} gives. */
export interface ClockOffset {
  /** backend clock − local clock, in ms: a backend instant `t` is local `t - offsetMs`. */
  offsetMs: number;
  /** Round trip of the sample the estimate came from (its error is at most half of it). */
  rttMs: number;
}

/** Options of {@link estimateClockOffset}. */
export interface ClockOffsetOptions {
  /** How many clock readings to take; default 5. */
  samples?: number;
}

/**
 * Estimates the offset from the lowest-round-trip of a few readings of the backend's clock,
 * assuming the reading happened half way through that round trip (as NTP does).
 *
 * @example
 * ```ts
 * import { estimateClockOffset } from "./clock.ts";
 * const clock = { now: () => Promise.resolve(Date.now() + 250) };
 * const { offsetMs } = await estimateClockOffset(clock); // ≈ 250
 * ```
 */
export async function estimateClockOffset(
  backend: { now(): Promise<number> },
  { samples = 5 }: ClockOffsetOptions = {},
): Promise<ClockOffset> {
  let best: ClockOffset | undefined;
  for (let i = 0; i < Math.max(1, samples); i++) {
    const sent = localNow();
    const remote = await backend.now();
    const received = localNow();
    const rttMs = received - sent;
    if (!best || rttMs < best.rttMs) best = { offsetMs: remote - (sent + received) / 2, rttMs };
  }
  return best!;
}
