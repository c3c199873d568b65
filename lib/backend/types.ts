/**
 * The interface every backend implements. A backend provides only a primitive's atomic steps
 * plus the services every primitive needs (the backend's clock, change notification); waiting,
 * timeouts and retries live one layer up in `lib/<primitive>/`.
 *
 * @module
 */

import type { Kind } from "./keys.ts";
import type { BarrierSteps } from "../barrier/steps.ts";
import type { LockSteps } from "../lock/steps.ts";
import type { ScheduleSteps } from "../schedule/steps.ts";
import type { QueueSteps } from "../queue/steps.ts";

/** Which engine a backend runs on. */
export type BackendKind = "sqlite" | "redis" | "redis-cluster" | "redis-sentinel" | "postgres";

/** What `coord doctor` reports about the engine. */
export interface EngineInfo {
  /** e.g. `"redis"`, `"valkey"`, `"sqlite"`. */
  engine: string;
  /** The engine's version, e.g. `7.0.15`. */
  version: string;
  /** Engine-specific facts worth showing (journal mode, cluster size, master address…). */
  details: Record<string, string>;
  /**
   * How the engine may drop coord's data by itself, when it may: Redis with a `maxmemory` and a
   * `maxmemory-policy` other than `noeviction` evicts keys (a job, a lock's line) under memory
   * pressure, e.g. `maxmemory 100.00M, maxmemory-policy allkeys-lru`.
   */
  evicts?: string;
}

/** The `where` of a {@link ForeignEntry} that notes where the search stopped. */
export const SEARCH_STOPPED = "…";

/** A key or table in the namespace that coord did not write, or not in this shape. */
export interface ForeignEntry {
  /**
   * The Redis key or SQLite table; {@link SEARCH_STOPPED} for a note that the search stopped
   * short (a limit keeps it quick), which names nothing foreign.
   */
  where: string;
  /** What is wrong with it, e.g. `type list, expected hash` or `not a coord key`. */
  problem: string;
}

/** An event of one primitive instance. */
export interface NamedEvent {
  /** The instance's name (a barrier's, a resource's). */
  name: string;
  /** The event, as the primitive's steps announced it (JSON). */
  event: unknown;
}

/** The thing a waiter watches for changes: one primitive instance. */
export interface Topic {
  /** The primitive. */
  kind: Kind;
  /** The instance's name (a barrier's, a resource's). */
  name: string;
}

/**
 * Wakes a waiter when a topic may have changed. It remembers a change that happened while
 * nobody waited, so "check state, then wait" loses no wake-up; it is only a hint — callers
 * re-check state after every wake-up, timeout included. Dispose of it: what it holds (a SQLite
 * watcher's wake-up socket, kept from its first wait) keeps the process running until then, or
 * until the backend is closed.
 */
export interface ChangeWatcher extends AsyncDisposable {
  /**
   * Resolves at the first change seen since the previous call (or since the watcher was made),
   * or after `maxWaitMs`, whichever is first, with the events announced meanwhile where the
   * backend carries them (Redis pub/sub; PostgreSQL NOTIFY when they fit; SQLite a lock's, read
   * from its event table, and none of the other kinds).
   *
   * @throws the signal's reason when `signal` aborts.
   */
  next(maxWaitMs: number, signal?: AbortSignal, options?: ChangeWaitOptions): Promise<unknown[]>;
}

/**
 * What a watcher of {@link Backend.watch} wakes for. A running job's progress wakes none: it is
 * news for a console, which hears it through {@link Backend.watchKind} or `events`.
 */
export interface WatchOptions {
  /**
   * A queue's worker: only changes that may have made a job ready, not news for waiters (a
   * queue left with nothing running). On SQLite only this process's own steps are told apart:
   * another process's news moves the topic's counter as any change does.
   */
  startsOnly?: boolean;
}

/** How closely {@link ChangeWatcher.next} watches, where the backend polls (SQLite). */
export interface ChangeWaitOptions {
  /**
   * `"soon"`: the change waited for may well be the next one (the first waiter in a lock's
   * line): look often for a while, at some CPU cost. `"later"`: other changes must come first
   * (a waiter further back): no need to look the moment something changes, which keeps many
   * waiters out of the way of the one whose turn comes. Default: look right after any sign of
   * change, less and less often while none comes.
   */
  expect?: "soon" | "later";
}

