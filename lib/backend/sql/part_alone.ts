/**
 * A flow's part that a step fails on its own (a claim's: abandoned too often, unreadable), no
 * run of a worker's ending it, whose flow holds another program's row on the part's way up: the
 * refusal must not fail the step, or the part would stay running, its lease lapsed, and every
 * later claim of its queue would meet it and be refused. The step is made again with the part
 * failed alone, its flow left as it is, and the worker told why, as on Redis (`fail_here` in
 * `../redis/queue/includes/take.lua`). A transaction undoes what the refused step wrote: no
 * check before the writes, as Redis's `check_flow_end`, is needed.
 *
 * @module
 */

import { ForeignDataError } from "../../errors.ts";

/** Parts to fail alone, by id, with the refusal their flow's end met. */
export type AloneParts = ReadonlyMap<string, string>;

/** A part's own end that its flow refused (see {@link endOwnPart}). */
class FlowEndRefused extends Error {
  constructor(readonly part: string, readonly refusal: ForeignDataError) {
    super(refusal.message, { cause: refusal });
    this.name = "FlowEndRefused";
  }
}

/**
 * Moves the flow of part `id`, failed by a step on its own, on with `moveOn`; another program's
 * row met on the way up stops the step, for {@link failingAlone} to make it again with the part
 * in its `alone`.
 *
 * @example
 * ```ts ignore
 * await endOwnPart(row.id, () => this.#partEnded(s, queue, failedRow));
 * ```
 */
export async function endOwnPart(id: string, moveOn: () => Promise<void>): Promise<void> {
  try {
    await moveOn();
  } catch (e) {
    throw e instanceof ForeignDataError ? new FlowEndRefused(id, e) : e;
  }
}

/**
 * Runs `step` (a whole transaction) with the parts to fail alone, none at first; made again
 * with each part whose flow's end was refused in it (see {@link endOwnPart}).
 *
 * @throws the refusal itself when a part already failed alone is refused again (a bug's).
 * @example
 * ```ts ignore
 * return await failingAlone((alone) => this.#write(queue, (s) => this.#take(s, alone)));
 * ```
 */
export async function failingAlone<T>(step: (alone: AloneParts) => Promise<T>): Promise<T> {
  const alone = new Map<string, string>();
  while (true) {
    try {
      return await step(alone);
    } catch (e) {
      if (!(e instanceof FlowEndRefused)) throw e;
      if (alone.has(e.part)) throw e.refusal;
      alone.set(e.part, e.refusal.message);
    }
  }
}
