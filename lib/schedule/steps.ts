/**
 * The atomic steps a backend provides for `coord schedule`: a versioned record per name, read
 * with the backend's clock and replaced only if nobody replaced it since (compare-and-set).
 * Everything a scheduler decides — who claims a tick, leases, failure modes, the committed
 * tick — is decided once in `runner.ts` (and `control.ts`, `template.ts`) on top of reading and
 * writing a record, so every backend behaves the same by construction (pyncette's Redis and SQL
 * repositories do the same with a version column).
 *
 * @module
 */

/** A stored record and the version it was stored with. */
export interface StoredRecord {
  /** Increases by one with every write; a new record starts at 1. */
  version: number;
  /** The record, JSON. */
  value: string;
}

/** What {@link ScheduleSteps.read} returns. */
export interface ReadResult {
  /** The backend's clock when the record was read, epoch ms. */
  now: number;
  /** The record, or undefined when there is none. */
  stored?: StoredRecord;
}

/** Per-backend atomic steps of the scheduler. */
export interface ScheduleSteps {
  /** Reads a record together with the backend's clock. */
  read(name: string): Promise<ReadResult>;
  /**
   * Replaces (or, with `value` null, removes) a record if its version is still `expect`
   * (0: there must be none), and announces the change to the name's watchers.
   *
   * @returns whether it was written.
   */
  write(name: string, request: { expect: number; value: string | null }): Promise<boolean>;
  /** Names of every record in the namespace. */
  list(): Promise<string[]>;
}
