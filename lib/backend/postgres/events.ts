/**
 * Following a primitive's event table (`coord_<kind>_event`) on Postgres, for `coord turn
 * follow` and the console.
 *
 * Event ids come from an identity column, handed out when a step inserts its event and seen by
 * others when it commits: a step that took id 10 may commit after one that took id 11 was read,
 * so one cursor over the whole table would skip it. Steps of one instance are serialized
 * (`SqlTransaction.lock`), so within one instance ids commit in order: the follower keeps one
 * cursor per instance.
 *
 * @module
 */

import type { Kind } from "../keys.ts";
import type { NamedEvent } from "../types.ts";
import type { SqlStore } from "../sql/transaction.ts";
import type { ChangeListener } from "./change_listener.ts";

/** A follower re-reads the event table at least this often (a lost NOTIFY costs no more). */
const EVENT_POLL_MS = 1_000;

interface EventRow {
  id: number;
  name: string;
  event: string;
}

/**
 * The events of `kind` in `store`'s namespace as they commit: of the named instances, or of
 * every one when `names` is undefined. Resolves once listening; ends when `signal` aborts.
 *
 * @example
 * ```ts ignore
 * const events = await followEvents(store, listener, "lock", undefined, signal);
 * for await (const { name, event } of events) console.log(name, event);
 * ```
 */
export async function followEvents(
  store: SqlStore,
  listener: ChangeListener,
  kind: Kind,
  names: string[] | undefined,
  signal: AbortSignal,
): Promise<AsyncIterable<NamedEvent>> {
  const table = `coord_${kind}_event`;
  const ns = store.namespace;
  // Listening before the cursors are read: no change after them goes unheard.
  const watcher = await listener.watchKind(ns, kind);
  let cursors: Record<string, number>;
  try {
    const lasts = await store.read((tx) =>
      tx.all<{ name: string; last: number }>(
        `SELECT name, max(id) AS last FROM ${table} WHERE namespace = ? GROUP BY name`,
        ns,
      )
    );
    cursors = Object.fromEntries(lasts.map((r) => [r.name, r.last]));
  } catch (e) {
    await watcher[Symbol.asyncDispose]();
    throw e;
  }
  const poll = () =>
    store.read((tx) =>
      tx.all<EventRow>(
        `SELECT id, name, event FROM ${table} WHERE namespace = ?
         AND id > coalesce(CAST(CAST(? AS jsonb) ->> name AS BIGINT), 0) ORDER BY id`,
        ns,
        JSON.stringify(cursors),
      )
    );
  return (async function* () {
    await using _ = watcher;
    while (!signal.aborted) {
      for (const row of await poll()) {
        cursors[row.name] = row.id;
        if (names === undefined || names.includes(row.name)) {
          yield { name: row.name, event: JSON.parse(row.event) };
        }
      }
      await watcher.next(EVENT_POLL_MS, signal).catch(() => {});
    }
  })();
}
