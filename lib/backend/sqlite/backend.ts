/**
 * The embedded backend: one SQLite file shared by every coord process of one host, through
 * `node:sqlite` (no dependency, no native addon to build).
 *
 * @module
 */

import type { Kind } from "../keys.ts";
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import {
  BackendDamagedError,
  BackendReplacedError,
  BackendUnavailableError,
  CoordError,
  ForeignDataError,
  oneLine,
  UsageError,
} from "../../errors.ts";
import { sleep } from "../../time.ts";
import { ChangeFlag } from "../change_flag.ts";
import type {
  Backend,
  ChangeWaitOptions,
  ChangeWatcher,
  EngineInfo,
  ForeignEntry,
  NamedEvent,
  Topic,
  WatchOptions,
} from "../types.ts";
import { progressOnly, waitersNewsOnly } from "../news.ts";
import { isMemoryPath } from "../url.ts";
import type { BarrierSteps } from "../../barrier/steps.ts";
import { BARRIER_DDL, SqlBarrierSteps } from "../sql/barrier.ts";
import type { LockSteps } from "../../lock/steps.ts";
import { LOCK_DDL, SqlLockSteps } from "../sql/lock.ts";
import type { ScheduleSteps } from "../../schedule/steps.ts";
import { SCHEDULE_DDL, SqlScheduleSteps } from "../sql/schedule.ts";
import type { QueueSteps } from "../../queue/steps.ts";
import {
  QUEUE_ADDED_COLUMNS,
  QUEUE_DDL,
  QUEUE_RETIRED_INDEXES,
  ROW_CHECKED_TABLES,
  SqlQueueSteps,
} from "../sql/queue.ts";
import { ddlNames } from "../sql/ddl_names.ts";
import { foreignRowError } from "../sql/foreign_row.ts";
import { shownValue } from "../../stored_values.ts";
import { refuseSchemaVersion, SCHEMA_VERSION } from "../sql/schema_version.ts";
import { WalHint } from "./wal_hint.ts";
import { WakeSockets } from "./wake_socket.ts";
import { type HintSource, IdlePoll, type IdleWatch } from "./idle_poll.ts";
import { LockNews, type LockNewsReader } from "./lock_news.ts";
import { bucketOf, TOPIC_CHANGES_DDL, TopicChanges, topicKey } from "./topic_changes.ts";
import { type ClockStore, HostClock, isForeignClockRecord } from "./host_clock.ts";
import { ForeignRows } from "./foreign_rows.ts";
import { JobBudget, JOBS_READ, refusedJobsAmong } from "../refused_jobs.ts";
import { SqliteSqlStore } from "./sql_store.ts";
import { Statements } from "./statements.ts";
import { serially } from "./serial.ts";
import {
  BUSY_MESSAGE,
  type LockedWaitOptions,
  TRY_BUSY_TIMEOUT_MS,
  whileLocked,
} from "./locked_file.ts";

/**
 * How long a read waits inside SQLite for another process's lock before SQLite gives up. Such
 * waits are rare (readers of a WAL file wait only while it is recovered) and block this process,
 * so waiting steps retry one layer up instead. (Opening the file waits apart: see
 * `locked_file.ts`.)
 */
const BUSY_TIMEOUT_MS = 1_000;
/**
 * How long a write step waits for the file's write lock (see `#beginWrite`) before giving up,
 * to be retried one layer up. Steps hold the lock for a fraction of a millisecond, but on a host
 * with more runnable processes than cores a holder taken off its core mid-step keeps it for tens
 * to hundreds of milliseconds, and steps queue behind it (measured: waits up to ≈ 1 s, 4 workers
 * on 2 cores at load 17); a longer wait means something else holds the file (a process frozen
 * in a step). The wait blocks nothing else in this process, so it can be this long.
 */
const WRITE_PATIENCE_MS = 5_000;
/** SQLITE_NOTADB, by message (see {@link UNAVAILABLE_MESSAGES}): the file holds other data. */
const NOT_A_DATABASE_MESSAGE = /file is not a database/;
/**
 * SQLITE_CORRUPT, by message: the file's pages do not hold together (a disk fault, a copy taken
 * mid-write); or SQLITE_NOTADB from a file that was a database when opened. Nothing coord could
 * write would mend it, so it is refused as data, not retried.
 */
const DAMAGED_MESSAGE = /database disk image is malformed|file is not a database/;
/** A write step that finds the write lock taken tries again this often. */
const BUSY_RETRY_MS = 1;
/**
 * SQLite errors that mean "the file is not usable right now", by message: node:sqlite in Deno
 * reports only `ERR_SQLITE_ERROR`, not SQLite's result code.
 */
const UNAVAILABLE_MESSAGES =
  /database is locked|database table is locked|readonly database|disk I\/O error|database or disk is full|unable to open database/i;
/** Change polling starts this fast after each wake-up or hint… */
const POLL_FIRST_MS = 1;
/**
 * …but a waiter that expects its change later looks this long after a hint: after the check
 * that the first in line makes at once (a write transaction, which theirs would delay), in
 * time to be first in line itself for the next change.
 */
const POLL_HINTED_LATER_MS = 10;
/**
 * …and backs off to this while nothing changes, so an idle waiter costs next to no CPU: other
 * processes' wake-ups (a socket, or the `-wal` file's notifications) make it look at once…
 */
const POLL_IDLE_MS = 250;
/** …or, where no wake-up can come, to this, which bounds how late a change is seen. */
const POLL_IDLE_UNWATCHED_MS = 50;
/**
 * A waiter that expects its change soon polls at least this often, for this long after each
 * change it saw: a command held for under a second hands over at once (file notifications alone
 * come ms late on a busy host), and a long hold costs no more than the idle poll.
 */
