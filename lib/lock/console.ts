/**
 * The lock console, as in turn's console script: the state of queues, their events as they
 * happen, and removing a queue nobody is in — as data; `coord turn` words it (commands/turn.ts).
 *
 * @module
 */

import type { Backend } from "../backend/types.ts";
import { checkName } from "../backend/keys.ts";
import type { LockEvent, QueueStatus, ResetResult } from "./steps.ts";

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
 * import { followQueues } from "./console.ts";
 * await using backend = await connect({ url: "redis://127.0.0.1:6379" });
 * const signal = AbortSignal.timeout(60_000);
 * for await (const { resource, event } of await followQueues(backend, ["deploy"], signal)) {
 *   console.log(resource, event.event);
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
