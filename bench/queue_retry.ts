/**
 * The `queue` benchmark's `retry` part, a day-two operation: every failed job of a queue put
 * back to run. {@link retryFailed} makes the failed jobs with a phase whose handler throws (a
 * bulk put, then one worker drains the queue, each job failing once), checks the queue holds
 * them all as failed, and times their retry as a user or a program runs it:
 *
 * - coord: `coord queue retry QUEUE --failed --url URL` (`deno run -A main.ts`), spawn to exit;
 * - BullMQ: `queue.retryJobs({ state: "failed" })` in a process of its own (`bullmq_retry.ts`):
 *   `wall_s` is the call alone, connected; `process_wall_s`, spawn to exit, is the figure that
 *   compares with coord's `wall_s` (both start Deno, load their code and connect).
 *
 * Then it reads the queue's counts: every job pending (BullMQ: waiting) and none failed, or the
 * figures carry an `error`.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { atExit } from "./at_exit.ts";
import { errorLine } from "./command_timing.ts";
import { progressOf } from "./progress.ts";
import { type Contender, type PhaseSpec, queueNames, runPhase } from "./queue_phase.ts";
import { NAMESPACE } from "./queue_worker.ts";
import { round3 } from "./stats.ts";

/**
 * A retry may take this long, plus {@link RETRY_TIMEOUT_MS_PER_JOB} a job (a hang guard): ≈ 33
 * jobs/s, well below coord's retry when each backend step retried one job (1.4 ms a job on
 * SQLite, 2.3 on Redis, 6 on PostgreSQL, at load 15).
 */
const RETRY_TIMEOUT_MS = 60_000;
const RETRY_TIMEOUT_MS_PER_JOB = 30;

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const BULLMQ_RETRY = fileURLToPath(new URL("./bullmq_retry.ts", import.meta.url));

const progress = progressOf("queue");

/** What one contender's retry measured. */
interface RetryFigures {
  /** What coord ran (the CLI) or BullMQ called. */
  command?: string;
  call?: string;
  /** coord: spawn to exit; BullMQ: the call alone (`null` when it printed no time). */
  wall_s: number | null;
  jobs_per_s: number | null;
  /** BullMQ's spawn to exit, which compares with coord's `wall_s`. */
  process_wall_s?: number;
  process_jobs_per_s?: number;
  exit_code: number;
  error?: string;
  /** Jobs to run afterwards: coord's pending, BullMQ's waiting. */
  pending_after?: number;
  waiting_after?: number;
  failed_after?: number;
}

/** A process run to its end: from spawn to exit, its exit code, its output. */
interface Timed {
  wallS: number;
  code: number;
  stdout: string;
  stderr: Uint8Array;
}

/**
 * Makes `failing.put.jobs` failed jobs on `contender` with the phase `failing` (its handler
 * throws), then times their retry; see the module doc. A phase or retry that goes wrong returns
 * an `error` (with the failing phase's figures when the jobs were not all failed).
 *
 * @example
 * ```ts ignore
 * import { retryFailed } from "./queue_retry.ts";
 * const figures = await retryFailed(contender, {
 *   name: "retry",
 *   put: { mode: "bulk", jobs: 10_000, batch: 500 },
 *   concurrency: 50,
 *   workerFirst: false,
 *   until: "drain",
 *   handler: "throws",
 * }, AbortSignal.timeout(600_000));
 * ```
 */
