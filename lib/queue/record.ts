/**
 * Reading a job as a backend stored it, refusing what coord did not write.
 *
 * @module
 */

import { ForeignDataError } from "../errors.ts";
import type { JobRecord, JobSpec, JobState } from "./steps.ts";

const STATES: JobState[] = ["waiting", "pending", "active", "completed", "failed", "cancelled"];

/**
 * A job from its stored parts: coord's state fields (JSON), the spec and the result as given.
 *
 * @throws {ForeignDataError} when they are not coord's.
 */
export function jobRecord(
  queue: string,
  stateJson: string,
  specJson: string,
  resultJson?: string,
  inputsJson?: string,
): JobRecord {
  try {
    const state = JSON.parse(stateJson);
    const spec = JSON.parse(specJson) as JobSpec;
    if (
      typeof state?.id === "string" && STATES.includes(state.state) &&
      typeof state.attempts === "number" && typeof spec === "object" && spec !== null
    ) {
      const { beginBy: _, ...job } = state;
      return {
        failures: 0,
        ...job,
        spec,
        ...(resultJson !== undefined && { result: JSON.parse(resultJson) }),
        ...(inputsJson !== undefined && { inputs: JSON.parse(inputsJson) }),
      } as JobRecord;
    }
  } catch {
    // reported below
  }
  throw new ForeignDataError(
    `queue "${queue}": a job holds ${JSON.stringify(stateJson.slice(0, 60))} — another ` +
      `program wrote there; remove the key or use another --namespace`,
  );
}