const POLL_SOON_MS = 4;
const POLL_SOON_FOR_MS = 1_000;
const POLL_BACKOFF = 1.5;
/**
 * A waiter with expectations (a lock's line) whose poll has backed off to this (it has seen no
 * change for a while) listens for other processes' direct wake-ups, which bring it back at once
 * instead of at its next poll. (One without expectations listens from its start.)
 */
const WAKE_LISTEN_FROM_MS = 10;
/** `doctor` lists at most this many foreign rows of each table. */
const FOREIGN_ROWS_SHOWN = 5;
/** A follower re-reads the event table at least this often. */
const EVENT_POLL_MS = 1_000;

/**
 * Every table (and index) coord keeps; each primitive adds its own. Names start with `coord_`.
 * Built when first needed, not at load: the step modules import this one, so a step module
 * imported first would otherwise be read here before its DDL exists.
 */
function schema(): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS coord_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
    TOPIC_CHANGES_DDL,
    ...BARRIER_DDL,
    ...LOCK_DDL,
    ...SCHEDULE_DDL,
    ...QUEUE_DDL,
  ];
}

let coordTablesMemo: Set<string> | undefined;
/**
 * The names of coord's tables, from {@link schema}'s `CREATE TABLE`s (indexes are not tables):
 * nothing else is read as coord's. Lazy for the same reason as {@link schema}.
 */
function coordTables(): Set<string> {
  coordTablesMemo ??= new Set(
    ddlNames(schema(), "TABLE"),
  );
  return coordTablesMemo;
}
const CLOCK_RECORD_SQL = "SELECT value FROM coord_meta WHERE key = 'clock'";
const SAVE_CLOCK_RECORD_SQL = "INSERT OR REPLACE INTO coord_meta (key, value) VALUES ('clock', ?)";
/** What to do about a clock record another program wrote: the file's, for every namespace. */
const CLOCK_RECORD_WAY_OUT = "delete the row (coord makes it afresh) or use another file";

/** Options of {@link openSqlite}. */
export interface SqliteOptions {
  path: string;
  namespace: string;
  displayUrl: string;
  /** Create the parent directory when missing (only for the default location). */
  createDirectory?: boolean;
  /**
   * A clock record another program wrote is reported by {@link SqliteBackend.findForeignData}
   * (`coord doctor`), not refused: the backend's clock is then the wall clock, and the record
   * is left as it is. Default false: opening refuses it.
   */
  reportClockRecord?: boolean;
  /**
   * How opening waits while another process holds the file locked (see `locked_file.ts`):
   * default, until it is released.
   */
  lockedWait?: Omit<LockedWaitOptions, "displayUrl">;
}

/** A watcher of this process, as the steps that announce changes here see it. */
interface LocalWatcher {
  /** Its topic's key (none: every change). */
  key?: string;
  /** Whether it sleeps through news for waiters only (see news.ts). */
  startsOnly: boolean;
  /** A step slept it through such news, which counted its topic's change `count`. */
  slept(count: number): void;
}

/** A topic the write step under way announced. */
interface Announced {
  /** Whether all the step told of it was news for waiters only. */
  newsOnly: boolean;
  /** The change the step counted for it, in its counter (see {@link TopicChanges.count}). */
  count: number;
}

/** The SQLite backend. Primitives reach its database through {@link SqliteBackend.write}. */
export class SqliteBackend implements Backend<"sqlite"> {
  readonly kind = "sqlite" as const;
  readonly displayUrl: string;
  readonly namespace: string;
  readonly db: DatabaseSync;
  readonly path: string;
  /** This process's watchers. */
  readonly #watchers = new Map<ChangeFlag, LocalWatcher>();
  /** The events of the locks this connection's waiters wait for, by name. */
  readonly #lockNewsByName = new Map<string, LockNews>();
  /** Which topics changed, for other processes' watchers. */
  readonly #topicChanges = new TopicChanges(this);
  /** The topics the write step under way announced, by key. */
  readonly #announced = new Map<string, Announced>();
  /** Other processes' commits, as a hint; none for an in-process database. */
  readonly #walHint: WalHint | undefined;
  /** Other processes' commits, told directly to the idle waiters of this file. */
  readonly #wake: WakeSockets | undefined;
  /** The look for other processes' commits this connection's idle waiters share. */
  readonly #idlePoll: IdlePoll;
  /** Steps written once in portable SQL reach this database through it. */
  readonly #sql = new SqliteSqlStore(this);
  readonly barrier: BarrierSteps = new SqlBarrierSteps(this.#sql);
  readonly lock: LockSteps = new SqlLockSteps(this.#sql);
  readonly schedule: ScheduleSteps = new SqlScheduleSteps(this.#sql);
  readonly queue: QueueSteps = new SqlQueueSteps(this.#sql);
  /** What leases and due times are measured by: see {@link HostClock}. */
  readonly clock: HostClock;
  /** Where {@link clock} keeps its record. */
  readonly #clockStore: ClockStore;
  readonly #foreignRows: ForeignRows;
  readonly #statements: Statements;
  /** The opened file's identity (none in memory, or where the OS has no inode numbers). */
  readonly #fileId: string | undefined;

  /** Wraps an open database that has coord's tables. */
  constructor(db: DatabaseSync, options: SqliteOptions) {
    this.db = db;
    this.#statements = new Statements(db, ROW_CHECKED_TABLES);
    this.path = options.path;
    this.namespace = options.namespace;
    this.displayUrl = options.displayUrl;
    this.#walHint = isMemoryPath(options.path) ? undefined : new WalHint(options.path);
    this.#wake = isMemoryPath(options.path) ? undefined : new WakeSockets(options.path);
    this.#foreignRows = new ForeignRows(db);
    this.#fileId = isMemoryPath(options.path) ? undefined : openedFileId(options.path);
    const wake = this.#wake;
    const walHint = this.#walHint;
    // Sockets bring the commits that announce a change; where they cannot listen, the file
    // watch brings every commit.
    const hints: HintSource[] = [];
    if (wake) hints.push((listener) => wake.listen(listener));
    if (walHint) {
      hints.push((listener) => {
        const { watching, stop } = walHint.listen(listener);
        return { listening: watching, stop };
      });
    }
    this.#idlePoll = new IdlePoll({
      readVersion: () => this.#dataVersion(),
      readCounters: () => this.#topicChanges.readAll(),
      periodMs: POLL_IDLE_MS,
      unhintedPeriodMs: POLL_IDLE_UNWATCHED_MS,
      hints,
    });
    this.#clockStore = {
      load: () => this.all<{ value: string }>(CLOCK_RECORD_SQL)[0]?.value,
      save: (record) => this.run(SAVE_CLOCK_RECORD_SQL, JSON.stringify(record)),
      write: (fn) => this.write(fn),
      // Deleted, it is made afresh (see README on the clock).
      foreign: (stored) =>
        foreignRowError(
          this.displayUrl,
          "coord_meta",
          "clock",
          shownValue(stored),
          CLOCK_RECORD_WAY_OUT,
        ),
    };
    this.clock = new HostClock(this.#clockStore, undefined, {
      foreignIsWall: options.reportClockRecord,
    });
  }

