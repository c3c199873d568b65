/**
 * Barriers: N participants on any hosts meet at a name, then all continue at one instant.
 *
 * The last arrival fixes the release instant as `backend clock + delay` and stores it with the
 * generation; every participant learns it (pub/sub or change polling as a hint, a re-check
 * every quarter second as the guarantee), converts it to its own clock with the measured
 * offset, and sleeps until it.
 *
 * @module
 */

import type { Backend } from "../backend/types.ts";
import { checkName } from "../backend/keys.ts";
import { estimateClockOffset } from "../clock.ts";
import {
  BarrierAbortedError,
  BarrierTimeoutError,
  type ForeignDataError,
  readEach,
  TooLateError,
  UsageError,
} from "../errors.ts";
import { MAX_DURATION_MS } from "../duration.ts";
import { GIVE_BACK_GUARD_MS, Outage } from "../outage.ts";
import { localNow, sleepUntil } from "../time.ts";
import type { ArriveResult, BarrierStatus, GenerationState, ParticipantInfo } from "./steps.ts";

/** Default time between the last arrival and the release. */
export const DEFAULT_DELAY_MS = 1_000;
/** Default lease of an arrival: a participant killed outright stops counting after this. */
export const DEFAULT_LEASE_MS = 5_000;
/** A participant that hears of the release at most this late still continues (at once). */
export const DEFAULT_TOLERANCE_MS = 10;
/** Shorter leases would have participants renewing (or re-arriving) in a busy loop. */
export const MIN_LEASE_MS = 100;
/** Waiters re-check the backend at least this often, whatever the wake-up hints say. */
const RECHECK_MS = 250;
/** Clock readings taken to estimate the offset to the backend. */
const CLOCK_SAMPLES = 5;

/** Options of {@link barrier}. */
export interface BarrierOptions {
  /**
   * Give up after this long (then the arrival is withdrawn); default: wait forever. This and
   * every other duration: at most 2^31-1 ms (24 days).
   */
  timeoutMs?: number;
  /**
   * When the wait began, a `performance.now()` instant `timeoutMs` counts from: a caller that
   * first waited for its backend to answer (a command started during a restart) gives its own
   * start, so the wait at the barrier gets what is left. Default: the call.
   */
  startedAt?: number;
  /**
   * Time between the last arrival and the release instant; default 1000. With 0, each
   * participant continues as soon as it hears of the release, however late.
   */
  delayMs?: number;
  /** Scopes the name (`RUN/NAME`), like pyprocsync's run_id. */
  runId?: string;
  /** Lease of this arrival, renewed while waiting; default 5000. */
  leaseMs?: number;
  /** How late a participant may hear of the release and still continue; default 10. */
  toleranceMs?: number;
  /** Aborting withdraws the arrival and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called with the count of arrivals when it is first known, and whenever it changes. */
  onProgress?: (progress: { count: number; n: number; generation: number }) => void;
}

/** What a participant learns when the barrier releases (the CLI's `--json`, in camelCase). */
export interface BarrierResult {
  /** The barrier's name, as given. */
  name: string;
  /** The generation this participant was released in (1, 2, …). */
  generation: number;
  /** N: how many met. */
  participants: number;
  /**
   * 1-based order of this participant's arrival. A withdrawn arrival (a timeout, a signal)
   * keeps its number: the numbers may skip, never repeat within a generation.
   */
  arrival: number;
  /** The release instant, epoch ms in the backend's clock. */
  releaseAt: number;
  /** When this participant woke, epoch ms in this host's clock. */
  continuedAt: number;
  /** How far after the release instant (converted to this host's clock) it woke. */
  lateMs: number;
}

