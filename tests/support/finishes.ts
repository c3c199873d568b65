/**
 * The finishes a worker's step sends for the jobs it held, for tests that drive the queue's
 * steps directly.
 *
 * @module
 */

import type { Attempt, Finish } from "../../lib/queue/steps.ts";

/**
 * Each held job's attempt, completed by `worker` with no result.
 *
 * @example
 * ```ts ignore
 * import { completions } from "./finishes.ts";
 * const held = (await backend.queue.finishAndClaim("q", { finishes: [], ...lease, claims: 10 })).jobs;
 * await backend.queue.finishAndClaim("q", { finishes: completions(held), ...lease, claims: 10 });
 * ```
 */
export function completions(
  held: readonly { id: string; attempts: number }[],
  worker = "w",
): (Attempt & Finish)[] {
  return held.map((job) => ({
    id: job.id,
    attempt: job.attempts,
    worker,
    outcome: "completed",
    result: null,
  }));
}
