/**
 * How fast a job queue runs trivial jobs (the handler returns its arguments) and how that holds
 * up at scale: coord's queue on SQLite (a fresh temporary file per phase) and on Redis (the
 * benchmark's own redis-server, emptied before each phase), and BullMQ (`npm:bullmq@6`, a
 * `Worker` with concurrency 50) on the same redis-server in the same run. Putters and workers
 * are separate processes (`queue_worker.ts`, run by `queue_phase.ts`).
 *
 * Parts, each selectable with `--only NAME,…` (all by default), in this order:
 *
 * - `latency`: an idle worker; jobs put one at a time, {@link SPACING_MS} apart; put→start
 *   p50/p99, and start − the put call's return (`after_put_returned_ms`) (SQLite, Redis,
 *   BullMQ).
 * - `idle`: {@link IDLE_WARMUP_JOBS} jobs put as in `latency`, then each timed one after the
 *   worker was idle {@link IDLE_SPACING_MS} (SQLite, Redis, BullMQ); the same figures (the
 *   putter idled too: its own call is slow, which `after_put_returned_ms` leaves out).
 * - `idle_busy_putter`: `idle`'s jobs, put by a putter that meanwhile does other work on a 1
 *   ms timer (a process that is up, as a service putting a job now and then is): put→start to
 *   a worker that idled, from a putter that did not (SQLite, Redis, BullMQ).
 * - `throughput`: {@link THROUGHPUT_JOBS} jobs put in bulk, then 1 and 4 worker processes
 *   drain them; jobs/s, Redis commands and CPU per job, the worker's CPU, and Redis
 *   `used_memory` per retained completed job (SQLite, Redis, BullMQ).
 * - `scale`: jobs/s over {@link SCALE_MEASURED_JOBS} jobs with that many queued, and with
 *   `--scale-jobs` queued (SQLite, Redis): the median of {@link SCALE_ROUNDS} rounds, each
 *   topped up to as many queued as the first.
 * - `put_from`: `coord queue put --from FILE` of `--scale-jobs` jobs, the CLI as a user runs it
 *   (Redis).
 * - `delayed`: {@link DELAYED_JOBS} jobs due within the same second; start − due (SQLite,
 *   Redis, BullMQ).
 * - `queues`: one worker on {@link MANY_QUEUES} queues against one on one queue: jobs/s, and
 *   the CPU an idle worker uses (`/proc/PID/stat`) (SQLite, Redis).
 * - `postgres`: coord on a PostgreSQL server of its own beside graphile-worker on the same
 *   server (`queue_postgres.ts`): `latency`'s phase, and one worker draining
 *   {@link POSTGRES_THROUGHPUT_JOBS} bulk-put jobs.
 * - `retry`: `--retry-jobs` failed jobs retried at once, coord's CLI against BullMQ's
 *   `retryJobs` (`queue_retry.ts`) (SQLite, Redis, BullMQ, and PostgreSQL on a server of its
 *   own).
 *
 * Every phase checks that each job ran exactly once. Each phase has deadlines that grow with
 * its jobs (hang guards, see `queue_phase.ts`); the whole has a budget of {@link BUDGET_MS}.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BULLMQ_PACKAGES } from "./bullmq.ts";
import { sleep } from "./clock.ts";
import { errorLine } from "./command_timing.ts";
import { spawnJsonChild } from "./json_child.ts";
import { orSkipped } from "./missing_tool.ts";
import { progressOf } from "./progress.ts";
import { type Contender, type PhaseSpec, queueNames, runPhase } from "./queue_phase.ts";
import { startRedisServer } from "./redis_server.ts";
import { redisCommand } from "../tests/support/resp.ts";
import { round2, round3 } from "./stats.ts";
import { tempDir } from "./temp_dir.ts";
import { postgresColumn } from "./queue_postgres.ts";
import { retryFailed } from "./queue_retry.ts";

/** Timed jobs of the latency part, and untimed ones put first to warm both processes up. */
const LATENCY_JOBS = 200;
const LATENCY_WARMUP_JOBS = 10;
/** The latency part puts a job this often. */
const SPACING_MS = 5;
/** The idle part's jobs, each put after the worker was idle this long. */
const IDLE_JOBS = 5;
const IDLE_SPACING_MS = 10_000;
/**
 * Jobs put {@link SPACING_MS} apart before the idle part's timed ones: the goal is a running
 * worker's start after it idled, not a fresh process's, whose code has not warmed up (with one
 * warm-up job, a put alone took 1.1–1.5 ms against 0.4–0.5 in the latency part).
 */
