/**
 * A queue worker: takes jobs from its queues, up to `concurrency` at once, runs them, records
 * results; keeps each job's lease alive while it runs, so a worker that dies (SIGKILL, power)
 * has its jobs run again elsewhere once their lease is over (BullMQ's "stalled" jobs).
 *
 * A worker runs only what it was told to trust: handlers its module exports, and commands only
 * when started with `allowCommands`.
 *
 * @module
 */

import { processId } from "../process_id.ts";
import type { Backend, ChangeWatcher } from "../backend/types.ts";
import {
  BackendUnavailableError,
  ForeignDataError,
  isUnrecoverable,
  LeaseLostError,
  oneLine,
  UsageError,
} from "../errors.ts";
import { LeaseKeeper } from "../lease.ts";
import { LeaseTimer } from "../lease_timer.ts";
import { RunStop } from "./run_stop.ts";
import { OutageReport } from "../outage_report.ts";
import { ChangeFlag } from "../backend/change_flag.ts";
import { Shutdown } from "../service.ts";
import { abortion, sleep } from "../time.ts";
import { passEnvNameRefusal, type ProcessGroup, spawnGroup } from "../subprocess.ts";
import type { SessionProcess } from "../session_groups.ts";
import { withJsonInEnv } from "../json_env.ts";
import { CANCEL_CHECK_MS, checkQueueName, jobRef } from "./queue.ts";
import { PeriodicChecks } from "./periodic_checks.ts";
import { progressLines, ProgressReporter } from "./progress.ts";
import {
  checkCount,
  checkDuration,
  MAX_CONCURRENCY,
  MAX_DELAY_MS,
  MAX_TIMER_MS,
  MIN_LEASE_MS,
  oversize,
} from "./limits.ts";
import { readCapped } from "./capped_output.ts";
import { ERROR_RETRY_MS, QueueLane } from "./lane.ts";
import { checkName } from "../backend/keys.ts";
import { QueueLooks } from "./looks.ts";
import { refusedQueues } from "./refused_queues.ts";
import type { Attempt, Finish, FinishedAndClaimed, JobRecord, Undecodable } from "./steps.ts";

/** What a handler gets besides its arguments. */
export interface JobContext {
  /** The job's reference, `QUEUE/ID`. */
  readonly job: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Aborted when the job's lease is lost, its timeout passes, or the worker stops by force. */
  readonly signal: AbortSignal;
  /** This worker's id. */
  readonly worker: string;
  /** A flow's postprocess job: its group's parts' results in order (null for a failed part). */
  readonly results?: unknown[];
  /**
   * Reports how far the job is (JSON, e.g. `{ done: 40, of: 100 }`), shown as its `progress`;
   * written at most every 250 ms, the latest value winning, the last one before the job ends.
   *
   * @throws {RangeError} when the value takes more than 1 MiB as JSON (`MAX_JOB_BYTES`).
   */
  progress(value: unknown): void;
}

/**
 * A handler job's function: its return value (JSON, at most 1 MiB) is the job's result. `A` is
 * what its arguments are taken to be: coord checks only that they are JSON, as the put stored
 * them.
 *
 * @example
 * ```ts
 * import type { JobHandler } from "../mod.ts";
 * const email: JobHandler<{ to: string }> = ({ to }) => ({ sent: to });
 * // Handlers that name their arguments' type fit `work`'s `handlers` as they are.
 * const handlers: Record<string, JobHandler> = { email, resize: (args: { px: number }) => args.px };
 * ```
 */
// Method syntax, so that a handler declaring its arguments (`(args: { to: string }) => …`)
// fits a `Record<string, JobHandler>`; a function type's `unknown` would refuse it.
export type JobHandler<A = unknown> = {
  handle(args: A, ctx: JobContext): unknown;
}["handle"];

/** Thrown by a handler, fails the job without the retries it has left. */
export class NonRetryableError extends Error {}

/** Something a worker did, for logs. */
export type WorkEvent =
  | { type: "started"; job: string; attempt: number }
  | { type: "completed"; job: string; attempt: number; durationMs: number }
  | { type: "failed"; job: string; attempt: number; error: string }
  | { type: "retrying"; job: string; attempt: number; error: string; delayMs: number }
  /** The job was cancelled while it ran (`coord queue cancel`): its run was stopped. */
  | { type: "cancelled"; job: string }
  /**
   * The lease was lost (no renewal answered for 2/3 of it, or the job is another attempt's
   * now): the run was stopped, and another worker runs the job again — or, with `gone`, the
   * job is no longer in the backend (removed, or the backend lost its data) and runs no more.
   */
  | { type: "lost"; job: string; gone?: boolean }
  /**
   * The queue was paused when the worker's look before its first claim of it answered: at the
   * start, or once an outage that held the look up is over. Its jobs (and `drain`) wait for its
   * resume. A pause after that look is not told.
   */
  | { type: "paused"; queue: string }
  /** The worker was told to stop: it waits up to `graceMs` for these running jobs. */
  | { type: "stopping"; jobs: string[]; graceMs: number }
  /** A job cut short by a stop by force went back to pending, for another worker. */
  | { type: "released"; job: string }
  /** The stop of a command job gave up on these processes, which SIGKILL did not end. */
  | { type: "left running"; job: string; processes: SessionProcess[] }
  /**
   * The backend became unavailable (said once per outage, not per queue or retry); the worker
   * retries every second until it answers.
   */
  | { type: "unavailable"; error: string }
  /** The backend answers again, every queue that met the outage included, after `outageMs`. */
  | { type: "available"; outageMs: number }
  /**
   * The backend failed otherwise than by being unavailable; the worker retries. Or, `left`, a
   * queue's look before its first claim found another program's data there (said once, with
   * the refusal's message): the worker leaves that queue and works the others.
   */
  | { type: "error"; error: string; left?: true };

