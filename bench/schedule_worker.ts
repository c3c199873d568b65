/**
 * One long-lived instance for the `schedule` benchmark: a process of one or several started
 * alike, all running the same interval task against one backend, printing one JSON line per
 * run it starts. Every timestamp is this host's clock (`performance.timeOrigin +
 * performance.now()`, epoch ms), which the bench compares with the tick.
 *
 * Modes:
 *
 * - `coord INDEX URL NAMESPACE PERIOD_MS`: coord's `Scheduler` on the URL's backend, one task
 *   (`interval: PERIOD_MS`, default options: at-least-once). A run's tick is
 *   `ctx.scheduledAt` (the backend's clock: the local one for SQLite, Redis `TIME` for Redis,
 *   the same host's clock here).
 * - `bullmq INDEX REDIS_URL QUEUE PERIOD_MS`: a BullMQ `Worker` (concurrency 1) on QUEUE; the
 *   instance with INDEX 0 also calls `upsertJobScheduler(QUEUE, { every: PERIOD_MS })` once
 *   its worker is up, as one deployment step would. A run's tick is the millis BullMQ puts in
 *   a scheduler job's id, `repeat:<schedulerId>:<nextMillis>` (`addJobScheduler-11.lua`,
 *   `updateJobScheduler-12.lua`): neither `job.opts.prevMillis` (unset for `every`) nor
 *   `job.timestamp + job.delay` (`delay` is reset to 0 when a delayed job is promoted) holds
 *   it by the time the processor runs. The line also carries `timestamp_plus_delay`, so the
 *   bench can say how often that sum would have been right.
 *
 * Both print `{"ready"}` once connected and set up, then `{tick, latenessMs, worker, at}` per
 * run (lateness taken first thing in the handler, before the line is written), and stop when
 * stdin closes: no more ticks claimed, the running one finished, connections closed, then a
 * last `{"ended"}`.
 *
 * BullMQ comes from npm through one dynamic import of a `data:` module, so neither
 * `deno check bench/` nor a run records it in the project's `deno.lock`; BullMQ workers are
 * started with `--no-lock`.
 *
 * @module
 */

/** The peer's packages, as the bench's JSON line names them. */
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

/** The part of BullMQ and ioredis this worker uses. */
interface BullJob {
  id?: string;
  timestamp: number;
  delay: number;
}
interface Closable {
  close(): Promise<void>;
}
interface BullMq {
  IORedis: new (options: Record<string, unknown>) => { quit(): Promise<unknown> };
  Queue: new (name: string, options: Record<string, unknown>) => Closable & {
    upsertJobScheduler(id: string, repeat: Record<string, unknown>, template: unknown): Promise<
      unknown
    >;
    removeJobScheduler(id: string): Promise<unknown>;
  };
  Worker: new (
    name: string,
    processor: (job: BullJob) => Promise<void>,
    options: Record<string, unknown>,
  ) => Closable & { waitUntilReady(): Promise<unknown>; on(event: string, f: unknown): void };
}

/** Loads BullMQ and ioredis from npm (see {@link BULLMQ_PACKAGES}). */
export async function loadBullMq(): Promise<BullMq> {
  const source = [
    `import "${BULLMQ_PACKAGES.msgpackrExtract}";`,
    `export { Queue, Worker } from "${BULLMQ_PACKAGES.bullmq}";`,
    `export { default as IORedis } from "${BULLMQ_PACKAGES.ioredis}";`,
  ].join("\n");
  return await import(`data:text/javascript,${encodeURIComponent(source)}`) as BullMq;
}

/** This host's wall clock with sub-millisecond precision, as coord's `localNow()`. */
function now(): number {
  return performance.timeOrigin + performance.now();
}

function line(fields: Record<string, unknown>): void {
  console.log(JSON.stringify(fields));
}

/** Aborts when stdin reaches EOF: the bench's way of saying stop. */
function stdinClosed(): AbortSignal {
  const stop = new AbortController();
  (async () => {
    for await (const _ of Deno.stdin.readable) {
      // nothing is sent, only EOF
    }
    stop.abort();
  })();
  return stop.signal;
}

async function coord(args: string[]): Promise<void> {
  const [index, url, namespace, periodMs] = args;
  const worker = Number(index);
  const { connect, Scheduler } = await import("../lib/mod.ts");
  const backend = await connect({ url, namespace });
  const app = new Scheduler({
    backend,
    instance: `w${worker}`,
    onEvent: (event) => {
      if (event.type === "failed" || event.type === "error" || event.type === "lost") {
        line({ worker, event });
      }
    },
  });
  app.task({ name: "tick", interval: Number(periodMs) }, (ctx) => {
    const at = now();
    const tick = ctx.scheduledAt.getTime();
    line({ tick, latenessMs: at - tick, worker, at });
  });
  const stop = stdinClosed();
  line({ ready: true, worker, pid: Deno.pid, at: now() });
  await app.run({ signal: stop });
  await backend.close();
  line({ ended: true, worker, at: now() });
}

async function bullmq(args: string[]): Promise<void> {
  const [index, url, queueName, periodMs] = args;
  const worker = Number(index);
  const { hostname, port } = new URL(url);
  const { IORedis, Queue, Worker } = await loadBullMq();
  // A Worker's connection must not give up on a request (BullMQ requires it for its blocking
  // BZPOPMIN); BullMQ 6 loads ioredis only when given an instance.
  const client = () =>
    new IORedis({ host: hostname, port: Number(port), maxRetriesPerRequest: null });
  const workerClient = client();
  const bull = new Worker(
    queueName,
    (job) => {
      const at = now();
      const tick = Number(job.id?.slice(job.id.lastIndexOf(":") + 1));
      line({
        tick,
        latenessMs: at - tick,
        worker,
        at,
        timestamp_plus_delay: job.timestamp + job.delay,
      });
      return Promise.resolve();
    },
    { connection: workerClient, concurrency: 1 },
  );
  bull.on("error", (e: unknown) => line({ worker, event: { type: "error", error: String(e) } }));
  await bull.waitUntilReady();
  let queueClient: ReturnType<typeof client> | undefined;
  let queue: InstanceType<BullMq["Queue"]> | undefined;
  if (worker === 0) {
    queueClient = client();
    queue = new Queue(queueName, { connection: queueClient });
    await queue.upsertJobScheduler(queueName, { every: Number(periodMs) }, { name: "tick" });
  }
  const stop = stdinClosed();
  line({ ready: true, worker, pid: Deno.pid, at: now() });
  await new Promise<void>((resolve) => stop.addEventListener("abort", () => resolve()));
  await bull.close();
  if (queue) {
    await queue.removeJobScheduler(queueName);
    await queue.close();
  }
  await Promise.all([workerClient, queueClient].map((c) => c?.quit()));
  line({ ended: true, worker, at: now() });
}

if (import.meta.main) {
  const [mode, ...args] = Deno.args;
  const modes: Record<string, (args: string[]) => Promise<void>> = { coord, bullmq };
  if (!Object.hasOwn(modes, mode)) {
    console.error(`schedule_worker: unknown mode "${mode}" (coord or bullmq)`);
    Deno.exit(64);
  }
  await modes[mode](args);
}