  /**
   * Runs `fn` in one write transaction (`BEGIN IMMEDIATE`, so the write lock is taken up
   * front and a busy database waits instead of failing half way), then wakes this process's
   * own watchers, which `PRAGMA data_version` does not see, if it changed anything.
   */
  write<T>(fn: (db: DatabaseSync) => T): T {
    this.#checkFile();
    this.#announced.clear();
    const before = this.#totalChanges();
    const result = this.#transaction("BEGIN IMMEDIATE", fn);
    // Only a transaction that changed rows wakes them: a waiter's own no-op check must not.
    if (this.#totalChanges() !== before) this.#changed(this.#announced);
    return result;
  }

  /**
   * Counts a change of `topic` in the write step under way (see {@link TopicChanges}); once it
   * commits, the topic's waiters here are woken, and other processes' idle waiters poked.
   * `events` that are news for waiters only wake no watcher here that sleeps through them
   * (other processes' watchers see only that the topic's counter moved).
   */
  noteChange(topic: Topic, events?: readonly unknown[]): void {
    // A console hears a progress report as every commit (`watchKind`). Counted, it would wake
    // other processes' idle workers, which cannot tell it from a job put: each would call.
    if (events !== undefined && progressOnly(events)) return;
    const key = topicKey(topic);
    const newsOnly = events !== undefined && waitersNewsOnly(events);
    const told = this.#announced.get(key);
    if (told) told.newsOnly &&= newsOnly;
    else this.#announced.set(key, { newsOnly, count: this.#topicChanges.count(topic) });
  }

  /**
   * Wakes this process's watchers of `topics` and of no topic, and, when a step announced a
   * change (a heartbeat does not), other processes' idle waiters. Watchers that sleep through
   * the news told take the count it made as seen: else the next commit of another process
   * would show it as a change, and wake them to find nothing.
   */
  #changed(topics: ReadonlyMap<string, Announced>): void {
    for (const [flag, { key, startsOnly, slept }] of this.#watchers) {
      const told = key === undefined ? undefined : topics.get(key);
      if (key === undefined) flag.notify();
      else if (told && startsOnly && told.newsOnly) slept(told.count);
      else if (told) flag.notify();
    }
    if (topics.size > 0) this.#wake?.poke();
  }