const IDLE_WARMUP_JOBS = 200;
/** Jobs of the throughput and queues parts, put in bulk before the workers start. */
const THROUGHPUT_JOBS = 20_000;
/** Jobs a bulk put call stores (coord's `PUT_BATCH` per backend step; BullMQ's `addBulk`). */
const PUT_BATCH = 500;
/** Jobs each worker runs at once. */
const CONCURRENCY = 50;
/** Worker processes of the throughput part's second phase. */
const MANY_WORKERS = 4;
/** The scale part times this many jobs, first with this many queued, then `--scale-jobs`. */
const SCALE_MEASURED_JOBS = 1_000;
/** The scale part's rounds of {@link SCALE_MEASURED_JOBS} each, of which it reports the median. */
const SCALE_ROUNDS = 5;
/** `--scale-jobs` by default; the issue asks for 1,000,000, which adds ≈ 6 min on a quiet machine. */
const DEFAULT_SCALE_JOBS = 100_000;
/** Jobs of the delayed part, all due within one second at least this far from their put. */
const DELAYED_JOBS = 10_000;
const DELAYED_DUE_IN_MS = 5_000;
/** `--retry-jobs` by default: failed jobs the retry part makes, then retries. */
const DEFAULT_RETRY_JOBS = 10_000;
/** Queues of the queues part. */
const MANY_QUEUES = 100;
/** An idle worker's CPU is read over this long, after it has idled this long. */
const IDLE_CPU_WINDOW_MS = 10_000;
const IDLE_CPU_SETTLE_MS = 3_000;
/** The whole benchmark's budget (a hang guard). */
const BUDGET_MS = 40 * 60_000;

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const WORKER = fileURLToPath(new URL("./queue_worker.ts", import.meta.url));

const progress = progressOf("queue");

/** The parts, in the order they run. */
const PARTS = {
  latency,
  idle,
  idle_busy_putter: idleBusyPutter,
  throughput,
  scale,
  put_from: putFrom,
  delayed,
  queues: manyQueues,
  postgres,
  retry,
} as const satisfies Record<string, (run: Run) => Promise<PartFigures>>;
type PartName = keyof typeof PARTS;

/** The options this benchmark takes after its name, for `deno task bench --help`. */
export const usage = `queue options: --only PART,… (${Object.keys(PARTS).join(", ")}; ` +
  `default all), --scale-jobs N (default ${DEFAULT_SCALE_JOBS}), --retry-jobs N (default ` +
  `${DEFAULT_RETRY_JOBS})`;

/** What a part measured: by contender (`sqlite`, `redis`, `bullmq`), then by phase. */
type PartFigures = Partial<
  Record<"sqlite" | "redis" | "bullmq" | "postgres" | "graphile_worker", Record<string, unknown>>
>;

/** What every part gets: the contenders, the run's options and its budget. */
interface Run {
  sqlite: Contender;
  /** Absent when no redis-server could be started (then `redisSkipped` says why). */
  redis?: Contender;
  bullmq?: Contender;
  redisSkipped?: Record<string, unknown>;
  scaleJobs: number;
  retryJobs: number;
  dir: string;
  budget: AbortSignal;
}

/**
 * Runs the queue benchmark; see the module doc.
 *
 * @example
 * ```ts ignore
 * import queueBench from "./queue.ts";
 * console.log(await queueBench(["--only", "latency,throughput"]));
 * ```
 */