export async function retryFailed(
  contender: Contender,
  failing: PhaseSpec,
  budget: AbortSignal,
): Promise<Record<string, unknown>> {
  const jobs = failing.put.jobs;
  const made = await runPhase(contender, failing, budget);
  const failedBefore = (made.counts_after as Record<string, number> | undefined)?.failed;
  if (made.error || made.stopped || failedBefore !== jobs) {
    return {
      error: `${failedBefore ?? "no count of"} failed jobs before the retry, not ${jobs}`,
      failing: made,
    };
  }
  const [queue] = queueNames(failing);
  const url = contender.url(failing.name);
  const signal = AbortSignal.any([
    budget,
    AbortSignal.timeout(RETRY_TIMEOUT_MS + RETRY_TIMEOUT_MS_PER_JOB * jobs),
  ]);
  const label = `${contender.label}, retry of ${jobs} failed jobs`;
  progress(label);
  const figures = contender.kind === "coord"
    ? await coordRetry(url, queue, jobs, signal)
    : await bullMqRetry(url, queue, jobs, signal);
  const pendingAfter = figures.pending_after ?? figures.waiting_after;
  const error = figures.error ??
    (pendingAfter !== jobs || figures.failed_after !== 0
      ? `after the retry, ${pendingAfter} to run and ${figures.failed_after} failed of ${jobs}`
      : undefined);
  const processS = figures.process_wall_s === undefined
    ? ""
    : ` (${figures.process_wall_s} s spawn to exit)`;
  progress(
    `${label}: ${figures.wall_s} s${processS}, exit ${figures.exit_code}, ${pendingAfter} ` +
      `${contender.kind === "coord" ? "pending" : "waiting"}, ${figures.failed_after} failed`,
  );
  return {
    jobs,
    failed_before: failedBefore,
    ...figures,
    ...(error && {
      error: signal.aborted
        ? `${error} (stopped at its deadline or the benchmark's budget)`
        : error,
    }),
  };
}

/** `coord queue retry QUEUE --failed`, the CLI as a user runs it, then the queue's counts. */
async function coordRetry(
  url: string,
  queue: string,
  jobs: number,
  signal: AbortSignal,
): Promise<RetryFigures> {
  const run = await timed(["-A", MAIN, "queue", "retry", queue, "--failed", "--url", url], signal);
  const { connect, queueCounts } = await import("../lib/mod.ts");
  await using backend = await connect({ url, namespace: NAMESPACE });
  const [{ pending, failed }] = await queueCounts(backend, [queue]);
  return {
    command: "coord queue retry QUEUE --failed --url URL (deno run -A main.ts)",
    wall_s: round3(run.wallS),
    jobs_per_s: Math.round(jobs / run.wallS),
    exit_code: run.code,
    ...(run.code !== 0 && { error: `retry exited ${run.code}: ${errorLine(run.stderr)}` }),
    pending_after: pending,
    failed_after: failed,
  };
}

/** BullMQ's `retryJobs` in a process of its own (`bullmq_retry.ts`), then the queue's counts. */
async function bullMqRetry(
  url: string,
  queue: string,
  jobs: number,
  signal: AbortSignal,
): Promise<RetryFigures> {
  const bullmq = (mode: string) => ["-A", "--no-lock", BULLMQ_RETRY, mode, url, queue];
  const run = await timed(bullmq("retry"), signal);
  const { retry_s: retryS } = lastLine<{ retry_s: number }>(run.stdout);
  const countsRun = await timed(bullmq("counts"), signal);
  const { counts } = lastLine<{ counts: Record<string, number> }>(countsRun.stdout);
  return {
    call: `queue.retryJobs({ state: "failed" }) (BullMQ's default count: 1,000 jobs a step)`,
    wall_s: retryS === undefined ? null : round3(retryS),
    jobs_per_s: retryS === undefined ? null : Math.round(jobs / retryS),
    process_wall_s: round3(run.wallS),
    process_jobs_per_s: Math.round(jobs / run.wallS),
    exit_code: run.code,
    ...(run.code !== 0 && { error: `BullMQ's retry exited ${run.code}: ${errorLine(run.stderr)}` }),
    waiting_after: counts?.wait,
    failed_after: counts?.failed,
  };
}

/** `deno run ARGS`, timed from spawn to exit; killed if this process exits first. */
async function timed(args: string[], signal: AbortSignal): Promise<Timed> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...args],
    env: { COORD_NAMESPACE: NAMESPACE },
    stdout: "piped",
    stderr: "piped",
    signal,
  }).spawn();
  const unregister = atExit(() => child.kill("SIGKILL"));
  try {
    const { code, stdout, stderr } = await child.output();
    const wallS = (performance.now() - started) / 1000;
    return { wallS, code, stdout: new TextDecoder().decode(stdout), stderr };
  } finally {
    unregister();
  }
}

/** The last JSON line of `stdout`, or `{}` when it printed none. */
function lastLine<T extends object>(stdout: string): Partial<T> {
  const line = stdout.trim().split("\n").findLast((l) => l.startsWith("{"));
  return line ? JSON.parse(line) : {};
}
