/**
 * The lock console, as in turn's console script: the state of resources' ticket lines (what
 * `coord turn` calls lock queues), their events as they happen, and removing a line nobody is in
 * — as data; `coord turn` words it (commands/turn.ts).
 *
 * @module
 */

import type { Backend } from "../backend/types.ts";
import { checkName } from "../backend/keys.ts";
import { type ForeignDataError, readEach } from "../errors.ts";
import type { LockEvent, ResetResult, TicketLine } from "./steps.ts";

/** One ticket line's state, or why it has none. */
export interface TicketLineReport {
  /** The line's resource. */
  resource: string;
  /** Its state; undefined when there is no such line, or it holds foreign data. */
  status: TicketLine | undefined;
  /** Why its state could not be read: data another program wrote where the line keeps it. */
  foreign?: ForeignDataError;
}

/**
 * The state of the named resources' ticket lines, in the order given (`status: undefined` for
 * one that does not exist), or of every line in the namespace by name when `resources` is
 * undefined. Each line on its own: one holding foreign data is reported (`foreign`), not
 * thrown, so it hides none of the others.
 *
 * @throws {UsageError} on an empty or too long name.
 * @example
 * ```ts
 * import { connect } from "../backend/connect.ts";
 * import { ticketLines } from "./console.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * for (const { resource, status } of await ticketLines(backend)) {
 *   console.log(resource, status?.indicator);
 * }
 * ```
 */
export async function ticketLines(
  backend: Backend,
  resources?: string[],
): Promise<TicketLineReport[]> {
  resources?.forEach((resource) => checkName("resource name", resource));
  const names = resources ?? await backend.lock.list();
  const reports = (await readEach(names, (resource) => backend.lock.status(resource))).map(
    ({ name, value, foreign }): TicketLineReport => ({
      resource: name,
      status: value,
      ...foreign && { foreign },
    }),
  );
  // A listed line that was reset in the meantime is simply no longer there.
  return resources ? reports : reports.filter((r) => r.status !== undefined || r.foreign);
}

/** Options of {@link resetTicketLine}. */
export interface ResetTicketLineOptions {
  /** Remove the line even with users in it (they lose their tickets); default false. */
  force?: boolean;
  /**
   * The state the decision to reset was made on (what the operator saw); default: read now.
   * A line that handed out a ticket since then is left alone (`activity`).
   */
  seen?: TicketLine;
}

/**
 * Removes a ticket line nobody is in, in one atomic step: not when it has users (`in-use`), nor
 * when it handed out a ticket since `seen` was read (`activity`), unless `force`. A line holding
 * what {@link ticketLines} cannot read is refused and left as it is, `force` or not.
 *
 * @throws {UsageError} on an empty or too long name.
 * @throws {ForeignDataError} when the line holds data another program wrote.
 * @example
 * ```ts
 * import { connect } from "../backend/connect.ts";
 * import { resetTicketLine } from "./console.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * const { outcome } = await resetTicketLine(backend, "deploy"); // "missing": never used
 * ```
 */
export async function resetTicketLine(
  backend: Backend,
  resource: string,
  { force = false, seen }: ResetTicketLineOptions = {},
): Promise<ResetResult> {
  checkName("resource name", resource);
  // The reset step refuses what status does: a forced one needs nothing read first.
  if (force) return await backend.lock.reset(resource, { force: true });
  const before = seen ?? await backend.lock.status(resource);
  if (before === undefined) return { outcome: "missing" };
  return await backend.lock.reset(resource, { force: false, expectTickets: before.tickets });
}

/** A ticket line's event, typed. */
export interface TicketLineEvent {
  /** The resource whose line the event happened to. */
  resource: string;
  /** What happened. */
  event: LockEvent;
}

/**
 * The events of the named resources' lines as they happen, or of every line in the namespace (also
 * those created later) when `resources` is undefined. Resolves once listening, and once each
 * named line's state was read; the stream ends when `signal` aborts.
 *
 * @throws {UsageError} on an empty or too long name.
 * @throws {ForeignDataError} when a named line's keys or rows hold data coord did not write:
 * events never come from such a line, so following it would wait in silence for ever.
 * @example
 * ```ts ignore
 * import { connect } from "../backend/connect.ts";
 * import { followTicketLines } from "./console.ts";
 * await using backend = await connect({ url: "redis://127.0.0.1:6379" });
 * const signal = AbortSignal.timeout(60_000);
 * for await (const { resource, event } of await followTicketLines(backend, ["deploy"], signal)) {
 *   console.log(resource, event.event);
 * }
 * ```
 */
export async function followTicketLines(
  backend: Backend,
  resources: string[] | undefined,
  signal: AbortSignal,
): Promise<AsyncIterable<TicketLineEvent>> {
  resources?.forEach((resource) => checkName("resource name", resource));
  // Stops listening when the state cannot be read, as well as when the caller is done.
  const refused = new AbortController();
  const listening = AbortSignal.any([signal, refused.signal]);
  const events = await backend.events("lock", resources, listening);
  // Read after listening starts, so no event between the read and the first one heard is lost.
  // Only named lines: following the whole namespace (the web console does) is not stopped by
  // one line another program wrote to.
  try {
    const foreign = resources && (await ticketLines(backend, resources)).find((r) => r.foreign);
    if (foreign) throw foreign.foreign;
  } catch (e) {
    refused.abort();
    throw e;
  }
  return (async function* () {
    for await (const { name, event } of events) {
      yield { resource: name, event: event as LockEvent };
    }
  })();
}

/** A ticket line as `coord turn status --json` prints it (times: epoch ms, backend clock). */
export interface TicketLineRecord {
  /** The line's resource. */
  resource: string;
  /** Whose turn it is. */
  indicator: number;
  /** The last ticket handed out. */
  tickets: number;
  /** How many may hold it at once. */
  limit: number;
  /** Tickets of the users holding the lock. */
  holders: number[];
  /** Tickets of the users waiting, in order. */
  waiters: number[];
  /** Live users in ticket order; `granted_at` is null while waiting (epoch ms). */
  users: { ticket: number; label: string; since: number; granted_at: number | null }[];
}

/**
 * A ticket line's state as plain data, for `--json`.
 *
 * @example
 * ```ts
 * import { statusRecord } from "./console.ts";
 * statusRecord("deploy", { tickets: 0, indicator: 1, limit: 1, users: [] }).holders; // []
 * ```
 */
export function statusRecord(resource: string, status: TicketLine): TicketLineRecord {
  const granted = (u: { grantedAt?: number }) => u.grantedAt !== undefined;
  return {
    resource,
    indicator: status.indicator,
    tickets: status.tickets,
    limit: status.limit,
    holders: status.users.filter(granted).map((u) => u.ticket),
    waiters: status.users.filter((u) => !granted(u)).map((u) => u.ticket),
    users: status.users.map((u) => ({
      ticket: u.ticket,
      label: u.label,
      since: u.since,
      granted_at: u.grantedAt ?? null,
    })),
  };
}
