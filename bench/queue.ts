/**
 * How fast a job queue hands trivial jobs (the handler returns its arguments) to one worker
 * process running 50 at once, and whether every job runs exactly once: coord's queue on
 * SQLite (a fresh temporary file per phase) and on Redis (the benchmark's own redis-server),
 * and BullMQ (`npm:bullmq@6`, a `Worker` with concurrency 50) on the same redis-server in the
 * same run; coord on PostgreSQL and graphile-worker on the same server (`queue_postgres.ts`).
 * Putter and worker are separate processes (`queue_worker.ts`).
 *
 * Two phases per contender:
 *
 * - `latency`: the worker is started and idle-waiting; a putter puts `LATENCY_WARMUP_JOBS`
 *   untimed jobs, then `LATENCY_JOBS`, one at a time, `SPACING_MS` apart. Latency = the
 *   instant the handler starts (in the worker) − the instant the put call began (in the
 *   putter), both on this host's clock (`performance.timeOrigin + performance.now()`); the
 *   worker is stopped by its `AbortSignal` once it has completed every job.
 * - `throughput`: a putter puts `THROUGHPUT_JOBS` jobs, `PUT_BATCH` at a time (coord: that
 *   many `putJob` calls at once; BullMQ: one `addBulk`), and exits; then the worker starts
 *   (coord with `drain: true`) and `work_s` runs from the moment it starts working (connected
 *   already) to the last job's completion, as the worker's completion events say.
 *
 * Both phases count handler runs per job id: `lost` (put but not completed), `duplicated`
 * (run more than once), and the backend's counts afterwards. On Redis, `redis` gives the
 * server's commands per job (a script's own calls included) and CPU time per job, from before
 * the put to the worker's end.
 *
 * Bounded: each phase has a deadline (start-up, putting, working); a worker still busy then
 * is told to stop (stdin closed) and its partial figures carry an `error`. The whole has a
 * budget of 180 s; it takes ≈ 30 s on two cores.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BULLMQ_PACKAGES } from "./bullmq.ts";
import { errorLine } from "./command_timing.ts";
import { type JsonChild, killAll, spawnJsonChild } from "./json_child.ts";
import { orSkipped } from "./missing_tool.ts";
import { commandsPer, countRedisUsage, type RedisUsage } from "./redis_info.ts";
import { startRedisServer } from "./redis_server.ts";
import { round2, round3, summarizeMs } from "./stats.ts";
import { tempDir } from "./temp_dir.ts";
import { postgresColumn } from "./queue_postgres.ts";

/** Timed jobs of the latency phase. */
const LATENCY_JOBS = 200;
/** Untimed jobs put first in the latency phase: they warm up both processes' code paths. */
const LATENCY_WARMUP_JOBS = 10;
/** The latency phase puts a job this often. */
const SPACING_MS = 5;
/** Jobs of the throughput phase. */
const THROUGHPUT_JOBS = 5_000;
/** The throughput phase puts this many jobs at once. */
const PUT_BATCH = 50;
/** Jobs the worker runs at once. */
const CONCURRENCY = 50;
/** Start-up (Deno, imports, connecting) may take this long. */
const READY_TIMEOUT_MS = 30_000;
/** Putting a phase's jobs may take this long. */
const PUT_TIMEOUT_MS = 60_000;
/** Once the jobs are put, the worker has this long to complete them. */
const WORK_TIMEOUT_MS = 60_000;
/** After being told to stop, a process has this long to report and exit. */
const STOP_TIMEOUT_MS = 10_000;
/** The whole benchmark's budget. */
const BUDGET_MS = 180_000;

const WORKER = fileURLToPath(new URL("./queue_worker.ts", import.meta.url));

/** One queue implementation on one backend. */
export interface Contender {
  label: string;
  kind: "coord" | "bullmq" | "graphile";
  /** The backend URL of a phase. */
  url: (phase: Phase) => string;
  redisPort?: number;
}

type Phase = "latency" | "throughput";

/** A putter's last line. */
interface Put {
  put: number;
  put_ms?: number[];
  put_s?: number;
}

/** A worker's last line (see `queue_worker.ts`). */
interface Done {
  started_at: number;
  returned_at: number;
  stopped_by_stdin: boolean;
  runs: number;
  jobs_run: number;
  jobs_run_more_than_once: number;
  completed: number;
  first_start_at: number | null;
  last_completed_at: number | null;
  latency_ms: number[];
  problems: number;
  first_problems: string[];
  counts_after: Record<string, unknown>;
}

/**
 * Runs the queue benchmark; see the module doc.
 *
 * @example
 * ```ts ignore
 * import queueBench from "./queue.ts";
 * console.log(await queueBench());
 * ```
 */
