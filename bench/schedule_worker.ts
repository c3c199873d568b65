/**
 * One long-lived instance for the `schedule` benchmark: a process of one or several started
 * alike, all running the same interval task against one backend, printing one JSON line per
 * run it starts. Every timestamp is this host's wall clock (`now()` of `clock.ts`, epoch ms),
 * which the bench compares with the tick.
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
 * BullMQ is loaded as `bullmq.ts` says; its workers are started with `--no-lock`.
 *
 * @module
 */

import { type BullQueue, type IoRedisClient, loadBullMq, redisConnection } from "./bullmq.ts";
import { now } from "./clock.ts";
import { stdinClosed } from "./json_child.ts";

function line(fields: Record<string, unknown>): void {
  console.log(JSON.stringify(fields));
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
  const peer = await loadBullMq();
  const { Queue, Worker } = peer;
  const workerClient = redisConnection(peer, url);
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
  let queueClient: IoRedisClient | undefined;
  let queue: BullQueue | undefined;
  if (worker === 0) {
    queueClient = redisConnection(peer, url);
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
