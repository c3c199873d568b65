/**
 * The processes of the `queue` benchmark: a putter, which puts trivial jobs and exits, and a
 * worker, which runs them (the handler returns its arguments) and says when and how often each
 * one started. KIND is `coord` (`putJob` and `work()` on the URL's backend, namespace
 * `bench-queue`) or `bullmq` (a `Queue` and a `Worker` on the Redis URL). Every timestamp is
 * this host's clock (`performance.timeOrigin + performance.now()`, epoch ms), so a put instant
 * in the putter and a start instant in the worker compare.
 *
 * Modes:
 *
 * - `paced KIND URL QUEUE JOBS WARMUP SPACING_MS`: puts WARMUP + JOBS jobs one at a time, one
 *   every SPACING_MS (on a fixed grid, so a slow put does not push the rest back), each
 *   `{i, putAt, warmup}` with `putAt` taken just before the put call; then prints
 *   `{"put": n, "put_ms": [...]}`, how long each non-warm-up put call took.
 * - `bulk KIND URL QUEUE JOBS BATCH`: puts JOBS jobs BATCH at a time (coord: that many
 *   `putJob` calls at once; BullMQ: one `addBulk`), then prints `{"put": n, "put_s": s}`.
 * - `work KIND URL QUEUE JOBS CONCURRENCY drain|until-seen`: connects, prints `{"ready"}`,
 *   then works with CONCURRENCY jobs at once until JOBS distinct jobs have completed (coord
 *   with `until-seen`: `work()` stopped by its signal then; with `drain`: `work({ drain })`
 *   returning by itself) or stdin closes, and prints one `{"done"}` line: when it started,
 *   its first job's start, its last completion, handler runs per job id, the put→start
 *   latency of every first run of a non-warm-up job, problems (failures, errors, lost
 *   leases), and the queue's counts afterwards as the backend gives them.
 *
 * BullMQ is loaded as `bullmq.ts` says, graphile-worker (KIND `graphile`, on a Postgres URL) as
 * `graphile.ts` says; processes that load either are started with `--no-lock`.
 *
 * @module
 */

import { type BullJob, loadBullMq, redisConnection } from "./bullmq.ts";
import { now, sleep } from "./clock.ts";
import { stdinClosed } from "./json_child.ts";
import { graphile } from "./graphile.ts";

/** coord's namespace for the benchmark's queues. */
const NAMESPACE = "bench-queue";
/** The job's handler, by name. */
const HANDLER = "echo";
/** Problems reported by text, at the most; the rest are only counted. */
const PROBLEMS_KEPT = 3;

/** A job's arguments. */
interface JobData {
  i: number;
  /** When the put call began, this host's clock. */
  putAt: number;
  /** Left out of the latency figures: it starts the worker's and the putter's code paths. */
  warmup: boolean;
}

/** Putting jobs, one kind's way. */
interface Putter {
  put(data: JobData): Promise<unknown>;
  putMany(data: JobData[]): Promise<unknown>;
  close(): Promise<void>;
}

