/**
 * A Prometheus histogram per label value, in seconds, written in the text exposition format.
 *
 * @module
 */

/** Upper bounds of the buckets, in seconds: a lock hand-off to an hour-long hold. */
export const DURATION_BUCKETS_S = [0.001, 0.01, 0.1, 0.5, 1, 5, 30, 60, 300, 1800, 3600];

interface Series {
  /** Count per bucket (not cumulative), then the overflow. */
  counts: number[];
  sumS: number;
}

/**
 * Durations observed per label value.
 *
 * @example
 * ```ts
 * import { Histogram } from "./histogram.ts";
 * const held = new Histogram("coord_lock_held_seconds", "How long each lock was held.", "resource");
 * held.observe("deploy", 1_500);
 * held.lines().includes('coord_lock_held_seconds_count{resource="deploy"} 1'); // true
 * ```
 */
export class Histogram {
  readonly #series = new Map<string, Series>();

  /** `label` names the one label the series are told apart by. */
  constructor(readonly name: string, readonly help: string, readonly label: string) {}

  /** Records one duration (ms; a negative one, from clocks read apart, counts as 0). */
  observe(value: string, durationMs: number): void {
    let series = this.#series.get(value);
    if (!series) {
      series = { counts: new Array(DURATION_BUCKETS_S.length + 1).fill(0), sumS: 0 };
      this.#series.set(value, series);
    }
    const seconds = Math.max(0, durationMs) / 1000;
    const bucket = DURATION_BUCKETS_S.findIndex((bound) => seconds <= bound);
    series.counts[bucket === -1 ? DURATION_BUCKETS_S.length : bucket]++;
    series.sumS += seconds;
  }

  /** The histogram's lines in the exposition format. */
  lines(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [value, { counts, sumS }] of this.#series) {
      const label = `${this.label}=${quoteLabel(value)}`;
      let cumulative = 0;
      DURATION_BUCKETS_S.forEach((bound, i) => {
        cumulative += counts[i];
        lines.push(`${this.name}_bucket{${label},le="${bound}"} ${cumulative}`);
      });
      const total = cumulative + counts[DURATION_BUCKETS_S.length];
      lines.push(`${this.name}_bucket{${label},le="+Inf"} ${total}`);
      lines.push(`${this.name}_sum{${label}} ${sumS}`);
      lines.push(`${this.name}_count{${label}} ${total}`);
    }
    return lines;
  }
}

/**
 * A quoted label value: Prometheus escapes only `\`, `"` and newlines.
 *
 * @example
 * ```ts
 * import { quoteLabel } from "./histogram.ts";
 * quoteLabel('a"b'); // '"a\\"b"'
 * ```
 */
export function quoteLabel(value: string): string {
  return `"${value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`))}"`;
}
