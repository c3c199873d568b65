/**
 * BullMQ, the peer of the `schedule` and `queue` benchmarks, loaded from npm under Deno in
 * the one way that works here, with the part of its API the benchmarks' workers use.
 *
 * BullMQ comes through one dynamic import of a `data:` module, so neither `deno check bench/`
 * nor a run records it in the project's `deno.lock`; processes that load it are started with
 * `--no-lock`.
 *
 * @module
 */

/** The peer's packages, as the benchmarks' JSON lines name them. */
export const BULLMQ_PACKAGES = {
  bullmq: "npm:bullmq@6",
  ioredis: "npm:ioredis@5",
  /**
   * Pinned and imported first: msgpackr (a BullMQ dependency) asks for `msgpackr-extract@^3`,
   * whose newest releases list platform packages some registries lack (3.0.7's darwin and
   * win32 builds), and Deno, unlike npm, fails on a missing optional package. With 3.0.4
   * resolved first, Deno reuses it for that range.
   */
  msgpackrExtract: "npm:msgpackr-extract@3.0.4",
} as const;

/** A BullMQ job, as a processor gets it. */
export interface BullJob {
  id?: string;
  data: unknown;
  timestamp: number;
  delay: number;
}

/** An ioredis client. */
export interface IoRedisClient {
  quit(): Promise<unknown>;
}

/** A BullMQ `Queue`: where jobs are added. */
export interface BullQueue {
  /** Resolves once connected. */
  waitUntilReady(): Promise<unknown>;
  /** `opts.delay`: start no earlier than this many ms from now. */
  add(name: string, data: unknown, opts?: { delay?: number }): Promise<BullJob>;
  addBulk(jobs: { name: string; data: unknown; opts?: { delay?: number } }[]): Promise<BullJob[]>;
  upsertJobScheduler(id: string, repeat: Record<string, unknown>, template: unknown): Promise<
    unknown
  >;
  removeJobScheduler(id: string): Promise<unknown>;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
  /**
   * Moves the jobs of `state` (default failed) that finished before `timestamp` (default now)
   * back to wait, `count` (default 1,000) a Redis step, as many steps as it takes.
   */
  retryJobs(
    opts?: { count?: number; state?: "completed" | "failed"; timestamp?: number },
  ): Promise<void>;
  close(): Promise<void>;
}

/** A BullMQ `Worker`: runs a processor on a queue's jobs. */
export interface BullWorker {
  waitUntilReady(): Promise<unknown>;
  on(event: string, listener: (...args: never[]) => void): void;
  /** Starts taking jobs (with `autorun: false`); settles once the worker is closed. */
  run(): Promise<unknown>;
  close(): Promise<void>;
}

/** The part of BullMQ and ioredis the benchmarks use. */
export interface BullMq {
  IORedis: new (options: Record<string, unknown>) => IoRedisClient;
  Queue: new (name: string, options: Record<string, unknown>) => BullQueue;
  Worker: new (
    name: string,
    processor: (job: BullJob) => Promise<unknown>,
    options: Record<string, unknown>,
  ) => BullWorker;
}

/**
 * Loads BullMQ and ioredis from npm (see {@link BULLMQ_PACKAGES}).
 *
 * @example
 * ```ts ignore
 * import { loadBullMq, redisConnection } from "./bullmq.ts";
 * const bull = await loadBullMq();
 * const queue = new bull.Queue("jobs", { connection: redisConnection(bull, url) });
 * ```
 */
export async function loadBullMq(): Promise<BullMq> {
  const source = [
    `import "${BULLMQ_PACKAGES.msgpackrExtract}";`,
    `export { Queue, Worker } from "${BULLMQ_PACKAGES.bullmq}";`,
    `export { default as IORedis } from "${BULLMQ_PACKAGES.ioredis}";`,
  ].join("\n");
  return await import(`data:text/javascript,${encodeURIComponent(source)}`) as BullMq;
}

/**
 * A new ioredis client for a BullMQ `Queue` or `Worker` on `url` (`redis://HOST:PORT`).
 * BullMQ 6 loads ioredis only when given an instance, and a Worker's connection must not give
 * up on a request (`maxRetriesPerRequest: null`), which its blocking `BZPOPMIN` needs.
 */
export function redisConnection(bull: BullMq, url: string): IoRedisClient {
  const { hostname, port } = new URL(url);
  return new bull.IORedis({ host: hostname, port: Number(port), maxRetriesPerRequest: null });
}