export default async function queueBench(args: string[] = []): Promise<Record<string, unknown>> {
  const { only, scaleJobs, retryJobs } = parseOptions(args);
  const started = performance.now();
  await using dir = await tempDir("coord-bench-queue-");
  const redis = await orSkipped(() => startRedisServer());
  await using server = "skipped" in redis ? undefined : redis;
  const onRedis = server && { url: () => server.url, redisPort: server.port };
  const run: Run = {
    sqlite: {
      label: "coord sqlite",
      kind: "coord",
      url: (phase) => `sqlite:${join(dir.path, `${phase}.db`)}`,
    },
    ...(onRedis
      ? {
        redis: { label: "coord redis", kind: "coord", ...onRedis },
        bullmq: { label: "bullmq", kind: "bullmq", ...onRedis },
      }
      : { redisSkipped: { ...redis } }),
    scaleJobs,
    retryJobs,
    dir: dir.path,
    budget: AbortSignal.timeout(BUDGET_MS),
  };
  const coord: Record<string, Record<string, unknown>> = { sqlite: {}, redis: {}, postgres: {} };
  const graphileWorker: Record<string, unknown> = {};
  const bullmq: Record<string, unknown> = {
    package: BULLMQ_PACKAGES.bullmq,
    client: BULLMQ_PACKAGES.ioredis,
    options: `Worker(queue, processor, { concurrency: ${CONCURRENCY} }), default job options ` +
      `(completed jobs kept); jobs put with queue.add (latency) and queue.addBulk`,
    ...run.redisSkipped,
  };
  const loadavg: Record<string, number> = {};
  for (const part of only) {
    loadavg[part] = round2(Deno.loadavg()[0]);
    const figures = await PARTS[part](run);
    if (figures.sqlite) coord.sqlite[part] = figures.sqlite;
    if (figures.redis) coord.redis[part] = figures.redis;
    if (figures.bullmq) bullmq[part] = figures.bullmq;
    if (figures.postgres) coord.postgres[part] = figures.postgres;
    if (figures.graphile_worker) graphileWorker[part] = figures.graphile_worker;
  }
  if (!server) coord.redis = { ...redis };
  return {
    parts: only,
    loadavg_1m_at_part_start: loadavg,
    loadavg_1m_at_end: round2(Deno.loadavg()[0]),
    concurrency: CONCURRENCY,
    handler: "returns its arguments, {i, putAt, timed, dueAt?}",
    scale_jobs: scaleJobs,
    retry_jobs: retryJobs,
    wall_s: round3((performance.now() - started) / 1000),
    goals: goals(coord, bullmq),
    coord,
    peers: { bullmq, graphile_worker: graphileWorker },
  };
}

/** `--only`, `--scale-jobs` and `--retry-jobs`; throws a one-line error on anything else. */
function parseOptions(
  args: string[],
): { only: PartName[]; scaleJobs: number; retryJobs: number } {
  const { values } = parseArgs({
    args,
    options: {
      only: { type: "string" },
      "scale-jobs": { type: "string" },
      "retry-jobs": { type: "string" },
    },
  });
  const only = values.only === undefined
    ? Object.keys(PARTS) as PartName[]
    : values.only.split(",").map((name) => {
      if (!Object.hasOwn(PARTS, name)) throw new Error(`queue: no part "${name}"; ${usage}`);
      return name as PartName;
    });
  const scaleJobs = Number(values["scale-jobs"] ?? DEFAULT_SCALE_JOBS);
  if (!Number.isInteger(scaleJobs) || scaleJobs < SCALE_MEASURED_JOBS) {
    throw new Error(`queue: --scale-jobs takes a whole number ≥ ${SCALE_MEASURED_JOBS}`);
  }
  const retryJobs = Number(values["retry-jobs"] ?? DEFAULT_RETRY_JOBS);
  if (!Number.isInteger(retryJobs) || retryJobs < 1) {
    throw new Error("queue: --retry-jobs takes a whole number ≥ 1");
  }
  return {
    // In the parts' order, whatever the order asked for.
    only: (Object.keys(PARTS) as PartName[]).filter((p) => only.includes(p)),
    scaleJobs,
    retryJobs,
  };
}

