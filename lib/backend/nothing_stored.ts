/**
 * A store looked at before anything was stored in it, without creating it: what
 * `connectToLook()` gives for a SQLite file that is not there yet, or a Postgres
 * schema that is not (or holds nothing). A mistyped `--namespace` or path then leaves no file
 * or schema behind, as `etcdctl get` on a missing key leaves no key.
 *
 * @module
 */

import type { Kind } from "./keys.ts";
import type {
  Backend,
  ChangeWatcher,
  EngineInfo,
  ForeignEntry,
  NamedEvent,
  Topic,
  WatchOptions,
} from "./types.ts";
import type { BarrierSteps } from "../barrier/steps.ts";
import type { LockSteps } from "../lock/steps.ts";
import type { ScheduleSteps } from "../schedule/steps.ts";
import type { QueueSteps } from "../queue/steps.ts";

/** Where the look went, and what its engine says of itself (a server's version, its clock). */
export type LookedAt = Pick<
  Backend<"sqlite" | "postgres">,
  "kind" | "displayUrl" | "namespace" | "now" | "info" | "close" | "firstWriteRefusal"
>;

/**
 * The store at `looked`, holding nothing: each step runs on `empty`, a fresh in-memory store
 * with coord's tables, so every read answers as a store that holds nothing would (no name, no
 * job, no task) through the very steps that read a real one, and what a step writes there is
 * gone at close. `stored` is false; `firstWriteRefusal` is the look's.
 *
 * @example
 * ```ts
 * import { openSqlite } from "./sqlite/backend.ts";
 * import { nothingStored } from "./nothing_stored.ts";
 * const empty = await openSqlite({
 *   path: ":memory:",
 *   namespace: "typo",
 *   displayUrl: "sqlite:x.db",
 * });
 * await using backend = nothingStored({
 *   kind: "sqlite",
 *   displayUrl: "sqlite:x.db",
 *   namespace: "typo",
 *   now: () => empty.now(),
 *   info: () => empty.info(),
 *   close: () => Promise.resolve(),
 * }, empty);
 * await backend.lock.list(); // []
 * ```
 */
export function nothingStored(looked: LookedAt, empty: Backend<"sqlite">): Backend {
  return new NothingStored(looked, empty);
}

class NothingStored implements Backend<"sqlite" | "postgres"> {
  readonly stored = false;
  readonly firstWriteRefusal?: Error;
  readonly kind: "sqlite" | "postgres";
  readonly displayUrl: string;
  readonly namespace: string;
  readonly barrier: BarrierSteps;
  readonly lock: LockSteps;
  readonly schedule: ScheduleSteps;
  readonly queue: QueueSteps;
  readonly #looked: LookedAt;
  readonly #empty: Backend<"sqlite">;

  constructor(looked: LookedAt, empty: Backend<"sqlite">) {
    this.#looked = looked;
    this.#empty = empty;
    this.kind = looked.kind;
    this.displayUrl = looked.displayUrl;
    this.namespace = looked.namespace;
    this.firstWriteRefusal = looked.firstWriteRefusal;
    this.barrier = empty.barrier;
    this.lock = empty.lock;
    this.schedule = empty.schedule;
    this.queue = empty.queue;
  }

  now(topic?: Topic): Promise<number> {
    return this.#looked.now(topic);
  }

  info(): Promise<EngineInfo> {
    return this.#looked.info();
  }

  /** Nothing stored, nothing foreign. */
  findForeignData(): Promise<ForeignEntry[]> {
    return Promise.resolve([]);
  }

  events(
    kind: "lock",
    names: string[] | undefined,
    signal: AbortSignal,
  ): Promise<AsyncIterable<NamedEvent>> {
    return this.#empty.events(kind, names, signal);
  }

  watch(topic: Topic, options?: WatchOptions): Promise<ChangeWatcher> {
    return this.#empty.watch(topic, options);
  }

  watchKind(kind: Kind): Promise<ChangeWatcher> {
    return this.#empty.watchKind(kind);
  }

  async close(): Promise<void> {
    await Promise.all([this.#looked.close(), this.#empty.close()]);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
