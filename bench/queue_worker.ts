/**
 * The processes of the `queue` benchmark: a putter, which puts trivial jobs and exits, and a
 * worker, which runs them (the handler returns its arguments) and says when and how often each
 * one started. KIND is `coord` (`putJobs` and `work()` on the URL's backend, namespace
 * `bench-queue`) or `bullmq` (a `Queue` and a `Worker` on the Redis URL, one queue only).
 * QUEUES is one queue name or several, comma-separated. Every timestamp is this host's clock
 * (`now()` of `clock.ts`, epoch ms), so a put instant in the putter and a start instant in the
 * worker compare.
 *
 * Modes:
 *
 * - `paced KIND URL QUEUE JOBS WARMUP SPACING_MS [WARMUP_SPACING_MS [busy]]`: puts WARMUP +
 *   JOBS jobs one at a time, the warm-up ones every WARMUP_SPACING_MS (default SPACING_MS),
 *   then the others every SPACING_MS after the last of them (on a fixed grid, so a slow put
 *   does not push the rest back), each `{i, putAt, timed}` with `putAt` taken just before the
 *   put call; then prints `{"put": n, "put_ms": [...], "returned_at": [[i, at], ...]}`: how
 *   long each timed (non-warm-up) put call took, and when each returned. With `busy` the
 *   putter does other work all along, as a service that puts a job now and then does: every
 *   {@link BUSY_EVERY_MS} (a timer Deno runs ≈ 400 times a second) it encodes and decodes a small
 *   JSON document.
 * - `bulk KIND URL QUEUES JOBS BATCH [DUE_IN_MS]`: puts JOBS jobs, spread over the queues in
 *   turn, BATCH at a time into each (coord: one `putJobs`; BullMQ: one `addBulk`), then prints
 *   `{"put": n, "put_s": s}`. With DUE_IN_MS every job is delayed, due within one whole
 *   second at least DUE_IN_MS away (job i at `dueAt` = that second + i/JOBS of it), and timed
 *   from `dueAt`; the line then has `due_from` and `due_to`.
 * - `work KIND URL QUEUES JOBS CONCURRENCY drain|until-seen [returns|throws]`: connects, prints
 *   `{"ready"}`, then works with CONCURRENCY jobs at once until JOBS distinct jobs have completed
 *   (`until-seen`: stopped by its signal then) or the queues are empty (`drain`: coord's
 *   `work({ drain })` returning by itself, BullMQ's `drained` event) or stdin closes, and prints
 *   one `{"done"}` line: when it started, its first job's start, its last completion, handler
 *   runs per job id, the latency of every first run of a timed job (start − `dueAt`, or start −
 *   `putAt`; and with `i`, each start of a job put one at a time), problems (failures, errors,
 *   lost leases), the process's CPU time, and the queues' counts afterwards as the backend
 *   gives them. The handler returns its arguments, or with `throws` fails every job (once: no
 *   retries by default, coord's and BullMQ's alike), the `retry` part's failed jobs; a job's
 *   failure is then its expected end, counted as completed here and not as a problem.
 *
 * BullMQ is loaded as `bullmq.ts` says, graphile-worker (KIND `graphile`, on a Postgres URL) as
 * `graphile.ts` says; processes that load either are started with `--no-lock`.
 *
 * @module
 */

import process from "node:process";
import { type BullJob, type BullQueue, loadBullMq, redisConnection } from "./bullmq.ts";
import { now, sleep } from "./clock.ts";
import { stdinClosed } from "./json_child.ts";
import { graphile } from "./graphile.ts";

/** coord's namespace for the benchmark's queues. */
export const NAMESPACE = "bench-queue";
/** The job's handler, by name. */
const HANDLER = "echo";
/** A `busy` putter's other work comes this often. */
const BUSY_EVERY_MS = 1;
/** A `busy` putter's other work: a document about as large as a small API request's. */
const BUSY_DOCUMENT = { items: Array.from({ length: 20 }, (_, i) => ({ i, name: `item ${i}` })) };

/** Problems reported by text, at the most; the rest are only counted. */
const PROBLEMS_KEPT = 3;

/** A job's arguments. */
interface JobData {
  i: number;
  /** When the put call began, this host's clock. */
  putAt: number;
  /** When a delayed job is due, this host's clock. */
  dueAt?: number;
  /** In the latency figures; a warm-up job (which starts both processes' code paths) is not. */
  timed: boolean;
}

/** Putting jobs, one kind's way. */
interface Putter {
  put(queue: string, data: JobData): Promise<unknown>;
  putMany(queue: string, data: JobData[]): Promise<unknown>;
  close(): Promise<void>;
}

