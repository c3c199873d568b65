/**
 * The errors coord raises, each carrying the exit code the CLI turns it into.
 *
 * `lib/` throws these; `commands/` maps them to one stderr line and `exitCode` in one place
 * (see `commands/report.ts`). Codes follow sysexits.h where one fits.
 *
 * @module
 */

/** Exit codes of the `coord` command, documented in README. */
export const ExitCode = {
  ok: 0,
  usage: 64,
  dataError: 65,
  internal: 70,
  unavailable: 69,
  /** Its own output could not be written (a full disk, a closed descriptor): sysexits' EX_IOERR. */
  ioError: 74,
  timedOut: 75,
  tooLate: 76,
} as const;

/**
 * Base of every error coord raises on purpose. The message names the thing, the cause and the
 * way out; it is printed as it is, without a stack trace.
 *
 * @example
 * ```ts
 * import { CoordError } from "./errors.ts";
 * try {
 *   throw new CoordError("something went wrong", 70);
 * } catch (e) {
 *   if (e instanceof CoordError) console.error(e.message, e.exitCode);
 * }
 * ```
 */
export class CoordError extends Error {
  /** The exit code the CLI ends with when this error reaches it. */
  readonly exitCode: number;

  /** An error with the exit code the CLI ends with. */
  constructor(message: string, exitCode: number, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad input: a wrong flag, a missing argument, a number out of range, an unknown URL scheme. */
export class UsageError extends CoordError {
  /** `message` names the thing, the cause and the way out. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.usage, options);
  }
}

/**
 * A call on a backend that was closed (`close()`, or the end of its `await using` block): a
 * mistake in the program, not an outage, so nothing retries it. What waited on the backend
 * when it closed (a watcher, a lock waiter, `work()`) ends with it too.
 *
 * @example
 * ```ts
 * import { connect } from "./backend/connect.ts";
 * import { BackendClosedError } from "./errors.ts";
 * const backend = await connect({ url: "sqlite::memory:" });
 * await backend.close();
 * await backend.now().catch((e) => e instanceof BackendClosedError); // true
 * ```
 */
export class BackendClosedError extends UsageError {
  /** Names the backend by its printable URL. */
  constructor(displayUrl: string) {
    super(`the backend ${displayUrl} was closed: connect() again, or close it only when done`);
  }
}

/** The backend cannot be reached or used (connection refused, timeout, unwritable file). */
export class BackendUnavailableError extends CoordError {
  /** `message` names the thing, the cause and the way out. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.unavailable, options);
  }
}

/**
 * The backend's server could not be reached at all as coord connected (connection refused, no
 * answer, host not found, a server starting up): unlike a login it refused, it may be there a
 * moment later, so a long-running command started during a restart waits for it.
 *
 * @example
 * ```ts
 * import { BackendUnavailableError, BackendUnreachableError } from "./errors.ts";
 * const e = new BackendUnreachableError("cannot reach redis://h:6379: connection refused");
 * e instanceof BackendUnavailableError; // true: exit 69
 * ```
 */
export class BackendUnreachableError extends BackendUnavailableError {}

/**
 * The SQLite file stayed locked by another process (a sqlite3 shell in `BEGIN EXCLUSIVE`, a
 * coord upgrading its tables) for as long as opening it could wait. No outage: the file is
 * there and will open once it is let go, so it is retried as an unreachable server is.
 *
 * @example
 * ```ts
 * import { BackendLockedError, BackendUnreachableError } from "./errors.ts";
 * const e = new BackendLockedError("cannot open sqlite:f.db: another process held it locked");
 * e instanceof BackendUnreachableError; // true: exit 69
 * ```
 */
export class BackendLockedError extends BackendUnreachableError {}

/**
 * The SQLite file was removed or replaced (`rm`, a restored backup) since this connection opened
 * it: no retry reaches the file the others now open, so a loop that rides out outages ends
 * with it (exit 69), where restarting opens the file at its path again.
 *
 * @example
 * ```ts
 * import { BackendReplacedError, isUnrecoverable } from "./errors.ts";
 * isUnrecoverable(new BackendReplacedError("sqlite:/var/lib/app/coord.db")); // true
 * ```
 */
export class BackendReplacedError extends BackendUnavailableError {
  /** The file's printable URL. */
  readonly url: string;

  /** Names the file by its printable URL. */
  constructor(displayUrl: string) {
    super(
      `${displayUrl}: the database file was removed or replaced since it was opened — start ` +
        `again to open the file now at that path`,
    );
    this.url = displayUrl;
  }
}

/**
 * The backend answered but refuses what coord asked, e.g. its ACL denies a command, key or
 * channel. Unlike {@link BackendUnavailableError} it is no outage: asking again gets the same
 * answer, so waiters fail at once instead of riding it out.
 *
 * @example
 * ```ts
 * import { BackendRefusedError, BackendUnavailableError } from "./errors.ts";
 * const e = new BackendRefusedError("redis://h refused by its ACL: NOPERM …");
 * e.exitCode; // 69
 * e instanceof BackendUnavailableError; // false
 * ```
 */
export class BackendRefusedError extends CoordError {
  /** `message` names the backend, what it refused and what to change. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.unavailable, options);
  }
}

/**
 * Tables an earlier coord made need an upgrade this opening may not make: a look alters nothing,
 * and only the tables' owner may add their columns and indexes. `readable` says whether a look
 * reads them as they are (only indexes differ), so whether only looking is a way out.
 *
 * @example
 * ```ts
 * import { BackendRefusedError, UpgradeRefusedError } from "./errors.ts";
 * const e = new UpgradeRefusedError("postgres://h/db: schema \"coord\" … — run coord doctor", false);
 * e instanceof BackendRefusedError; // true: exit 69
 * ```
 */
export class UpgradeRefusedError extends BackendRefusedError {
  /** Whether a look can read the tables as they are. */
  readonly readable: boolean;

  /** `message` names what the upgrade changes, the tables' owner and what to run. */
  constructor(message: string, readable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.readable = readable;
  }
}

/** Gave up waiting: a `--timeout`/`--wait` ran out, or the wait was aborted by others. */
export class WaitTimeoutError extends CoordError {
  /** `message` names the thing, the cause and the way out. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.timedOut, options);
  }
}

/**
 * A barrier participant gave up waiting (`--timeout`); its arrival was withdrawn, or, in an
 * outage, left to lapse with its lease.
 */
export class BarrierTimeoutError extends WaitTimeoutError {}

/** The barrier generation a participant waited in was aborted (`coord barrier abort`). */
export class BarrierAbortedError extends WaitTimeoutError {}

/**
 * A lock was not granted within `--wait`; the ticket was given back, or, in an outage, left to
 * lapse with its lease. When the backend did not answer as the wait ran out, its `cause` is that
 * {@link BackendUnavailableError}: the lock was not seen held, which `lock run -E N` must not
 * report as a conflict.
 */
export class LockTimeoutError extends WaitTimeoutError {}

/**
 * A lease was lost (the backend unreachable for most of a lease, or the lock's queue reset)
 * while waiting or holding it. Exits 75 as a wait that gave up does, but is not one: code
 * catching {@link WaitTimeoutError} to wait again must not take a lost lease for it.
 */
export class LeaseLostError extends CoordError {
  /** `message` names what was held and why it was lost. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.timedOut, options);
  }
}

/** A command stopped by SIGINT, SIGTERM or SIGHUP; exits 128 + the signal's number. */
export class InterruptedError extends CoordError {
  /** The signal that stopped the command. */
  readonly signal: "SIGINT" | "SIGTERM" | "SIGHUP";

  /** Names the signal that stopped the command. */
  constructor(signal: "SIGINT" | "SIGTERM" | "SIGHUP") {
    super(`stopped by ${signal}`, 128 + SIGNAL_NUMBERS[signal]);
    this.signal = signal;
  }
}

/** The POSIX numbers of the signals coord handles, for 128+N exit codes. */
export const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as const;

/** A participant heard of an agreed instant only after it had passed. */
export class TooLateError extends CoordError {
  /** How late, in milliseconds. */
  readonly lateMs: number;

  /** How late, in milliseconds, is kept in {@link TooLateError.lateMs}. */
  constructor(message: string, lateMs: number) {
    super(message, ExitCode.tooLate);
    this.lateMs = lateMs;
  }
}

/**
 * Data coord did not write sits where coord keeps its own (a key of another type, a row it
 * cannot parse). Stored state is left untouched.
 */
export class ForeignDataError extends CoordError {
  /** `message` names the key or row and what to do; `cause` the refusal as the backend gave it. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.dataError, options);
  }
}

/**
 * Data a newer coord wrote, which this coord would misread (a higher schema version of the
 * tables, a queue's records of a higher version): refused as foreign data (exit 65) and left as
 * it is, but no other program's — the way out is that coord, not removing it.
 *
 * @example
 * ```ts
 * import { ForeignDataError, NewerDataError } from "./errors.ts";
 * const e = new NewerDataError("queue \"q\": its records are a newer coord's (version 3)");
 * e instanceof ForeignDataError; // true
 * e.exitCode; // 65
 * ```
 */
export class NewerDataError extends ForeignDataError {}

/**
 * The backend's store is damaged as a whole (a SQLite file whose pages do not hold together):
 * nothing coord could write would mend it. Left as it is.
 */
export class BackendDamagedError extends ForeignDataError {}

/**
 * coord's own build is broken: a part of it the backend cannot run at all, whatever the data
 * (a Redis script that does not compile). A bug in coord (exit 70), met again by every retry.
 *
 * @example
 * ```ts
 * import { BrokenBuildError, isUnrecoverable } from "./errors.ts";
 * const e = new BrokenBuildError("coord's script queue/finish.lua does not compile (…)");
 * e.exitCode; // 70
 * isUnrecoverable(e); // true
 * ```
 */
export class BrokenBuildError extends CoordError {
  /** `message` names the broken part and why the backend cannot run it. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.internal, options);
  }
}

/**
 * Whether no retry gets past `error` for anything the process does: the backend was closed, is
 * damaged as a whole, or its file was replaced, or coord's own build is broken. Loops that ride
 * out outages, and one name's foreign data, end with it.
 *
 * @example
 * ```ts
 * import { BackendDamagedError, BackendUnavailableError, isUnrecoverable } from "./errors.ts";
 * isUnrecoverable(new BackendDamagedError("sqlite:q.db is damaged")); // true
 * isUnrecoverable(new BackendUnavailableError("lost redis://h:6379")); // false
 * ```
 */
export function isUnrecoverable(
  error: unknown,
): error is BackendClosedError | BackendDamagedError | BackendReplacedError | BrokenBuildError {
  return error instanceof BackendClosedError || error instanceof BackendDamagedError ||
    error instanceof BackendReplacedError || error instanceof BrokenBuildError;
}

/** One name of a listing as {@link readEach} read it: its value, or why it has none. */
export interface EachRead<N, T> {
  /** The name read. */
  name: N;
  /** What the read gave; absent when the name holds foreign data. */
  value?: T;
  /** Data another program wrote where the name keeps its state. */
  foreign?: ForeignDataError;
}

/**
 * Reads each name of a listing on its own: a name holding data another program wrote is
 * reported with its {@link ForeignDataError}, not thrown, so it hides none of the others (what
 * `coord queue|turn|barrier|schedule status` and the console show). Any other error is thrown.
 *
 * @example
 * ```ts
 * import { ForeignDataError, readEach } from "./errors.ts";
 * const read = (name: string) =>
 *   name === "alien" ? Promise.reject(new ForeignDataError("alien")) : Promise.resolve(1);
 * (await readEach(["a", "alien"], read)).map((r) => r.value); // [1, undefined]
 * ```
 */
export function readEach<N, T>(
  names: readonly N[],
  read: (name: N) => Promise<T>,
): Promise<EachRead<N, T>[]> {
  return Promise.all(names.map(async (name): Promise<EachRead<N, T>> => {
    try {
      return { name, value: await read(name) };
    } catch (e) {
      if (e instanceof ForeignDataError) return { name, foreign: e };
      throw e;
    }
  }));
}

/**
 * An error's message on one line (at most 500 characters), for logs and stored records.
 *
 * @example
 * ```ts
 * import { oneLine } from "./errors.ts";
 * oneLine(new Error("a\n  b")); // "a b"
 * ```
 */
export function oneLine(error: unknown): string {
  return textOf(error).replace(/\s*\n\s*/g, " ").slice(0, 500);
}

/**
 * What a thrown value says, whatever was thrown: a handler may throw an object with no string
 * form (`Object.create(null)`), or one whose `toString` throws.
 */
function textOf(error: unknown): string {
  try {
    const text = error instanceof Error ? error.message : error;
    return typeof text === "string" ? text : String(text);
  } catch {
    try {
      return Object.prototype.toString.call(error);
    } catch {
      return "a thrown value with no text";
    }
  }
}

/**
 * An error met by one of a process's loops, on one line, said of `source` (a task, `queue q`):
 * prefixed with it, except foreign data, whose message names where it was found already.
 *
 * @example
 * ```ts
 * import { ForeignDataError, sourcedLine } from "./errors.ts";
 * sourcedLine("nightly", new Error("boom")); // "nightly: boom"
 * sourcedLine("nightly", new ForeignDataError('schedule "nightly": not a coord task'));
 * // 'schedule "nightly": not a coord task'
 * ```
 */
export function sourcedLine(source: string, error: unknown): string {
  return error instanceof ForeignDataError ? oneLine(error) : `${source}: ${oneLine(error)}`;
}

/**
 * Why a file could not be read, in words for a one-line message (not Deno's "IsADirectory: Is a
 * directory (os error 21): readfile '…'").
 *
 * @example
 * ```ts
 * import { whyUnreadable } from "./errors.ts";
 * whyUnreadable(new Deno.errors.NotFound("…")); // "no such file"
 * ```
 */
export function whyUnreadable(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file";
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  return oneLine(error);
}