/**
 * Which kinds' events each engine streams through {@link Backend.events}: SQLite keeps an
 * event table for the lock only (`coord turn follow`); Redis announces every kind's changes by
 * pub/sub (the lock's as `LockEvent`s, the others' as bare words such as `"changed"`, or a queue's
 * `"ended"` and `"progress"`, news for waiters only); PostgreSQL, as SQLite, the lock's only.
 * Asking for another kind rejects: {@link Backend.watchKind} hears those kinds' changes.
 */
export interface EngineEventKinds {
  /** The lock's events table only. */
  sqlite: "lock";
  /** Every kind, by pub/sub. */
  redis: Kind;
  /** Every kind, by pub/sub. */
  "redis-cluster": Kind;
  /** Every kind, by pub/sub. */
  "redis-sentinel": Kind;
  /** The lock's events table only, as on SQLite. */
  postgres: "lock";
}

/**
 * A connection to the store all coord processes share. Close it when done. `E` narrows it to
 * the engines it may be (what {@link Backend.events} accepts follows from it).
 */
export interface Backend<E extends BackendKind = BackendKind> extends AsyncDisposable {
  /** Which engine this is. */
  readonly kind: E;
  /** The URL as given, with any password masked: safe to print. */
  readonly displayUrl: string;
  /** The prefix separating this tenant's state from others'. */
  readonly namespace: string;
  /**
   * False when nothing was stored where the backend points and it was opened only to look
   * (`coord doctor`, the `status` commands: no SQLite file, no Postgres schema): it then reads
   * as empty, and leaves nothing there. True or absent otherwise.
   */
  readonly stored?: boolean;
  /**
   * Where nothing is stored yet (`stored` false): the refusal the first write would meet, when
   * this user may not create what coord stores (a Postgres role lacking CREATE on the database
   * or on the namespace's schema). `coord doctor` reports it; the other looks read as empty.
   */
  readonly firstWriteRefusal?: Error;
  /**
   * The backend's clock in epoch milliseconds (fractional where the engine gives µs), read
   * where `topic`'s state lives (on a cluster, the node that owns its slot).
   */
  now(topic?: Topic): Promise<number>;
  /** The engine, its version and a few facts for `coord doctor`. */
  info(): Promise<EngineInfo>;
  /** Keys (or tables) in the namespace that coord did not write. */
  findForeignData(): Promise<ForeignEntry[]>;
  /** The atomic steps of `coord barrier`. */
  readonly barrier: BarrierSteps;
  /** The atomic steps of `coord lock` and `coord turn`. */
  readonly lock: LockSteps;
  /** The atomic steps of `coord schedule`. */
  readonly schedule: ScheduleSteps;
  /** The atomic steps of `coord queue`. */
  readonly queue: QueueSteps;
  /**
   * The events instances of `kind` announce (JSON values), as they happen, for live consoles:
   * of the named instances, or of every one (also those created later) when `names` is
   * undefined. Resolves once listening, so no event after that is missed; the stream ends
   * when `signal` aborts. Only the kinds of {@link EngineEventKinds} have events.
   */
  events(
    kind: EngineEventKinds[E],
    names: string[] | undefined,
    signal: AbortSignal,
  ): Promise<AsyncIterable<NamedEvent>>;
  /** Starts watching a topic; see {@link ChangeWatcher} and {@link WatchOptions}. */
  watch(topic: Topic, options?: WatchOptions): Promise<ChangeWatcher>;
  /**
   * Starts watching every instance of `kind`, also those made later: how a live console hears
   * the kinds whose events the engine does not stream (see {@link EngineEventKinds}). SQLite,
   * which cannot tell another process's changes apart by kind, wakes it at every commit.
   */
  watchKind(kind: Kind): Promise<ChangeWatcher>;
  /**
   * Closes the connection. A closed backend cannot be used again: through `connect()`, every
   * call after it rejects with `BackendClosedError`, and waits under way end with it.
   */
  close(): Promise<void>;
}
