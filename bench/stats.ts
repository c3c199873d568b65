/**
 * Summaries of latency samples. Percentiles use the nearest-rank method, so every figure
 * reported is a latency that was actually observed, never an interpolation between two.
 *
 * @module
 */

/** A latency summary in microseconds. */
export interface LatencySummary {
  /** How many samples the summary is over. */
  n: number;
  mean_us: number;
  p50_us: number;
  p99_us: number;
  min_us: number;
  max_us: number;
}

/**
 * The sample at percentile `p` (0–100) of `sorted`, which must be sorted ascending.
 *
 * @example
 * ```ts
 * import { percentile } from "./stats.ts";
 * percentile([1, 2, 3, 4], 50); // 2
 * ```
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError("percentile of no samples");
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * Summarises samples given in microseconds, rounded to 0.01 µs.
 *
 * @example
 * ```ts
 * import { summarize } from "./stats.ts";
 * summarize([30, 31, 45]).p50_us; // 31
 * ```
 */
export function summarize(samplesUs: readonly number[]): LatencySummary {
  const sorted = [...samplesUs].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, x) => sum + x, 0) / sorted.length;
  return {
    n: sorted.length,
    mean_us: round2(mean),
    p50_us: round2(percentile(sorted, 50)),
    p99_us: round2(percentile(sorted, 99)),
    min_us: round2(sorted[0]),
    max_us: round2(sorted[sorted.length - 1]),
  };
}

/** Rounds to two decimals: finer than the timer's microsecond resolution says nothing. */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** A summary of figures in milliseconds, rounded to the microsecond. */
export interface MsSummary {
  /** How many samples the summary is over. */
  n: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Summarises samples given in milliseconds; `null` when there are none. By nearest rank, p99
 * of fewer than 100 samples is the largest.
 *
 * @example
 * ```ts
 * import { summarizeMs } from "./stats.ts";
 * summarizeMs([1.5, 0.25, 3])?.p50; // 1.5
 * ```
 */
export function summarizeMs(samplesMs: readonly number[]): MsSummary | null {
  if (samplesMs.length === 0) return null;
  const sorted = samplesMs.toSorted((a, b) => a - b);
  return {
    n: sorted.length,
    p50: round3(percentile(sorted, 50)),
    p99: round3(percentile(sorted, 99)),
    max: round3(sorted[sorted.length - 1]),
  };
}

/** Rounds milliseconds to the microsecond: the finest the clocks here say anything about. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Times `calls` sequential calls of `fn` after `warmup` untimed ones (which let the JIT and
 * the connection settle), one sample per call.
 *
 * @example
 * ```ts
 * import { timeCalls } from "./stats.ts";
 * const summary = await timeCalls(() => Promise.resolve(), { calls: 100, warmup: 10 });
 * ```
 */
export async function timeCalls(
  fn: () => Promise<unknown>,
  { calls, warmup }: { calls: number; warmup: number },
): Promise<LatencySummary> {
  for (let i = 0; i < warmup; i++) await fn();
  const samplesUs = new Array<number>(calls);
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await fn();
    samplesUs[i] = (performance.now() - start) * 1000;
  }
  return summarize(samplesUs);
}

/**
 * Times several calls against each other: `rounds` rounds, each making `calls / rounds`
 * sequential calls of every function in turn, so a burst of load from elsewhere on the
 * machine falls on all of them alike instead of on whichever happened to run then.
 *
 * @example
 * ```ts
 * import { timeCallsInterleaved } from "./stats.ts";
 * const { a, b } = await timeCallsInterleaved(
 *   { a: () => Promise.resolve(), b: () => Promise.resolve(1) },
 *   { calls: 100, warmup: 10, rounds: 5 },
 * );
 * ```
 */
export async function timeCallsInterleaved<K extends string>(
  fns: Record<K, () => Promise<unknown>>,
  { calls, warmup, rounds }: { calls: number; warmup: number; rounds: number },
): Promise<Record<K, LatencySummary>> {
  const names = Object.keys(fns) as K[];
  const samplesUs = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
    K,
    number[]
  >;
  for (const name of names) for (let i = 0; i < warmup; i++) await fns[name]();
  const perRound = Math.ceil(calls / rounds);
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      const fn = fns[name];
      for (let i = 0; i < perRound; i++) {
        const start = performance.now();
        await fn();
        samplesUs[name].push((performance.now() - start) * 1000);
      }
    }
  }
  return Object.fromEntries(names.map((name) => [name, summarize(samplesUs[name])])) as Record<
    K,
    LatencySummary
  >;
}
