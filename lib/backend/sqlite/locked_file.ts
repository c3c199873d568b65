/**
 * Opening a SQLite file that another process holds locked — a coord switching a new file to WAL
 * or creating or upgrading its tables, a sqlite3 shell in `BEGIN EXCLUSIVE` — waits for it
 * without blocking this process. SQLite's own busy wait sleeps in this thread: a long one holds
 * off every timer and signal handler of the command (its `--timeout`, SIGTERM) for as long.
 *
 * @module
 */

import { BackendLockedError } from "../../errors.ts";
import { formatDuration } from "../../duration.ts";
import { sleep } from "../../time.ts";

/** SQLITE_BUSY, by message: node:sqlite in Deno reports only `ERR_SQLITE_ERROR`. */
export const BUSY_MESSAGE = /database is locked/;

/**
 * How long one try waits inside SQLite (its busy timeout, to be set by the caller): long enough
 * to ride out the microseconds another process's commit holds the lock for without a round trip
 * here, short enough that a signal is heard at once.
 */
export const TRY_BUSY_TIMEOUT_MS = 10;
/** The first pause between tries; each pause doubles… */
const FIRST_PAUSE_MS = 1;
/** …up to this, which bounds how late a released lock is seen. */
const MAX_PAUSE_MS = 50;
/**
 * How long a wait lasts before it is told (see {@link LockedWaitOptions.onLocked}): what SQLite's
 * busy timeout used to wait unsaid, so opens that meet each other (several commands starting on
 * a new file) say nothing.
 */
export const LOCKED_NOTICE_MS = 1_000;
/**
 * The least a wait lasts, whatever `waitMs` says: another coord opening a new file (switching it
 * to WAL, creating its tables) holds it locked for milliseconds, which commands started together
 * (ten `lock run -n`) meet as a matter of course. SQLite's busy timeout rode that out before the
 * wait moved here, so "try once" (`waitMs` 0) must still.
 */
export const SHORT_LOCK_MS = LOCKED_NOTICE_MS;

/** How {@link whileLocked} waits. */
export interface LockedWaitOptions {
  /** The file's printable URL, for messages. */
  displayUrl: string;
  /** Stops the wait: `whileLocked` rejects with its reason. */
  signal?: AbortSignal;
  /**
   * How long the file may stay locked before giving up with a {@link BackendLockedError};
   * default: until it is released (as `flock(1)` waits), or `signal` aborts. Less than
   * {@link SHORT_LOCK_MS} (0 included) waits that long: a lock held that briefly is another
   * opening, not a holder to give up on.
   */
  waitMs?: number;
  /** Told once the file has stayed locked for {@link LOCKED_NOTICE_MS}, with what waits. */
  onLocked?: (message: string) => void;
}

/**
 * `step()`, tried again while it fails because another process holds the file locked, with a
 * pause between tries (growing from 1 ms to 50 ms) in which this process's timers and signals go
 * on. `step` runs in full each time, so it must hold no transaction open when it throws.
 *
 * @throws {BackendLockedError} when the file is still locked after `waitMs` (at least
 * {@link SHORT_LOCK_MS}).
 * @throws `signal`'s reason when it aborts first.
 * @throws what `step` throws other than SQLite's "database is locked", at once.
 * @example
 * ```ts
 * import { DatabaseSync } from "node:sqlite";
 * import { TRY_BUSY_TIMEOUT_MS, whileLocked } from "./locked_file.ts";
 * const db = new DatabaseSync(":memory:");
 * db.exec(`PRAGMA busy_timeout = ${TRY_BUSY_TIMEOUT_MS}`);
 * await whileLocked(() => db.exec("PRAGMA journal_mode = WAL"), {
 *   displayUrl: "sqlite::memory:",
 *   waitMs: 5_000,
 * });
 * ```
 */
export async function whileLocked<T>(
  step: () => T,
  { displayUrl, signal, waitMs = Infinity, onLocked }: LockedWaitOptions,
): Promise<T> {
  const since = performance.now();
  const patienceMs = Math.max(waitMs, SHORT_LOCK_MS);
  let told = false;
  for (let pauseMs = FIRST_PAUSE_MS;; pauseMs = Math.min(MAX_PAUSE_MS, pauseMs * 2)) {
    signal?.throwIfAborted();
    try {
      return step();
    } catch (e) {
      if (!BUSY_MESSAGE.test(String(e))) throw e;
      const waitedMs = performance.now() - since;
      if (waitedMs >= patienceMs) {
        throw new BackendLockedError(
          `cannot open ${displayUrl}: another process held it locked for ` +
            `${formatDuration(waitedMs)} (database is locked) — retry once it lets go`,
          { cause: e },
        );
      }
      if (!told && waitedMs >= LOCKED_NOTICE_MS) {
        told = true;
        onLocked?.(
          `${displayUrl} is locked by another process (database is locked) — waiting for it`,
        );
      }
      await sleep(Math.min(pauseMs, patienceMs - waitedMs), signal);
    }
  }
}