  /**
   * {@link write} for a step written against the async SQL interface: the same transaction,
   * but `fn` returns a promise. It runs in this process's queue of SQLite steps (see
   * `serial.ts`), as every step does.
   */
  writeAsync<T>(fn: () => Promise<T>): Promise<T> {
    return serially(async () => {
      this.#checkFile();
      this.#announced.clear();
      const before = this.#totalChanges();
      const result = await this.#transactionAsync("BEGIN IMMEDIATE", fn);
      if (this.#totalChanges() !== before) this.#changed(this.#announced);
      return result;
    });
  }

  /** {@link read} for a step written against the async SQL interface. */
  readAsync<T>(fn: () => Promise<T>): Promise<T> {
    return serially(() => this.#transactionAsync("BEGIN", fn));
  }

  async #transactionAsync<T>(begin: string, fn: () => Promise<T>): Promise<T> {
    try {
      if (begin === "BEGIN IMMEDIATE") await this.#beginWrite();
      else this.db.exec(begin);
    } catch (e) {
      throw this.#unavailable(e);
    }
    try {
      const result = await fn();
      this.db.exec("COMMIT");
      return result;
    } catch (e) {
      if (this.db.isTransaction) this.db.exec("ROLLBACK");
      throw this.#unavailable(e);
    }
  }

  /**
   * Takes the file's write lock, waiting for it without blocking this process. SQLite's own busy
   * handler sleeps in this thread, 25–100 ms between tries once a wait has lasted a few ms, while
   * a process that commits step after step takes the lock again within microseconds: with
   * several busy processes on one file a step could go the whole busy timeout without finding the
   * lock free, and fail with "database is locked". Trying every millisecond finds the short gaps,
   * and this process's timers, signals and handlers go on in between.
   */
  async #beginWrite(): Promise<void> {
    const giveUpAt = performance.now() + WRITE_PATIENCE_MS;
    this.run("PRAGMA busy_timeout = 0");
    try {
      for (;;) {
        try {
          this.db.exec("BEGIN IMMEDIATE");
          return;
        } catch (e) {
          if (!BUSY_MESSAGE.test(String(e)) || performance.now() >= giveUpAt) throw e;
        }
        await sleep(BUSY_RETRY_MS);
      }
    } finally {
      this.run(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  #totalChanges(): number {
    return Number(this.#statements.value("SELECT total_changes()"));
  }

  /** Rows of a query (call inside {@link write} or {@link read} for a consistent view). */
  all<T>(sql: string, ...params: SQLInputValue[]): T[] {
    try {
      return this.#statements.all<T>(sql, ...params);
    } catch (e) {
      throw this.#unavailable(e); // a watcher's look reads outside any transaction
    }
  }

  /** Runs a statement (call inside {@link write}). */
  run(sql: string, ...params: SQLInputValue[]): void {
    this.#statements.run(sql, ...params);
  }

  /** Runs `fn` in one read transaction: a consistent view without taking the write lock. */
  read<T>(fn: (db: DatabaseSync) => T): T {
    return this.#transaction("BEGIN", fn);
  }

  #transaction<T>(begin: string, fn: (db: DatabaseSync) => T): T {
    try {
      this.db.exec(begin);
    } catch (e) {
      throw this.#unavailable(e);
    }
    try {
      const result = fn(this.db);
      this.db.exec("COMMIT");
      return result;
    } catch (e) {
      if (this.db.isTransaction) this.db.exec("ROLLBACK");
      throw this.#unavailable(e);
    }
  }

  /**
   * Refuses to write through a connection whose file was removed or replaced (`rm`, a restored
   * backup): its writes would reach a file nobody else opens, and a lock holder would go on
   * renewing a lease the others no longer see (flock's unlinked-file trap). As an outage, a
   * holder's lease is lost in time, its command stopped; a worker or a scheduler, which would
   * retry for ever, stops (see {@link BackendReplacedError}).
   */
  #checkFile(): void {
    if (this.#fileId === undefined) return;
    let current: string | undefined;
    try {
      current = fileId(this.path);
    } catch (e) {
      // Not known to be replaced: an outage, which may pass.
      throw new BackendUnavailableError(
        `${this.displayUrl}: cannot tell the database file is the one opened (${oneLine(e)})`,
      );
    }
    if (current !== this.#fileId) throw new BackendReplacedError(this.displayUrl);
  }

  /**
   * An SQLite error that means the file cannot be used now becomes a retryable outage; one that
   * means it is damaged, a refusal. coord's own errors (said once already) pass as they are.
   */
  #unavailable(error: unknown): unknown {
    if (error instanceof CoordError) return error;
    const message = error instanceof Error ? error.message : "";
    if (DAMAGED_MESSAGE.test(message)) return damaged(this.displayUrl, message);
    return UNAVAILABLE_MESSAGES.test(message)
      ? new BackendUnavailableError(`${this.displayUrl}: ${message}`, { cause: error })
      : error;
  }

  now(): Promise<number> {
    return Promise.resolve(this.clock.now());
  }

  info(): Promise<EngineInfo> {
    const version = this.#statements.value("select sqlite_version() as v");
    return Promise.resolve({
      engine: "sqlite",
      version: String(version),
      details: {
        path: this.path,
        journal_mode: String(this.#statements.value("PRAGMA journal_mode")),
        busy_timeout_ms: String(this.#statements.value("PRAGMA busy_timeout")),
      },
    });
  }

  async findForeignData(): Promise<ForeignEntry[]> {
    try {
      return await this.#findForeignData();
    } catch (e) {
      throw this.#unavailable(e);
    }
  }

  async #findForeignData(): Promise<ForeignEntry[]> {
    const tables = tableNames(this.db);
    // A table named like coord's but not among them (another program's, a later release's)
    // is reported, never read as if its columns were coord's.
    const foreignTables = tables.filter((name) => !coordTables().has(name))
      .map((name) => ({ where: `table ${name}`, problem: "not a coord table" }));
    const foreignRows = tables.filter((name) => coordTables().has(name)).flatMap((table) => {
      const where: Record<string, SQLInputValue> = table === "coord_meta"
        ? {}
        : { namespace: this.namespace };
      const rows = this.#foreignRows.find(table, where, FOREIGN_ROWS_SHOWN + 1);
      const shown = rows.slice(0, FOREIGN_ROWS_SHOWN).map((row) => ({
        where: `table ${table}`,
        problem: `a row coord did not write (${row.column} = ${row.shown})`,
      }));
      if (rows.length <= FOREIGN_ROWS_SHOWN) return shown;
      // Counted only past the few shown: a whole table's scan, where most tables have none.
      const more = this.#foreignRows.count(table, where) - FOREIGN_ROWS_SHOWN;
      return [...shown, {
        where: `table ${table}`,
        problem: `${more} more rows coord did not write`,
      }];
    });
    return [
      ...foreignTables,
      ...foreignRows,
      ...this.#foreignClockRecord(),
      ...await this.#refusedJobs(),
    ];
  }

  /** The clock record, when another program wrote it (the steps refuse it: see `ClockStore`). */
  #foreignClockRecord(): ForeignEntry[] {
    const stored = this.#clockStore.load();
    if (!isForeignClockRecord(stored)) return [];
    return [{
      where: "table coord_meta",
      problem: `a row coord did not write (clock = ${shownValue(stored)}): the file's clock ` +
        `record, another program's — ${CLOCK_RECORD_WAY_OUT}`,
    }];
  }

  /** The jobs `coord queue show` refuses, but those whose rows are listed as foreign already. */
  async #refusedJobs(): Promise<ForeignEntry[]> {
    const rows = this.db.prepare(
      `SELECT queue, id FROM coord_queue_job WHERE namespace = ? ORDER BY queue, id
       LIMIT ${JOBS_READ + 1}`,
    ).all(this.namespace) as { queue: string; id: string }[];
    const foreign = new Set<string>();
    for (const [queue, jobs] of Map.groupBy(rows, (row) => row.queue)) {
      const ids = jobs.map((job) => job.id);
      for (const id of this.foreignIds("coord_queue_job", { queue }, ids)) {
        foreign.add(`${queue}/${id}`);
      }
    }
    const jobs = new JobBudget();
    const typed = rows.filter((row) => !foreign.has(`${row.queue}/${row.id}`));
    const refused = await refusedJobsAmong(this.queue, "table coord_queue_job", typed, jobs);
    return [...refused, ...jobs.notes()];
  }

  /**
   * Refuses to go on when one of `tables` holds, among this namespace's rows matching `where`,
   * one that coord did not write. Steps call it before they act on those rows.
   *
   * @throws {ForeignDataError} naming `subject` and the row, which is left as it is.
   */
  refuseForeignRows(
    subject: string,
    tables: string[],
    where: Record<string, SQLInputValue>,
  ): void {
    this.#foreignRows.refuse(subject, tables, { namespace: this.namespace, ...where });
  }

  /**
   * Of `ids`, those whose row of `table` (among this namespace's rows matching `where`) coord
   * did not write.
   */
  foreignIds(table: string, where: Record<string, SQLInputValue>, ids: string[]): Set<string> {
    return this.#foreignRows.ids(table, { namespace: this.namespace, ...where }, ids);
  }

  /**
   * Every commit to the file: another process's commit shows as `PRAGMA data_version` moving,
   * which says nothing of the kind it changed.
   */
  watchKind(_kind: Kind): Promise<ChangeWatcher> {
    return this.watch();
  }

  /**
   * Watches `topic` (without one: every change to the file). Other processes' commits show as
   * `PRAGMA data_version` moving; a watcher of a topic then reads the topic's change count and
   * goes on waiting when only other topics changed.
   */
  watch(topic?: Topic, options: WatchOptions = {}): Promise<ChangeWatcher> {
    const flag = new ChangeFlag();
    const hinted = new ChangeFlag();
    const bucket = topic && bucketOf(topic);
    const changesOf = () => (topic ? this.#topicChanges.read(topic) : 0);
    let seenVersion = this.#dataVersion();
    let seenChanges = changesOf();
    /** What the connection's shared look knows this watcher saw, while it sleeps there. */
    let sleeping: IdleWatch | undefined;
    this.#watchers.set(flag, {
      key: topic && topicKey(topic),
      startsOnly: options.startsOnly === true,
      slept: (count) => {
        // Only where nothing else moved the counter since this watcher last looked: another
        // process's change, not yet seen, must still wake it.
        if (seenChanges !== count - 1) return;
        seenChanges = count;
        if (sleeping) sleeping.seen = count;
      },
    });
    /** What other processes changed since the last look: nothing, other topics, or this one. */
    const look = (): "nothing" | "other" | "mine" => {
      const version = this.#dataVersion();
      if (version === seenVersion) return "nothing";
      seenVersion = version;
      const changes = changesOf();
      if (topic && changes === seenChanges) return "other";
      seenChanges = changes;
      return "mine";
    };
    // Every commit to the file, by its notifications: heard by a waiter with expectations (a
    // lock's line) from its first wait on; by one without only where no socket listens, until it
    // is idle. Idle, or from its start where a socket listens, it waits in the connection's
    // shared look instead (which hears only of announced changes, by socket).
    let fileHint: { stop: () => void } | undefined;
    const hearCommits = (yes: boolean) => {
      if (yes) fileHint ??= this.#walHint?.listen(() => hinted.notify());
      else {
        fileHint?.stop();
        fileHint = undefined;
      }
    };
    // Where a wait without expectations starts polling where no socket listens (with one it
    // waits in the shared look from its start): where the last one left off when it
    // ran its whole time without a change (a periodic re-check, like a worker's, stays idle);
    // fast after a change, or after the caller stopped it (something else happened: a job
    // ended, another queue changed), as activity comes in bursts.
    let resumeMs = POLL_FIRST_MS;
    // SQLite carries no events with its changes: a lock's are read from its event table (a
    // line's waiters count down what they hear instead of each asking); others re-read the state.
    const none: unknown[] = [];
    const news = topic?.kind === "lock" ? this.#lockNews(topic.name, seenChanges) : undefined;
    const changed = () => news?.read(seenChanges) ?? none;
    // Holds the socket open from a wait without expectations to the watcher's end: a watcher
    // waits again as soon as it is woken (a worker always does), and its socket, closed as its
    // last wait ended and made anew for the next, cost eight file calls a change heard and
    // every poker a read of the folder. It calls nobody: which waits hear pokes is as before.
    let keepSocket: { stop: () => void } | undefined;
    const next = async (
      maxWaitMs: number,
      signal?: AbortSignal,
      options: ChangeWaitOptions = {},
    ) => {
      const { expect } = options;
      const later = expect === "later";
      const idleMs = this.#idleMs();
      const soonUntil = expect === "soon" ? performance.now() + POLL_SOON_FOR_MS : 0;
      const deadline = performance.now() + maxWaitMs;
      let pollMs = expect === undefined ? resumeMs : later ? POLL_HINTED_LATER_MS : POLL_FIRST_MS;
      resumeMs = POLL_FIRST_MS;
      // How often it looked before a hint, to go back to once the commit hinted at shows to
      // be another topic's.
      let beforeHintMs: number | undefined;
      let socket: { listening: boolean; stop: () => void } | undefined;
      if (expect === undefined) {
        keepSocket ??= this.#wake?.listen(() => {});
        // Where other processes' changes come by socket, a wait without expectations hears
        // them at once, and waits in the shared look from its start: polling fast first cost
        // ≈ 14 looks and timers a waiter each time a worker went idle, 1,400 on 100 queues.
        socket = this.#wake?.listen(() => hinted.notify());
        if (socket?.listening) pollMs = idleMs;
      }
      try {
        while (!flag.take()) {
          const seen = look();
          if (seen === "mine") return changed();
          if (seen === "other" && beforeHintMs !== undefined) {
            pollMs = beforeHintMs;
            beforeHintMs = undefined;
          }
          const remaining = () => deadline - performance.now();
          if (remaining() <= 0) {
            if (expect === undefined) resumeMs = beforeHintMs ?? pollMs;
            return none;
          }
          const idle = expect === undefined && pollMs >= idleMs;
          hearCommits(!idle);
          const woken = Promise.race([flag.changed, hinted.changed]);
          if (idle) {
            // Idle: the shared look listens (on the same socket, so it stays) and wakes this
            // waiter only for its own topic, where a poke would wake it for any.
            sleeping = { bucket, seen: seenChanges, version: seenVersion };
            const slept = this.#idlePoll.sleep(remaining(), signal, woken, sleeping);
            socket?.stop();
            socket = undefined;
            const sight = await slept.finally(() => sleeping = undefined);
            if (sight !== undefined) {
              // Woken by the shared look for this topic: what it read is this watcher's look.
              seenVersion = sight.version;
              seenChanges = sight.changes ?? seenChanges;
              hinted.take();
              if (!flag.take()) return changed();
              break;
            }
          } else {
            if (pollMs >= WAKE_LISTEN_FROM_MS) socket ??= this.#wake?.listen(() => hinted.notify());
            await sleep(Math.min(pollMs, remaining()), signal, woken);
          }
          if (!hinted.take()) {
            const slowestMs = performance.now() < soonUntil ? POLL_SOON_MS : idleMs;
            pollMs = Math.min(pollMs * POLL_BACKOFF, slowestMs);
            continue;
          }
          if (later) {
            await sleep(
              Math.max(0, Math.min(POLL_HINTED_LATER_MS, remaining())),
              signal,
              flag.changed,
            );
          }
          // The notification may come before the commit is visible: poll fast again after it.
          beforeHintMs ??= pollMs;
          pollMs = POLL_FIRST_MS;
        }
        // A change made here. A waiter further back hears of it a little later, with the changes
        // made meanwhile: every step of a line here wakes every one of its waiters here (a line
        // of 1,000 in one process: each handoff 1,000 wake-ups, each ≈ 0.1 ms).
        if (later) {
          await sleep(
            Math.max(0, Math.min(POLL_HINTED_LATER_MS, deadline - performance.now())),
            signal,
          );
          flag.take();
        }
        // What it counted is seen, not to wake this watcher again.
        seenChanges = changesOf();
        return changed();
      } finally {
        socket?.stop();
      }
    };
    const dispose = () => {
      this.#watchers.delete(flag);
      news?.stop();
      fileHint?.stop();
      keepSocket?.stop();
      keepSocket = undefined;
      return Promise.resolve();
    };
    return Promise.resolve({ next, [Symbol.asyncDispose]: dispose });
  }

