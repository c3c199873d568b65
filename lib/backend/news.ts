/**
 * The words a queue's steps tell its waiters only: no job became ready, so a worker's watcher
 * (watch option `startsOnly`) sleeps on, where `queue wait`, a draining worker and the
 * console wake. Redis publishes them as the message; PostgreSQL carries them as the change's
 * events; SQLite tells them apart only to this process's watchers (its counters say no more
 * than that a topic changed), and counts no progress report (a console hears it as a commit).
 *
 * @module
 */

/** A step's runs ended and left the queue with nothing running, and made no job ready. */
export const ENDED = "ended";
/** A running job reported how far it is. */
export const PROGRESS = "progress";

const WAITERS_NEWS: ReadonlySet<unknown> = new Set([ENDED, PROGRESS]);

/**
 * Whether a change told with `events` is news for waiters only.
 *
 * @example
 * ```ts
 * import { ENDED, waitersNewsOnly } from "./news.ts";
 * waitersNewsOnly([ENDED]); // true
 * waitersNewsOnly([]); // false: a change told without words may have made a job ready
 * ```
 */
export function waitersNewsOnly(events: readonly unknown[]): boolean {
  return events.length > 0 && events.every((event) => WAITERS_NEWS.has(event));
}

/**
 * Whether a change told with `events` is a running job's progress alone: news for a console,
 * which watches every queue (`watchKind`, `events`), and for no watcher of one queue — a waiter
 * wants a job's end, a draining worker a job to take: each would look again for nothing.
 *
 * @example
 * ```ts
 * import { PROGRESS, progressOnly } from "./news.ts";
 * progressOnly([PROGRESS]); // true
 * progressOnly([PROGRESS, "changed"]); // false
 * ```
 */
export function progressOnly(events: readonly unknown[]): boolean {
  return events.length > 0 && events.every((event) => event === PROGRESS);
}