/**
 * Waits until `n` participants have arrived at `name`, then resolves for all of them at the
 * same instant.
 *
 * @throws {UsageError} on a bad name, `n` or option, or when the participants already waiting
 * were told another N (nothing is changed then).
 * @throws {BarrierTimeoutError} after `timeoutMs`, the arrival withdrawn (in an outage, soon
 * after, and left to lapse within `leaseMs`).
 * @throws {BarrierAbortedError} when the generation is aborted.
 * @throws {TooLateError} when the release is heard of more than `toleranceMs` after its instant
 * (never with `delayMs: 0`, which means "continue as soon as released").
 * @example
 * ```ts
 * import { connect } from "../backend/connect.ts";
 * import { barrier } from "./barrier.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * const { releaseAt } = await barrier(backend, "ready", 1, { delayMs: 10 });
 * ```
 */
export async function barrier(
  backend: Backend,
  name: string,
  n: number,
  options: BarrierOptions = {},
): Promise<BarrierResult> {
  const {
    timeoutMs = Infinity,
    delayMs = DEFAULT_DELAY_MS,
    leaseMs = DEFAULT_LEASE_MS,
    toleranceMs = DEFAULT_TOLERANCE_MS,
    signal,
    onProgress,
  } = options;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`barrier "${name}": N must be a whole number ≥ 1, got ${n}`);
  }
  for (const [what, value] of Object.entries({ timeoutMs, delayMs, leaseMs, toleranceMs })) {
    // Only the timeout and the tolerance may be endless; longer timers would fire at once.
    const endless = value === Infinity && (what === "timeoutMs" || what === "toleranceMs");
    if (!(value >= 0 && (value <= MAX_DURATION_MS || endless))) {
      throw new UsageError(
        `barrier "${name}": ${what} must be 0 to ${MAX_DURATION_MS} (24 days), got ${value}`,
      );
    }
  }
  if (options.startedAt !== undefined && !Number.isFinite(options.startedAt)) {
    throw new UsageError(
      `barrier "${name}": startedAt must be a performance.now() instant, got ${options.startedAt}`,
    );
  }
  if (leaseMs < MIN_LEASE_MS) {
    throw new UsageError(`barrier "${name}": the lease must be at least ${MIN_LEASE_MS} ms`);
  }
  const key = scopedName(name, options.runId);
  const topic = { kind: "barrier", name: key } as const;
  signal?.throwIfAborted();
  const deadline = Math.min(options.startedAt ?? Infinity, performance.now()) + timeoutMs;
  // The release instant is stamped by the node that holds the barrier: measure against it.
  const clock = await estimateClockOffset({ now: () => backend.now(topic) }, {
    samples: CLOCK_SAMPLES,
  });
  const steps = backend.barrier;
  await using watcher = await backend.watch(topic);
  // Once the backend has been away longer than the lease, this arrival is gone anyway.
  const outage = new Outage(leaseMs, `barrier "${name}": gave up its arrival`);
  // In an outage, every step ends by then: its withdrawal included.
  const giveUpBy = deadline + GIVE_BACK_GUARD_MS;
  /**
   * Runs a step, riding out a short outage (every step is safe to repeat); undefined if it got
   * no answer by `giveUpBy`.
   */
  const retried = <T>(step: () => Promise<T>) => outage.retry(step, RECHECK_MS, giveUpBy, signal);
  /** The timeout came while the backend did not answer: what the arrival left behind. */
  const unanswered = (what: string) =>
    new BarrierTimeoutError(
      `barrier "${name}": timed out after ${timeoutMs / 1000} s ${what} was not withdrawn: ` +
        `the backend did not answer (${outage.cause?.message}) — it leaves when its lease runs ` +
        `out, within ${leaseMs / 1000} s`,
    );

  const info: ParticipantInfo = { host: Deno.hostname(), pid: Deno.pid };
  const arrive = async () => {
    // An arrival made after an interrupt could complete N for the others: do not make it.
    signal?.throwIfAborted();
    const id = crypto.randomUUID();
    const joined = await retried(() => steps.arrive(key, { id, n, leaseMs, delayMs, info }));
    if (joined === undefined) {
      throw unanswered("before its arrival was answered, and an arrival it may have made");
    }
    if (joined.outcome === "mismatch") {
      throw new UsageError(
        `barrier "${name}" is waiting for ${joined.n} participants, but this one says ${n} — ` +
          `every participant must give the same N`,
      );
    }
    return { id, joined };
  };
  let { id, joined } = await arrive();
  let state = stateAfterArrival(joined);
  let count = joined.count;
  let renewedAt = performance.now();
  /** The last count told to `onProgress`, with its generation. */
  let told: string | undefined;
  const withdraw = () => retried(() => steps.withdraw(key, { id, generation: joined.generation }));
  try {
    while (state.outcome === "waiting" || state.outcome === "expired") {
      const remainingMs = deadline - performance.now();
      if (remainingMs <= 0) {
        const withdrawn = state.outcome === "expired"
          ? { outcome: "withdrawn" } as const
          : await withdraw();
        if (withdrawn === undefined) {
          throw unanswered(`with ${count}/${n} arrived, and this arrival`);
        }
        state = withdrawn;
        if (state.outcome === "withdrawn") {
          throw new BarrierTimeoutError(
            `barrier "${name}": timed out after ${timeoutMs / 1000} s with ${count}/${n} ` +
              `arrived — this arrival was withdrawn`,
          );
        }
        break;
      }
      if (state.outcome === "expired") {
        // This process stalled past its lease and stopped counting: count it again.
        ({ id, joined } = await arrive());
        state = stateAfterArrival(joined);
        continue;
      }
      count = state.count;
      const progress = `${joined.generation}:${count}`;
      if (progress !== told) {
        told = progress;
        onProgress?.({ count, n, generation: joined.generation });
      }
      await watcher.next(Math.min(RECHECK_MS, leaseMs / 3, remainingMs), signal);
      const renew = performance.now() - renewedAt >= leaseMs / 3;
      const checked = await outage.attempt(
        () => steps.check(key, { id, generation: joined.generation, leaseMs, renew }),
        giveUpBy,
      );
      if (checked === undefined) continue; // backend away: keep the last state, try again
      state = checked;
      if (renew) renewedAt = performance.now();
    }
  } catch (error) {
    if (signal?.aborted) {
      await steps.withdraw(key, { id, generation: joined.generation }).catch(() => {});
    }
    throw error;
  }
  if (state.outcome !== "released") {
    throw new BarrierAbortedError(`barrier "${name}": aborted while waiting`);
  }

  const localInstant = state.releaseAt - clock.offsetMs;
  const lateMs = localNow() - localInstant;
  // With no delay nobody was promised a common instant, only "as soon as released": a late
  // hearing is not a failure then.
  if (lateMs > toleranceMs && delayMs > 0) {
    throw new TooLateError(
      `barrier "${name}": heard of the release ${lateMs.toFixed(1)} ms after its instant — ` +
        `raise --delay (now ${delayMs / 1000} s) so every participant hears of it in time`,
      lateMs,
    );
  }
  await sleepUntil(localInstant, signal);
  const continuedAt = localNow();
  return {
    name,
    generation: joined.generation,
    participants: state.n,
    arrival: joined.arrival,
    releaseAt: state.releaseAt,
    continuedAt,
    lateMs: Math.max(0, continuedAt - localInstant),
  };
}

