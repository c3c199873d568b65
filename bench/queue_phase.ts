/**
 * One phase of the `queue` benchmark: one contender (coord on a backend, or BullMQ), a putter
 * process and one or more worker processes (`queue_worker.ts`) in the phase's order, and the
 * figures they report, merged: latency, throughput, CPU time, whether every job ran once, and
 * on Redis what the server did (commands, CPU, memory).
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { errorLine } from "./command_timing.ts";
import { type JsonChild, killAll, spawnJsonChild } from "./json_child.ts";
import { progressOf } from "./progress.ts";
import { redisCommand } from "../tests/support/resp.ts";
import { commandsPer, countRedisUsage, type RedisUsage, usedMemoryBytes } from "./redis_info.ts";
import { round2, round3, summarizeMs } from "./stats.ts";

/** Start-up (Deno, imports, connecting) may take this long. */
const READY_TIMEOUT_MS = 30_000;
/** Putting may take this long, plus {@link TIMEOUT_MS_PER_JOB} a job. */
const PUT_TIMEOUT_MS = 60_000;
/** Once the jobs are put, the workers have this long, plus {@link TIMEOUT_MS_PER_JOB} a job. */
const WORK_TIMEOUT_MS = 60_000;
/** A hang guard that grows with the jobs: 1 ms a job is 1000 jobs/s, far below any contender. */
const TIMEOUT_MS_PER_JOB = 1;
/** After being told to stop, a process has this long to report and exit. */
const STOP_TIMEOUT_MS = 10_000;

const WORKER = fileURLToPath(new URL("./queue_worker.ts", import.meta.url));

const progress = progressOf("queue");

/** One queue implementation on one backend. */
export interface Contender {
  label: string;
  kind: "coord" | "bullmq" | "graphile";
  /** The backend URL of a phase, by the phase's name. */
  url: (phase: string) => string;
  /** The Redis server's port, where the contender runs on the benchmark's redis-server. */
  redisPort?: number;
}

/** How a phase's putter puts its jobs (see `queue_worker.ts`'s modes). */
export type PutPlan =
  | {
    mode: "paced";
    jobs: number;
    warmup: number;
    spacingMs: number;
    warmupSpacingMs?: number;
    /** The putter keeps busy with other work meanwhile (`queue_worker.ts`'s `busy`). */
    busy?: boolean;
  }
  | { mode: "bulk"; jobs: number; batch: number; dueInMs?: number };

/** What one phase does. */
export interface PhaseSpec {
  /** Unique in the run: the SQLite file's and the queues' name. */
  name: string;
  /** Queues the jobs are spread over and the workers take from; default 1. */
  queues?: number;
  put: PutPlan;
  /** Worker processes; default 1. */
  workers?: number;
  /** Jobs each worker runs at once. */
  concurrency: number;
  /** Workers start before the put (idle-waiting) or after it (a full queue). */
  workerFirst: boolean;
  /** Workers stop once the queues are empty, or once they saw `expect` jobs complete. */
  until: "drain" | "until-seen";
  /** Jobs the workers must complete; default every job put. */
  expect?: number;
  /**
   * The handler returns its arguments (default) or throws, failing every job once: then a job
   * completes by failing, and `completed` counts failed jobs (the `retry` part's).
   */
  handler?: "returns" | "throws";
  /** On Redis, count the server's work from before the put (default) or from the work. */
  countFrom?: "put" | "work";
  /**
   * Works this many times (bulk puts, workers after the put only): each round after the first
   * puts `expect` jobs more, back to as many queued as the first found, and runs fresh workers
   * until they saw `expect` complete. The phase's work figures are its median round's (by
   * jobs/s), `jobs_per_s_rounds` every round's: a round of 1,000 jobs lasts 0.1–0.25 s, and one
   * round alone varied 0.5–2× from run to run. Default 1.
   */
  rounds?: number;
}

/** A putter's last line. */
interface Put {
  put: number;
  put_ms?: number[];
  /** `[i, instant]`: when each timed put call returned (paced). */
  returned_at?: [number, number][];
  put_s?: number;
  due_from?: number;
}

