/**
 * How long jobs ran and waited, for `/metrics`: each time the backend may have changed, the
 * console walks every queue's finished lists (newest first) down to the newest job it has
 * already seen, so it sees each job finish once, with the times the backend stamped on it.
 * Memory is bounded: fixed buckets per queue and the ids finished at one instant per list.
 *
 * @module
 */

import type { Backend } from "../../lib/backend/types.ts";
import { queueCounts } from "../../lib/queue/queue.ts";
import { sleep } from "../../lib/time.ts";
import type { Pulse } from "./changes.ts";
import { finishedSince, THROUGHPUT_STATES } from "./finished.ts";
import { Histogram } from "./histogram.ts";

/** Between two walks, so a busy queue does not cost a walk per event. */
const MIN_WALK_GAP_MS = 1_000;

/** Where a walk down one finished list stopped: the newest finish seen, and who finished then. */
interface Mark {
  atMs: number;
  ids: Set<string>;
}

/** Durations and waits of the jobs finished since the console started. */
export class JobTimings {
  readonly duration = new Histogram(
    "coord_queue_job_duration_seconds",
    "From the start of a job's last attempt to its end, for jobs finished while the console runs.",
    "queue",
  );
  readonly wait = new Histogram(
    "coord_queue_job_wait_seconds",
    "From a job being ready to the start of its last attempt, for jobs finished while the console runs.",
    "queue",
  );
  /** By queue and state. */
  readonly #marks = new Map<string, Mark>();
  /** Backend time the console started at: jobs finished earlier are not counted. */
  #startMs = Infinity;

  /** Walks the finished lists each time `pulse` fires, until `signal` aborts. */
  async follow(backend: Backend, pulse: Pulse, signal: AbortSignal): Promise<void> {
    // Out at start: this host's clock is the best guess of where "since the start" begins.
    this.#startMs = await backend.now().catch(() => Date.now());
    (async () => {
      while (!signal.aborted) {
        const seen = pulse.count;
        // An outage or a foreign job only delays the figures: the next walk picks them up.
        await this.walk(backend).catch(() => {});
        await sleep(MIN_WALK_GAP_MS, signal).catch(() => {});
        await pulse.after(seen, signal);
      }
    })();
  }

  /** Observes every job finished since the last walk. */
  async walk(backend: Backend): Promise<void> {
    const queues = await queueCounts(backend);
    await Promise.all(queues.flatMap(({ queue }) =>
      THROUGHPUT_STATES.map(async (state) => {
        const key = JSON.stringify([queue, state]);
        const mark = this.#marks.get(key) ?? { atMs: this.#startMs, ids: new Set() };
        const { jobs } = await finishedSince(backend, queue, state, mark.atMs);
        const fresh = jobs.filter((job) => !(job.finishedAt === mark.atMs && mark.ids.has(job.id)));
        for (const job of fresh) this.#observe(queue, job);
        const newest = jobs[0]?.finishedAt ?? mark.atMs;
        const ids = jobs.filter((job) => job.finishedAt === newest).map((job) => job.id);
        this.#marks.set(key, {
          atMs: newest,
          ids: new Set(newest === mark.atMs ? [...mark.ids, ...ids] : ids),
        });
      })
    ));
  }

  /** The histograms' lines. */
  lines(): string[] {
    return [...this.duration.lines(), ...this.wait.lines()];
  }

  #observe(queue: string, job: { startedAt?: number; finishedAt?: number; readyAt: number }) {
    // A job that failed before it ever started (its begin-by passed) ran and waited for no one.
    if (job.startedAt === undefined) return;
    this.wait.observe(queue, job.startedAt - job.readyAt);
    if (job.finishedAt !== undefined) this.duration.observe(queue, job.finishedAt - job.startedAt);
  }
}
