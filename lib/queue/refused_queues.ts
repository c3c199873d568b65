/**
 * One refusal for several queues that hold another program's data (those a draining worker
 * left, those whose settings refuse a worker's start): one line naming every queue, so that
 * one run tells what all of them need, not the first alone.
 *
 * @module
 */

import { ForeignDataError } from "../errors.ts";

/** The refusals told in full in the line of several queues; the others' queues are named. */
export const REFUSALS_TOLD = 3;

/**
 * The one refusal for queues that each met a refusal, in order: a single queue's refusal as it
 * is; for several, every queue named, then the first {@link REFUSALS_TOLD} refusals (each names
 * what holds the data) and how many more there are.
 *
 * @example
 * ```ts
 * import { ForeignDataError } from "../errors.ts";
 * import { refusedQueues } from "./refused_queues.ts";
 * const refusal = refusedQueues([
 *   ["a", new ForeignDataError('queue "a": its totals hold a string')],
 *   ["b", new ForeignDataError('queue "b": its totals hold a string')],
 * ]);
 * refusal.message;
 * // 'queues "a" and "b" hold another program\'s data: queue "a": …; queue "b": …'
 * ```
 */
export function refusedQueues(
  refused: readonly (readonly [queue: string, refusal: ForeignDataError])[],
): ForeignDataError {
  const [[, first]] = refused;
  if (refused.length === 1) return first;
  const names = refused.map(([queue]) => JSON.stringify(queue));
  const told = refused.slice(0, REFUSALS_TOLD).map(([, refusal]) => refusal.message);
  const more = refused.length - told.length;
  return new ForeignDataError(
    `queues ${names.slice(0, -1).join(", ")} and ${names.at(-1)} hold another program's data: ` +
      `${told.join("; ")}${more > 0 ? `; and ${more} more` : ""}`,
    { cause: first },
  );
}