/** A worker's last line (see `queue_worker.ts`). */
interface Done {
  started_at: number;
  returned_at: number;
  cpu_s: number;
  runs: number;
  jobs_run: number;
  jobs_run_more_than_once: number;
  completed: number;
  first_start_at: number | null;
  last_completed_at: number | null;
  latency_ms: number[];
  /** `[i, instant]`: each timed job's first start, of jobs put one at a time. */
  paced_starts: [number, number][];
  problems: number;
  first_problems: string[];
  counts_after: Record<string, number>;
}

/**
 * Runs one phase and returns its figures; a phase that fails or is cut short returns what it
 * has with an `error`, or `{ stopped }` when `budget` ran out.
 *
 * @example
 * ```ts ignore
 * import { runPhase } from "./queue_phase.ts";
 * const figures = await runPhase(contender, {
 *   name: "throughput",
 *   put: { mode: "bulk", jobs: 20_000, batch: 500 },
 *   concurrency: 50,
 *   workerFirst: false,
 *   until: "drain",
 * }, AbortSignal.timeout(600_000));
 * ```
 */
export async function runPhase(
  contender: Contender,
  spec: PhaseSpec,
  budget: AbortSignal,
): Promise<Record<string, unknown>> {
  const label = `${contender.label}, ${spec.name}`;
  if (budget.aborted) {
    progress(`${label}: not run, the budget is spent`);
    return { stopped: "not run: the benchmark's budget was spent" };
  }
  progress(label);
  const queues = queueNames(spec);
  const expect = spec.expect ?? spec.put.jobs + (spec.put.mode === "paced" ? spec.put.warmup : 0);
  const rounds = spec.rounds ?? 1;
  if (rounds > 1 && (spec.put.mode !== "bulk" || spec.workerFirst)) {
    throw new Error(`${label}: rounds need a bulk put and workers after it`);
  }
  const putTimeoutMs = (jobs: number) => PUT_TIMEOUT_MS + TIMEOUT_MS_PER_JOB * jobs;
  const workTimeoutMs = WORK_TIMEOUT_MS + TIMEOUT_MS_PER_JOB * expect;
  const deadline = 2 * READY_TIMEOUT_MS + putTimeoutMs(spec.put.jobs) +
    (rounds - 1) * (READY_TIMEOUT_MS + putTimeoutMs(expect)) +
    rounds * (READY_TIMEOUT_MS + workTimeoutMs + 2 * STOP_TIMEOUT_MS);
  const signal = AbortSignal.any([budget, AbortSignal.timeout(deadline)]);
  const url = contender.url(spec.name);
  const spawn = (args: (string | number)[], noun: string, stdin: boolean) =>
    spawnJsonChild(
      [
        "run",
        "-A",
        // BullMQ's packages are the benchmark's, not the project's: kept out of `deno.lock`.
        ...(contender.kind === "coord" ? [] : ["--no-lock"]),
        WORKER,
        ...args.map(String),
      ],
      { signal, noun, stdin },
    );
  const startWorkers = async () => {
    const started = Array.from({ length: spec.workers ?? 1 }, () =>
      spawn(
        [
          "work",
          contender.kind,
          url,
          queues.join(","),
          expect,
          spec.concurrency,
          spec.until,
          spec.handler ?? "returns",
        ],
        "worker",
        true,
      ));
    workers.push(...started);
    await Promise.all(started.map((w) => w.waitFor("ready", READY_TIMEOUT_MS)));
    return started;
  };
  const putJobs = async (put: PutPlan) => {
    putter = spawn(
      put.mode === "paced"
        ? ["paced", contender.kind, url, queues[0], put.jobs, put.warmup, put.spacingMs].concat(
          put.warmupSpacingMs === undefined && !put.busy
            ? []
            : [put.warmupSpacingMs ?? put.spacingMs],
          put.busy ? ["busy"] : [],
        )
        : ["bulk", contender.kind, url, queues.join(","), put.jobs, put.batch].concat(
          put.dueInMs === undefined ? [] : [put.dueInMs],
        ),
      "putter",
      false,
    );
    const line = await putter.waitFor(
      "put",
      READY_TIMEOUT_MS + putTimeoutMs(put.jobs),
    ) as unknown as Put;
    await exited(putter);
    return line;
  };
  const port = contender.redisPort;
  const workers: JsonChild[] = [];
  let putter: JsonChild | undefined;
  try {
    // Each Redis phase starts from an empty server, so its memory and its keys are its own.
    if (port !== undefined) await redisCommand(port, "FLUSHALL");
    const memoryBefore = port === undefined ? undefined : await usedMemoryBytes(port);
    const firstWorkers = spec.workerFirst ? await startWorkers() : [];
    let counted: (() => Promise<RedisUsage>) | undefined;
    if (port !== undefined && spec.countFrom !== "work") counted = await countRedisUsage(port);
    const putLine = await putJobs(spec.put);
    let jobsPut = putLine.put;
    if (port !== undefined && spec.countFrom === "work") counted = await countRedisUsage(port);
    const ends: Awaited<ReturnType<typeof workerDone>>[][] = [];
    // The server's figures are the first round's: later ones would count the top-up puts.
    let usage: RedisUsage | undefined;
    let memoryAfter: number | undefined;
    for (let round = 0; round < rounds; round++) {
      if (round > 0) jobsPut += (await putJobs({ ...spec.put, jobs: expect })).put;
      const started = spec.workerFirst ? firstWorkers : await startWorkers();
      ends.push(await Promise.all(started.map((w) => workerDone(w, workTimeoutMs))));
      if (round === 0) {
        usage = await counted?.();
        memoryAfter = port === undefined ? undefined : await usedMemoryBytes(port);
      }
      await Promise.all(started.map(exited));
    }
    const works = ends.map((end) => workFigures(end.map((e) => e.done)));
    const work = medianBy(works, (w) => w.jobs_per_s ?? 0);
    const done = ends.flat().map((end) => end.done);
    const result = {
      ...putFigures(putLine),
      ...work,
      ...afterPutReturned(putLine, done),
      // These count every round's jobs; the work figures above are the median round's.
      ...(rounds > 1 && { rounds, jobs_per_s_rounds: works.map((w) => w.jobs_per_s) }),
      ...integrity(expect * rounds, jobsPut, done),
      ...(usage && {
        redis: {
          ...redisFigures(usage, works[0].completed, works[0].work_s),
          used_memory_bytes_after: memoryAfter,
          used_memory_growth_bytes: memoryAfter! - memoryBefore!,
        },
      }),
      ...(ends.flat().some((end) => end.cut) && {
        error: `a worker had not completed its jobs ${workTimeoutMs / 1000} s after it ` +
          `started; it was stopped and these are its figures so far`,
      }),
    };
    progress(
      `${label}: ${summaryLine(result, spec.handler === "throws" ? "failed" : "completed")}`,
    );
    return result;
  } catch (e) {
    await killAll([...workers, putter]);
    const message = e instanceof Error ? e.message : String(e);
    progress(`${label}: ${message}`);
    if (!signal.aborted) return { error: message };
    const why = budget.aborted ? "the benchmark's budget" : "its deadline";
    return { stopped: `stopped at ${why}; no figures` };
  }
}