/** Options of {@link work}. */
export interface WorkOptions {
  /** Handler jobs' functions by name. */
  handlers?: Record<string, JobHandler>;
  /** Run command jobs too; without it they fail with the reason. */
  allowCommands?: boolean;
  /**
   * Withheld variables (`COORD_URL`, `COORD_PASSWORD`, `PGPASSWORD`, `COORD_UI_PASSWORD`) command
   * jobs get all the same; with `allowCommands` only (see {@link passEnvRefusal}); any other name
   * is refused.
   */
  passEnv?: readonly string[];
  /** Jobs run at once; default 10. */
  concurrency?: number;
  /**
   * Return once the queues have nothing pending, scheduled or active. A queue a step finds
   * another program's data in cannot be drained: the worker leaves it (one whose settings or
   * counts hold it, at its look before its first claim; one where a later step meets it, a run
   * of it whose end is refused ending unrecorded), drains the others, then throws that
   * {@link ForeignDataError}, or one naming every queue it left (see `refused_queues.ts`).
   * Without it, a queue whose settings or counts hold such data at that look is left too, told
   * by an `error` event, and the others are worked: nothing is thrown for it.
   */
  drain?: boolean;
  /** After `signal`, how long running jobs may take to finish; default 30 000 ms. */
  graceMs?: number;
  /** A running job's lease, renewed every third of it; default 30 000 ms. */
  leaseMs?: number;
  /**
   * This worker's id, shown by `status` and `show`; default host:pid:random. One to a running
   * worker: it names the worker's leases, and after a call's answer was lost the worker hands back
   * the jobs leased to it that it does not run.
   */
  worker?: string;
  /** Stop taking jobs; running ones get the grace period. */
  signal?: AbortSignal;
  /** Stop running jobs now (they go back to pending). */
  force?: AbortSignal;
  /** Everything the worker does, for logs. */
  onEvent?: (event: WorkEvent) => void;
}

/** How {@link work} ended. */
export interface WorkResult {
  /** Jobs this worker completed. */
  completed: number;
  /**
   * Jobs that failed for good on this worker, with those its claims failed (not started by
   * their `beginBy`, abandoned too often).
   */
  failed: number;
  /** Jobs still running when the grace period ended or `force` aborted. */
  cutShort: number;
  /**
   * Handlers that had not returned when `work()` did: they went on after their signal aborted
   * (a timeout, a cancel, a lost lease, a stop by force) past the grace period, which `work()`
   * waits out for them. Their jobs' ends are recorded; a program that wants them stopped ends
   * its process.
   */
  stillRunning: number;
}

/** The worker's default concurrency and lease. */
export const DEFAULT_CONCURRENCY = 10;
/** A running job's lease when none is given. */
export const DEFAULT_JOB_LEASE_MS = 30_000;
/** How long running jobs may finish after a stop, when not told. */
export const DEFAULT_WORK_GRACE_MS = 30_000;
/**
 * An idle worker looks at every queue this often besides change notifications (a notification
 * may be lost), or once per {@link RECHECK_PER_QUEUE_MS} a queue when that is longer.
 */
const IDLE_RECHECK_MS = 2_000;
/**
 * A worker on many quiet queues would otherwise spend its time asking each for nothing: 100
 * queues are all looked at every 10 s, not every 2 s.
 */
const RECHECK_PER_QUEUE_MS = 100;
/** A worker's wait for a queue's change is renewed this often (any longer would do). */
const HEAR_MS = 3_600_000;
/** A command job's result keeps this much of its stdout. */
export const MAX_STDOUT_BYTES = 65_536;
/** A failed command job's error keeps this much of the end of its stderr. */
const STDERR_TAIL_CHARS = 300;

/** Ends the outage report's source for one queue's cancel checks (no queue name holds it). */
const CANCEL_CHECKS_SUFFIX = "\0cancel checks";

/** The outage report's source for `queue`'s cancel checks, apart from its lane's. */
function cancelChecksOf(queue: string): string {
  return queue + CANCEL_CHECKS_SUFFIX;
}

/**
 * Works on `queues` (one named twice is one) until `signal` aborts (or, with `drain`, until they
 * are empty).
 *
 * @throws {UsageError} on a bad queue name, a concurrency, lease or grace period out of range
 * (see `limits.ts`), `passEnv` without `allowCommands`, or naming a variable coord does not
 * withhold (`WITHHELD_ENV` of lib/subprocess.ts).
 * @throws {ForeignDataError} with `drain`, once the other queues are drained, when it left a
 * queue for another program's data (in its settings or counts at its look before its first
 * claim, or met by a later step): that queue's refusal, or one naming every such queue.
 * @throws {BackendClosedError} when the backend is closed under it, or `BackendDamagedError`
 * when its store is damaged (a SQLite file): running jobs are stopped
 * (their signals abort with it), and their leases run out in the backend.
 */
export async function work(
  backend: Backend,
  queues: string[],
  options: WorkOptions = {},
): Promise<WorkResult> {
  if (queues.length === 0) throw new UsageError("name at least one queue to work on");
  queues.forEach(checkQueueName);
  const refusal = passEnvRefusal(options) ?? passEnvNameRefusal(options.passEnv ?? []);
  if (refusal !== undefined) throw new UsageError(refusal);
  const concurrency = checkCount(
    { name: "concurrency", unit: "ms" },
    options.concurrency ?? DEFAULT_CONCURRENCY,
    1,
    MAX_CONCURRENCY,
  );
  const leaseMs = checkDuration(
    { name: "leaseMs", unit: "ms" },
    options.leaseMs ?? DEFAULT_JOB_LEASE_MS,
    { minMs: MIN_LEASE_MS, maxMs: MAX_TIMER_MS },
  );
  const graceMs = checkDuration(
    { name: "graceMs", unit: "ms" },
    options.graceMs ?? DEFAULT_WORK_GRACE_MS,
    { maxMs: MAX_TIMER_MS },
  );
  // A queue named twice is one queue: worked once, and named once in a refusal.
  const named = [...new Set(queues)];
  return await new Worker(backend, named, { ...options, concurrency, leaseMs, graceMs }).run();
}

/**
 * Why a worker refuses `passEnv` (undefined when it does not): given without `allowCommands`,
 * it would pass nothing, silently — only a command job's process is given the variables it
 * names, and a handler has the worker's whole environment anyway. Named as the giver named
 * the options (`names`: the CLI's flags).
 *
 * @example
 * ```ts
 * import { passEnvRefusal } from "./worker.ts";
 * passEnvRefusal({ passEnv: ["COORD_URL"] });
 * // "passEnv is for command jobs, which a worker runs only with allowCommands — give both, …"
 * passEnvRefusal({ passEnv: ["COORD_URL"], allowCommands: true }); // undefined
 * ```
 */
export function passEnvRefusal(
  { passEnv = [], allowCommands }: Pick<WorkOptions, "passEnv" | "allowCommands">,
  names = { passEnv: "passEnv", allowCommands: "allowCommands" },
): string | undefined {
  if (passEnv.length === 0 || allowCommands) return undefined;
  return `${names.passEnv} is for command jobs, which a worker runs only with ` +
    `${names.allowCommands} — give both, or neither`;
}

/** A job a worker runs. */
interface Running {
  queue: string;
  id: string;
  /** Its stop: one listener on the worker's stop by force stops them all, not one a run. */
  stop: RunStop;
  /**
   * Whether its run ended and its end was sent to be recorded: its slot is free from then on,
   * and stays free until the run leaves the worker's list (see `#start`).
   */
  ending: boolean;
}

