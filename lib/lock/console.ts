/**
 * The lock console, as in turn's console script: the state of queues, their events as they
 * happen, and removing a queue nobody is in — as data, and as the lines `coord turn` prints.
 *
 * @module
 */

import type { Backend } from "../backend/types.ts";
import { checkName } from "../backend/keys.ts";
import type { LockEvent, QueueStatus, ResetResult } from "./steps.ts";

/** Width of the name column of {@link statusTable}: a resource name or a user's label. */
export const NAME_COLUMNS = 50;
/** Width of the number column of {@link statusTable}: the indicator or a ticket. */
export const NUMBER_COLUMNS = 10;

/** One queue's state, or `undefined` for a queue that does not exist. */
export interface QueueReport {
  /** The queue's resource. */
  resource: string;
  /** Its state; undefined when there is no such queue. */
  status: QueueStatus | undefined;
}

/**
 * The state of the named queues, in the order given (`status: undefined` for one that does not
 * exist), or of every queue in the namespace by name when `resources` is undefined.
 *
 * @throws {UsageError} on an empty or too long name.
 * @example
 * ```ts
 * import { connect } from "../backend/connect.ts";
 * import { queueStatuses } from "./console.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * for (const { resource, status } of await queueStatuses(backend)) {
 *   console.log(resource, status?.indicator);
 * }
 * ```
 */
export async function queueStatuses(
  backend: Backend,
  resources?: string[],
): Promise<QueueReport[]> {
  resources?.forEach((resource) => checkName("resource", resource));
  const names = resources ?? await backend.lock.list();
  const reports = await Promise.all(
    names.map(async (resource) => ({ resource, status: await backend.lock.status(resource) })),
  );
  // A listed queue that was reset in the meantime is simply no longer there.
  return resources ? reports : reports.filter((r) => r.status !== undefined);
}

/** Options of {@link resetQueue}. */
export interface ResetQueueOptions {
  /** Remove the queue even with users in it (they lose their tickets); default false. */
  force?: boolean;
  /**
   * The state the decision to reset was made on (what the operator saw); default: read now.
   * A queue that handed out a ticket since then is left alone (`activity`).
   */
  seen?: QueueStatus;
}

/**
 * Removes a queue nobody is in, in one atomic step: not when it has users (`in-use`), nor when
 * it handed out a ticket since `seen` was read (`activity`), unless `force`.
 *
 * @throws {UsageError} on an empty or too long name.
 * @example
 * ```ts
 * import { connect } from "../backend/connect.ts";
 * import { resetQueue } from "./console.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * const { outcome } = await resetQueue(backend, "deploy"); // "missing": never used
 * ```
 */
export async function resetQueue(
  backend: Backend,
  resource: string,
  { force = false, seen }: ResetQueueOptions = {},
): Promise<ResetResult> {
  checkName("resource", resource);
  if (force) return await backend.lock.reset(resource, { force: true });
  const before = seen ?? await backend.lock.status(resource);
  if (before === undefined) return { outcome: "missing" };
  return await backend.lock.reset(resource, { force: false, expectTickets: before.tickets });
}

/** A queue's event, typed. */
export interface QueueEvent {
  /** The queue the event happened to. */
  resource: string;
  /** What happened. */
  event: LockEvent;
}

/**
 * The events of the named queues as they happen, or of every queue in the namespace (also
 * those created later) when `resources` is undefined. Resolves once listening; the stream
 * ends when `signal` aborts.
 *
 * @throws {UsageError} on an empty or too long name.
 * @example
 * ```ts ignore
 * import { connect } from "../backend/connect.ts";
 * import { eventLine, followQueues } from "./console.ts";
 * await using backend = await connect({ url: "redis://127.0.0.1:6379" });
 * const signal = AbortSignal.timeout(60_000);
 * for await (const { resource, event } of await followQueues(backend, ["deploy"], signal)) {
 *   console.log(eventLine(resource, event));
 * }
 * ```
 */
export async function followQueues(
  backend: Backend,
  resources: string[] | undefined,
  signal: AbortSignal,
): Promise<AsyncIterable<QueueEvent>> {
  resources?.forEach((resource) => checkName("resource", resource));
  const events = await backend.events("lock", resources, signal);
  return (async function* () {
    for await (const { name, event } of events) {
      yield { resource: name, event: event as LockEvent };
    }
  })();
}

/**
 * One event as `coord turn follow` prints it, e.g. `deploy: 5 assigned to "ci pid 7"`.
 *
 * @example
 * ```ts
 * import { eventLine } from "./console.ts";
 * eventLine("deploy", { event: "bumped", from: 5, to: 7 }); // "deploy: bumps from 5 to 7"
 * ```
 */
export function eventLine(resource: string, event: LockEvent): string {
  return `${printable(resource)}: ${describe(event)}`;
}

function describe(e: LockEvent): string {
  switch (e.event) {
    case "assigned":
      return `${e.ticket} assigned to ${quoted(e.label)}`;
    case "granted":
      return `${e.ticket} granted`;
    case "started":
      return `${e.ticket} started`;
    case "completed":
      return `${e.ticket} completed by ${quoted(e.label)}`;
    case "left":
      return `${e.ticket} left (${quoted(e.label)})`;
    case "crashed":
      return `${e.ticket} crashed! (${quoted(e.label)})`;
    case "bumped":
      return `bumps from ${e.from} to ${e.to}`;
    case "reset":
      return "reset";
    default:
      // A newer coord's event: shown as it came rather than dropped.
      return JSON.stringify(e);
  }
}

/**
 * A queue as turn's console shows it: the resource name in 50 columns and the indicator
 * right-aligned in 10, 60 dashes, then each live user's label and ticket in the same columns,
 * in ticket order (the first `limit` hold the lock). A name too long for its column is cut
 * short with `…`.
 *
 * @example
 * ```ts
 * import { statusTable } from "./console.ts";
 * statusTable("deploy", {
 *   tickets: 6,
 *   indicator: 5,
 *   limit: 1,
 *   users: [{ ticket: 5, label: "ci", since: 0, grantedAt: 1 }, { ticket: 6, label: "me", since: 2 }],
 * });
 * ```
 */
export function statusTable(resource: string, status: QueueStatus): string[] {
  const row = (name: string, n: number) =>
    `${column(name, NAME_COLUMNS)}${String(n).padStart(NUMBER_COLUMNS)}`;
  return [
    row(resource, status.indicator),
    "-".repeat(NAME_COLUMNS + NUMBER_COLUMNS),
    ...status.users.map((user) => row(user.label, user.ticket)),
  ];
}

/** A queue as `coord turn status --json` prints it (times: epoch ms, backend clock). */
export interface QueueRecord {
  /** The queue's resource. */
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
 * A queue's state as plain data, for `--json`.
 *
 * @example
 * ```ts
 * import { statusRecord } from "./console.ts";
 * statusRecord("deploy", { tickets: 0, indicator: 1, limit: 1, users: [] }).holders; // []
 * ```
 */
export function statusRecord(resource: string, status: QueueStatus): QueueRecord {
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

/** A label in double quotes, its quotes and control characters escaped. */
function quoted(text: string): string {
  return printable(JSON.stringify(text));
}

/** Control characters in a name would break the line or the terminal: shown escaped. */
function printable(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
}

/** Pads `text` to `width` columns, or cuts it to `width - 1` and `…`. */
function column(text: string, width: number): string {
  const chars = [...printable(text)];
  if (chars.length <= width) return chars.join("") + " ".repeat(width - chars.length);
  return `${chars.slice(0, width - 1).join("")}…`;
}
