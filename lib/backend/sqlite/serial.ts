/**
 * One SQLite transaction at a time in this process, across every connection.
 *
 * A step written against the async SQL interface keeps its transaction open across `await`s,
 * and other code runs in between. Were another step to begin a transaction then — on the same
 * connection it would fail, on another connection to the file it would wait for the write lock
 * synchronously (the busy timeout), blocking the very thread that must finish the first one.
 * So every step of every SQLite backend in the process runs through this queue. Statements
 * are synchronous underneath, so the queue costs no throughput.
 *
 * @module
 */

let tail: Promise<unknown> = Promise.resolve();

/**
 * Runs `step` after every step queued before it has settled; settles with its outcome.
 *
 * @example
 * ```ts
 * import { serially } from "./serial.ts";
 * const n = await serially(() => 1 + 1); // 2
 * ```
 */
export function serially<T>(step: () => T | Promise<T>): Promise<T> {
  const result = tail.then(step);
  tail = result.catch(() => {});
  return result;
}
