/**
 * What a lock waiter makes of the events it hears: how many tickets are still ahead of its own,
 * so that only the first in line asks the backend on each handoff.
 *
 * @module
 */

/**
 * How many tickets are still ahead of `ticket` after `events`, counted down from `ahead` (as
 * the last step read it, `first` then being the first in line); or undefined when the events
 * may have changed more than that (the queue was reset or bumped, this ticket itself left, an
 * event not understood) or there were none (a timeout, or a backend that carries no events):
 * then only a check can tell.
 *
 * Every ticket that leaves the queue is announced once (completed, left or crashed), and new
 * tickets only ever queue behind. An announcement can come after a step already read its
 * effect, since the waiter listens before it takes its ticket: a ticket before `first` was gone
 * when the step read, and is not counted again. So the count is never too high unless an event
 * was lost, which the check on the slow timer repairs (too high, a waiter would skip the check
 * that finds its turn). It is too low only when a ticket between `first` and this one left just
 * before the step read: a check too many.
 *
 * @example
 * ```ts
 * import { aheadAfter } from "./ahead.ts";
 * // Ticket 7 waits behind 5 and 6; it hears that 4 (gone before it asked) and 5 completed.
 * const events = [{ event: "completed", ticket: 4, label: "a" }, {
 *   event: "completed",
 *   ticket: 5,
 *   label: "b",
 * }];
 * console.log(aheadAfter(events, { ticket: 7, ahead: 2, first: 5 })); // 1
 * ```
 */
export function aheadAfter(
  events: unknown[],
  { ticket, ahead, first }: { ticket: number; ahead: number; first: number },
): number | undefined {
  if (events.length === 0) return undefined;
  for (const event of events) {
    const { event: kind, ticket: other } = (event ?? {}) as Partial<
      { event: string; ticket: number }
    >;
    if (typeof other !== "number") return undefined;
    switch (kind) {
      case "assigned": // a new ticket queues behind (or is this one, taken just now)
      case "started":
      case "granted": // of another ticket: this one's grant was looked for before
        break;
      case "completed":
      case "left":
      case "crashed":
        if (other === ticket) return undefined;
        if (other >= first && other < ticket) ahead--;
        break;
      default:
        return undefined;
    }
  }
  return ahead;
}
