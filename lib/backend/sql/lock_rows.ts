/**
 * The values a lock's rows hold when coord wrote them, checked on each step's first read on
 * every SQL engine. A value of the column's type but outside what coord writes there (a limit
 * below 1, a lease that never ends, a ticket beyond the counter: an UPDATE by hand or another
 * program's) would otherwise be acted on and overwritten: the step refuses it and changes
 * nothing. Values of another type (possible on SQLite only) are refused before, by
 * `SqlTransaction.refuseForeignRows`.
 *
 * @module
 */

import { refuseForeignValues, type ValueRule } from "./foreign_row.ts";
import { instant, whole } from "../../stored_values.ts";

/**
 * Every column a step reads. A NULL is never checked: it stands for a row the read joined and
 * did not find (the columns themselves are NOT NULL but for a ticket's grant).
 */
const RULES: ValueRule[] = [
  { table: "coord_lock_counter", column: "tickets", read: "tickets", writes: (v) => whole(v, 0) },
  { table: "coord_lock", column: "tickets", read: "queue_tickets", writes: (v) => whole(v, 0) },
  // Not bounded by the counter: a counter gone back (a failover to a replica that missed the
  // last tickets) leaves the indicator ahead of it until new tickets catch up.
  { table: "coord_lock", column: "indicator", read: "indicator", writes: (v) => whole(v, 1) },
  { table: "coord_lock", column: "lim", read: "lim", writes: (v) => whole(v, 1) },
  {
    table: "coord_lock_ticket",
    column: "ticket",
    read: "ticket",
    // A ticket beyond the counter would be handed out again.
    writes: (v, row) => whole(v, 1, row.tickets),
  },
  { table: "coord_lock_ticket", column: "since", read: "since", writes: instant },
  // A lease that is not a clock's instant (text, 1e300) never ends: the lock would be stuck.
  { table: "coord_lock_ticket", column: "expires_at", read: "expires_at", writes: instant },
  { table: "coord_lock_ticket", column: "granted_at", read: "granted_at", writes: instant },
  {
    table: "coord_lock_ticket",
    column: "started",
    read: "started",
    writes: (v) => v === 0 || v === 1,
  },
  // The next ticket's request is inserted at counter + 1: a row there already made the insert
  // fail on the key, a bug's exit where the row is another program's.
  {
    table: "coord_lock_request",
    column: "ticket",
    read: "last_request",
    writes: (v, row) => whole(v, 1, row.tickets),
  },
  // Each ticket takes a token above the last one, from 1: never one below its ticket number.
  {
    table: "coord_lock_request",
    column: "token",
    read: "token",
    writes: (v, row) => whole(v, row.ticket),
  },
  {
    table: "coord_lock_request",
    column: "token",
    read: "taken_token",
    writes: (v, row) => whole(v, row.taken_ticket ?? 1),
  },
  // The next token must be a safe integer too: one at the limit would be written, then refused
  // by every step, and the lock stuck for good.
  {
    table: "coord_lock_token",
    column: "token",
    read: "last_token",
    writes: (v) => whole(v, 1, Number.MAX_SAFE_INTEGER - 1),
  },
];

/**
 * Refuses a lock's rows, as a step read them, when one holds a value coord does not write; a
 * column missing from the rows is not checked.
 *
 * @example
 * ```ts
 * import { refuseForeignLockRows } from "./lock_rows.ts";
 * refuseForeignLockRows("deploy", [{ tickets: 3, indicator: 2, lim: 1 }]); // coord's: no error
 * ```
 *
 * @throws {ForeignDataError} naming the lock, the table and the value; the step changes nothing.
 */
export function refuseForeignLockRows(name: string, rows: Record<string, unknown>[]): void {
  refuseForeignValues(`lock "${name}"`, RULES, rows);
}
