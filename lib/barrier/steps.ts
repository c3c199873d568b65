/**
 * The atomic steps a backend provides for barriers. Each step is one Lua script on Redis and
 * one transaction on SQLite or PostgreSQL (written once, in `lib/backend/sql/barrier.ts`), and
 * reads time from the backend's clock; everything else (waiting, timeouts, signals, sleeping
 * until the release instant) is in `barrier.ts`.
 *
 * A barrier is a sequence of generations. A generation collects arrivals, each a lease kept
 * alive by its participant; expired leases are dropped by every step that may write before it
 * counts (`status` only leaves them out). When
 * the count reaches N, the step that saw it records the release instant (backend clock) for
 * that generation and opens the next one. `abort` ends a generation without release.
 *
 * @module
 */

/** How many ended generations a backend remembers, for participants that look late. */
export const ENDED_GENERATIONS_KEPT = 1000;
/** A barrier nobody touched for this long may be removed by the backend. */
export const IDLE_EXPIRY_MS = 7 * 24 * 3600 * 1000;

/** Who a participant is, for `status`. */
export interface ParticipantInfo {
  /** The host it runs on. */
  host: string;
  /** Its process id there. */
  pid: number;
}

/** One arrival as `status` shows it. */
export interface Arrival extends ParticipantInfo {
  /** 1-based order of arrival within the generation (a withdrawn one keeps its number). */
  arrival: number;
  /** When it arrived, backend clock, epoch ms. */
  since: number;
}

/** Arguments of {@link BarrierSteps.arrive}. */
export interface ArriveRequest {
  /** Unique per participant and call. */
  id: string;
  /** How many participants the generation needs. */
  n: number;
  /** How long the arrival counts without renewal. */
  leaseMs: number;
  /** Time between the last arrival and the release instant. */
  delayMs: number;
  /** Who arrives, for `status`. */
  info: ParticipantInfo;
}

/** What {@link BarrierSteps.arrive} did. */
export type ArriveResult =
  /** The generation was started with another N; nothing was changed. */
  | { outcome: "mismatch"; n: number }
  | {
    outcome: "joined";
    generation: number;
    /** 1-based order of this arrival. */
    arrival: number;
    count: number;
    n: number;
    /** Set when this arrival completed the generation. */
    releaseAt?: number;
  };

/** Where a participant's generation stands. */
export type GenerationState =
  | { outcome: "waiting"; count: number; n: number }
  | { outcome: "released"; releaseAt: number; n: number }
  | { outcome: "aborted" }
  /** The arrival is gone and its generation did not release with it (after `withdraw`). */
  | { outcome: "withdrawn" }
  /**
   * This arrival's lease ran out and it no longer counts (its generation may even have ended
   * without it): arrive again.
   */
  | { outcome: "expired" };

/** A barrier's state for `coord barrier status`. */
export interface BarrierStatus {
  /** The open generation. */
  generation: number;
  /** N of the current generation; undefined while nobody has arrived. */
  n?: number;
  /** The live arrivals of the open generation, in order. */
  arrivals: Arrival[];
  /** The most recent release, if any (release instant in the backend's clock). */
  lastRelease?: { generation: number; releaseAt: number; n: number };
}

/** Per-backend atomic steps of a barrier. `name` is already scoped by run id. */
export interface BarrierSteps {
  /**
   * Drops expired leases, then adds this arrival; releases when it completes the count. An id
   * that is already waiting is renewed and counted once (a retried call).
   */
  arrive(name: string, request: ArriveRequest): Promise<ArriveResult>;
  /**
   * Reports the generation's state, and renews this arrival's lease when `renew`. Changes
   * nothing else, so waiters re-checking often do not wake each other.
   */
  check(
    name: string,
    request: { id: string; generation: number; leaseMs: number; renew: boolean },
  ): Promise<GenerationState>;
  /**
   * Takes this arrival back unless its generation already released. Decided once, in the
   * backend: the result is `released` (too late to withdraw) or `withdrawn`/`aborted`.
   */
  withdraw(name: string, request: { id: string; generation: number }): Promise<GenerationState>;
  /** The open generation, its live arrivals and the last release. Writes nothing. */
  status(name: string): Promise<BarrierStatus>;
  /** Ends the current generation without release; its waiters see `aborted`. */
  abort(name: string): Promise<{ generation: number; waiting: number }>;
  /** Names of every barrier in the namespace (scoped names as stored: `RUN/NAME`), sorted. */
  list(): Promise<string[]>;
}