class Worker {
  readonly #backend: Backend;
  readonly #queues: string[];
  readonly #options: WorkOptions & { concurrency: number };
  readonly #id: string;
  readonly #leaseMs: number;
  readonly #shutdown: Shutdown;
  /** Set when a queue's change is heard: wakes the loop if it waits. */
  readonly #heard = new ChangeFlag();
  /** Which queues a call may find jobs in, and when their next jobs start. */
  readonly #looks = new QueueLooks();
  /** Running jobs, by their runs' promises. */
  readonly #running = new Map<Promise<void>, Running>();
  /** Every running job's lease renewals and loss, on one timer. */
  readonly #leaseTimer = new LeaseTimer();
  /** Every running job's check for a cancel, on one timer. */
  readonly #cancelChecks = new PeriodicChecks(CANCEL_CHECK_MS);
  /** Each queue's calls. */
  readonly #lanes = new Map<string, QueueLane>();
  /** Listed runs whose end was sent to be recorded: their slots are free (`Running.ending`). */
  #ending = 0;
  /** How often every queue is looked at (a change told may be lost). */
  readonly #recheckMs: number;
  /**
   * The queues the look at every queue under way has yet to call: it is over once each was
   * called, however many calls took jobs meanwhile.
   */
  readonly #unlooked = new Set<string>();
  /** When the last look at every queue was over. */
  #lookedAtAll = performance.now();
  readonly #result: Omit<WorkResult, "stillRunning"> = { completed: 0, failed: 0, cutShort: 0 };
  /** Handlers' runs that went on after their signal aborted (see `stillRunning`). */
  readonly #outliving = new Set<Promise<unknown>>();
  /** Each queue's lane meets an outage: it is said once, and when it ends. */
  readonly #outages = new OutageReport(
    (event) =>
      this.#emit(
        event.type === "available" ? event : { type: event.type, error: event.error },
      ),
    // Each queue's lane reports its own: which queue it was tells them apart.
    (source) => `queue ${source.replace(CANCEL_CHECKS_SUFFIX, "")}`,
  );
  /** The backend was closed under the worker, or is damaged: runs end without a word to it. */
  #abandoned = false;
  /**
   * What no retry gets past, met by a call outside the claim loop (a lease's renewal, the
   * announce): the worker ends with it, as the loop ends with one its own calls meet.
   */
  #unrecoverable: Error | undefined;
  /**
   * The queues left, each with the refusal it met: by a draining worker (see `drain`), or by
   * any worker whose look before the first claim found another program's data there.
   */
  readonly #left = new Map<string, ForeignDataError>();
  /**
   * The queues whose look before their first claim (see #lookBeforeClaims) has not answered:
   * not called until it has.
   */
  readonly #unread: Set<string>;

  constructor(
    backend: Backend,
    queues: string[],
    options: WorkOptions & { concurrency: number },
  ) {
    this.#backend = backend;
    this.#queues = queues;
    this.#unread = new Set(queues);
    this.#options = options;
    // Shown in `status`'s columns and `show`: a newline in it would forge a line there.
    this.#id = options.worker === undefined ? processId() : checkName("worker id", options.worker);
    this.#leaseMs = options.leaseMs ?? DEFAULT_JOB_LEASE_MS;
    this.#shutdown = new Shutdown({ force: options.force });
    this.#shutdown.forced.addEventListener("abort", () => {
      for (const { stop } of this.#running.values()) this.#cutShort(stop);
    }, { once: true });
    this.#recheckMs = Math.max(IDLE_RECHECK_MS, queues.length * RECHECK_PER_QUEUE_MS);
    for (const queue of queues) {
      this.#lanes.set(
        queue,
        new QueueLane({
          steps: backend.queue,
          queue,
          worker: this.#id,
          leaseMs: this.#leaseMs,
          claims: (asked) => this.#claims(asked, queue),
          taken: (result, sentAt, claims) => {
            this.#looks.answered(queue, result, claims, sentAt);
            return this.#taken(queue, result, sentAt);
          },
          onError: (e, sentAt) => {
            // Changes told while the backend was away may be lost: the queue is looked at again.
            this.#looks.changed(queue);
            if (!this.#leaves(queue, e)) this.#outages.failed(queue, e, sentAt);
          },
          final: (e) => this.#drainRefused(e),
          // A write answered: reads are answered too, so the cancel checks' outage is over.
          onAnswered: () => {
            this.#outages.answered(queue);
            this.#outages.answered(cancelChecksOf(queue));
          },
          holding: () =>
            [...this.#running.values()].filter((run) => run.queue === queue).map((run) => run.id),
        }),
      );
    }
  }

  /** Slots no job holds and no call in flight is taking jobs for. */
  #free(): number {
    let claiming = 0;
    for (const lane of this.#lanes.values()) claiming += lane.claiming;
    return this.#options.concurrency - (this.#running.size - this.#ending) - claiming;
  }

  /**
   * Jobs a call to `queue` takes: none once stopping. A call that records ends takes jobs for
   * the free slots only when no other queue waits for a call; else their turns are the claim
   * loop's (a busy queue would keep every slot). Taking nothing, on a worker of several queues
   * at rest, the end's call would be followed by a look that finds the queue empty: three calls
   * a job instead of two.
   */
  #claims(asked: boolean, queue: string): number {
    if (this.#options.signal?.aborted || this.#shutdown.forced.aborted) return 0;
    if (!asked && !this.#othersQuiet(queue)) return 0;
    return Math.max(0, this.#free());
  }

  /**
   * Whether no queue but `queue` waits for a call: each was found empty since its last change
   * and its next job's start, and the look at every queue is neither under way nor due.
   */
  #othersQuiet(queue: string): boolean {
    if (this.#queues.length === 1) return true;
    if (this.#unlooked.size > 0 || this.#lookAtAllDue()) return false;
    return this.#worked().every((other) => other === queue || !this.#looks.needed(other));
  }

  /** The queues the worker calls: all but those left and those not yet looked at. */
  #worked(): string[] {
    if (this.#left.size === 0 && this.#unread.size === 0) return this.#queues;
    return this.#queues.filter((q) => !this.#left.has(q) && !this.#unread.has(q));
  }

  /** Whether `error` is one a draining worker cannot drain a queue past: another program's data. */
  #drainRefused(error: unknown): error is ForeignDataError {
    // A damaged file is one too (a subclass), but ends the whole worker, not one queue.
    return this.#options.drain === true && error instanceof ForeignDataError &&
      !isUnrecoverable(error);
  }

  /**
   * Whether a draining worker leaves `queue` for `error` (see `drain`): it calls it no more,
   * and says the refusal once, as it ends; a retry a second would meet the same data.
   */
  #leaves(queue: string, error: unknown): boolean {
    if (!this.#drainRefused(error)) return false;
    if (!this.#left.has(queue)) this.#left.set(queue, error);
    // The look at every queue under way is over without it.
    if (this.#unlooked.delete(queue) && this.#unlooked.size === 0) {
      this.#lookedAtAll = performance.now();
    }
    return true;
  }

  #lookAtAllDue(): boolean {
    return performance.now() - this.#lookedAtAll >= this.#recheckMs;
  }

  /**
   * Starts the jobs a call took (before it awaits anything); fails those coord cannot read. A
   * failure that fails is retried by the next claim, after the error pause: not at once, which
   * would loop on it.
   */
  async #taken(queue: string, result: FinishedAndClaimed, sentAt: number): Promise<void> {
    for (const job of result.jobs) this.#start(queue, job, sentAt);
    // Failed by the step itself (expired, abandoned too often): no run of this worker's ends
    // them, and failures are always told.
    for (const { id, attempt, error, flowRefused } of result.failed ?? []) {
      this.#result.failed++;
      this.#emit({
        type: "failed",
        job: jobRef(queue, id),
        attempt,
        error: alone(error, flowRefused),
      });
    }
    for (const undecodable of result.undecodable ?? []) {
      try {
        await this.#failUndecodable(queue, undecodable);
      } catch (e) {
        this.#outages.failed(queue, e);
        await sleep(ERROR_RETRY_MS);
      }
    }
  }

  #emit(event: WorkEvent): void {
    // Events feed logs: a listener that throws must not stop a run's bookkeeping (its lease
    // would be kept for a job nobody runs) nor a lane's calls.
    try {
      this.#options.onEvent?.(event);
    } catch {
      // The listener's own problem.
    }
  }

  async run(): Promise<WorkResult> {
    const stop = this.#options.signal ?? new AbortController().signal;
    const unanswered = await this.#lookBeforeClaims(this.#queues);
    const watchers = new Map(
      await Promise.all(
        this.#queues.map(async (name) =>
          [
            name,
            // A draining worker must hear the end of another worker's last run, to exit.
            await this.#backend.watch({ kind: "queue", name }, {
              startsOnly: !this.#options.drain,
            }),
          ] as const
        ),
      ),
    );
    // An outage is ridden out: the next announce is due in a third of its time to live.
    const announce = () =>
      Promise.all(
        this.#queues.map((queue) =>
          this.#backend.queue.announce(queue, { worker: this.#id, ttlMs: this.#leaseMs })
        ),
      ).catch((e) => {
        if (isUnrecoverable(e)) this.#endWith(e);
      });
    await announce();
    const announcer = setInterval(announce, this.#leaseMs / 3);
    const listening = new AbortController();
    const hearing = this.#hear(watchers, listening.signal);
    // Ended with the worker, whichever way it ends: no retry outlives work().
    const ending = new AbortController();
    const looking = this.#lookAgain(
      unanswered,
      AbortSignal.any([stop, this.#shutdown.forced, ending.signal]),
    );
    try {
      await this.#takeJobs(stop);
      await this.#finishRunning();
      await Promise.all([...this.#lanes.values()].map((lane) => lane.settle()));
      // A handler that went on after its signal aborted may be cleaning up (a `finally`): it
      // has what is left of the grace period to end.
      if (this.#outliving.size > 0) {
        const graceMs = this.#options.graceMs ?? DEFAULT_WORK_GRACE_MS;
        await this.#shutdown.drain(Promise.allSettled([...this.#outliving]), graceMs);
      }
      // Also when met as the worker stopped: its runs were abandoned.
      if (this.#unrecoverable) throw this.#unrecoverable;
      // Only a draining worker promised the queues it left would be empty.
      if (this.#options.drain && this.#left.size > 0) throw this.#leftRefusal();
      return { ...this.#result, stillRunning: this.#outliving.size };
    } catch (error) {
      if (isUnrecoverable(error)) await this.#abandonRunning(error);
      throw error;
    } finally {
      clearInterval(announcer);
      ending.abort();
      await looking;
      listening.abort();
      await hearing;
      this.#shutdown[Symbol.dispose]();
      await Promise.all(
        this.#queues.map((queue) =>
          this.#backend.queue.announce(queue, { worker: this.#id, ttlMs: 0 }).catch(() => {})
        ),
      );
      await Promise.all([...watchers.values()].map((w) => w[Symbol.asyncDispose]()));
    }
  }

  /** Every queue left, in the order given, in one refusal: one run tells them all. */
  #leftRefusal(): ForeignDataError {
    const left = this.#queues.filter((q) => this.#left.has(q));
    return refusedQueues(left.map((queue) => [queue, this.#left.get(queue)!]));
  }

  /**
   * Each queue's look at its settings and counts before its first claim, all at once: a claim
   * may not meet another program's data there (taking a job reads no count), and would run a
   * job whose end is then refused. A queue that holds it is left: a draining worker names it as
   * it ends, any other at once, by the refusal's `error` event. Also tells a queue paused.
   *
   * @returns the queues whose look met an outage, to look at again while the others are worked.
   * @throws what no retry gets past, once every look ended (none goes on after `work()`).
   */
  async #lookBeforeClaims(queues: string[]): Promise<string[]> {
    const looks = await Promise.allSettled(queues.map(async (queue) => {
      const sentAt = performance.now();
      try {
        // An empty patch changes nothing: it only reads.
        const { paused } = await this.#backend.queue.configure(queue, {});
        this.#outages.answered(queue);
        if (paused) this.#emit({ type: "paused", queue });
      } catch (e) {
        if (isUnrecoverable(e)) throw e;
        if (e instanceof ForeignDataError) {
          // An answer, if not coord's: an outage this look met before is over.
          this.#outages.answered(queue);
          this.#left.set(queue, e);
          if (!this.#options.drain) this.#emit({ type: "error", error: oneLine(e), left: true });
        } else {
          this.#outages.failed(queue, e, sentAt);
          return false;
        }
      }
      this.#unread.delete(queue);
      return true;
    }));
    const failed = looks.find((look) => look.status === "rejected");
    if (failed) throw failed.reason;
    return queues.filter((_, i) => looks[i].status === "fulfilled" && !looks[i].value);
  }

  /**
   * Looks at `queues` again every {@link ERROR_RETRY_MS} until each answers, or `over` (the
   * stop, the stop by force, or the worker's end): an outage at the start is ridden out queue by
   * queue, the others worked meanwhile. A queue that answers is called from then on; one that
   * holds another program's data is left, as at the start.
   */
  async #lookAgain(queues: string[], over: AbortSignal): Promise<void> {
    while (queues.length > 0) {
      let unanswered;
      try {
        await sleep(ERROR_RETRY_MS, over);
        unanswered = await this.#lookBeforeClaims(queues);
      } catch (e) {
        if (!over.aborted) this.#endWith(e as Error);
        return;
      }
      // Those that answered are called now, not at the next look at every queue.
      for (const queue of queues) if (!unanswered.includes(queue)) this.#looks.changed(queue);
      this.#heard.notify();
      queues = unanswered;
    }
  }

  /** Claims jobs while there is room, until stopped (or drained). */
  async #takeJobs(stop: AbortSignal): Promise<void> {
    let turn = 0;
    const stopped = abortion(stop);
    const forced = this.#shutdown.forced;
    const unlooked = this.#unlooked;
    while (!stop.aborted && !forced.aborted) {
      if (this.#free() <= 0) {
        // A slot frees when a run ends, or when a call that was taking jobs took fewer.
        const lanes = [...this.#lanes.values()].filter((lane) => lane.claiming > 0)
          .map((lane) => lane.idle());
        await Promise.race([...this.#running.keys(), ...lanes, stopped, abortion(forced)]);
        continue;
      }
      if (unlooked.size === 0 && this.#lookAtAllDue()) {
        this.#worked().forEach((queue) => unlooked.add(queue));
        // No queue to call (each awaits its look through an outage, or was left): over as it
        // begins. Due for ever, it would wake the loop at once, turn after turn, until a look
        // answered (#lookAgain then wakes it).
        if (unlooked.size === 0) this.#lookedAtAll = performance.now();
      }
      // What is heard from here on is after this order: it wakes the wait below.
      this.#heard.take();
      // From the queue after the last that took, so a busy queue starves none.
      const order = [...this.#queues.slice(turn), ...this.#queues.slice(0, turn)].filter((q) =>
        (unlooked.has(q) || this.#looks.needed(q)) && !this.#left.has(q) && !this.#unread.has(q)
      );
      /** Whether a call to `queue` (taking at most `limit`) took jobs, or must be made again. */
      const took = async (queue: string, limit?: number): Promise<boolean> => {
        if (unlooked.delete(queue) && unlooked.size === 0) this.#lookedAtAll = performance.now();
        const { jobs, undecodable, claims } = await this.#lanes.get(queue)!.take(limit);
        // A call that asked for nothing (the slots went to a call in flight) looks again.
        return jobs.length > 0 || undecodable !== undefined || claims === 0;
      };
      let claimed: string | undefined;
      try {
        if (this.#running.size === 0 && order.length > 1) {
          claimed = await this.#lookAtOnce(order, took);
        } else {
          for (const queue of order) {
            if (await took(queue)) {
              claimed = queue;
              break;
            }
          }
        }
        if (claimed !== undefined) turn = (this.#queues.indexOf(claimed) + 1) % this.#queues.length;
        // Inside the try: a draining worker waits out an outage as any other does.
        const idle = claimed === undefined && this.#running.size === 0;
        if (idle && this.#options.drain && await this.#drained()) return;
      } catch (e) {
        // No outage: nothing will answer again (or as coord wrote it), and running jobs cannot
        // record their ends.
        if (isUnrecoverable(e)) throw e;
        // Anything else was reported: by the queue's lane, or by the drain check. Changes told
        // meanwhile may be lost, and a call answered tells the outage's end: every queue is
        // looked at again. A queue left is called no more: nothing to wait for.
        if (!this.#drainRefused(e)) await sleep(ERROR_RETRY_MS, stop).catch(() => {});
        this.#queues.forEach((queue) => this.#looks.changed(queue));
        continue;
      }
      if (claimed !== undefined) continue;
      const untilRecheck = unlooked.size > 0
        ? 0
        : this.#lookedAtAll + this.#recheckMs - performance.now();
      const untilReady = this.#looks.untilReady();
      await this.#idle(Math.max(0, Math.min(untilRecheck, untilReady)), stop);
    }
  }

  /**
   * Ends the worker with `reason`, which no retry gets past, met outside the claim loop: the
   * stop is forced, which ends the loop (woken if idle) and stops running jobs, abandoned as
   * for one the loop meets (#abandonRunning: their ends not recorded).
   */
  #endWith(reason: Error): void {
    this.#unrecoverable ??= reason;
    this.#abandoned = true;
    this.#shutdown.force(reason);
    this.#heard.notify();
  }

  /**
   * An idle worker's look at several queues: a call to each at once, each taking its share of
   * the free slots, so the look costs one wait, not one per queue (an idle worker on 100
   * queues looks at all of them every 10 s). When there are fewer free slots than queues, one
   * call per slot at a time.
   *
   * @returns the last of `queues` whose call took jobs or must be made again, so that the turn
   *   goes past every queue that took (past the first only, the second queue of a look that took
   *   from two was the next to take again); undefined when none did.
   */
  async #lookAtOnce(
    queues: string[],
    took: (queue: string, limit: number) => Promise<boolean>,
  ): Promise<string | undefined> {
    for (let from = 0; from < queues.length;) {
      const free = this.#free();
      // Slots taken since the last round (the caller starts with one free): look again after it.
      if (free <= 0) return queues[from - 1];
      const round = queues.slice(from, from + free);
      const share = Math.floor(free / round.length);
      const calls = await Promise.allSettled(round.map((queue) => took(queue, share)));
      const failed = calls.find((call) => call.status === "rejected");
      if (failed) throw failed.reason;
      const last = calls.findLastIndex((call) => call.status === "fulfilled" && call.value);
      if (last >= 0) return queues[from + last];
      from += round.length;
    }
    return undefined;
  }

  /**
   * A job another program wrote over cannot be run, and must not stop the queue: it fails
   * with the reason (once — it is no longer pending) and the worker goes on. One another worker
   * failed since, and that was retried, is left to run: not counted, not logged.
   */
  async #failUndecodable(
    queue: string,
    { id, reason, deleted, fingerprint, attempt }: Undecodable,
  ) {
    const error = deleted ? reason : `cannot be read: ${reason}`;
    const held = attempt === undefined ? {} : { worker: this.#id, attempt };
    const request = { id, error, ...(fingerprint !== undefined && { fingerprint }), ...held };
    const failed = await this.#backend.queue.failUndecodable(queue, request);
    if (!failed) return;
    this.#result.failed++;
    const refused = failed === true ? undefined : failed.flowRefused;
    this.#emit({
      type: "failed",
      job: jobRef(queue, id),
      attempt: 0,
      error: alone(error, refused),
    });
  }

  /**
   * Whether every queue is empty: nothing pending, scheduled or active anywhere but in the
   * queues left (see `drain`), which the check may leave too.
   */
  async #drained(): Promise<boolean> {
    // A queue not looked at yet (an outage) is not known to be one the worker can drain.
    if (this.#unread.size > 0) return false;
    for (const queue of this.#worked()) {
      let counts;
      try {
        counts = await this.#backend.queue.counts(queue);
      } catch (e) {
        if (this.#leaves(queue, e)) continue;
        this.#outages.failed(queue, e);
        throw e;
      }
      if (counts.pending + counts.scheduled + counts.active > 0) return false;
    }
    return true;
  }

  /**
   * Hears each queue's changes for as long as the worker runs, busy or not: a queue that
   * changed is called again (claims that keep a busy queue's slots full must not hide another
   * queue's new job), and a waiting loop wakes. A wait that ends without a change counts as
   * one: it costs a call, and nothing is missed.
   */
  async #hear(watchers: Map<string, ChangeWatcher>, signal: AbortSignal): Promise<void> {
    await Promise.all(
      [...watchers].map(async ([queue, watcher]) => {
        while (!signal.aborted) {
          try {
            await watcher.next(HEAR_MS, signal);
          } catch {
            // Stopped; or the backend failed, which the loop's calls report: heard again later.
            if (signal.aborted) return;
            await sleep(ERROR_RETRY_MS, signal).catch(() => {});
          }
          this.#looks.changed(queue);
          this.#heard.notify();
        }
      }),
    );
  }

  /**
   * Waits for a queue to change, a running job to end, or `maxMs`. The sleep itself ends at
   * the first of them: a signal of its own to cut it short would cost each wake-up an
   * `AbortSignal.any` and an abort, a third of the way from a change heard to the call sent.
   */
  async #idle(maxMs: number, stop: AbortSignal) {
    // Stopped during the calls before: a sleep that rejects at once would leave the race unheard.
    if (stop.aborted) return;
    try {
      await sleep(maxMs, stop, Promise.race([this.#heard.changed, ...this.#running.keys()]));
    } catch {
      // Stopped: the loop ends.
    }
  }

  #start(queue: string, job: JobRecord, claimSentAt: number): void {
    const stop = new RunStop();
    const forcedBefore = this.#shutdown.forced.aborted;
    const running: Running = { queue, id: job.id, stop, ending: false };
    const run = this.#runJob(queue, job, claimSentAt, running).finally(() => {
      // Counted free until the run is gone, not held again in between: the lane sends the claim
      // it held back for this end as the end is answered, and a slot held then made that claim
      // ask for no job and its queue lose its turn.
      this.#running.delete(run);
      if (running.ending) this.#ending--;
    });
    this.#running.set(run, running);
    // Forced while the run's first, synchronous part ran (a handler, or an event listener, that
    // stopped its own worker by force): the stop went by before the run was listed. (Forced
    // before it, the run stopped itself at its start: see #runJob.)
    if (!forcedBefore && this.#shutdown.forced.aborted) this.#cutShort(stop);
  }

  /** Lets running jobs finish within the grace period, then stops them by force. */
  async #finishRunning(): Promise<void> {
    const graceMs = this.#options.graceMs ?? DEFAULT_WORK_GRACE_MS;
    // Forced already (a second signal, an error the worker ends with): no grace to wait out.
    if (this.#running.size > 0 && !this.#shutdown.forced.aborted) {
      const jobs = [...this.#running.values()].map((run) => jobRef(run.queue, run.id));
      this.#emit({ type: "stopping", jobs, graceMs });
    }
    // The stop by force stops each run (see #cutShort).
    if (!await this.#shutdown.drain(this.#allEnded(), graceMs)) return;
    await this.#shutdown.settle(this.#allEnded());
  }

  /**
   * Stops a run by force, and counts it cut short unless it had ended and waits only for its
   * end to be recorded. Counted as the force comes: a run it stopped may record its release
   * and be gone before the grace period's wait hears of the force.
   */
  #cutShort(stop: RunStop): void {
    if (stop.stop(this.#shutdown.forced.reason)) this.#result.cutShort++;
  }

  /**
   * The backend was closed under the worker, or is damaged: running jobs are stopped by force
   * (their signals abort with `reason`) and get the settling time to end; their ends are not
   * recorded, their leases run out in the backend.
   */
  async #abandonRunning(reason: Error): Promise<void> {
    this.#abandoned = true;
    this.#shutdown.force(reason);
    await this.#shutdown.settle(this.#allEnded());
  }

  /** The end of every run, also of those a finish took on while this waited. */
  async #allEnded(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running.keys());
  }

  async #runJob(
    queue: string,
    job: JobRecord,
    claimSentAt: number,
    running: Running,
  ): Promise<void> {
    const { stop } = running;
    const ref = jobRef(queue, job.id);
    const started = performance.now();
    // Taken by a finish whose answer came after the stop by force (earlier ones: see the
    // constructor).
    if (this.#shutdown.forced.aborted) this.#cutShort(stop);
    const timeout = job.spec.timeoutMs === undefined ? undefined : setTimeout(
      () => stop.stop(new Error(`timed out after ${job.spec.timeoutMs! / 1000} s`)),
      job.spec.timeoutMs,
    );
    const attempt = { id: job.id, worker: this.#id, attempt: job.attempts };
    const keeper = new LeaseKeeper({
      leaseMs: this.#leaseMs,
      heldSince: claimSentAt,
      renew: async () =>
        await this.#backend.queue.renew(queue, { ...attempt, leaseMs: this.#leaseMs })
          ? "held"
          : "lost",
      lostReason: () => new LeaseLostError(`job ${ref}: its lease was lost`),
      onLost: (reason) => {
        if (isUnrecoverable(reason)) this.#endWith(reason);
        stop.stop(reason);
      },
      timer: this.#leaseTimer,
    });
    // A cancel ends the job in the backend at once; the run learns of it here and stops.
    let cancelled = false;
    /** A check not yet answered: a server that hangs would otherwise get one more each period. */
    let checking = false;
    const stopCancelChecks = this.#cancelChecks.add(async () => {
      if (checking) return;
      checking = true;
      const sentAt = performance.now();
      try {
        const now = await this.#backend.queue.get(queue, job.id);
        // Its own source: a read answered while writes still fail (a replica that was demoted)
        // must not end the lane's outage, only to open it again at its next retry.
        this.#outages.answered(cancelChecksOf(queue));
        if (now && wasCancelled(now, job.attempts) && !cancelled) {
          cancelled = true;
          stop.stop(new JobCancelledError(`job ${ref} was cancelled`));
        }
      } catch (e) {
        // The next check tries again; the lease covers an outage. A worker whose slots are all
        // busy sends nothing else until a run ends: its checks tell when the outage began and
        // ended, not the first finish, which may come long after.
        if (e instanceof BackendUnavailableError) {
          this.#outages.failed(cancelChecksOf(queue), e, sentAt);
        }
      } finally {
        checking = false;
      }
    });
    // Made at the first report: most jobs report none, and then have nothing to write.
    let progress: ProgressReporter | undefined;
    /** Cleared once the run's last value is written: a handler that runs on reports nothing. */
    let reporting = true;
    const report = (value: unknown) => {
      if (!reporting) return;
      progress ??= new ProgressReporter((json) =>
        this.#backend.queue.progress(queue, { ...attempt, progress: json })
      );
      progress.report(value);
    };
    this.#emit({ type: "started", job: ref, attempt: job.attempts });
    let outcome: Finish;
    let durationMs = 0;
    try {
      const result = await this.#execute(ref, job, stop, report);
      outcome = { outcome: "completed", result };
    } catch (e) {
      outcome = this.#failure(job, e, stop);
    } finally {
      // The run's own time: recording its end may wait out an outage.
      durationMs = performance.now() - started;
      stop.end();
      // No renewal is under way once the finish is sent: it could not overtake it.
      await keeper.stop();
      stopCancelChecks();
      clearTimeout(timeout);
      // The last value reported is stored while the attempt is still this worker's; through an
      // outage of up to a third of the lease (the finish, next, rides out the rest).
      reporting = false;
      if (progress !== undefined) await progress.close({ retryForMs: this.#leaseMs / 3 });
    }
    if (this.#abandoned) return;
    if (cancelled) {
      this.#emit({ type: "cancelled", job: ref });
      return;
    }
    let recorded = false;
    if (!keeper.lost) {
      running.ending = true;
      this.#ending++;
      try {
        // Told as the answer comes: the call that recorded it may have taken the next job,
        // which starts before this run's await returns.
        recorded = await this.#lanes.get(queue)!.finish(
          { ...attempt, ...outcome },
          (stored) => {
            if (stored) this.#tellEnd(ref, job, outcome, durationMs);
          },
        );
      } catch (e) {
        // Refused as another program's in a queue a draining worker leaves: said as it ends.
        if (isUnrecoverable(e) || this.#drainRefused(e)) return;
        // The backend stayed away for a whole lease (the lane reported it): the job is run
        // again elsewhere.
      }
    }
    if (recorded) return;
    const now = await this.#readBack(queue, job.id);
    // A call whose answer came too late (a frozen worker, a server that answered after the
    // lease) may have stored the end all the same: that job does not run again.
    if (now !== "unknown" && now.job && storedEnd(now.job, attempt, outcome)) {
      this.#tellEnd(ref, job, outcome, durationMs);
    } else {
      this.#emit({ type: "lost", job: ref, gone: now !== "unknown" && now.gone });
    }
  }

  /** Counts and tells a run's end, once the backend stored it. */
  #tellEnd(ref: string, job: JobRecord, outcome: Finish, durationMs: number): void {
    if (outcome.outcome === "release") {
      this.#emit({ type: "released", job: ref });
    } else if (outcome.outcome === "completed") {
      this.#result.completed++;
      this.#emit({ type: "completed", job: ref, attempt: job.attempts, durationMs });
    } else if (outcome.outcome === "failed") {
      this.#result.failed++;
      this.#emit({ type: "failed", job: ref, attempt: job.attempts, error: outcome.error });
    } else if (outcome.outcome === "retry") {
      this.#emit({
        type: "retrying",
        job: ref,
        attempt: job.attempts,
        error: outcome.error,
        delayMs: outcome.delayMs,
      });
    }
  }

  /**
   * A job as the backend reads it after its run's end was not recorded, and whether it is gone:
   * neither stored nor removed by retention or purge (after another worker ran it). Unknown
   * during an outage.
   */
  async #readBack(
    queue: string,
    id: string,
  ): Promise<{ job?: JobRecord; gone: boolean } | "unknown"> {
    try {
      const { queue: steps } = this.#backend;
      const job = await steps.get(queue, id);
      if (job) return { job, gone: false };
      return { gone: await steps.removed(queue, id) === undefined };
    } catch {
      return "unknown";
    }
  }

  /** Retry or fail: what the job's spec, the error and the attempt say. */
  #failure(job: JobRecord, error: unknown, stop: RunStop): Finish {
    // Cut short by the worker's stop: not the job's fault, and not one of its retries.
    if (this.#shutdown.forced.aborted) return { outcome: "release" };
    const text = oneLine(stop.stopped ? stop.reason : error);
    const final = error instanceof NonRetryableError || error instanceof NotRunnableError ||
      job.failures >= job.spec.retries;
    if (final) return { outcome: "failed", error: text };
    // Doubling without a bound, a job's 43rd retry would be due past the last date a Date holds
    // (its record then refused as another program's), and later ones at Infinity.
    const delayMs = Math.min(job.spec.backoffMs * 2 ** job.failures, MAX_DELAY_MS);
    return { outcome: "retry", error: text, delayMs };
  }

  async #execute(
    ref: string,
    job: JobRecord,
    stop: RunStop,
    report: (value: unknown) => void,
  ): Promise<unknown> {
    // Taken by a finish whose answer came after the stop by force: released, not run (a run
    // begun now would be cut short, and the job run again elsewhere, its side effects twice).
    if (stop.stopped) throw stop.reason;
    const { handler, command, args } = job.spec;
    if (command !== undefined) {
      if (!this.#options.allowCommands) {
        throw new NotRunnableError(
          "command jobs run only on workers started with --allow-commands",
        );
      }
      return await runCommand(command, stop.signal, job.inputs, report, {
        // The attempt is the run's fencing token: a later run of the job has a higher one.
        env: { COORD_JOB: ref, COORD_ATTEMPT: String(job.attempts) },
        passEnv: this.#options.passEnv,
        leaseMs: this.#leaseMs,
        onLeftRunning: (processes) => this.#emit({ type: "left running", job: ref, processes }),
      });
    }
    const handlers = this.#options.handlers ?? {};
    // Only the handlers' own names: "constructor" or "toString" must not reach Object.prototype.
    const fn = Object.hasOwn(handlers, handler!) ? handlers[handler!] : undefined;
    if (typeof fn !== "function") {
      const known = Object.keys(handlers).join(", ") || "none";
      throw new NotRunnableError(`unknown handler "${handler}" (this worker has: ${known})`);
    }
    const ctx: JobContext = {
      job: ref,
      attempt: job.attempts,
      // Made only for a handler that looks at it.
      get signal() {
        return stop.signal;
      },
      worker: this.#id,
      ...(job.inputs !== undefined && { results: job.inputs }),
      progress: report,
    };
    let result = fn(args, ctx);
    if (isThenable(result)) {
      let returned = false;
      const run = Promise.resolve(result).finally(() => (returned = true));
      try {
        result = await stop.race(run);
      } catch (e) {
        if (!returned) this.#outlive(run);
        throw e;
      }
    }
    // It returned: a stop from here on (its own stop of the worker by force, before the run
    // was listed) neither cuts it short nor counts it so.
    stop.end();
    const json = JSON.stringify(result ?? null);
    // Stored as a job's spec is, so within the same bound on every backend.
    const over = oversize("the result", json);
    // Run again, the handler would return as much again, its side effects repeated for nothing.
    if (over !== undefined) throw new NonRetryableError(over);
    return JSON.parse(json);
  }

  /** Counts a handler's run that goes on after its signal aborted, until it ends. */
  #outlive(run: Promise<unknown>): void {
    this.#outliving.add(run);
    run.catch(() => {}).finally(() => this.#outliving.delete(run));
  }
}

/**
 * The reason a running job's `signal` aborts with when the job is cancelled (`cancelJob`,
 * `coord queue cancel`) while it runs: a handler can tell a cancel from its timeout or a lost
 * lease.
 *
 * @example
 * ```ts
 * import { JobCancelledError, type JobHandler } from "../mod.ts";
 * const handler: JobHandler = (_args, { signal }) =>
 *   new Promise((_, reject) =>
 *     signal.addEventListener("abort", () => {
 *       if (signal.reason instanceof JobCancelledError) console.log("cancelled");
 *       reject(signal.reason);
 *     })
 *   );
 * ```
 */
export class JobCancelledError extends Error {
  /** Names the job that was cancelled. */
  constructor(message: string) {
    super(message);
    this.name = "JobCancelledError";
  }
}

/**
 * The line a worker says of a job its step failed, `error`, and, when its flow holds another
 * program's record (`flowRefused`), that the job failed alone: one line, not a refusal of each
 * claim.
 */
function alone(error: string, flowRefused: string | undefined): string {
  return flowRefused === undefined
    ? error
    : `${error}; it failed alone, its flow left as it is: ${flowRefused}`;
}

/**
 * Whether the run of `attempt` was cancelled, as `job` now reads: the job is cancelled, or it
 * was and a retry put it back already (its history says so), maybe taken again by this worker
 * under a later attempt — a check that came round after the retry would see it running.
 */
function wasCancelled(job: JobRecord, attempt: number): boolean {
  return job.state === "cancelled" ||
    (job.history ?? []).some((end) => end.state === "cancelled" && end.attempts === attempt);
}

/**
 * Whether `job` ended as `run` sent it (completed, or failed with its error): the backend
 * stored that end, as `endedBefore` in `../backend/sql/queue.ts` tells one sent again. A retry
 * left the job pending, as a lost lease would: that one cannot tell.
 */
function storedEnd(job: JobRecord, run: Attempt, end: Finish): boolean {
  if (end.outcome !== "completed" && end.outcome !== "failed") return false;
  return job.state === end.outcome && job.worker === run.worker && job.attempts === run.attempt &&
    (end.outcome === "completed" || job.error === end.error);
}

/** A job this worker cannot run (no such handler, commands not allowed): no retries. */
class NotRunnableError extends Error {}

/**
 * Runs a command job's argv (no shell) in its own process group, so a stop reaches its
 * children too, with `env` added; a postprocess command gets its group's results (JSON) as
 * {@link withJsonInEnv} hands them on: in a file named by `COORD_RESULTS_FILE`, and as
 * `COORD_RESULTS` too when they fit in one variable (a group's results may take up to 1 MiB).
 * Coord's credentials stay out of its environment unless `passEnv` names them. Its stderr lines
 * `::progress <json>` report its progress and are kept out of its error.
 *
 * @returns `{ exitCode: 0, stdout }`, stdout cut at {@link MAX_STDOUT_BYTES}, and then
 * `truncated: true`.
 */
async function runCommand(
  argv: string[],
  signal: AbortSignal,
  results: unknown[] | undefined,
  report: (value: unknown) => void,
  run: CommandRun,
): Promise<unknown> {
  if (results === undefined) return await runGroup(argv, signal, report, run);
  return await withJsonInEnv(
    "COORD_RESULTS",
    results,
    (resultsEnv) => runGroup(argv, signal, report, { ...run, env: { ...run.env, ...resultsEnv } }),
  );
}

/** How {@link runCommand} runs a command job. */
interface CommandRun {
  env: Record<string, string>;
  passEnv?: readonly string[];
  leaseMs: number;
  /** Told what its stop gave up on (see `ProcessGroup.stop`). */
  onLeftRunning: (processes: SessionProcess[]) => void;
}

/** {@link runCommand}'s run of the command, its environment made. */
async function runGroup(
  argv: string[],
  signal: AbortSignal,
  report: (value: unknown) => void,
  { env, passEnv, leaseMs, onLeftRunning }: CommandRun,
): Promise<unknown> {
  let group: ProcessGroup;
  try {
    group = await spawnGroup(argv[0], { args: argv.slice(1), env, passEnv, leaseMs });
  } catch (e) {
    throw new NonRetryableError(`cannot run ${argv[0]}: ${oneLine(e)}`);
  }
  // What the command left running (`sleep 1000 &`) would hold its output open, and with it
  // the job: it ends with the job, as a lock's CMD's does.
  const { status, leftRunning, output: [stdout, stderr] } = await group.finish(
    signal,
    (drained) =>
      Promise.all([
        readCapped(group.stdout, { maxBytes: MAX_STDOUT_BYTES, keep: "head" }, drained),
        readCapped(
          group.stderr.pipeThrough(progressLines(report)),
          { maxBytes: 65_536, keep: "tail" },
          drained,
        ),
      ]),
  );
  if (leftRunning.length > 0) onLeftRunning(leftRunning);
  // Stopped (timeout, lost lease, forced stop): whatever the command made of its SIGTERM.
  signal.throwIfAborted();
  if (!status.success) {
    // Why it failed is at the end; "…" says the error holds only that end.
    const all = stderr.text.trim();
    const tail = all.length > STDERR_TAIL_CHARS || stderr.cut
      ? `…${all.slice(-STDERR_TAIL_CHARS)}`
      : all;
    const how = status.signal ? `killed by ${status.signal}` : `exited with status ${status.code}`;
    throw new Error(tail ? `${how}: ${tail}` : how);
  }
  // A result cut short says so: its stdout would otherwise pass for all the command wrote.
  return { exitCode: status.code, stdout: stdout.text, ...(stdout.cut && { truncated: true }) };
}

/** Whether a handler returned a promise (or another thenable) rather than its result. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}