/** Runs `spec` for each contender present, one after the other. */
async function eachContender(
  run: Run,
  names: ("sqlite" | "redis" | "bullmq")[],
  spec: PhaseSpec,
): Promise<PartFigures> {
  const figures: PartFigures = {};
  for (const name of names) {
    const contender = run[name];
    if (contender) figures[name] = await runPhase(contender, spec, run.budget);
  }
  return figures;
}

/** Merges parts' figures phase by phase: `{ sqlite: { phase: … } }`. */
function byPhase(phases: Record<string, PartFigures>): PartFigures {
  const merged: PartFigures = {};
  for (const [phase, figures] of Object.entries(phases)) {
    for (const [name, value] of Object.entries(figures) as [keyof PartFigures, unknown][]) {
      (merged[name] ??= {})[phase] = value;
    }
  }
  return merged;
}

/** Jobs put one at a time to an idle worker; put→start of each. */
const LATENCY_SPEC: PhaseSpec = {
  name: "latency",
  put: { mode: "paced", jobs: LATENCY_JOBS, warmup: LATENCY_WARMUP_JOBS, spacingMs: SPACING_MS },
  concurrency: CONCURRENCY,
  workerFirst: true,
  until: "until-seen",
};

function latency(run: Run): Promise<PartFigures> {
  return eachContender(run, ["sqlite", "redis", "bullmq"], LATENCY_SPEC);
}

function idle(run: Run): Promise<PartFigures> {
  return idlePhase(run, "idle", false);
}

function idleBusyPutter(run: Run): Promise<PartFigures> {
  return idlePhase(run, "idle_busy_putter", true);
}

/** Jobs put to a worker that idled {@link IDLE_SPACING_MS} before each; put→start of each. */
function idlePhase(run: Run, name: string, busy: boolean): Promise<PartFigures> {
  // BullMQ too: how much of a start after idling is the machine waking, not coord.
  return eachContender(run, ["sqlite", "redis", "bullmq"], {
    name,
    put: {
      mode: "paced",
      jobs: IDLE_JOBS,
      warmup: IDLE_WARMUP_JOBS,
      warmupSpacingMs: SPACING_MS,
      spacingMs: IDLE_SPACING_MS,
      busy,
    },
    concurrency: CONCURRENCY,
    workerFirst: true,
    until: "until-seen",
  });
}

async function throughput(run: Run): Promise<PartFigures> {
  const phases: Record<string, PartFigures> = {};
  for (const workers of [1, MANY_WORKERS]) {
    const name = `workers_${workers}`;
    phases[name] = await eachContender(run, ["sqlite", "redis", "bullmq"], {
      name: `throughput_${name}`,
      put: { mode: "bulk", jobs: THROUGHPUT_JOBS, batch: PUT_BATCH },
      workers,
      concurrency: CONCURRENCY,
      workerFirst: false,
      until: "drain",
    });
    for (const figures of [phases[name].redis, phases[name].bullmq]) addRetention(figures);
  }
  return byPhase(phases);
}

/** Redis memory per completed job the queue retains (coord keeps 10,000 by default). */
function addRetention(figures: Record<string, unknown> | undefined): void {
  const redis = figures?.redis as Record<string, number> | undefined;
  const retained = (figures?.counts_after as Record<string, number> | undefined)?.completed;
  if (!redis || !retained) return;
  redis.retained_completed_jobs = retained;
  redis.used_memory_bytes_per_retained_job = Math.round(redis.used_memory_growth_bytes / retained);
}

/**
 * Jobs of the postgres part's throughput phase, for coord and graphile-worker alike: fewer than
 * the other parts', as both are slower on Postgres; more than the 2,000 it was, which one worker
 * drained in about a second, so that a moment of the machine's other load decided the figure.
 */
const POSTGRES_THROUGHPUT_JOBS = 10_000;

/**
 * coord on PostgreSQL beside graphile-worker on the same server of the part's own
 * (`queue_postgres.ts`): put→start latency as `latency`, and 1 worker's throughput.
 */
