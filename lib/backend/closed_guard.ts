/**
 * What a backend does once closed, written once for every engine: each call rejects at once
 * with {@link BackendClosedError}. Without it each driver answered in its own way — SQLite's
 * "database is not open", pg's "Cannot use a pool after calling end on the pool", node-redis
 * retrying for the whole outage limit and then keeping the process alive — and coord's waiters
 * took those for an outage and retried them.
 *
 * @module
 */

import { BackendClosedError } from "../errors.ts";
import type { Backend, ChangeWatcher } from "./types.ts";
import type { Kind } from "./keys.ts";

/** The members of {@link Backend} that are step tables: every method returns a promise. */
const STEP_TABLES = new Set<PropertyKey>(["barrier", "lock", "schedule", "queue"]);
/**
 * The members of {@link Backend} that call the engine (besides `watch`, `watchKind`, `events`,
 * `close`).
 */
const CALLS = new Set<PropertyKey>(["now", "info", "findForeignData"]);

/**
 * `backend`, guarded: after `close()` (or its `await using` block) every call of the
 * {@link Backend} interface rejects with {@link BackendClosedError}; calls under way and waits
 * (a watcher's `next`, an `events` stream) end with it at once, so loops over them stop.
 * Closing twice is closing once. Members beyond the interface (an engine's own, for tests)
 * pass through unguarded.
 *
 * @example
 * ```ts
 * import { openSqlite } from "./sqlite/backend.ts";
 * import { guardClosed } from "./closed_guard.ts";
 * const backend = guardClosed(
 *   await openSqlite({ path: ":memory:", namespace: "coord", displayUrl: "sqlite::memory:" }),
 * );
 * await backend.close();
 * await backend.now().catch((e) => e.name); // "BackendClosedError"
 * ```
 */
export function guardClosed<B extends Backend>(backend: B): B {
  const closed = new AbortController();
  // The calls under way, each ended by the closing: a set, not a listener on `closed` per call,
  // which cost a busy worker a few µs a step.
  const underWay = new Set<(reason: unknown) => void>();
  let closing: Promise<void> | undefined;
  const close = () => {
    if (closing === undefined) {
      closed.abort(new BackendClosedError(backend.displayUrl));
      for (const end of underWay) end(closed.signal.reason);
      underWay.clear();
      closing = backend.close();
    }
    return closing;
  };
  const guard = <A extends unknown[], T>(call: (...args: A) => Promise<T>) => (...args: A) =>
    closed.signal.aborted
      ? Promise.reject(closed.signal.reason)
      : untilClosed(call(...args), underWay);
  const stepTables = new Map<PropertyKey, unknown>();
  return new Proxy(backend, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key === "close" || key === Symbol.asyncDispose) return close;
      if (STEP_TABLES.has(key)) {
        if (!stepTables.has(key)) stepTables.set(key, guardSteps(value as object, guard));
        return stepTables.get(key);
      }
      if (CALLS.has(key)) return guard((value as () => Promise<unknown>).bind(target));
      if (key === "watch") {
        return guard(async (...args: Parameters<Backend["watch"]>) =>
          guardWatcher(await target.watch(...args), closed.signal)
        );
      }
      if (key === "watchKind") {
        return guard(async (kind: Kind) =>
          guardWatcher(await target.watchKind(kind), closed.signal)
        );
      }
      if (key === "events") {
        return guard((kind: never, names: string[] | undefined, signal: AbortSignal) =>
          target.events(kind, names, AbortSignal.any([signal, closed.signal]))
        );
      }
      // An engine's own methods read its private fields: called on it, not on this proxy.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A step table whose every step is guarded. */
function guardSteps<T extends object>(
  steps: T,
  guard: <A extends unknown[], R>(call: (...args: A) => Promise<R>) => (...args: A) => Promise<R>,
): T {
  // By the step itself, not its name: a step replaced on the table (a test's spy) is guarded
  // as it is now.
  const guarded = new WeakMap<object, unknown>();
  return new Proxy(steps, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      if (!guarded.has(value)) {
        guarded.set(value, guard((value as (...args: unknown[]) => Promise<unknown>).bind(target)));
      }
      return guarded.get(value);
    },
  });
}

/** A watcher whose waits end with the backend's closing. */
function guardWatcher(watcher: ChangeWatcher, closed: AbortSignal): ChangeWatcher {
  // A waiter passes the same signal to each wait (a worker, once a change): joined once.
  let joined: { signal: AbortSignal; either: AbortSignal } | undefined;
  return {
    next(maxWaitMs, signal, options) {
      if (closed.aborted) return Promise.reject(closed.reason);
      // The engine's wait itself ends, not only this promise: its timer would keep the
      // process alive for up to maxWaitMs.
      let either = closed;
      if (signal !== undefined) {
        if (joined?.signal !== signal) {
          joined = { signal, either: AbortSignal.any([signal, closed]) };
        }
        either = joined.either;
      }
      return watcher.next(maxWaitMs, either, options);
    },
    // The closing released what the watcher held (its subscription, its socket); an unsubscribe
    // sent on a closed Redis connection would never be answered.
    [Symbol.asyncDispose]: () =>
      closed.aborted ? Promise.resolve() : watcher[Symbol.asyncDispose](),
  };
}

/** `call`, or a rejection with the closing's reason as soon as the backend closes. */
function untilClosed<T>(call: Promise<T>, underWay: Set<(reason: unknown) => void>): Promise<T> {
  return new Promise((resolve, reject) => {
    underWay.add(reject);
    call.then(
      (value) => {
        underWay.delete(reject);
        resolve(value);
      },
      (error) => {
        underWay.delete(reject);
        reject(error);
      },
    );
  });
}