function stateAfterArrival(joined: ArriveResult & { outcome: "joined" }): GenerationState {
  return joined.releaseAt === undefined
    ? { outcome: "waiting", count: joined.count, n: joined.n }
    : { outcome: "released", releaseAt: joined.releaseAt, n: joined.n };
}

/** Options of {@link barrierStatus} and {@link abortBarrier}. */
export interface BarrierNameOptions {
  /** Scopes the name (`RUN/NAME`), as in {@link BarrierOptions.runId}. */
  runId?: string;
}

/**
 * The current generation of a barrier: N, who has arrived, and the last release.
 *
 * @example
 * ```ts
 * import { connect } from "../backend/connect.ts";
 * import { barrierStatus } from "./barrier.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * const { generation, arrivals } = await barrierStatus(backend, "ready");
 * ```
 */
export function barrierStatus(
  backend: Backend,
  name: string,
  { runId }: BarrierNameOptions = {},
): Promise<BarrierStatus> {
  return backend.barrier.status(scopedName(name, runId));
}

/**
 * Ends the current generation of a barrier without release: its waiters fail with
 * {@link BarrierAbortedError}, and the next arrival starts a new generation.
 *
 * @example
 * ```ts
 * import { connect } from "../backend/connect.ts";
 * import { abortBarrier } from "./barrier.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * const { waiting } = await abortBarrier(backend, "ready");
 * ```
 */