async function postgres(run: Run): Promise<PartFigures> {
  await using column = await postgresColumn(CONCURRENCY);
  const [[coordOn, coordFigures] = [], [peerOn, peerFigures] = []] = column.contenders;
  for (const [contender, figures] of [[coordOn, coordFigures], [peerOn, peerFigures]] as const) {
    if (!contender || !figures) continue;
    figures.latency = await runPhase(contender, LATENCY_SPEC, run.budget);
    figures.throughput_workers_1 = await runPhase(contender, {
      name: "throughput_postgres",
      put: { mode: "bulk", jobs: POSTGRES_THROUGHPUT_JOBS, batch: PUT_BATCH },
      workers: 1,
      concurrency: CONCURRENCY,
      workerFirst: false,
      until: "drain",
    }, run.budget);
  }
  return { postgres: column.coord, graphile_worker: column.peer };
}

/**
 * `--retry-jobs` failed jobs retried at once (`queue_retry.ts`): on SQLite, Redis and BullMQ,
 * then coord on a PostgreSQL server of the part's own (skipped without PostgreSQL installed).
 */
async function retry(run: Run): Promise<PartFigures> {
  const failing: PhaseSpec = {
    name: "retry",
    put: { mode: "bulk", jobs: run.retryJobs, batch: PUT_BATCH },
    concurrency: CONCURRENCY,
    workerFirst: false,
    until: "drain",
    handler: "throws",
  };
  const figures: PartFigures = {};
  for (const name of ["sqlite", "redis", "bullmq"] as const) {
    const contender = run[name];
    if (contender) figures[name] = await retryFailed(contender, failing, run.budget);
  }
  await using column = await postgresColumn(CONCURRENCY);
  const [onPostgres] = column.contenders.find(([contender]) => contender.kind === "coord") ?? [];
  figures.postgres = onPostgres ? await retryFailed(onPostgres, failing, run.budget) : column.coord;
  return figures;
}

async function scale(run: Run): Promise<PartFigures> {
  const phases: Record<string, PartFigures> = {};
  for (const queued of [SCALE_MEASURED_JOBS, run.scaleJobs]) {
    phases[`queued_${queued}`] = await eachContender(run, ["sqlite", "redis"], {
      name: `scale_${queued}`,
      put: { mode: "bulk", jobs: queued, batch: PUT_BATCH },
      concurrency: CONCURRENCY,
      workerFirst: false,
      until: "until-seen",
      expect: SCALE_MEASURED_JOBS,
      countFrom: "work",
      rounds: SCALE_ROUNDS,
    });
  }
  const merged = byPhase(phases);
  for (const figures of Object.values(merged)) {
    const rate = (queued: number) =>
      (figures[`queued_${queued}`] as Record<string, number> | undefined)?.jobs_per_s;
    const [few, many] = [rate(SCALE_MEASURED_JOBS), rate(run.scaleJobs)];
    if (few && many) figures.many_over_few = round2(many / few);
  }
  return merged;
}

/** `coord queue put QUEUE --from FILE --url redis://…`, timed from spawn to exit. */
async function putFrom(run: Run): Promise<PartFigures> {
  if (!run.redis) return {};
  const jobs = run.scaleJobs;
  progress(`coord redis, put --from of ${jobs} jobs`);
  const file = join(run.dir, "jobs.jsonl");
  const lines = Array.from({ length: jobs }, (_, i) => `{"handler":"echo","args":{"i":${i}}}\n`);
  await Deno.writeTextFile(file, lines.join(""));
  const url = run.redis.url("put_from");
  await redisCommand(run.redis.redisPort!, "FLUSHALL");
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "queue", "put", "put-from", "--from", file, "--url", url],
    env: { COORD_NAMESPACE: "bench-queue" },
    stdout: "null",
    stderr: "piped",
    signal: run.budget,
  }).output();
  const wallS = (performance.now() - started) / 1000;
  await Deno.remove(file);
  if (!out.success) {
    return { redis: { error: `put --from exited ${out.code}: ${errorLine(out.stderr)}` } };
  }
  const { connect, queueCounts } = await import("../lib/mod.ts");
  await using backend = await connect({ url, namespace: "bench-queue" });
  const [{ pending }] = await queueCounts(backend, ["put-from"]);
  progress(`coord redis, put --from: ${round3(wallS)} s, ${pending} pending`);
  return {
    redis: {
      command: "coord queue put QUEUE --from FILE.jsonl --url redis://… (deno run -A main.ts)",
      jobs,
      wall_s: round3(wallS),
      jobs_per_s: Math.round(jobs / wallS),
      pending_after: pending,
    },
  };
}