export default async function queueBench(): Promise<Record<string, unknown>> {
  const budget = AbortSignal.timeout(BUDGET_MS);
  const started = performance.now();
  await using dir = await tempDir("coord-bench-queue-");
  const redis = await orSkipped(() => startRedisServer());
  await using server = "skipped" in redis ? undefined : redis;
  const coord: Record<string, Record<string, unknown>> = {
    sqlite: {},
    redis: server ? {} : { ...redis },
  };
  const bullmq: Record<string, unknown> = {
    package: BULLMQ_PACKAGES.bullmq,
    client: BULLMQ_PACKAGES.ioredis,
    options: `Worker(queue, processor, { concurrency: ${CONCURRENCY} }), default job options; ` +
      `jobs put with queue.add (latency) and queue.addBulk (throughput)`,
    ...(server ? {} : redis),
  };
  const contenders: [Contender, Record<string, unknown>][] = [[{
    label: "coord sqlite",
    kind: "coord",
    url: (phase) => `sqlite:${join(dir.path, `${phase}.db`)}`,
  }, coord.sqlite]];
  if (server) {
    const onRedis = { url: () => server.url, redisPort: server.port };
    contenders.push(
      [{ label: "coord redis", kind: "coord", ...onRedis }, coord.redis],
      [{ label: "bullmq", kind: "bullmq", ...onRedis }, bullmq],
    );
  }
  await using postgres = await postgresColumn(CONCURRENCY);
  coord.postgres = postgres.coord;
  contenders.push(...postgres.contenders);
  // Phases alternate between contenders, so a burst of load elsewhere is spread out.
  for (const phase of ["latency", "throughput"] as const) {
    for (const [contender, figures] of contenders) {
      figures[phase] = await measure(contender, phase, budget);
    }
  }
  return {
    concurrency: CONCURRENCY,
    latency_jobs: LATENCY_JOBS,
    latency_warmup_jobs: LATENCY_WARMUP_JOBS,
    spacing_ms: SPACING_MS,
    throughput_jobs: THROUGHPUT_JOBS,
    put_batch: PUT_BATCH,
    handler: "returns its arguments, {i, putAt, warmup}",
    budget_s: BUDGET_MS / 1000,
    wall_s: round3((performance.now() - started) / 1000),
    coord,
    peers: { bullmq, graphile_worker: postgres.peer },
  };
}

/** One phase of one contender: its putter and its worker, in the phase's order. */
async function measure(
  contender: Contender,
  phase: Phase,
  budget: AbortSignal,
): Promise<Record<string, unknown>> {
  const label = `${contender.label}, ${phase}`;
  if (budget.aborted) {
    progress(`${label}: not run, the ${BUDGET_MS / 1000} s budget is spent`);
    return { stopped: `not run: the benchmark's ${BUDGET_MS / 1000} s budget was spent` };
  }
  progress(label);
  const deadline = 2 * READY_TIMEOUT_MS + PUT_TIMEOUT_MS + WORK_TIMEOUT_MS + STOP_TIMEOUT_MS;
  const signal = AbortSignal.any([budget, AbortSignal.timeout(deadline)]);
  const spawn = (role: "paced" | "bulk" | "work", noun: string) =>
    spawnJsonChild(processArgs(contender, phase, role), { signal, noun, stdin: role === "work" });
  const jobs = phase === "latency" ? LATENCY_WARMUP_JOBS + LATENCY_JOBS : THROUGHPUT_JOBS;
  let worker: JsonChild | undefined;
  let putter: JsonChild | undefined;
  try {
    let counted: (() => Promise<RedisUsage>) | undefined;
    if (phase === "latency") {
      // The worker is idle-waiting before the first put.
      worker = spawn("work", "worker");
      await worker.waitFor("ready", READY_TIMEOUT_MS);
    }
    if (contender.redisPort !== undefined) counted = await countRedisUsage(contender.redisPort);
    putter = spawn(phase === "latency" ? "paced" : "bulk", "putter");
    const put = await putter.waitFor("put", READY_TIMEOUT_MS + PUT_TIMEOUT_MS) as unknown as Put;
    await exited(putter);
    if (phase === "throughput") {
      // Everything is put before the worker starts.
      worker = spawn("work", "worker");
      await worker.waitFor("ready", READY_TIMEOUT_MS);
    }
    const { done, cutAfterS } = await workerDone(worker!);
    const usage = await counted?.();
    await exited(worker!);
    const result = {
      ...(phase === "latency" ? latencyFigures(put, done) : throughputFigures(put, done)),
      ...integrity(jobs, put, done),
      ...(usage ? { redis: redisFigures(usage, jobs) } : {}),
      ...(cutAfterS === undefined ? {} : {
        error: `the worker had not completed every job ${cutAfterS} s after it started; ` +
          `it was stopped and these are its figures so far`,
      }),
    };
    progress(`${label}: ${summaryLine(result)}`);
    return result;
  } catch (e) {
    await killAll([worker, putter]);
    const message = e instanceof Error ? e.message : String(e);
    progress(`${label}: ${message}`);
    if (!signal.aborted) return { error: message };
    const why = budget.aborted ? `the benchmark's ${BUDGET_MS / 1000} s budget` : "its deadline";
    return { stopped: `stopped at ${why}; no figures` };
  }
}