  /** A reader of lock `name`'s events, shared with this connection's other waiters of it. */
  #lockNews(name: string, changes: number): LockNewsReader {
    let news = this.#lockNewsByName.get(name);
    if (!news) {
      news = new LockNews(this, name, changes, () => this.#lockNewsByName.delete(name));
      this.#lockNewsByName.set(name, news);
    }
    return news.follow(changes);
  }

  /** How often an idle waiter looks: slowly where other processes' commits come as hints. */
  #idleMs(): number {
    return isMemoryPath(this.path) ? POLL_IDLE_UNWATCHED_MS : POLL_IDLE_MS;
  }

  async events(
    kind: "lock",
    names: string[] | undefined,
    signal: AbortSignal,
  ): Promise<AsyncIterable<NamedEvent>> {
    // A caller holding a plain Backend may still ask for another kind (the console tries each).
    if (kind !== "lock") {
      throw new UsageError(`${kind} events are not kept on sqlite: — only the lock's are`);
    }
    const table = `coord_${kind}_event`;
    const [{ last }] = this.all<{ last: number }>(
      `SELECT coalesce(max(id), 0) AS last FROM ${table}`,
    );
    const watcher = await this.watch();
    const poll = () =>
      this.all<{ id: number; name: string; event: string }>(
        `SELECT id, name, event FROM ${table} WHERE namespace = ? AND id > ? ORDER BY id`,
        this.namespace,
        seen,
      );
    let seen = last;
    return (async function* () {
      await using _ = watcher;
      while (!signal.aborted) {
        for (const row of poll()) {
          seen = row.id;
          if (names === undefined || names.includes(row.name)) {
            yield { name: row.name, event: JSON.parse(row.event) };
          }
        }
        await watcher.next(EVENT_POLL_MS, signal).catch(() => {});
      }
    })();
  }

  close(): Promise<void> {
    // A watcher left undisposed must not keep the process alive through its file watch.
    this.#walHint?.close();
    this.#wake?.close();
    if (this.db.isOpen) this.db.close();
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Counts commits by other connections to the file: the cross-process change signal. */
  #dataVersion(): number {
    try {
      return Number(this.#statements.value("PRAGMA data_version"));
    } catch (e) {
      throw this.#unavailable(e);
    }
  }
}