function delayed(run: Run): Promise<PartFigures> {
  return eachContender(run, ["sqlite", "redis", "bullmq"], {
    name: "delayed",
    put: { mode: "bulk", jobs: DELAYED_JOBS, batch: PUT_BATCH, dueInMs: DELAYED_DUE_IN_MS },
    concurrency: CONCURRENCY,
    workerFirst: true,
    until: "until-seen",
  });
}

async function manyQueues(run: Run): Promise<PartFigures> {
  const phases: Record<string, PartFigures> = {};
  for (const queues of [1, MANY_QUEUES]) {
    phases[`queues_${queues}`] = await eachContender(run, ["sqlite", "redis"], {
      name: `queues_${queues}`,
      queues,
      put: { mode: "bulk", jobs: THROUGHPUT_JOBS, batch: PUT_BATCH },
      concurrency: CONCURRENCY,
      workerFirst: false,
      until: "drain",
    });
  }
  const merged = byPhase(phases);
  for (const figures of Object.values(merged)) {
    const rate = (queues: number) =>
      (figures[`queues_${queues}`] as Record<string, number> | undefined)?.jobs_per_s;
    if (rate(1) && rate(MANY_QUEUES)) figures.many_over_one = round2(rate(MANY_QUEUES)! / rate(1)!);
  }
  for (const [name, cpu] of Object.entries(await idleCpu(run))) {
    (merged[name as keyof PartFigures] ??= {}).idle_cpu_percent = cpu;
  }
  return merged;
}

/**
 * The CPU an idle worker uses on 1 and on {@link MANY_QUEUES} empty queues, per backend: all
 * four workers idle side by side (they do nothing else), each read from `/proc/PID/stat`.
 */
async function idleCpu(run: Run): Promise<Record<string, Record<string, number | string>>> {
  const targets = (["sqlite", "redis"] as const).flatMap((name) =>
    run[name] ? [1, MANY_QUEUES].map((queues) => ({ name, queues, contender: run[name]! })) : []
  );
  progress(`idle CPU of workers on 1 and ${MANY_QUEUES} empty queues`);
  const workers = targets.map(({ contender, queues }) => {
    const phase = `idle_cpu_${queues}`;
    const names = queueNames({ name: phase, queues }).join(",");
    return spawnJsonChild(
      // One job that never comes: the worker idles until its stdin closes.
      ["run", "-A", WORKER, "work", "coord", contender.url(phase), names, 1, CONCURRENCY]
        .concat(["until-seen"]).map(String),
      { signal: run.budget, noun: "idle worker" },
    );
  });
  const result: Record<string, Record<string, number | string>> = {};
  try {
    await Promise.all(workers.map((w) => w.waitFor("ready", 30_000)));
    await sleep(IDLE_CPU_SETTLE_MS);
    const before = await Promise.all(workers.map((w) => cpuTicks(w.pid)));
    const startedAt = performance.now();
    await sleep(IDLE_CPU_WINDOW_MS);
    const after = await Promise.all(workers.map((w) => cpuTicks(w.pid)));
    const windowS = (performance.now() - startedAt) / 1000;
    targets.forEach(({ name, queues }, i) => {
      // Linux counts CPU time in clock ticks of 1/100 s (USER_HZ).
      const percent = round2(((after[i] - before[i]) / 100 / windowS) * 100);
      (result[name] ??= {})[`queues_${queues}`] = percent;
    });
  } catch (e) {
    for (const { name } of targets) {
      result[name] = { error: e instanceof Error ? e.message : String(e) };
    }
  } finally {
    for (const w of workers) await w.closeStdin();
    await Promise.all(workers.map((w) => w.done));
  }
  return result;
}

