/**
 * One task's loop in one scheduler instance: sleep until the task's next tick, claim it with a
 * compare-and-set on the task's record, run it, commit it. Every instance runs the same loop;
 * the record decides which one runs a tick, so a tick runs once however many instances race.
 *
 * Instances sleep until the tick itself (in the backend's clock, through the measured offset)
 * rather than polling, so a run starts within a round trip or two of its tick.
 *
 * @module
 */

import type { Backend, Topic } from "../backend/types.ts";
import { type ClockOffset, estimateClockOffset } from "../clock.ts";
import { BackendUnavailableError, isUnrecoverable, LeaseLostError, oneLine } from "../errors.ts";
import { localNow, sleep, sleepUntil } from "../time.ts";
import { LeaseKeeper } from "../lease.ts";
import { RunTimeout } from "./run_timeout.ts";
import { walkTicks } from "./tick_walk.ts";
import type { ScheduleMetrics } from "./metrics.ts";
import {
  decodeRecord,
  type LastRun,
  leaseOf,
  startingRecord,
  type TaskRecord,
  type TickLease,
  type Versioned,
  withLease,
} from "./record.ts";
import type { Middleware, TaskContext, TaskDefinition } from "./task.ts";
import type { Timing } from "./timing.ts";
import type { OutageReport } from "../outage_report.ts";

/** Something a scheduler instance did or saw, for logs. */
export type ScheduleEvent =
  | { type: "started"; task: string; tick: number; latenessMs: number; triggered?: boolean }
  | { type: "succeeded"; task: string; tick: number; durationMs: number; triggered?: boolean }
  | {
    type: "failed";
    task: string;
    tick: number;
    durationMs: number;
    error: string;
    /** An extra run (`coord schedule trigger`); its tick is when it was asked for. */
    triggered?: boolean;
    /** The tick used its last retry: it is recorded as failed and the task moved on. */
    givenUp?: boolean;
  }
  /**
   * Another instance took the tick over (the lease ran out first), or a later tick replaced it
   * (overlap `replace`); the run was aborted. With `unrecorded` the run had ended (with `error`
   * if it failed) but its end was not recorded: the backend did not answer in time (`no
   * answer`: the tick may run again), another instance had taken the tick over meanwhile, or
   * the task's record was `gone` (the backend lost its state, or the task was removed) and no
   * instance had made it again: an instance that does so from an earlier read may run the tick
   * again.
   */
  | {
    type: "lost";
    task: string;
    tick: number;
    replaced?: boolean;
    /**
     * No renewal was answered for 2/3 of the lease (an outage), rather than another instance
     * having the tick: the tick is run again once its lease runs out.
     */
    unanswered?: boolean;
    unrecorded?: "no answer" | "taken over" | "gone";
    error?: string;
  }
  /**
   * A stop by force (a second signal, the grace period's end) cut the run short and it failed
   * (`error`): no failure of the task's. With `runAgain` (an at-least-once tick) another
   * instance runs the tick at once.
   */
  | {
    type: "interrupted";
    task: string;
    tick: number;
    durationMs: number;
    error: string;
    runAgain: boolean;
    triggered?: boolean;
  }
  /** A fixture's cleanup threw; the others are still torn down. */
  | { type: "teardown failed"; fixture: string; error: string }
  /**
   * The backend failed (otherwise than by being unavailable); the loop retries. `error` names
   * the task (`nightly: …`, or foreign data's `schedule "nightly": …`).
   */
  | { type: "error"; task: string; error: string }
  /**
   * The backend became unavailable, as `task` found first; every loop retries until it answers.
   * Reported once per outage, not per task.
   */
  | { type: "unavailable"; task: string; error: string }
  /** The backend answers again, every task that met the outage included, after `outageMs`. */
  | { type: "available"; outageMs: number }
  /** Ticks skipped without running: paused, or resumed without catch-up. */
  | { type: "skipped"; task: string; ticks: number; next: number | null }
  /**
   * Said once when a loop starts: the task has `ticks` overdue ticks (downtime), the oldest due
   * at `since`; its catch-up policy runs `run` of them, one by one, and skips the others.
   * `atLeast`: there were too many to count them all.
   */
  | {
    type: "overdue";
    task: string;
    ticks: number;
    run: number;
    since: number;
    catchUp: TaskDefinition["catchUp"];
    atLeast?: boolean;
  }
  /**
   * Instances run the task with two timings (`theirs`, stored, and `ours`): this instance,
   * started later, `replaced` theirs; started earlier, it is `standing by` (reported once); or
   * it has `taken over` from a later one that stopped running its ticks.
   */
  | {
    type: "timing";
    task: string;
    theirs: string;
    ours: string;
    outcome: "replaced" | "standing by" | "taken over";
  };

/** What every task loop of one scheduler instance shares. */
export interface RunnerContext {
  backend: Backend;
  /** This instance's id, recorded as a tick's owner. */
  instance: string;
  fixtures: Record<string, unknown>;
  middlewares: Middleware[];
  metrics: ScheduleMetrics;
  emit(event: ScheduleEvent): void;
  /** Where the loops report backend errors, and answers after them (see {@link OutageReport}). */
  outages: OutageReport;
  /** Aborts running tasks: the grace period is over, or a second signal came. */
  force: AbortSignal;
  /** The runs going on now; each can give its tick's lease up (after shutdown). */
  running: Set<RunningTick>;
}

/** A run going on, as the scheduler sees it at shutdown. */
export interface RunningTick {
  task: string;
  tick: number;
  /** Gives up the tick's lease so another instance runs it at once. */
  release(): Promise<void>;
}

