/**
 * A single claim is a finish-and-claim step asking for one job and finishing none: every
 * backend answers `QueueSteps.claim` from that step's reply, in the one way written here, so no
 * backend drops what the step reported (the jobs it failed while taking).
 *
 * @module
 */

import type { ClaimResult, FinishedAndClaimed } from "./steps.ts";

/**
 * The {@link ClaimResult} of a finish-and-claim step that asked for one job: the job taken,
 * else the record that could not be read, else when the next job is ready; with the jobs the
 * step failed as it took (expired at their `beginBy`, abandoned too often) in every case.
 *
 * @example
 * ```ts
 * import { claimResult } from "./claim_result.ts";
 * claimResult({ recorded: [], jobs: [], failed: [{ id: "7", attempt: 0, error: "expired" }] });
 * // { failed: [{ id: "7", attempt: 0, error: "expired" }] }
 * ```
 */
export function claimResult(
  { jobs: [job], undecodable, failed, nextReadyAt }: FinishedAndClaimed,
): ClaimResult {
  const told = failed !== undefined && failed.length > 0 ? { failed } : {};
  if (job) return { job, ...told };
  if (undecodable) return { undecodable: undecodable[0], ...told };
  return { ...(nextReadyAt !== undefined && { nextReadyAt }), ...told };
}