/**
 * Runs a synchronous step in this process's queue of SQLite steps (see `serial.ts`), so it
 * never begins while a step of the async SQL interface holds a transaction open; a step that
 * throws rejects, like the Redis backend's do.
 */
export function settle<T>(step: () => T): Promise<T> {
  return serially(step);
}

/** Only the owner may read or write what coord creates: jobs' arguments and results are inside. */
const PRIVATE_FILE_MODE = 0o600;
const PRIVATE_DIRECTORY_MODE = 0o700;

/**
 * Creates the database file (and its directory when asked) readable by the owner only, unless
 * it exists: SQLite creates a file 0644 but gives its -wal and -shm the main file's mode, so
 * creating the main file first is enough. An existing file's mode is the owner's choice.
 */
function createPrivately(path: string, createDirectory: boolean): void {
  if (createDirectory) mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  try {
    closeSync(openSync(path, "wx", PRIVATE_FILE_MODE));
  } catch (e) {
    // Another process created it first, or it was there: SQLite opens it either way.
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
}

function missingTables(db: DatabaseSync): string[] {
  const present = new Set(
    (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[])
      .map((r) => r.name),
  );
  return [...coordTables()].filter((name) => !present.has(name));
}

/**
 * The names of coord's indexes, from {@link schema}'s `CREATE INDEX`es. Lazy for the same
 * reason as {@link schema}.
 */
function coordIndexes(): string[] {
  return ddlNames(schema(), "INDEX");
}

/**
 * Whether the file's indexes differ from the schema's: an earlier coord's file lacks the
 * indexes added since, or keeps one since retired (see {@link QUEUE_RETIRED_INDEXES}).
 */
function indexesDiffer(db: DatabaseSync): boolean {
  const present = new Set(
    (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index'").all() as {
      name: string;
    }[]).map((r) => r.name),
  );
  return coordIndexes().some((name) => !present.has(name)) ||
    QUEUE_RETIRED_INDEXES.some((name) => present.has(name));
}