/** Catch-up `none` still runs a tick this late (or half its period, if less): lateness. */
const NONE_GRACE_MS = 1_000;
/** A task's instances note in its record at least this often that they run it (`orphaned`). */
export const ALIVE_EVERY_MS = 3_600_000;
/**
 * How long a run without a lease (best-effort, triggered) is known to go on after its last
 * mark; marked every third of it. Status only: no run is stopped or run again for it.
 */
const ALIVE_MARK_MS = 10_000;
/** After a backend error the loop tries again this much later. */
const ERROR_RETRY_MS = 1_000;
/** While another instance runs a tick that is already overdue, re-read at least this often. */
const LEASE_RECHECK_MS = 1_000;
/** The last stretch before a tick is slept precisely (timer, then spin), not on the watcher. */
const PRECISE_WAIT_MS = 3;
/** A waiting loop re-reads its record at least this often (a clock step, a lost message). */
const MAX_WAIT_MS = 60_000;
/**
 * A task standing by for a later-started instance with another timing takes the task over when
 * that timing's tick is this overdue with no run holding it: that instance stopped running it.
 */
const ABANDONED_AFTER_MS = 10_000;
/** The clock offset is measured again after this long: clocks drift apart. */
const OFFSET_TTL_MS = 300_000;
/**
 * A step's clock reading this far outside what the offset predicts (past the offset's own
 * error) means a clock stepped: the offset is measured again…
 */
const OFFSET_SLACK_MS = 10;
/** …at most once this often (readings that disagree for good would be taken on and on). */
const OFFSET_RETRY_MS = 1_000;
/** Tries at replacing a record the loop itself keeps changing (renewals vs. finishing). */
const WRITE_ATTEMPTS = 10;
/** A run's outcome that could not be written is tried again after this long, doubling… */
const FINISH_RETRY_MS = 50;
/** …up to this long, until the backend answers or the finish's deadline passes. */
const FINISH_RETRY_MAX_MS = 1_000;

/**
 * Runs a task's ticks until `stop` aborts (after the current run ends) or a one-off task has
 * run. Backend errors are reported and retried, never thrown, but for a closed or damaged
 * backend's (see `isUnrecoverable`). With `createRecord` false (a dynamic task's instance) a
 * missing record means the task was removed.
 *
 * @returns `"done"` when a one-off task has run or the task was removed, else `"stopped"`.
 */
export async function runTaskLoop(
  def: TaskDefinition & { timing: Timing },
  context: RunnerContext,
  stop: AbortSignal,
  { createRecord = true }: { createRecord?: boolean } = {},
): Promise<"done" | "stopped"> {
  const loop = new TaskLoop(def, context, createRecord);
  try {
    while (!stop.aborted) {
      try {
        if (await loop.step(stop) === "done") return "done";
      } catch (e) {
        if (stop.aborted) break;
        // No outage: nothing will answer again (or as coord wrote it), so the scheduler ends.
        if (isUnrecoverable(e)) throw e;
        context.outages.failed(def.name, e);
        await sleep(ERROR_RETRY_MS, stop).catch(() => {});
      }
    }
    return "stopped";
  } finally {
    // After its runs end: one still recording its end may meet an outage, and a task met by
    // one after it was forgotten would keep the report "failing" for good.
    await loop.close();
    context.outages.forget(def.name);
  }
}

class TaskLoop {
  readonly #def: TaskDefinition & { timing: Timing };
  readonly #context: RunnerContext;
  readonly #topic: Topic;
  /** Backend clock − local clock; measured on the task's own node (a cluster's nodes differ). */
  #offset: ClockOffset | undefined;
  #offsetMeasuredAt = 0;
  /** Before this instant (`performance.now()`), a step that finds the offset stale keeps it. */
  #remeasureAt = 0;
  /** When this loop first read its record, backend clock: its start, for two timings' contest. */
  #startedAt: number | undefined;
  /**
   * The record of this timing the loop last read, or wrote to claim a tick: should the backend
   * lose it (a restart without persistence), the loop makes it again from the tick it had
   * reached, not from now, and past a tick it claimed (the read before the claim would run that
   * tick again once the run ended).
   */
  #lastRead: TaskRecord | undefined;
  /** Whether this loop said it stands by for another timing (see #otherTiming); said once. */
  #standingBy = false;
  /** Whether this loop looked for overdue ticks to announce (see #sayOverdue): on its start. */
  #overdueLooked = false;
  /** The other timing's record version first seen with a tick due and unrun, and when. */
  #unrunSeen: { version: number; at: number } | undefined;
  #watcher: Awaited<ReturnType<Backend["watch"]>> | undefined;
  readonly #createRecord: boolean;
  /** Best-effort runs going on; the loop ends only after they have. */
  readonly #runs = new Set<Promise<void>>();
  /**
   * Claims of this loop's runs that have not ended: an overlapping tick whose lease ran out
   * while its run still records its end (an outage) is not this loop's to run again.
   */
  readonly #ownClaims = new Set<string>();

  constructor(
    def: TaskDefinition & { timing: Timing },
    context: RunnerContext,
    createRecord: boolean,
  ) {
    this.#def = def;
    this.#context = context;
    this.#createRecord = createRecord;
    this.#topic = { kind: "schedule", name: def.name };
  }

  async #read(): Promise<Versioned<TaskRecord>> {
    const stored = await this.#context.backend.schedule.read(this.#def.name);
    // Every step starts here: the first read that is answered ends the task's outage.
    this.#context.outages.answered(this.#def.name);
    return decodeRecord<TaskRecord>(this.#def.name, "task", stored);
  }

