/**
 * How a flow moves on when one of its group's parts (or its postprocess) ends: decided here
 * once for the SQL steps, which then write what it says (Redis decides the same inside the
 * step's script: `part_ended` in `../backend/redis/queue/includes/flow.lua`).
 *
 * @module
 */

import { oversize } from "./limits.ts";
import type { JobGroup, JobState } from "./steps.ts";

/** A group's part as it ended. */
export interface EndedPart {
  id: string;
  state: JobState;
  error: string | null;
  /** Its result, JSON; null when it has none. */
  result: string | null;
}

/**
 * What a part's end reads of its group: its record but for the list of its parts' ids, which a
 * flow of thousands of parts would have each end read (SQL keeps it apart: see
 * `../backend/sql/flow_tally.ts`).
 */
export interface FlowTally extends Omit<JobGroup, "children"> {
  /** How many parts it has (its postprocess aside). */
  parts: number;
}

/**
 * The tally of `group`.
 *
 * @example
 * ```ts
 * import { flowTally } from "./flow_progress.ts";
 * flowTally({ kind: "serial", children: ["f.0", "f.1"], continueOnFailure: false, done: 0 });
 * // { kind: "serial", continueOnFailure: false, done: 0, parts: 2 }
 * ```
 */
export function flowTally(group: JobGroup): FlowTally {
  const { children, ...tally } = group;
  return { ...tally, parts: children.length };
}

/** What happens to the group. */
export type FlowProgress =
  /** The group ends now (its postprocess ended, or a part failed it). */
  | { kind: "end"; state: "completed" | "failed"; error?: string; result?: string }
  /**
   * The part is counted (`done` parts so far); a serial group starts its next part, the one at
   * `release` in its list.
   */
  | { kind: "counted"; done: number; release?: number }
  /**
   * Every part has ended: their results ({@link gatheredResults}) go to the postprocess, which
   * starts, or are the group's result when it has none.
   */
  | { kind: "gathered"; done: number; postprocess?: string };

/**
 * What `part`'s end does to the group of tally `group`, whose state is waiting.
 *
 * @example
 * ```ts
 * import { flowProgress, type FlowTally } from "./flow_progress.ts";
 * const group: FlowTally = { kind: "serial", parts: 2, continueOnFailure: false, done: 0 };
 * flowProgress(group, { id: "f.0", state: "completed", error: null, result: "1" });
 * // { kind: "counted", done: 1, release: 1 }
 * ```
 */
export function flowProgress(group: FlowTally, part: EndedPart): FlowProgress {
  const why = `${part.state}: ${part.error ?? ""}`;
  if (part.id === group.postprocess) {
    const ok = part.state === "completed";
    return {
      kind: "end",
      state: ok ? "completed" : "failed",
      ...(part.result !== null && { result: part.result }),
      ...(!ok && { error: `postprocess ${part.id} ${why}` }),
    };
  }
  if (part.state !== "completed" && !group.continueOnFailure) {
    return { kind: "end", state: "failed", error: `part ${part.id} ${why}` };
  }
  const done = group.done + 1;
  if (done < group.parts) {
    return { kind: "counted", done, ...(group.kind === "serial" && { release: done }) };
  }
  return { kind: "gathered", done, ...(group.postprocess && { postprocess: group.postprocess }) };
}

/**
 * The results a group whose parts have all ended hands on, as a JSON array in the parts'
 * order: each part's result, null for one that did not complete.
 *
 * @example
 * ```ts
 * import { gatheredResults } from "./flow_progress.ts";
 * gatheredResults([{ state: "completed", result: "2" }, { state: "failed", result: null }]);
 * // "[2,null]"
 * ```
 */
export function gatheredResults(parts: { state: JobState; result: string | null }[]): string {
  return `[${parts.map((p) => p.state === "completed" ? p.result ?? "null" : "null").join(",")}]`;
}

/**
 * The error of a part that had not started when its group `group` ended `state` (failed, or
 * cancelled by a user): it is cancelled with it, and says which. Redis says the same words
 * (`abandon` in `../backend/redis/queue/includes/flow.lua`).
 *
 * @example
 * ```ts
 * import { abandonedPart } from "./flow_progress.ts";
 * abandonedPart("f.1", "cancelled"); // "its group f.1 was cancelled"
 * ```
 */
export function abandonedPart(group: string, state: JobState): string {
  return `its group ${group} ${state === "cancelled" ? "was cancelled" : "failed"}`;
}

/**
 * Why a group's gathered results ({@link gatheredResults}) cannot be handed on — they take
 * more than a job may hold (`MAX_JOB_BYTES`) — or undefined when they fit. The group then fails
 * with this as its error, and nothing of them is written: 30 parts of 1 MB each would make a
 * 30 MB result or postprocess input, whose write on PostgreSQL took past the 5 s a step may
 * wait between statements (an outage, retried), while SQLite and Redis stored it. Redis says
 * the same words (`part_ended` in `../backend/redis/queue/includes/flow.lua`).
 *
 * @example
 * ```ts
 * import { gatheredOversize, gatheredResults } from "./flow_progress.ts";
 * gatheredOversize(gatheredResults([{ state: "completed", result: "2" }])); // undefined
 * ```
 */
export function gatheredOversize(joined: string): string | undefined {
  return oversize("the list of its parts' results", joined);
}