/** Columns an earlier coord's file lacks (see {@link QUEUE_ADDED_COLUMNS}). */
function missingColumns(db: DatabaseSync): typeof QUEUE_ADDED_COLUMNS {
  return QUEUE_ADDED_COLUMNS.filter(({ table, column }) => {
    const columns = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
    return columns.length > 0 && !columns.some((c) => c.name === column);
  });
}

/** Whether the file lacks tables, columns or indexes of today's schema, or keeps retired ones. */
function upgradeNeeded(db: DatabaseSync): boolean {
  return missingTables(db).length > 0 || missingColumns(db).length > 0 || indexesDiffer(db);
}

/**
 * Brings the file's tables up to today's schema, unless another process did while this one
 * waited for the write lock. Building an index over 1.5 M finished jobs holds that lock for
 * seconds, and every process opening the file meanwhile waits for it (see {@link openSqlite}).
 *
 * @throws SQLite's "database is locked" when another process holds the write lock, having
 * changed nothing.
 */
function createSchema(db: DatabaseSync, displayUrl: string): void {
  db.exec("BEGIN IMMEDIATE");
  try {
    // Again under the write lock: another process may have upgraded the file meanwhile (or a
    // newer coord written its version, which this one must not write over).
    const versionToWrite = refuseOtherVersion(db, displayUrl);
    if (!versionToWrite && !upgradeNeeded(db)) {
      db.exec("COMMIT");
      return;
    }
    for (const { table, column, type } of missingColumns(db)) {
      db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    }
    for (const name of QUEUE_RETIRED_INDEXES) db.exec(`DROP INDEX IF EXISTS ${name}`);
    for (const ddl of schema()) db.exec(ddl);
    // Replaced, not kept: an older coord's version, left, would let that coord in again.
    db.prepare("INSERT OR REPLACE INTO coord_meta (key, value) VALUES ('schema_version', ?)")
      .run(String(SCHEMA_VERSION));
    db.exec("COMMIT");
  } catch (e) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw e;
  }
}

/**
 * Refuses a file that holds another program's data, reading it only: bytes that are no SQLite
 * database, or a database with tables but none of coord's. (An empty file is a new database:
 * one made beforehand with the mode its owner chose, see {@link createPrivately}.)
 *
 * @throws {ForeignDataError} naming the file, which is left as it is.
 */
function refuseForeignFile(db: DatabaseSync, displayUrl: string): void {
  let tables: string[];
  try {
    tables = tableNames(db);
  } catch (e) {
    if (!NOT_A_DATABASE_MESSAGE.test(String(e))) throw e;
    throw new ForeignDataError(
      `${displayUrl} is not a SQLite database — coord leaves the file as it is; choose another ` +
        `file with --url sqlite:PATH`,
    );
  }
  if (tables.length === 0 || tables.some((name) => coordTables().has(name))) return;
  const shown = tables.slice(0, 3).join(", ") + (tables.length > 3 ? ", …" : "");
  throw new ForeignDataError(
    `${displayUrl} is another program's SQLite database (tables ${shown}) — coord leaves it as ` +
      `it is; choose another file with --url sqlite:PATH`,
  );
}