/** A process's user + system CPU time so far, in clock ticks (`/proc/PID/stat` fields 14, 15). */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  // The command name (field 2) may hold spaces: count fields from after its closing ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** The issue's goals, each as the figure it is judged by, from the parts that ran. */
function goals(
  coord: Record<string, Record<string, unknown>>,
  bullmq: Record<string, unknown>,
): Record<string, unknown> {
  const at = (root: unknown, ...path: string[]): number | undefined => {
    let value = root;
    for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
    return typeof value === "number" ? value : undefined;
  };
  const ratio = (a?: number, b?: number) => (a && b ? round2(a / b) : undefined);
  const rate = (root: unknown) => at(root, "throughput", "workers_1", "jobs_per_s");
  return {
    redis_over_bullmq_jobs_per_s: ratio(rate(coord.redis), rate(bullmq)),
    sqlite_over_bullmq_jobs_per_s: ratio(rate(coord.sqlite), rate(bullmq)),
    redis_commands_per_job: at(coord.redis, "throughput", "workers_1", "redis", "commands_per_job"),
    bullmq_commands_per_job: at(bullmq, "throughput", "workers_1", "redis", "commands_per_job"),
    redis_latency_p50_ms: at(coord.redis, "latency", "latency_ms", "p50"),
    sqlite_latency_p50_ms: at(coord.sqlite, "latency", "latency_ms", "p50"),
    sqlite_idle_latency_p50_ms: at(coord.sqlite, "idle", "latency_ms", "p50"),
    redis_idle_latency_p50_ms: at(coord.redis, "idle", "latency_ms", "p50"),
    bullmq_idle_latency_p50_ms: at(bullmq, "idle", "latency_ms", "p50"),
    // The same without the put call: its putter idled as long, and wakes as slowly.
    sqlite_idle_after_put_returned_p50_ms: at(coord.sqlite, "idle", "after_put_returned_ms", "p50"),
    redis_idle_after_put_returned_p50_ms: at(coord.redis, "idle", "after_put_returned_ms", "p50"),
    bullmq_idle_after_put_returned_p50_ms: at(bullmq, "idle", "after_put_returned_ms", "p50"),
    // The worker idled, its putter did not: the worker's part of a start after idling.
    sqlite_idle_busy_putter_latency_p50_ms: at(
      coord.sqlite,
      "idle_busy_putter",
      "latency_ms",
      "p50",
    ),
    redis_idle_busy_putter_latency_p50_ms: at(coord.redis, "idle_busy_putter", "latency_ms", "p50"),
    bullmq_idle_busy_putter_latency_p50_ms: at(bullmq, "idle_busy_putter", "latency_ms", "p50"),
    redis_many_queued_over_few: at(coord.redis, "scale", "many_over_few"),
    sqlite_many_queued_over_few: at(coord.sqlite, "scale", "many_over_few"),
    redis_put_from_s: at(coord.redis, "put_from", "wall_s"),
    // Spawn to exit for both: coord's CLI, a process calling BullMQ's retryJobs.
    redis_retry_over_bullmq: ratio(
      at(bullmq, "retry", "process_wall_s"),
      at(coord.redis, "retry", "wall_s"),
    ),
    sqlite_retry_over_bullmq: ratio(
      at(bullmq, "retry", "process_wall_s"),
      at(coord.sqlite, "retry", "wall_s"),
    ),
    redis_bytes_per_retained_job: at(
      coord.redis,
      "throughput",
      "workers_1",
      "redis",
      "used_memory_bytes_per_retained_job",
    ),
    redis_delayed_p99_ms: at(coord.redis, "delayed", "latency_ms", "p99"),
    sqlite_delayed_p99_ms: at(coord.sqlite, "delayed", "latency_ms", "p99"),
    redis_many_queues_over_one: at(coord.redis, "queues", "many_over_one"),
    sqlite_many_queues_over_one: at(coord.sqlite, "queues", "many_over_one"),
    redis_idle_cpu_percent_100_queues: at(coord.redis, "queues", "idle_cpu_percent", "queues_100"),
    sqlite_idle_cpu_percent_100_queues: at(
      coord.sqlite,
      "queues",
      "idle_cpu_percent",
      "queues_100",
    ),
  };
}
