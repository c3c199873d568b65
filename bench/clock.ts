/**
 * This host's clock as the benchmarks read it: one wall clock that every process on the host
 * reads alike, so instants taken in different processes compare.
 *
 * `performance.timeOrigin + performance.now()` is no such clock: each process fixes its origin
 * from the wall clock when it starts, then counts on the monotonic clock, and where the two run
 * at different rates (this machine's wall clock ran 0.5 % fast, 5 ms a second) two processes
 * started a second apart disagree by milliseconds: more than a put→start latency. So `now()`
 * reads the wall clock itself (`clock_gettime(CLOCK_REALTIME)` through FFI, ≈ 0.2 µs a call),
 * and only without FFI falls back to the per-process reading.
 *
 * @module
 */

/** Reads CLOCK_REALTIME into two 64-bit words (seconds, nanoseconds); undefined without FFI. */
const realtime = openRealtime();

function openRealtime(): (() => number) | undefined {
  try {
    const libc = Deno.dlopen("libc.so.6", {
      clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
    });
    const CLOCK_REALTIME = 0;
    const spec = new BigInt64Array(2);
    return () => {
      libc.symbols.clock_gettime(CLOCK_REALTIME, spec);
      return Number(spec[0]) * 1_000 + Number(spec[1]) / 1e6;
    };
  } catch {
    return undefined; // no FFI permission, or another libc: each process's own reading
  }
}

/**
 * This host's wall clock in epoch milliseconds, with sub-millisecond precision.
 *
 * @example
 * ```ts
 * import { now } from "./clock.ts";
 * const startAt = now() + 100;
 * ```
 */
export function now(): number {
  return realtime?.() ?? performance.timeOrigin + performance.now();
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
