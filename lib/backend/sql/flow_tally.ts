/**
 * A flow group's tally ({@link FlowTally}) as the SQL steps keep it: JSON in the group's
 * `progress` column, which a group never otherwise uses (it never runs). A part's end reads and
 * writes those few bytes, where it read and wrote the group's record (`grp`, which lists every
 * part's id: ≈ 110 KB for 9,999 parts) — each end O(N), a flow's run O(N²). `grp` is left as put
 * (its `done` as the coord before this one last wrote it), so that coord still reads both; a
 * group without a tally (put or moved on by it) gets one from `grp` at its next part's end.
 *
 * @module
 */

import { ForeignDataError } from "../../errors.ts";
import { type FlowTally, flowTally } from "../../queue/flow_progress.ts";
import { foreignJob } from "../../queue/record.ts";
import type { JobGroup } from "../../queue/steps.ts";
import { whole } from "../../stored_values.ts";

/** A tally as the SQL steps keep it. */
export interface StoredTally extends FlowTally {
  /**
   * Its parts are `ID.0`, `ID.1`, … in order, as `flowNodes` names them (checked once, against
   * the list): a serial group's next part is named without reading the list.
   */
  numbered?: boolean;
}

/**
 * The tally of group `id`, whose record is `group`.
 *
 * @example
 * ```ts
 * import { storedTally } from "./flow_tally.ts";
 * storedTally("f", { kind: "serial", children: ["f.0", "f.1"], continueOnFailure: false, done: 0 });
 * // { kind: "serial", continueOnFailure: false, done: 0, parts: 2, numbered: true }
 * ```
 */
export function storedTally(id: string, group: JobGroup): StoredTally {
  const numbered = group.children.every((child, i) => child === `${id}.${i}`);
  return { ...flowTally(group), ...(numbered && { numbered }) };
}

/**
 * The tally stored as `text` in group `id`'s row.
 *
 * @throws {ForeignDataError} naming the queue and the text, when coord did not write it.
 * @example
 * ```ts
 * import { readFlowTally } from "./flow_tally.ts";
 * readFlowTally("q", '{"kind":"parallel","continueOnFailure":false,"done":1,"parts":3}');
 * // { kind: "parallel", continueOnFailure: false, done: 1, parts: 3 }
 * ```
 */
export function readFlowTally(queue: string, text: string): StoredTally {
  let tally: unknown;
  try {
    tally = JSON.parse(text);
  } catch {
    // refused below
  }
  if (!isFlowTally(tally)) throw new ForeignDataError(foreignJob(queue, text));
  return tally;
}

function isFlowTally(value: unknown): value is StoredTally {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const { kind, continueOnFailure, postprocess, done, parts, numbered } = value as Record<
    string,
    unknown
  >;
  // `done` reaches `parts` once every part ended and the postprocess runs.
  return (kind === "parallel" || kind === "serial") && typeof continueOnFailure === "boolean" &&
    (postprocess === undefined || typeof postprocess === "string") && whole(parts, 1) &&
    whole(done, 0, parts as number) && (numbered === undefined || typeof numbered === "boolean");
}
