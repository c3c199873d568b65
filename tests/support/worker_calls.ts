/**
 * Counting a worker's calls to its backend, for the tests of how few a job costs.
 *
 * @module
 */

import type { Backend } from "../../lib/backend/types.ts";

/**
 * Counts `backend`'s queue calls that take jobs or record runs' ends from here on (one made
 * while stopping, with no run to record, does neither, and is not counted); with `only`, the
 * calls to that queue.
 *
 * Returns once `backend` knows how it hears changes: a PostgreSQL backend's watchers poll every
 * 50 ms until its LISTEN is proven by a probe, and each poll would cost a worker a look (on a
 * busy machine the probe took longer than a draining worker's whole job, in CI).
 */
export async function countWorkerCalls(
  backend: Backend,
  only?: string,
): Promise<{ readonly n: number }> {
  await backend.info();
  const steps = backend.queue;
  const counter = { n: 0 };
  const ask = steps.finishAndClaim.bind(steps);
  steps.finishAndClaim = (queue, request) => {
    const counted = only === undefined || queue === only;
    if (counted && (request.claims > 0 || request.finishes.length > 0)) counter.n++;
    return ask(queue, request);
  };
  return counter;
}
