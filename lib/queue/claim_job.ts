/**
 * Taking one job, finishing none: a finish-and-claim step asking for a single job, answered in
 * the one way written here for every backend, so none drops what the step reported (the jobs
 * it failed while taking). The worker takes many at once with `QueueSteps.finishAndClaim`;
 * a backend implements only that.
 *
 * @module
 */

import type { ClaimResult, FinishedAndClaimed, QueueSteps } from "./steps.ts";

/**
 * Leases the first job ready to run to `worker`: first returns jobs whose lease ran out to
 * pending (or fails them after `MAX_STALLS`), fails jobs past their `beginBy`, and lists the
 * jobs it failed so in `failed`. A job whose record cannot be read is handed back as
 * `undecodable`, never failing the claim.
 *
 * @example
 * ```ts
 * import { connect } from "../backend/connect.ts";
 * import { claimJob } from "./claim_job.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * const { job } = await claimJob(backend.queue, "q", { worker: "w", leaseMs: 30_000 });
 * console.log(job); // undefined: nothing was put
 * ```
 */
export async function claimJob(
  steps: QueueSteps,
  queue: string,
  request: { worker: string; leaseMs: number },
): Promise<ClaimResult> {
  return claimResult(
    await steps.finishAndClaim(queue, { finishes: [], ...request, claims: 1 }),
  );
}

/**
 * The {@link ClaimResult} of a step that asked for one job: the job taken, else the record that
 * could not be read, else when the next job is ready; with the jobs the step failed as it took
 * (expired at their `beginBy`, abandoned too often) in every case.
 */
function claimResult(
  { jobs: [job], undecodable, failed, nextReadyAt }: FinishedAndClaimed,
): ClaimResult {
  const told = failed !== undefined && failed.length > 0 ? { failed } : {};
  if (job) return { job, ...told };
  if (undecodable) return { undecodable: undecodable[0], ...told };
  return { ...(nextReadyAt !== undefined && { nextReadyAt }), ...told };
}