/**
 * Refuses a coord file whose schema version is a newer coord's or no coord's (see
 * {@link refuseSchemaVersion}), reading it only, before an upgrade would alter its tables.
 * Whether the upgrade writes the version: coord_meta holds none (its row deleted, or never
 * written), or an older coord's. (A file without coord_meta is upgraded for its tables.)
 */
function refuseOtherVersion(db: DatabaseSync, displayUrl: string): boolean {
  const meta = db.prepare(
    "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'coord_meta'",
  ).get();
  if (!meta) return false;
  const row = db.prepare("SELECT value FROM coord_meta WHERE key = 'schema_version'").get();
  return refuseSchemaVersion(row?.value, SCHEMA_VERSION, {
    subject: displayUrl,
    wayOut: "choose another file with --url sqlite:PATH",
  });
}

/** The names of the file's tables, SQLite's own (`sqlite_…`) left out. */
function tableNames(db: DatabaseSync): string[] {
  return (db.prepare(
    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  ).all() as { name: string }[]).map((r) => r.name);
}

/**
 * Whether `path` holds nothing coord could read: no file there yet, or an empty one (which
 * opening makes a new database). An in-memory database is opened, never looked at so.
 *
 * @example
 * ```ts
 * import { holdsNothing } from "./backend.ts";
 * holdsNothing("/nonexistent/coord.db"); // true
 * ```
 */
export function holdsNothing(path: string): boolean {
  if (isMemoryPath(path)) return false;
  try {
    return Deno.statSync(path).size === 0;
  } catch (e) {
    // Anything else (no permission) is for opening it to report.
    return e instanceof Deno.errors.NotFound;
  }
}

/**
 * Opens (creating on first use) the SQLite file, in WAL mode. While another process holds the
 * file locked (switching it to WAL, creating or upgrading its tables, or any program's
 * exclusive transaction), opening waits for it as `options.lockedWait` says, without blocking
 * this process: a stop signal or a deadline is heard meanwhile.
 *
 * @throws {BackendUnavailableError} when the file cannot be opened or written.
 * @throws {BackendLockedError} when it stays locked past `options.lockedWait.waitMs`.
 * @throws {ForeignDataError} when the file holds another program's data (left as it is).
 * @throws `options.lockedWait.signal`'s reason when it aborts first.
 */
export async function openSqlite(options: SqliteOptions): Promise<SqliteBackend> {
  const { path, displayUrl } = options;
  let db: DatabaseSync | undefined;
  try {
    if (!isMemoryPath(path)) createPrivately(path, options.createDirectory ?? false);
    const opened = db = new DatabaseSync(path);
    opened.exec(`PRAGMA busy_timeout = ${TRY_BUSY_TIMEOUT_MS}`);
    await whileLocked(() => prepareFile(opened, options), { ...options.lockedWait, displayUrl });
    opened.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return new SqliteBackend(opened, options);
  } catch (e) {
    if (db?.isOpen) db.close();
    const signal = options.lockedWait?.signal;
    if (e instanceof CoordError || (signal?.aborted && e === signal.reason)) throw e;
    const cause = e instanceof Error ? e.message : String(e);
    if (DAMAGED_MESSAGE.test(cause)) throw damaged(displayUrl, cause);
    throw new BackendUnavailableError(
      // A full disk reads as "disk I/O error" when the WAL's index cannot grow.
      `cannot open ${displayUrl}: ${cause} — check that the directory exists and is ` +
        `writable, and that its disk is not full, or choose another file with --url sqlite:PATH`,
      { cause: e },
    );
  }
}

/**
 * Makes the opened file ready: refuses another program's, switches it to WAL and brings its
 * tables up to date. Each step either completes or changes nothing, so when one meets the file
 * locked, all are tried again.
 */
function prepareFile(db: DatabaseSync, { path, displayUrl }: SqliteOptions): void {
  // Before switching to WAL, the first write to the file.
  refuseForeignFile(db, displayUrl);
  const versionToWrite = refuseOtherVersion(db, displayUrl);
  if (!isMemoryPath(path)) db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  // Only a new or older file needs the write lock: most opens just read the schema.
  if (versionToWrite || upgradeNeeded(db)) createSchema(db, displayUrl);
}

/** The refusal of a damaged file (see {@link DAMAGED_MESSAGE}), which is left as it is. */
function damaged(displayUrl: string, cause: string): BackendDamagedError {
  return new BackendDamagedError(
    `${displayUrl} is damaged (${cause}) — coord leaves the file as it is; restore it from a ` +
      `backup, or choose another file with --url sqlite:PATH`,
  );
}

/** {@link fileId} of a file just opened; undefined (nothing to compare) if it cannot be read. */
function openedFileId(path: string): string | undefined {
  try {
    return fileId(path);
  } catch {
    return undefined;
  }
}

/**
 * A file's device and inode, or undefined when it is gone (or the OS has no inodes).
 *
 * @throws the stat's error when it is not that the file is gone (a directory made unreadable, an
 * I/O error): whether the file was replaced is not known then.
 */
function fileId(path: string): string | undefined {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  return info.ino === null ? undefined : `${info.dev}:${info.ino}`;
}