/** Running jobs, one kind's way. */
interface Runner {
  /** Works until all of `tally`'s jobs completed or `stop` aborts; resolves once it stopped. */
  run(tally: Tally, options: RunOptions): Promise<void>;
  /** The queues' counts by state, summed, as the backend reports them. */
  counts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** How a {@link Runner} works. */
interface RunOptions {
  concurrency: number;
  drain: boolean;
  stop: AbortSignal;
  /** The handler fails every job: its failure, not its completion, is the job's end. */
  throws: boolean;
}

/** What a handler that fails every job throws. */
class HandlerThrew extends Error {
  constructor() {
    super("the benchmark's handler fails every job");
  }
}

/** One queue implementation's putter and worker. */
export interface Kind {
  putter(url: string): Promise<Putter>;
  runner(url: string, queues: string[]): Promise<Runner>;
}

/** What a worker saw: handler runs per job, completions, latencies, problems. */
export class Tally {
  readonly runs = new Map<string, number>();
  readonly completed = new Set<string>();
  readonly latencyMs: number[] = [];
  /** `[i, start]` of each first run of a timed job put one at a time (no `dueAt`). */
  readonly pacedStarts: [number, number][] = [];
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
    if (before === 0 && data.timed) {
      this.latencyMs.push(at - (data.dueAt ?? data.putAt));
      if (data.dueAt === undefined) this.pacedStarts.push([data.i, at]);
    }
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
      paced_starts: this.pacedStarts,
      problems: this.problemCount,
      first_problems: this.problems,
    };
  }
}

const coord: Kind = {
  async putter(url) {
    const { connect, putJob, putJobs } = await import("../lib/mod.ts");
    const backend = await connect({ url, namespace: NAMESPACE });
    const options = (data: JobData) => ({
      handler: HANDLER,
      args: data,
      ...(data.dueAt !== undefined && { at: data.dueAt }),
    });
    return {
      put: (queue, data) => putJob(backend, queue, options(data)),
      putMany: (queue, data) => putJobs(backend, queue, data.map(options)),
      close: () => backend.close(),
    };
  },
  async runner(url, queues) {
    const { connect, queueCounts, work } = await import("../lib/mod.ts");
    const backend = await connect({ url, namespace: NAMESPACE });
    return {
      async run(tally, { concurrency, drain, stop, throws }) {
        const end = throws ? "failed" : "completed";
        const seen = new AbortController();
        // Without drain, the worker stops once it has seen every job, as a caller would.
        if (!drain) tally.allCompleted.then(() => seen.abort());
        await work(backend, queues, {
          concurrency,
          drain,
          signal: AbortSignal.any([stop, seen.signal]),
          handlers: {
            [HANDLER]: (args, ctx) => {
              tally.started(ctx.job, args);
              if (throws) throw new HandlerThrew();
              return args;
            },
          },
          onEvent: (event) => {
            if (event.type === end) tally.completedJob(event.job);
            // Stopping with jobs running is how an `until-seen` worker ends.
            else if (event.type !== "started" && event.type !== "stopping") {
              tally.problem(JSON.stringify(event));
            }
          },
        });
      },
      async counts() {
        const sum: Record<string, number> = {};
        for (const counts of await queueCounts(backend, queues)) {
          for (const state of ["pending", "scheduled", "active", "completed", "failed"] as const) {
            sum[state] = (sum[state] ?? 0) + counts[state];
          }
        }
        return sum;
      },
      close: () => backend.close(),
    };
  },
};