/** The middle item of `items` by `key` (the upper one of an even count). */
function medianBy<T>(items: T[], key: (item: T) => number): T {
  return [...items].sort((a, b) => key(a) - key(b))[Math.floor(items.length / 2)];
}

/** The names of a phase's queues: its name, or its name and a number each. */
export function queueNames({ name, queues = 1 }: Pick<PhaseSpec, "name" | "queues">): string[] {
  return queues === 1 ? [name] : Array.from({ length: queues }, (_, i) => `${name}-${i}`);
}

/**
 * A worker's `{"done"}` line; after `timeoutMs` it is told to stop (stdin closed) and reports
 * what it has, with `cut` set. Either way its stdin is closed after, which lets it exit.
 */
async function workerDone(worker: JsonChild, timeoutMs: number) {
  let cut = false;
  let line: Record<string, unknown>;
  try {
    line = await worker.waitFor("done", timeoutMs);
  } catch (e) {
    // Only a timeout is cut short; a worker that exited early is an error.
    if (!/ within /.test(e instanceof Error ? e.message : String(e))) throw e;
    cut = true;
    await worker.closeStdin();
    line = await worker.waitFor("done", STOP_TIMEOUT_MS);
  }
  await worker.closeStdin();
  return { done: line as unknown as Done, cut };
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

/**
 * start − the put call's return, of each job put one at a time: the worker's part of its
 * put→start, without the put call's own time (which, after an idle spell, is the putter
 * waking as much as the worker).
 */
function afterPutReturned(put: Put, done: Done[]) {
  if (!put.returned_at) return {};
  const returned = new Map(put.returned_at);
  const ms = done.flatMap((d) => d.paced_starts)
    .filter(([i]) => returned.has(i))
    .map(([i, at]) => at - returned.get(i)!);
  return ms.length > 0 ? { after_put_returned_ms: summarizeMs(ms) } : {};
}

function putFigures(put: Put) {
  if (put.put_ms) return { put_call_ms: summarizeMs(put.put_ms) };
  return { put_s: round3(put.put_s!), put_jobs_per_s: Math.round(put.put / put.put_s!) };
}

/**
 * Latency over every worker's samples; throughput from the first worker's start to the last
 * completion anywhere; CPU time of the worker processes, per job and as a share of one core.
 */
function workFigures(done: Done[]) {
  const sum = (f: (d: Done) => number) => done.reduce((total, d) => total + f(d), 0);
  const startedAt = Math.min(...done.map((d) => d.started_at));
  const lasts = done.map((d) => d.last_completed_at).filter((at) => at !== null);
  const firsts = done.map((d) => d.first_start_at).filter((at) => at !== null);
  const workS = lasts.length === 0 ? null : (Math.max(...lasts) - startedAt) / 1000;
  const completed = sum((d) => d.completed);
  const cpuS = sum((d) => d.cpu_s);
  const latency = done.flatMap((d) => d.latency_ms);
  return {
    ...(latency.length > 0 && { latency_ms: summarizeMs(latency) }),
    work_s: workS === null ? null : round3(workS),
    jobs_per_s: workS === null ? null : Math.round(completed / workS),
    first_start_ms: firsts.length === 0 ? null : round3(Math.min(...firsts) - startedAt),
    returned_after_last_ms: lasts.length === 0
      ? null
      : round3(Math.max(...done.map((d) => d.returned_at)) - Math.max(...lasts)),
    completed,
    worker_cpu_us_per_job: completed === 0 ? null : round2(cpuS * 1e6 / completed),
    worker_cpu_cores: workS === null ? null : round2(cpuS / workS),
  };
}

/** Whether every job expected ran, and ran once. */
function integrity(expected: number, put: number, done: Done[]) {
  const sum = (f: (d: Done) => number) => done.reduce((total, d) => total + f(d), 0);
  const completed = sum((d) => d.completed);
  const problems = done.flatMap((d) => d.first_problems);
  // The last worker to return saw the queues' final counts.
  const last = done.reduce((a, b) => (b.returned_at > a.returned_at ? b : a));
  return {
    jobs_put: put,
    lost: Math.max(0, expected - completed),
    handler_runs: sum((d) => d.runs),
    // Within a worker by job id; across workers, runs that no completion accounts for.
    duplicated: sum((d) => d.jobs_run_more_than_once) +
      Math.max(0, sum((d) => d.jobs_run) - completed),
    problems: sum((d) => d.problems),
    ...(problems.length > 0 && { first_problems: problems }),
    counts_after: last.counts_after,
  };
}

/** The server's commands and CPU time per job completed, and its share of one core. */
function redisFigures({ cpuS, calls }: RedisUsage, jobs: number, workS: number | null) {
  const commands = commandsPer(calls, jobs);
  return {
    commands_per_job: commands.total,
    commands_per_job_by_name: commands.byName,
    server_cpu_us_per_job: round2((cpuS * 1e6) / jobs),
    ...(workS !== null && { server_cpu_cores: round2(cpuS / workS) }),
  };
}

/** The phase's figures in a line; `ended` names how its jobs end (completed, or failed). */
function summaryLine(result: Record<string, unknown>, ended: string): string {
  const latency = result.latency_ms as ReturnType<typeof summarizeMs> | undefined;
  const speed = latency
    ? `latency p50 ${latency.p50} ms, p99 ${latency.p99} ms`
    : `${result.jobs_per_s} jobs/s (put ${result.put_jobs_per_s} jobs/s)`;
  // With rounds, jobs/s is the median round's; the counts are every round's.
  const done = result.rounds
    ? ` (the median of ${result.rounds} rounds); ${result.handler_runs} runs in all`
    : `; ${result.completed} ${ended}`;
  return `${speed}${done}, ${result.lost} lost, ${result.duplicated} duplicated`;
}