  #write(version: number, record: TaskRecord): Promise<boolean> {
    return this.#context.backend.schedule.write(this.#def.name, {
      expect: version,
      value: JSON.stringify(record),
    });
  }

  /**
   * Waits for a backend instant, or less when the task's record changes meanwhile (another
   * instance committed a tick, a dynamic task was rescheduled): the caller re-reads it then.
   */
  async #waitUntil(instant: number, stop: AbortSignal): Promise<void> {
    const local = instant - this.#offset!.offsetMs;
    const coarseMs = local - localNow() - PRECISE_WAIT_MS;
    if (coarseMs > 0) {
      await this.#watcher!.next(Math.min(coarseMs, MAX_WAIT_MS), stop);
      if (localNow() < local - PRECISE_WAIT_MS) return;
    }
    await sleepUntil(local, stop);
  }

  /**
   * Whether a backend reading `now`, made between the local instants `sent` and `received`,
   * falls outside what the offset predicts for it, by more than the offset's own error.
   */
  #offsetStale(now: number, sent: number, received: number): boolean {
    const { offsetMs, rttMs } = this.#offset!;
    const slack = rttMs / 2 + OFFSET_SLACK_MS;
    return now < sent + offsetMs - slack || now > received + offsetMs + slack;
  }

  /** One decision: start the task's record, wait, or claim and run a tick. */
  async step(stop: AbortSignal): Promise<"done" | "again"> {
    const { timing } = this.#def;
    if (
      this.#offset === undefined || performance.now() > this.#offsetMeasuredAt + OFFSET_TTL_MS
    ) {
      this.#offset = await estimateClockOffset({
        now: () => this.#context.backend.now(this.#topic),
      });
      this.#offsetMeasuredAt = performance.now();
    }
    this.#watcher ??= await this.#context.backend.watch(this.#topic);
    const readSentAt = performance.now();
    const sentLocal = localNow();
    const { now, version, record } = await this.#read();
    // A clock stepped since the offset was measured: each wait by it would end early (a loop
    // reading the record on and on) or overshoot its tick, until the offset's next measuring.
    if (this.#offsetStale(now, sentLocal, localNow()) && performance.now() >= this.#remeasureAt) {
      this.#offset = undefined;
      this.#remeasureAt = performance.now() + OFFSET_RETRY_MS;
      return "again";
    }
    // A dynamic task's record is made by schedule() and removed by unschedule(): a loop that
    // finds none must not bring back an instance just removed (or a one-off just run).
    if (!record && !this.#createRecord) return "done";
    this.#startedAt ??= now;
    if (!record) {
      // A record this loop makes has no downtime behind it: whatever is due when it reads the
      // record again was made due since (by a trigger, a resume, a test), not left overdue.
      this.#overdueLooked = true;
      const from = this.#remadeFrom(now);
      await this.#write(version, {
        ...startingRecord(timing, now, undefined, from),
        specSince: this.#startedAt,
      });
      return "again";
    }
    if (record.spec !== timing.spec) return await this.#otherTiming(record, version, now, stop);
    this.#lastRead = record;
    this.#standingBy = false;
    if (!this.#overdueLooked) {
      this.#overdueLooked = true;
      await this.#sayOverdue(record, now);
    }
    if (!(now - (record.aliveAt ?? -Infinity) < ALIVE_EVERY_MS)) {
      await this.#write(version, { ...record, aliveAt: now });
      return "again";
    }
    if (record.triggers?.length) return await this.#claimTrigger(record, version, now);
    if (record.next === null) return "done";
    if (record.paused) {
      await this.#watcher.next(MAX_WAIT_MS, stop);
      return "again";
    }
    const rerunnable = (record.overlapping ?? []).filter((held) =>
      held.claim === undefined || !this.#ownClaims.has(held.claim)
    );
    const expired = rerunnable.find((held) => held.until <= now);
    if (expired) return await this.#reclaim(record, version, now, expired, readSentAt);
    const { lease } = record;
    let current = record;
    if (lease && lease.until > now) {
      // Another run holds the tick (or a failed tick waits for its retry): the next tick can
      // be due no earlier than the following one, unless that is overdue already.
      const following = lease.owner === "" ? lease.until : timing.next(lease.tick) ?? lease.until;
      const replace = this.#def.overlap === "replace" && lease.owner !== "" &&
        lease.tick === record.next && following <= now;
      if (!replace) {
        const wakeAt = Math.min(lease.until, following);
        if (wakeAt > now) await this.#waitUntil(wakeAt, stop);
        else await this.#watcher.next(Math.min(lease.until - now, LEASE_RECHECK_MS), stop);
        return "again";
      }
      // The running tick is given up (its run sees its lease gone) for the ones due after it.
      current = { ...record, next: following, lease: undefined };
      delete current.retrying;
    }
    // The ticks due before the pause go first, by the catch-up policy below.
    if (current.skipBefore !== undefined && current.next! >= (current.skipFrom ?? -Infinity)) {
      return await this.#skipTo(current, version, current.skipBefore);
    }
    if (current.next! > now) {
      // Or until the first overlapping run's lease runs out, to run its tick again.
      const leaseEnds = rerunnable.map((held) => held.until);
      await this.#waitUntil(Math.min(current.next!, ...leaseEnds), stop);
      return "again";
    }
    // A failed tick waiting for its retry is not missed: its retries are counted on their own.
    const keepFrom = this.#catchUpFrom(now);
    if (keepFrom > current.next! && current.retrying?.tick !== current.next) {
      return await this.#skipTo(current, version, keepFrom);
    }
    const tick = current.next!;
    const following = timing.next(tick) ?? null;
    const claim = crypto.randomUUID();
    const last: LastRun = {
      tick,
      owner: this.#context.instance,
      outcome: "running",
      startedAt: now,
    };
    const claimedLease = { owner: last.owner, tick, until: now + this.#def.leaseMs, claim };
    const allow = this.#def.overlap === "allow";
    const claimed: TaskRecord = this.#def.executionMode === "best-effort"
      // The next tick is committed before the run, so this tick never runs again.
      ? {
        ...current,
        next: following,
        lease: undefined,
        last: { ...last, aliveUntil: now + ALIVE_MARK_MS },
      }
      : allow
      // The next tick is committed too, and this one kept leased beside it until it is done.
      ? {
        ...current,
        next: following,
        overlapping: [...current.overlapping ?? [], claimedLease],
        last,
      }
      : { ...current, lease: claimedLease, last };
    claimed.runs = record.runs + 1;
    if (!await this.#write(version, claimed)) return "again";
    this.#lastRead = claimed;
    const replaced = new AbortController();
    const run = this.#execute({ ...last, claim }, following, readSentAt, { replaced });
    if (this.#def.executionMode === "at-least-once" && !allow) {
      if (this.#def.overlap === "replace") {
        await this.#watchForReplacement(run, tick, following, replaced, stop);
      }
      await run;
      return "again";
    }
    // Catching up on missed ticks: one by one, never all of a long downtime's ticks at once.
    if (following !== null && following <= now) {
      await run.catch((e) => {
        this.#context.outages.failed(this.#def.name, e);
      });
      return "again";
    }
    // The tick is committed already: the loop claims the next one while this run goes on, so a
    // run longer than the period overlaps the next instead of delaying it.
    this.#inBackground(run);
    return "again";
  }

  /**
   * Runs again an overlapping run's tick whose lease ran out (its instance died, or its retry
   * is due), beside the task's other runs.
   */
  async #reclaim(
    record: TaskRecord,
    version: number,
    now: number,
    expired: TickLease,
    readSentAt: number,
  ): Promise<"again"> {
    const claim = crypto.randomUUID();
    const owner = this.#context.instance;
    const last: LastRun = { tick: expired.tick, owner, outcome: "running", startedAt: now };
    const lease = { ...expired, owner, until: now + this.#def.leaseMs, claim };
    const claimed = { ...withLease(record, expired.claim!, lease), last, runs: record.runs + 1 };
    if (!await this.#write(version, claimed)) return "again";
    this.#inBackground(
      this.#execute({ ...last, claim }, this.#def.timing.next(expired.tick) ?? null, readSentAt),
    );
    return "again";
  }

  /**
   * While an at-least-once run goes on, watches its record for a later tick replacing it
   * (overlap `replace`, maybe on another instance), and then stops the run at once rather
   * than at its next lease renewal. Once the `following` tick is due, the run is stopped too:
   * the task's loop then replaces it (an instance alone would otherwise wait for its end) —
   * unless the instance is stopping (`stop`): it starts no later tick, so its run has the grace
   * period to end, and only another instance's later tick replaces it.
   */
  async #watchForReplacement(
    run: Promise<void>,
    tick: number,
    following: number | null,
    replaced: AbortController,
    stop: AbortSignal,
  ) {
    let ended = false;
    const ending = run.then(() => {}, () => {}).then(() => (ended = true));
    while (!ended) {
      const wake = new AbortController();
      const stopped = () => wake.abort();
      stop.addEventListener("abort", stopped, { once: true });
      await Promise.race([
        ending,
        following === null || stop.aborted
          ? this.#watcher!.next(MAX_WAIT_MS, wake.signal).catch(() => {})
          : this.#waitUntil(following, wake.signal).catch(() => {}),
      ]);
      stop.removeEventListener("abort", stopped);
      wake.abort();
      if (ended) return;
      try {
        const { now, record } = await this.#read();
        const due = following !== null && now >= following && !stop.aborted;
        if (record === undefined) continue;
        const later = record.next !== null && record.next > tick && record.lease?.tick !== tick;
        if (later || due) {
          replaced.abort();
          return;
        }
      } catch {
        // The lease keeper notices a backend that stays away.
      }
    }
  }

  #inBackground(run: Promise<void>): void {
    const background = run.catch((e) => {
      this.#context.outages.failed(this.#def.name, e);
    }).finally(() => this.#runs.delete(background));
    this.#runs.add(background);
  }

  /**
   * Claims the oldest extra run asked for and starts it beside the task's ticks. Taking it off
   * the record is the claim, so one instance runs it; one killed while it runs is not repeated.
   */
  async #claimTrigger(record: TaskRecord, version: number, now: number): Promise<"again"> {
    const [request, ...waiting] = record.triggers!;
    const started: Claimed = {
      tick: request.requestedAt,
      owner: this.#context.instance,
      outcome: "running",
      startedAt: now,
      trigger: request.id,
      claim: request.id,
    };
    const { claim: _, ...triggered } = started;
    const claimed: TaskRecord = {
      ...record,
      triggered: { ...triggered, aliveUntil: now + ALIVE_MARK_MS },
      runs: record.runs + 1,
    };
    if (waiting.length > 0) claimed.triggers = waiting;
    else delete claimed.triggers;
    if (!await this.#write(version, claimed)) return "again";
    this.#inBackground(
      this.#execute(started, record.next, performance.now(), {
        args: request.args ?? this.#def.args,
      }),
    );
    return "again";
  }

  /** The oldest overdue tick the task's catch-up policy runs: older ones are skipped. */
  #catchUpFrom(now: number): number {
    const { timing, catchUp } = this.#def;
    switch (catchUp.policy) {
      case "all":
        return -Infinity;
      case "latest":
        return timing.latest(now) ?? -Infinity;
      case "within":
        return now - catchUp.withinMs!;
      case "none": {
        const latest = timing.latest(now);
        if (latest === undefined) return -Infinity;
        const periodMs = (timing.next(latest) ?? Infinity) - latest;
        return now - Math.min(NONE_GRACE_MS, periodMs / 2);
      }
    }
  }

  /**
   * Tells of the ticks a downtime left overdue before any runs, so a burst of catch-up runs (or
   * their silent skipping) comes with a reason. Not when the task is paused, or another
   * instance holds its tick (it runs the task: no downtime), or the oldest tick is only late by
   * what catch-up `none` still counts as lateness (a restart).
   */
  async #sayOverdue(record: TaskRecord, now: number): Promise<void> {
    const { name, timing } = this.#def;
    const since = record.next;
    if (since === null || record.paused || (record.lease?.until ?? -Infinity) > now) return;
    if (since >= now - NONE_GRACE_MS) return;
    const keepFrom = this.#catchUpFrom(now);
    const { skipBefore, skipFrom = -Infinity } = record;
    const overdue = await walkTicks(timing, since, (tick) => tick <= now);
    // The ticks the policy runs are the newest: walked from the oldest of them, so that a
    // downtime past the limit does not count only ticks the policy skips.
    const runFrom = keepFrom <= since ? since : timing.next(Math.ceil(keepFrom) - 1);
    // A resume without catch-up skips its pause's ticks whatever the policy.
    const run = await walkTicks(
      timing,
      runFrom,
      (tick) => tick <= now,
      (tick) => skipBefore === undefined || tick < skipFrom || tick >= skipBefore,
    );
    const { catchUp } = this.#def;
    this.#context.emit({
      type: "overdue",
      task: name,
      ticks: overdue.counted,
      run: run.counted,
      since,
      catchUp,
      ...(overdue.cut && { atLeast: true }),
    });
  }

  /**
   * Moves the task past its ticks before `keepFrom` without running them, counting them as
   * missed (past `TICK_WALK_LIMIT` of them it jumps, and counts no more).
   */
  async #skipTo(record: TaskRecord, version: number, keepFrom: number): Promise<"again"> {
    const { timing } = this.#def;
    const walk = await walkTicks(timing, record.next ?? undefined, (tick) => tick < keepFrom);
    const next = (walk.cut ? timing.next(Math.ceil(keepFrom) - 1) : walk.next) ?? null;
    const ticks = walk.counted;
    const skipped: TaskRecord = { ...record, next, missed: (record.missed ?? 0) + ticks };
    // A catch-up skip short of a resume's leaves that one to come.
    if (keepFrom >= (record.skipBefore ?? -Infinity)) {
      delete skipped.skipBefore;
      delete skipped.skipFrom;
    }
    delete skipped.retrying;
    if (await this.#write(version, skipped) && ticks > 0) {
      this.#context.metrics.missed(this.#def.name, ticks);
      this.#context.emit({ type: "skipped", task: this.#def.name, ticks, next });
    }
    return "again";
  }

  /**
   * The stored record was made for another timing (a rolling deploy, two files with one task
   * name): the instance started last wins. This one, if it started later, starts the task over
   * from its own timing's first tick; if it started earlier, it stands by without writing, and
   * takes the task over only once the record has stayed unchanged with a tick due and unrun for
   * {@link ABANDONED_AFTER_MS}: an instance that runs the task changes it whenever a tick is
   * due (a late tick alone — after a long run, a resume, an outage — says nothing). A dynamic
   * task's instance waits instead: `schedule()` changed it, and its template's loop restarts it
   * with the new timing.
   */
  async #otherTiming(
    record: TaskRecord,
    version: number,
    now: number,
    stop: AbortSignal,
  ): Promise<"again"> {
    if (!this.#createRecord) {
      await this.#watcher!.next(ERROR_RETRY_MS, stop);
      return "again";
    }
    const { name, timing } = this.#def;
    const startedLater = (record.specSince ?? -Infinity) < this.#startedAt!;
    const unrun = unrunTick(record, now);
    if (unrun === undefined) this.#unrunSeen = undefined;
    else if (this.#unrunSeen?.version !== version) {
      this.#unrunSeen = { version, at: performance.now() };
    }
    const unrunForMs = this.#unrunSeen ? performance.now() - this.#unrunSeen.at : 0;
    if (startedLater || unrunForMs >= ABANDONED_AFTER_MS) {
      // From the other timing's oldest tick nobody runs (its instance died mid-run, or stopped):
      // the catch-up policy decides about the ticks since, as after downtime.
      const from = unrun === undefined ? now : unrun - 1;
      const started = {
        ...startingRecord(timing, now, record, from),
        specSince: this.#startedAt,
      };
      if (await this.#write(version, started)) {
        this.#context.emit({
          type: "timing",
          task: name,
          theirs: record.spec,
          ours: timing.spec,
          outcome: startedLater ? "replaced" : "taken over",
        });
      }
      return "again";
    }
    if (!this.#standingBy) {
      this.#standingBy = true;
      this.#context.emit({
        type: "timing",
        task: name,
        theirs: record.spec,
        ours: timing.spec,
        outcome: "standing by",
      });
    }
    // Woken by every change; else looks again when the unrun tick would count as abandoned, or
    // when the other timing's next tick is due.
    const dueInMs = record.next === null ? MAX_WAIT_MS : record.next - now;
    const waitMs = unrun === undefined ? dueInMs + 1 : ABANDONED_AFTER_MS - unrunForMs;
    await this.#watcher!.next(Math.max(1, Math.min(waitMs, MAX_WAIT_MS)), stop);
    return "again";
  }

  /**
   * Where a record made anew starts ticking from (its first tick is the next one after): now for
   * a new task; for one whose record was lost, the tick its last record had reached — which a
   * record made from now would skip when it came due as the record was lost — or the one after
   * it when a run held it, as that run may still go on or have ended (this loop's own run, whose
   * end found no record to commit the tick in).
   */
  #remadeFrom(now: number): number {
    const next = this.#lastRead?.next;
    if (next === undefined || next === null) return now;
    const lease = this.#lastRead!.lease;
    return lease && lease.owner !== "" && lease.tick === next ? next : next - 1;
  }

  async #execute(
    started: Claimed,
    following: number | null,
    readSentAt: number,
    { args = this.#def.args, replaced }: { args?: unknown; replaced?: AbortController } = {},
  ): Promise<void> {
    const { name } = this.#def;
    const { tick } = started;
    const triggered = started.trigger !== undefined;
    const context = this.#context;
    const abort = new AbortController();
    const onForce = () => abort.abort(context.force.reason);
    context.force.addEventListener("abort", onForce, { once: true });
    const startedLocal = localNow();
    const latenessMs = startedLocal + this.#offset!.offsetMs - tick;
    context.metrics.started(name, latenessMs);
    context.emit({ type: "started", task: name, tick, latenessMs, triggered });
    // A task removed while it runs (a dynamic task unscheduled) runs on: no lease is left.
    let takenOver = false;
    const keeper = this.#def.executionMode === "at-least-once" && !triggered
      ? new LeaseKeeper({
        leaseMs: this.#def.leaseMs,
        heldSince: readSentAt,
        renew: async () => {
          const until = await this.#extend(started);
          takenOver = until === "lost";
          return until === "removed" ? "gone" : until === "lost" ? "lost" : "held";
        },
        lostReason: () =>
          new LeaseLostError(`lost the lease on its tick ${new Date(tick).toISOString()}`),
      })
      : undefined;
    keeper?.signal.addEventListener("abort", () => abort.abort(keeper.signal.reason), {
      once: true,
    });
    const marking = keeper ? undefined : this.#keepMarked(started);
    const onReplaced = () =>
      keeper?.lose(new LeaseLostError("a later tick replaced it (overlap replace)"));
    replaced?.signal.addEventListener("abort", onReplaced, { once: true });
    const running = {
      task: name,
      tick,
      release: () => this.#release(started, localNow() - startedLocal),
    };
    context.running.add(running);
    this.#ownClaims.add(started.claim);
    const ctx: TaskContext = {
      task: name,
      scheduledAt: new Date(tick),
      signal: abort.signal,
      instance: context.instance,
      fixtures: context.fixtures,
      ...(args !== undefined && { args }),
      leaseMs: this.#def.leaseMs,
      heartbeat: () => keeper?.renew() ?? Promise.resolve(),
    };
    let error: string | undefined;
    const timeout = new RunTimeout(this.#def.timeoutMs, abort);
    try {
      await timeout.bound(compose(context.middlewares, this.#def.handler)(ctx));
    } catch (e) {
      error = oneLine(e);
    } finally {
      timeout.stop();
      keeper?.stop();
      marking?.stop();
      context.force.removeEventListener("abort", onForce);
      replaced?.signal.removeEventListener("abort", onReplaced);
      // Ended before any stop by force: that stop neither counts it as cut short nor gives its
      // tick up while its end is being recorded. One it cut short stays until recorded.
      if (!context.force.aborted) context.running.delete(running);
    }
    if (timeout.passed) error = timeout.failure(error);
    // Read once, as the run ended: recorded and logged alike, however long recording takes.
    const interrupted = context.force.aborted;
    const durationMs = localNow() - startedLocal;
    try {
      const outcome = keeper?.lost ? "lost" : await this.#finish(started, following, error, {
        // A run cut short by shutdown is handed to another instance at once.
        interrupted,
        // The end is written fenced by the run's claim, so it lands only while the tick is
        // still this run's, which it may be after the keeper gave it up and even after the
        // backend's lease ran out (nobody took it over). Giving up would run the tick again.
        deadline: (keeper?.deadline ?? performance.now()) + this.#def.leaseMs,
      });
      // A best-effort or triggered run is never run again: its end only goes unrecorded.
      const unrecorded = outcome === "unrecorded" || outcome === "gone";
      if (outcome === "lost" || (unrecorded && keeper)) {
        context.metrics.lost(name);
        const ended = !keeper?.lost;
        context.emit({
          type: "lost",
          task: name,
          tick,
          replaced: replaced?.signal.aborted,
          ...(!ended && !takenOver && !replaced?.signal.aborted && { unanswered: true }),
          ...(ended && {
            unrecorded: outcome === "unrecorded"
              ? "no answer"
              : outcome === "gone"
              ? "gone"
              : "taken over",
            ...(error !== undefined && { error }),
          }),
        });
      } else if (error !== undefined && interrupted) {
        context.emit({
          type: "interrupted",
          task: name,
          tick,
          durationMs,
          error,
          runAgain: keeper !== undefined,
          triggered,
        });
      } else if (error !== undefined) {
        context.metrics.failed(name);
        const givenUp = outcome === "given up";
        context.emit({ type: "failed", task: name, tick, durationMs, error, givenUp, triggered });
      } else {
        context.emit({ type: "succeeded", task: name, tick, durationMs, triggered });
      }
    } finally {
      context.running.delete(running);
      this.#ownClaims.delete(started.claim);
    }
  }

  /**
   * Records how a run ended and, for an at-least-once task, commits the tick or keeps it for a
   * retry as the failure mode says. While the backend cannot be reached (a restart, a dropped
   * connection) it tries again until `deadline` (local clock): a write whose reply was lost may
   * have landed, which the next read tells, and a tick whose commit is given up is run again.
   *
   * @returns `lost` when another instance holds the tick now, `removed` when a dynamic task is
   * gone (unscheduled), `gone` when a task of the file has no record (the backend lost it, or it
   * was removed) and no instance has made it again, `given up` when a failed tick used its last
   * retry and the task moved on, `unrecorded` when the backend did not answer before `deadline`
   * or the stop was forced.
   */
  async #finish(
    started: Claimed,
    following: number | null,
    error: string | undefined,
    { interrupted, deadline }: { interrupted: boolean; deadline: number },
  ): Promise<Finished | "unrecorded"> {
    let retryMs = FINISH_RETRY_MS;
    for (let attempt = 0; attempt < WRITE_ATTEMPTS;) {
      let outcome: Finished | "again";
      try {
        outcome = await this.#finishOnce(started, following, error, interrupted);
      } catch (e) {
        // A replaced file answers no retry: the loop ends with it, as with a damaged one.
        if (isUnrecoverable(e) || !(e instanceof BackendUnavailableError)) throw e;
        // A stop by force ends the tries (after one more, as the sleep below ends at once).
        if (performance.now() + retryMs > deadline || this.#context.force.aborted) {
          return "unrecorded";
        }
        // Reported as the loop's own failures are: an outage met only here is one too.
        this.#context.outages.failed(this.#def.name, e);
        await sleep(retryMs, this.#context.force).catch(() => {});
        retryMs = Math.min(retryMs * 2, FINISH_RETRY_MAX_MS);
        continue;
      }
      if (outcome !== "again") return outcome;
      attempt++;
    }
    throw new Error(
      `its record keeps changing; the outcome of tick ${started.tick} is not recorded`,
    );
  }

  /** One read and compare-and-set of {@link #finish}; `again` when the record changed between. */
  async #finishOnce(
    started: Claimed,
    following: number | null,
    error: string | undefined,
    interrupted: boolean,
  ): Promise<Finished | "again"> {
    const failed = error !== undefined;
    // Cut short by shutdown: no fault of the task's, so neither a failure nor a success.
    const cutShort = failed && interrupted;
    let givenUp = false;
    const { failureMode, retryDelayMs } = this.#def;
    const { now, version, record } = await this.#read();
    // A task of the file without its record (lost, or removed): nothing fences this end, so it
    // is not written; this loop makes the record again past the run's tick (see #remadeFrom).
    if (!record) return this.#createRecord ? "gone" : "removed";
    const { claim: _, ...run } = started;
    // Only this run's finishing write records it with an outcome: an earlier try landed.
    if (isRun(record.last, run) && record.last.outcome !== "running") return "done";
    const last: LastRun = {
      ...run,
      outcome: cutShort ? "interrupted" : failed ? "failure" : "success",
      finishedAt: now,
      ...(failed && { error }),
    };
    // The timing changed meanwhile: its ticks are not this run's to commit.
    const sameTiming = record.spec === this.#def.timing.spec;
    let finished: TaskRecord;
    if (started.trigger !== undefined) {
      // A newer trigger's run took its place, or this outcome landed already.
      const { triggered } = record;
      if (triggered?.trigger !== started.trigger || triggered.outcome !== "running") return "done";
      finished = { ...record, triggered: last };
    } else if (this.#def.executionMode === "best-effort") {
      if (!isRun(record.last, run)) return "done";
      finished = { ...record, last };
    } else {
      const lease = leaseOf(record, started.claim);
      if (!lease) return "lost";
      // An overlapping run's tick is committed already: its lease alone keeps it to be done.
      const overlapping = lease !== record.lease;
      const earlier = overlapping
        ? lease.failures ?? 0
        : record.retrying?.tick === started.tick
        ? record.retrying.failures
        : 0;
      // A run cut short by shutdown is no fault of the tick's: it uses none of its retries.
      const tickFailures = earlier + (failed && !interrupted ? 1 : 0);
      givenUp = failureMode !== "commit" && tickFailures > this.#def.maxRetries;
      const commit = sameTiming &&
        (!failed || ((failureMode === "commit" || givenUp) && !interrupted));
      const retried = overlapping ? { claim: lease.claim, failures: tickFailures } : {};
      const kept: TickLease | undefined = commit || !sameTiming ? undefined : interrupted
        // Handed to another instance at once (an overlapping tick is run again from its lease).
        ? overlapping ? { ...lease, until: now } : undefined
        : failureMode === "unlock"
        ? { owner: "", tick: started.tick, until: now + retryDelayMs, ...retried }
        : { ...lease, ...retried };
      finished = { ...withLease(record, started.claim, kept), last };
      if (!overlapping) {
        if (commit) finished.next = following;
        delete finished.retrying;
        if (!commit && tickFailures > 0) {
          finished.retrying = { tick: started.tick, failures: tickFailures };
        }
      }
    }
    if (!cutShort) {
      if (failed) finished.failures = record.failures + 1;
      finished.consecutiveFailures = failed ? (record.consecutiveFailures ?? 0) + 1 : 0;
    }
    return await this.#write(version, finished) ? (givenUp ? "given up" : "done") : "again";
  }

  /**
   * A run that outlived shutdown (its handler ignores `ctx.signal`): records it `interrupted`
   * and gives up its lease, so another instance runs the tick now, not after the lease.
   */
  async #release(started: Claimed, durationMs: number): Promise<void> {
    const { claim, ...run } = started;
    const atLeastOnce = this.#def.executionMode === "at-least-once" && run.trigger === undefined;
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const { now, version, record } = await this.#read();
      const lease = record && leaseOf(record, claim);
      const last = record && isRun(record.last, run) && record.last.outcome === "running";
      if (!record || (!last && !(atLeastOnce && lease))) return;
      let released = record;
      if (atLeastOnce && lease) {
        released = withLease(
          record,
          claim,
          lease === record.lease ? undefined : { ...lease, until: now },
        );
      }
      const error = "it went on after its signal aborted; left behind";
      if (last) {
        released = {
          ...released,
          last: { ...run, outcome: "interrupted", finishedAt: now, error },
        };
      }
      if (await this.#write(version, released)) {
        this.#context.emit({
          type: "interrupted",
          task: this.#def.name,
          tick: run.tick,
          durationMs,
          error,
          runAgain: atLeastOnce,
          triggered: run.trigger !== undefined,
        });
        return;
      }
    }
  }

  /**
   * Keeps a run without a lease (best-effort, triggered) marked alive in its record while it
   * goes on, so that status tells it from a run whose instance was killed: one mark at a time,
   * a third of {@link ALIVE_MARK_MS} after the last one ended. A mark that fails or meets a
   * change of the record is let go until the next: such a run never stops for its record, nor
   * holds up the writes that record its end. The task's `close()` waits for a mark under way.
   */
  #keepMarked(started: Claimed): { stop(): void } {
    const stopped = new AbortController();
    this.#inBackground((async () => {
      for (;;) {
        // Rejects once stopped, which ends the loop.
        await sleep(ALIVE_MARK_MS / 3, stopped.signal).catch(() => {});
        if (stopped.signal.aborted || !await this.#markAlive(started).catch(() => true)) return;
      }
    })());
    return { stop: () => stopped.abort() };
  }

  /** Marks a run without a lease alive, once; false when it is no longer the record's run. */
  async #markAlive(started: Claimed): Promise<boolean> {
    const { claim: _, ...run } = started;
    const field = run.trigger === undefined ? "last" : "triggered";
    const { now, version, record } = await this.#read();
    const recorded = record?.[field];
    const ours = run.trigger === undefined
      ? isRun(recorded, run)
      : recorded?.trigger === run.trigger;
    if (!ours || recorded!.outcome !== "running") return false;
    await this.#write(version, {
      ...record!,
      [field]: { ...recorded!, aliveUntil: now + ALIVE_MARK_MS },
    });
    return true;
  }

  /**
   * Extends the lease of a tick this instance runs, if it still holds it.
   *
   * @returns the new lease's end in the backend's clock; `lost` when another instance holds
   * it; `removed` when the task is gone (a dynamic task unscheduled).
   */
  async #extend(started: Claimed): Promise<number | "lost" | "removed" | "vacant"> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const { now, version, record } = await this.#read();
      // A dynamic instance unscheduled runs on. A task of the file has no record only when the
      // backend lost it (a restart without persistence) or it was removed: nobody holds its
      // tick until an instance makes the record again, without this claim, so renewals go on
      // to find that and stop the run (README: the run is stopped at its next renewal).
      if (!record) return this.#createRecord ? "vacant" : "removed";
      const lease = leaseOf(record, started.claim);
      if (!lease) return "lost";
      const until = now + this.#def.leaseMs;
      if (await this.#write(version, withLease(record, started.claim, { ...lease, until }))) {
        return until;
      }
    }
    throw new Error(`its record keeps changing; the lease of tick ${started.tick} not extended`);
  }

  async close(): Promise<void> {
    await Promise.all(this.#runs);
    await this.#watcher?.[Symbol.asyncDispose]();
  }
}