export function abortBarrier(
  backend: Backend,
  name: string,
  { runId }: BarrierNameOptions = {},
): Promise<{ generation: number; waiting: number }> {
  return backend.barrier.abort(scopedName(name, runId));
}

/** Options of {@link listBarriers}. */
export interface ListBarriersOptions {
  /** Only the first this many by name (each costs a status read); default: all. */
  limit?: number;
}

/** One barrier of {@link listBarriers}. */
export interface BarrierListing {
  /** The name as stored: `RUN/NAME` for a run-scoped one. */
  name: string;
  /** Its open generation, arrivals and last release. */
  status: BarrierStatus;
}

/**
 * Every barrier in the namespace, by name, each with its status. A barrier is listed from its
 * first arrival (or abort) on; Redis drops one left untouched for a week.
 *
 * @example
 * ```ts
 * import { connect } from "../backend/connect.ts";
 * import { barrier, listBarriers } from "./barrier.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await barrier(backend, "ready", 1, { delayMs: 0 });
 * (await listBarriers(backend)).map((b) => b.name); // ["ready"]
 * ```
 */
export async function listBarriers(
  backend: Backend,
  options: ListBarriersOptions = {},
): Promise<BarrierListing[]> {
  const reports = await barrierReports(backend, options);
  const foreign = reports.find((r) => r.foreign);
  if (foreign) throw foreign.foreign;
  return reports as BarrierListing[];
}

/** One barrier of {@link barrierReports}: its status, or why it has none. */
export interface BarrierReport {
  /** The name as stored: `RUN/NAME` for a run-scoped one. */
  name: string;
  /** Its open generation, arrivals and last release; absent when it holds foreign data. */
  status?: BarrierStatus;
  /** Why its status could not be read: data another program wrote where it keeps it. */
  foreign?: ForeignDataError;
}

/**
 * Every barrier in the namespace, by name, each on its own: one holding foreign data is
 * reported (`foreign`), not thrown, so it hides none of the others (what `coord barrier list`
 * and the console show).
 *
 * @example
 * ```ts
 * import { connect } from "../backend/connect.ts";
 * import { barrier, barrierReports } from "./barrier.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await barrier(backend, "ready", 1, { delayMs: 0 });
 * (await barrierReports(backend)).map((b) => [b.name, b.foreign]); // [["ready", undefined]]
 * ```
 */
export async function barrierReports(
  backend: Backend,
  { limit = Infinity }: ListBarriersOptions = {},
): Promise<BarrierReport[]> {
  const names = (await backend.barrier.list()).slice(0, limit);
  return (await readEach(names, (name) => backend.barrier.status(name))).map(
    ({ name, value, foreign }) => ({
      name,
      ...value && { status: value },
      ...foreign && { foreign },
    }),
  );
}

/**
 * A barrier's name as stored and listed: a run id is a prefix, so `--run-id 42 step` is the
 * barrier `42/step`.
 *
 * @throws {UsageError} on a bad name or run id.
 */
export function scopedName(name: string, runId: string | undefined): string {
  checkName("barrier name", name);
  return runId === undefined ? name : `${checkName("run id", runId)}/${name}`;
}