/** The command line of a `queue_worker.ts` process. */
function processArgs(contender: Contender, phase: Phase, role: "paced" | "bulk" | "work") {
  const target = [contender.kind, contender.url(phase), `bench-${phase}`];
  const rest = {
    paced: [LATENCY_JOBS, LATENCY_WARMUP_JOBS, SPACING_MS],
    bulk: [THROUGHPUT_JOBS, PUT_BATCH],
    // The latency phase's worker stops when it has seen every job; the throughput phase's
    // coord worker drains the queue (BullMQ's stops when it has seen every job either way).
    work: phase === "latency"
      ? [LATENCY_WARMUP_JOBS + LATENCY_JOBS, CONCURRENCY, "until-seen"]
      : [THROUGHPUT_JOBS, CONCURRENCY, "drain"],
  }[role];
  // BullMQ's packages are the benchmark's, not the project's: kept out of `deno.lock`.
  return [
    "run",
    "-A",
    ...(contender.kind === "coord" ? [] : ["--no-lock"]),
    WORKER,
    role,
    ...target,
    ...rest.map(String),
  ];
}

/**
 * The worker's `{"done"}` line; after {@link WORK_TIMEOUT_MS} it is told to stop (stdin
 * closed) and reports what it has, with `cutAfterS` set. Either way its stdin is closed
 * after, which lets it exit.
 */
async function workerDone(worker: JsonChild): Promise<{ done: Done; cutAfterS?: number }> {
  let cutAfterS: number | undefined;
  let line: Record<string, unknown>;
  try {
    line = await worker.waitFor("done", WORK_TIMEOUT_MS);
  } catch (e) {
    // Only a timeout is cut short; a worker that exited early is an error.
    if (!/ within /.test(e instanceof Error ? e.message : String(e))) throw e;
    cutAfterS = WORK_TIMEOUT_MS / 1000;
    await worker.closeStdin();
    line = await worker.waitFor("done", STOP_TIMEOUT_MS);
  }
  await worker.closeStdin();
  return { done: line as unknown as Done, cutAfterS };
}

/** Waits for a process to exit; throws unless it exited 0. */
async function exited(child: JsonChild): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) =>
    timer = setTimeout(resolve, STOP_TIMEOUT_MS, "late")
  );
  const end = await Promise.race([child.done, late]);
  clearTimeout(timer);
  if (end === "late") throw new Error(`a process did not exit within ${STOP_TIMEOUT_MS / 1000} s`);
  if (end.code !== 0) throw new Error(`a process exited ${end.code}: ${errorLine(end.stderr)}`);
}

function latencyFigures(put: Put, done: Done) {
  return {
    put_to_start_ms: summarizeMs(done.latency_ms),
    put_call_ms: summarizeMs(put.put_ms ?? []),
  };
}

function throughputFigures(put: Put, done: Done) {
  const workS = done.last_completed_at === null
    ? null
    : (done.last_completed_at - done.started_at) / 1000;
  return {
    put_s: round3(put.put_s!),
    put_jobs_per_s: Math.round(put.put / put.put_s!),
    work_s: workS === null ? null : round3(workS),
    jobs_per_s: workS === null ? null : Math.round(done.completed / workS),
    first_start_ms: done.first_start_at === null
      ? null
      : round3(done.first_start_at - done.started_at),
    returned_after_last_ms: done.last_completed_at === null
      ? null
      : round3(done.returned_at - done.last_completed_at),
  };
}

/** Whether every job put ran, and ran once. */
function integrity(expected: number, put: Put, done: Done) {
  return {
    jobs_put: put.put,
    completed: done.completed,
    lost: expected - done.completed,
    handler_runs: done.runs,
    duplicated: done.jobs_run_more_than_once,
    problems: done.problems,
    ...(done.first_problems.length > 0 ? { first_problems: done.first_problems } : {}),
    counts_after: done.counts_after,
  };
}

/** The server's commands and CPU time per job, putting and running it. */
function redisFigures({ cpuS, calls }: RedisUsage, jobs: number) {
  const commands = commandsPer(calls, jobs);
  return {
    commands_per_job: commands.total,
    commands_per_job_by_name: commands.byName,
    server_cpu_us_per_job: round2((cpuS * 1e6) / jobs),
  };
}

function summaryLine(result: Record<string, unknown>): string {
  const latency = result.put_to_start_ms as ReturnType<typeof summarizeMs> | undefined;
  const speed = latency
    ? `put→start p50 ${latency.p50} ms, p99 ${latency.p99} ms`
    : `${result.jobs_per_s} jobs/s (put ${result.put_jobs_per_s} jobs/s)`;
  return `${speed}; ${result.completed}/${result.jobs_put} completed, ` +
    `${result.lost} lost, ${result.duplicated} duplicated`;
}

function progress(message: string): void {
  console.error(`queue: ${message}`);
}