/** Running jobs, one kind's way. */
interface Runner {
  /** Works until all of `tally`'s jobs completed or `stop` aborts; resolves once it stopped. */
  run(tally: Tally, options: { concurrency: number; drain: boolean; stop: AbortSignal }): Promise<
    void
  >;
  /** The queue's counts by state, as the backend reports them. */
  counts(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** One queue implementation's putter and worker. */
export interface Kind {
  putter(url: string, queue: string): Promise<Putter>;
  runner(url: string, queue: string): Promise<Runner>;
}

/** What a worker saw: handler runs per job, completions, latencies, problems. */
export class Tally {
  readonly runs = new Map<string, number>();
  readonly completed = new Set<string>();
  readonly latencyMs: number[] = [];
  readonly problems: string[] = [];
  problemCount = 0;
  firstStartAt?: number;
  lastCompletedAt?: number;
  readonly #expected: number;
  readonly #allCompleted = Promise.withResolvers<void>();

  constructor(expected: number) {
    this.#expected = expected;
  }

  /** Resolves once the expected number of distinct jobs completed. */
  get allCompleted(): Promise<void> {
    return this.#allCompleted.promise;
  }

  /** Called first thing in the handler. */
  started(id: string, args: unknown): void {
    const at = now();
    this.firstStartAt ??= at;
    const before = this.runs.get(id) ?? 0;
    this.runs.set(id, before + 1);
    const data = args as JobData;
    if (before === 0 && !data.warmup) this.latencyMs.push(at - data.putAt);
  }

  completedJob(id: string): void {
    this.lastCompletedAt = now();
    this.completed.add(id);
    if (this.completed.size >= this.#expected) this.#allCompleted.resolve();
  }

  problem(text: string): void {
    if (this.problemCount++ < PROBLEMS_KEPT) this.problems.push(text.slice(0, 300));
  }

  summary() {
    const runs = [...this.runs.values()];
    return {
      runs: runs.reduce((sum, n) => sum + n, 0),
      jobs_run: runs.length,
      jobs_run_more_than_once: runs.filter((n) => n > 1).length,
      completed: this.completed.size,
      first_start_at: this.firstStartAt ?? null,
      last_completed_at: this.lastCompletedAt ?? null,
      latency_ms: this.latencyMs,
      problems: this.problemCount,
      first_problems: this.problems,
    };
  }
}

const coord: Kind = {
  async putter(url, queue) {
    const { connect, putJob } = await import("../lib/mod.ts");
    const backend = await connect({ url, namespace: NAMESPACE });
    const put = (args: JobData) => putJob(backend, queue, { handler: HANDLER, args });
    return {
      put,
      putMany: (data) => Promise.all(data.map(put)),
      close: () => backend.close(),
    };
  },
  async runner(url, queue) {
    const { connect, queueCounts, work } = await import("../lib/mod.ts");
    const backend = await connect({ url, namespace: NAMESPACE });
    return {
      async run(tally, { concurrency, drain, stop }) {
        const seen = new AbortController();
        // Without drain, the worker stops once it has seen every job, as a caller would.
        if (!drain) tally.allCompleted.then(() => seen.abort());
        await work(backend, [queue], {
          concurrency,
          drain,
          signal: AbortSignal.any([stop, seen.signal]),
          handlers: {
            [HANDLER]: (args, ctx) => {
              tally.started(ctx.job, args);
              return args;
            },
          },
          onEvent: (event) => {
            if (event.type === "completed") tally.completedJob(event.job);
            else if (event.type !== "started") tally.problem(JSON.stringify(event));
          },
        });
      },
      async counts() {
        const [{ pending, scheduled, active, completed, failed, cancelled }] = await queueCounts(
          backend,
          [queue],
        );
        return { pending, scheduled, active, completed, failed, cancelled };
      },
      close: () => backend.close(),
    };
  },
};

const bullmq: Kind = {
  async putter(url, queue) {
    const peer = await loadBullMq();
    const connection = redisConnection(peer, url);
    const bull = new peer.Queue(queue, { connection });
    return {
      put: (data) => bull.add(HANDLER, data),
      putMany: (data) => bull.addBulk(data.map((d) => ({ name: HANDLER, data: d }))),
      async close() {
        await bull.close();
        await connection.quit();
      },
    };
  },
  async runner(url, queue) {
    const peer = await loadBullMq();
    const connections = [redisConnection(peer, url), redisConnection(peer, url)];
    const bullQueue = new peer.Queue(queue, { connection: connections[1] });
    return {
      async run(tally, { concurrency, stop }) {
        const worker = new peer.Worker(
          queue,
          (job) => {
            tally.started(job.id!, job.data);
            return Promise.resolve(job.data);
          },
          { connection: connections[0], concurrency, autorun: false },
        );
        worker.on("completed", (job: BullJob) => tally.completedJob(job.id!));
        worker.on(
          "failed",
          (job: BullJob | undefined, error: Error) =>
            tally.problem(`failed ${job?.id}: ${error.message}`),
        );
        worker.on("error", (error: Error) => tally.problem(`error: ${error.message}`));
        await worker.waitUntilReady();
        const running = worker.run();
        await Promise.race([tally.allCompleted, abortion(stop)]);
        await worker.close();
        await running;
      },
      counts: () =>
        bullQueue.getJobCounts("wait", "prioritized", "delayed", "active", "completed", "failed"),
      async close() {
        await bullQueue.close();
        await Promise.all(connections.map((c) => c.quit()));
      },
    };
  },
};

function line(fields: Record<string, unknown>): void {
  console.log(JSON.stringify(fields));
}

function abortion(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

function jobData(i: number, warmup: boolean): JobData {
  return { i, putAt: now(), warmup };
}

async function paced(kind: Kind, [url, queue, jobs, warmup, spacingMs]: string[]) {
  const putter = await kind.putter(url, queue);
  const total = Number(warmup) + Number(jobs);
  const putMs: number[] = [];
  const start = now();
  for (let i = 0; i < total; i++) {
    await sleep(start + i * Number(spacingMs) - now());
    const data = jobData(i, i < Number(warmup));
    await putter.put(data);
    if (!data.warmup) putMs.push(now() - data.putAt);
  }
  await putter.close();
  line({ put: total, put_ms: putMs });
}

async function bulk(kind: Kind, [url, queue, jobs, batch]: string[]) {
  const putter = await kind.putter(url, queue);
  const started = now();
  for (let i = 0; i < Number(jobs); i += Number(batch)) {
    const size = Math.min(Number(batch), Number(jobs) - i);
    await putter.putMany(Array.from({ length: size }, (_, k) => jobData(i + k, false)));
  }
  const putS = (now() - started) / 1000;
  await putter.close();
  line({ put: Number(jobs), put_s: putS });
}

async function runWorker(kind: Kind, [url, queue, jobs, concurrency, until]: string[]) {
  const runner = await kind.runner(url, queue);
  const tally = new Tally(Number(jobs));
  const stop = stdinClosed();
  line({ ready: true, pid: Deno.pid, at: now() });
  const startedAt = now();
  await runner.run(tally, { concurrency: Number(concurrency), drain: until === "drain", stop });
  const returnedAt = now();
  const counts = await runner.counts();
  await runner.close();
  line({
    done: true,
    started_at: startedAt,
    returned_at: returnedAt,
    stopped_by_stdin: stop.aborted,
    ...tally.summary(),
    counts_after: counts,
  });
}

if (import.meta.main) {
  const [mode, kindName, ...args] = Deno.args;
  const modes: Record<string, (kind: Kind, args: string[]) => Promise<void>> = {
    paced,
    bulk,
    work: runWorker,
  };
  const kinds: Record<string, Kind> = { coord, bullmq, graphile };
  if (!Object.hasOwn(modes, mode) || !Object.hasOwn(kinds, kindName)) {
    console.error(
      `queue_worker: usage: paced|bulk|work coord|bullmq|graphile ARGS… (got ${Deno.args})`,
    );
    Deno.exit(64);
  }
  await modes[mode](kinds[kindName], args);
}
