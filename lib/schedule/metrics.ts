/**
 * Per-task counters and a lateness histogram, in Prometheus' text format for `/metrics`.
 *
 * @module
 */

/** Upper bounds of the lateness histogram's buckets, in seconds. */
const LATENESS_BUCKETS_S = [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1, 5, 30];

interface TaskCounters {
  runs: number;
  failures: number;
  lost: number;
  missed: number;
  /** Count per bucket (not cumulative), then the overflow. */
  lateness: number[];
  latenessSumS: number;
}

/** Counts runs, failures, lost leases and lateness (start − tick) per task. */
export class ScheduleMetrics {
  readonly #tasks = new Map<string, TaskCounters>();

  #task(name: string): TaskCounters {
    let counters = this.#tasks.get(name);
    if (!counters) {
      counters = {
        runs: 0,
        failures: 0,
        lost: 0,
        missed: 0,
        lateness: new Array(LATENESS_BUCKETS_S.length + 1).fill(0),
        latenessSumS: 0,
      };
      this.#tasks.set(name, counters);
    }
    return counters;
  }

  /** A run started `latenessMs` after its tick. */
  started(task: string, latenessMs: number): void {
    const counters = this.#task(task);
    const seconds = Math.max(0, latenessMs) / 1000;
    counters.runs++;
    counters.latenessSumS += seconds;
    const bucket = LATENESS_BUCKETS_S.findIndex((bound) => seconds <= bound);
    counters.lateness[bucket === -1 ? LATENESS_BUCKETS_S.length : bucket]++;
  }

  /** A run failed. */
  failed(task: string): void {
    this.#task(task).failures++;
  }

  /** A run's lease was lost to another instance. */
  lost(task: string): void {
    this.#task(task).lost++;
  }

  /** Ticks were skipped without running (a pause, the catch-up policy). */
  missed(task: string, ticks: number): void {
    this.#task(task).missed += ticks;
  }

  /** Everything counted, in Prometheus' text exposition format. */
  text(): string {
    const lines: string[] = [];
    const counter = (name: string, help: string, value: (c: TaskCounters) => number) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [task, c] of this.#tasks) lines.push(`${name}{task=${label(task)}} ${value(c)}`);
    };
    counter("coord_schedule_runs_total", "Runs started by this instance.", (c) => c.runs);
    counter("coord_schedule_failures_total", "Runs that failed.", (c) => c.failures);
    counter("coord_schedule_lost_total", "Runs whose lease was lost.", (c) => c.lost);
    counter("coord_schedule_missed_total", "Ticks skipped without running.", (c) => c.missed);
    const name = "coord_schedule_lateness_seconds";
    lines.push(`# HELP ${name} Start of a run minus its tick.`, `# TYPE ${name} histogram`);
    for (const [task, c] of this.#tasks) {
      let cumulative = 0;
      LATENESS_BUCKETS_S.forEach((bound, i) => {
        cumulative += c.lateness[i];
        lines.push(`${name}_bucket{task=${label(task)},le="${bound}"} ${cumulative}`);
      });
      lines.push(`${name}_bucket{task=${label(task)},le="+Inf"} ${c.runs}`);
      lines.push(`${name}_sum{task=${label(task)}} ${c.latenessSumS}`);
      lines.push(`${name}_count{task=${label(task)}} ${c.runs}`);
    }
    return lines.join("\n") + "\n";
  }
}

/** A quoted label value: Prometheus escapes only `\`, `"` and newlines. */
function label(value: string): string {
  return `"${value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`))}"`;
}
