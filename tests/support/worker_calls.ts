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
 */
export function countWorkerCalls(backend: Backend, only?: string): { readonly n: number } {
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