const bullmq: Kind = {
  async putter(url) {
    const peer = await loadBullMq();
    const connection = redisConnection(peer, url);
    const queues = new Map<string, BullQueue>();
    const queueOf = (name: string) => {
      if (!queues.has(name)) queues.set(name, new peer.Queue(name, { connection }));
      return queues.get(name)!;
    };
    const options = (data: JobData) =>
      data.dueAt === undefined ? {} : { delay: Math.max(0, data.dueAt - now()) };
    return {
      put: (queue, data) => queueOf(queue).add(HANDLER, data, options(data)),
      putMany: (queue, data) =>
        queueOf(queue).addBulk(data.map((d) => ({ name: HANDLER, data: d, opts: options(d) }))),
      async close() {
        for (const queue of queues.values()) await queue.close();
        await connection.quit();
      },
    };
  },
  async runner(url, queues) {
    if (queues.length !== 1) throw new Error("the BullMQ worker here takes one queue");
    const [queue] = queues;
    const peer = await loadBullMq();
    const connections = [redisConnection(peer, url), redisConnection(peer, url)];
    const bullQueue = new peer.Queue(queue, { connection: connections[1] });
    return {
      async run(tally, { concurrency, drain, stop, throws }) {
        const worker = new peer.Worker(
          queue,
          (job) => {
            tally.started(job.id!, job.data);
            return throws ? Promise.reject(new HandlerThrew()) : Promise.resolve(job.data);
          },
          { connection: connections[0], concurrency, autorun: false },
        );
        const drained = Promise.withResolvers<void>();
        worker.on("completed", (job: BullJob) => tally.completedJob(job.id!));
        worker.on("failed", (job: BullJob | undefined, error: Error) => {
          if (throws && job) tally.completedJob(job.id!);
          else tally.problem(`failed ${job?.id}: ${error.message}`);
        });
        worker.on("error", (error: Error) => tally.problem(`error: ${error.message}`));
        // Jobs still running when the queue runs dry are finished by close().
        if (drain) worker.on("drained", () => drained.resolve());
        await worker.waitUntilReady();
        const running = worker.run();
        await Promise.race([tally.allCompleted, drained.promise, abortion(stop)]);
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

async function paced(
  kind: Kind,
  [url, queue, jobs, warmup, spacingMs, warmupSpacingMs = spacingMs, busy]: string[],
) {
  const putter = await kind.putter(url);
  const otherWork = busy === "busy"
    ? setInterval(() => JSON.parse(JSON.stringify(BUSY_DOCUMENT)), BUSY_EVERY_MS)
    : undefined;
  const [w, spacing, warmupSpacing] = [warmup, spacingMs, warmupSpacingMs].map(Number);
  const total = w + Number(jobs);
  // When each put is due, from the start: the warm-up's grid, then the timed jobs'.
  const at = (i: number) =>
    i < w
      ? i * warmupSpacing
      : Math.max(0, w - 1) * warmupSpacing + (i - Math.max(0, w - 1)) * spacing;
  const putMs: number[] = [];
  const returnedAt: [number, number][] = [];
  const start = now();
  for (let i = 0; i < total; i++) {
    await sleep(start + at(i) - now());
    const data = { i, putAt: now(), timed: i >= Number(warmup) };
    await putter.put(queue, data);
    const returned = now();
    if (data.timed) {
      putMs.push(returned - data.putAt);
      returnedAt.push([i, returned]);
    }
  }
  clearInterval(otherWork);
  await putter.close();
  line({ put: total, put_ms: putMs, returned_at: returnedAt });
}

async function bulk(kind: Kind, [url, queueList, jobs, batch, dueInMs]: string[]) {
  const putter = await kind.putter(url);
  const queues = queueList.split(",");
  const total = Number(jobs);
  const dueFrom = dueInMs === undefined
    ? undefined
    : Math.ceil((now() + Number(dueInMs)) / 1000) * 1000;
  const started = now();
  // Each round puts one batch into every queue, so all queues fill alike.
  const perRound = Number(batch) * queues.length;
  for (let first = 0; first < total; first += perRound) {
    await Promise.all(queues.map((queue, q) => {
      const from = first + q * Number(batch);
      const data: JobData[] = [];
      for (let i = from; i < Math.min(from + Number(batch), total); i++) {
        const dueAt = dueFrom === undefined ? undefined : dueFrom + (i / total) * 1000;
        data.push({ i, putAt: now(), timed: dueAt !== undefined, ...(dueAt && { dueAt }) });
      }
      return data.length > 0 ? putter.putMany(queue, data) : undefined;
    }));
  }
  const putS = (now() - started) / 1000;
  await putter.close();
  line({
    put: total,
    put_s: putS,
    ...(dueFrom !== undefined && { due_from: dueFrom, due_to: dueFrom + 1000 }),
  });
}

async function runWorker(
  kind: Kind,
  [url, queues, jobs, concurrency, until, handler = "returns"]: string[],
) {
  const runner = await kind.runner(url, queues.split(","));
  const tally = new Tally(Number(jobs));
  const stop = stdinClosed();
  line({ ready: true, pid: Deno.pid, at: now() });
  const cpuBefore = process.cpuUsage();
  const startedAt = now();
  await runner.run(tally, {
    concurrency: Number(concurrency),
    drain: until === "drain",
    stop,
    throws: handler === "throws",
  });
  const returnedAt = now();
  const cpu = process.cpuUsage(cpuBefore);
  const counts = await runner.counts();
  await runner.close();
  line({
    done: true,
    started_at: startedAt,
    returned_at: returnedAt,
    stopped_by_stdin: stop.aborted,
    cpu_s: (cpu.user + cpu.system) / 1e6,
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
