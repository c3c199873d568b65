/**
 * Which topics changed, for waiters in other processes: SQLite's own change signal
 * (`PRAGMA data_version`) says only that something in the file did.
 *
 * @module
 */

import type { Topic } from "../types.ts";

/**
 * Topics share this many counters per namespace, so the table stays this small however many
 * names come and go (a barrier per CI run); two topics on one counter wake each other's
 * waiters now and then, who re-check and wait again.
 */
const BUCKETS = 1024;

/** One counter per bucket of topics; bumped by every step that announces a change. */
export const TOPIC_CHANGES_DDL = `CREATE TABLE IF NOT EXISTS coord_change (
  namespace TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  changes INTEGER NOT NULL,
  PRIMARY KEY (namespace, bucket))`;

const COUNT_SQL = `INSERT INTO coord_change (namespace, bucket, changes) VALUES (?, ?, 1)
  ON CONFLICT (namespace, bucket) DO UPDATE SET changes = changes + 1 RETURNING changes`;
const READ_SQL = "SELECT changes FROM coord_change WHERE namespace = ? AND bucket = ?";
const READ_ALL_SQL = "SELECT bucket, changes FROM coord_change WHERE namespace = ?";

/** The statements {@link TopicChanges} runs, on the backend's connection. */
export interface TopicChangesStore {
  readonly namespace: string;
  all<T>(sql: string, ...params: (string | number)[]): T[];
  run(sql: string, ...params: (string | number)[]): void;
}

/**
 * Per-topic change counts kept in the database. A step that announces a change to a topic
 * counts it in its own transaction; a waiter that sees the file change reads its topic's count
 * and goes on waiting when it has not moved. So a worker idle on 100 queues is not woken by
 * another's heartbeat, nor its queues by each other's jobs.
 *
 * @example
 * ```ts ignore
 * const changes = new TopicChanges(backend);
 * const seen = changes.read({ kind: "queue", name: "emails" });
 * // … another process: changes.count({ kind: "queue", name: "emails" }) in a write step …
 * changes.read({ kind: "queue", name: "emails" }) !== seen; // true
 * ```
 */
export class TopicChanges {
  readonly #store: TopicChangesStore;

  /** Counts on `store`'s database, in its namespace. */
  constructor(store: TopicChangesStore) {
    this.#store = store;
  }

  /**
   * Counts a change of `topic` (call inside a write transaction).
   *
   * @returns the count it made: a waiter that has seen the one before has seen all but this.
   */
  count(topic: Topic): number {
    const [row] = this.#store.all<{ changes: number }>(
      COUNT_SQL,
      this.#store.namespace,
      bucketOf(topic),
    );
    return Number(row.changes);
  }

  /** The count of `topic`'s changes so far (shared with the topics of its bucket). */
  read(topic: Topic): number {
    const [row] = this.#store.all<{ changes: number }>(
      READ_SQL,
      this.#store.namespace,
      bucketOf(topic),
    );
    return Number(row?.changes ?? 0);
  }

  /** Every bucket's count, by bucket: for many waiters at one look. */
  readAll(): Map<number, number> {
    const rows = this.#store.all<{ bucket: number; changes: number }>(
      READ_ALL_SQL,
      this.#store.namespace,
    );
    return new Map(rows.map((r) => [Number(r.bucket), Number(r.changes)]));
  }
}

/** The topic's counter: FNV-1a of its kind and name, the same in every process. */
export function bucketOf(topic: Topic): number {
  let hash = 0x811c9dc5;
  for (const char of `${topic.kind}\u0000${topic.name}`) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % BUCKETS;
}

/** The key a topic goes by inside one process. */
export function topicKey(topic: Topic): string {
  return `${topic.kind}\u0000${topic.name}`;
}