/** How recording a run's outcome ended. */
type Finished = "done" | "given up" | "lost" | "removed" | "gone";

/** A claimed tick: its last-run entry and the claim's token (the lease is this claim's). */
type Claimed = LastRun & { claim: string };

/** Whether a record's last run is the run claimed as `run` (its claim's owner and instant). */
function isRun(last: LastRun | undefined, run: LastRun): last is LastRun {
  return last?.tick === run.tick && last.owner === run.owner && last.startedAt === run.startedAt;
}

function compose(middlewares: Middleware[], handler: TaskDefinition["handler"]) {
  return (ctx: TaskContext) =>
    middlewares.reduceRight<() => Promise<void>>(
      (next, middleware) => () => middleware(ctx, next),
      async () => {
        await handler(ctx);
      },
    )();
}

/**
 * The oldest tick of a task's record that is due with no run holding it (nor a pause, nor a
 * retry's wait): the tick after any skipped ones; undefined when none is.
 */
function unrunTick(record: TaskRecord, now: number): number | undefined {
  if (record.paused || record.next === null) return undefined;
  const leases = [record.lease, ...(record.overlapping ?? [])];
  if (leases.some((lease) => lease && lease.until > now)) return undefined;
  const tick = Math.max(record.next, record.skipBefore ?? -Infinity);
  return tick <= now ? tick : undefined;
}
