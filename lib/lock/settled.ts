/**
 * A ticket line as its next step would leave it, computed without writing: what `status` shows.
 * Every step that writes first drops the tickets whose presence lease ran out, moves the
 * indicator to the lowest live ticket and grants the first `limit` (`lock.lua`, the SQL steps'
 * settle); a look must show that outcome — a crashed holder gone, its waiter holding — yet
 * leave the stored line as it is, so that `coord doctor` or `turn status` changes nothing.
 *
 * @module
 */

import type { TicketLine, TicketUser } from "./steps.ts";

/** A live ticket as stored, with the end of its presence lease (backend clock, epoch ms). */
export interface StoredTicket extends TicketUser {
  /** When its presence lease runs out. */
  expiresAt: number;
}

/** A ticket line as stored, expired tickets and all. */
export interface StoredLine extends Omit<TicketLine, "users"> {
  /** Its tickets in ticket order, as stored. */
  users: StoredTicket[];
}

/**
 * The line as a step at `now` would settle it: tickets whose lease ran out before `now` are
 * left out, the indicator is the lowest live ticket (or the next to be handed out) unless it is
 * past it already, and the first `limit` live tickets are granted (at `now`, when no step did
 * yet).
 *
 * @example
 * ```ts
 * import { settledLine } from "./settled.ts";
 * const line = settledLine({
 *   tickets: 2,
 *   indicator: 1,
 *   limit: 1,
 *   users: [
 *     { ticket: 1, label: "killed", since: 0, grantedAt: 0, expiresAt: 10 },
 *     { ticket: 2, label: "next", since: 5, expiresAt: 90 },
 *   ],
 * }, 50);
 * line.indicator; // 2
 * line.users; // [{ ticket: 2, label: "next", since: 5, grantedAt: 50 }]
 * ```
 */
export function settledLine(stored: StoredLine, now: number): TicketLine {
  const live = stored.users.filter((u) => u.expiresAt >= now);
  const first = live[0]?.ticket ?? stored.tickets + 1;
  return {
    tickets: stored.tickets,
    indicator: Math.max(stored.indicator, first),
    limit: stored.limit,
    users: live.map(({ expiresAt: _, grantedAt, ...user }, place) => ({
      ...user,
      ...(grantedAt !== undefined || place < stored.limit ? { grantedAt: grantedAt ?? now } : {}),
    })),
  };
}
