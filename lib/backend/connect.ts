/**
 * `connect()`: from a URL (or the environment) to an open {@link Backend}.
 *
 * @module
 */

import { dirname } from "node:path";
import { BackendUnavailableError, UsageError } from "../errors.ts";
import { guardClosed } from "./closed_guard.ts";
import { checkNamespace } from "./keys.ts";
import { variable } from "../environment.ts";
import type { Backend } from "./types.ts";
import { nothingStored } from "./nothing_stored.ts";
import {
  type BackendUrl,
  defaultSqlitePath,
  maskCredentials,
  maskPassword,
  parseBackendUrl,
} from "./url.ts";

/**
 * Options of {@link connect}; each falls back to an environment variable (one set empty counts as
 * unset), then a default.
 */
export interface ConnectOptions {
  /**
   * Backend URL; default `COORD_URL`, else the SQLite file under `$XDG_STATE_HOME/coord/`. An
   * empty one is refused, not read as none.
   */
  url?: string;
  /** Key prefix separating tenants; default `COORD_NAMESPACE`, else `"coord"`. */
  namespace?: string;
  /** Used when the URL has no password; default `COORD_PASSWORD` (then `PGPASSWORD` for Postgres). */
  password?: string;
  /**
   * How long the first connection to a server may take; default 5000. It does not bound a
   * SQLite file's wait for a lock another process holds (see `lockedWaitMs`): that file answers.
   */
  connectTimeoutMs?: number;
  /** Where the fallbacks are read; default `Deno.env`. */
  env?: Record<string, string | undefined>;
  /**
   * Gives the connection up: once it aborts, the opening rejects with its reason and drops the
   * connections it was making, so a server that accepted one and never answers holds neither
   * the caller nor the process until the connect timeout (a stop signal, Ctrl-C).
   */
  signal?: AbortSignal;
  /**
   * SQLite: how long opening the file waits while another process holds it locked (a coord
   * creating or upgrading its tables, a sqlite3 shell in `BEGIN EXCLUSIVE`); default: until it is
   * released, as `flock(1)` and the CLI wait, or `signal` aborts — so with neither, a file held
   * locked for good holds the opening for good. Less than a second (0 included) waits a second:
   * another coord opening a new file holds it that briefly. Past it, the opening rejects with
   * `BackendLockedError`.
   */
  lockedWaitMs?: number;
  /** SQLite: told once opening has waited a second for a file another process holds locked. */
  onLocked?: (message: string) => void;
}

/** The namespace used when none is given. */
export const DEFAULT_NAMESPACE = "coord";
/** The connect timeout used when none is given. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/**
 * Opens a backend. Redis' and Postgres' clients are imported only when their URL is given.
 * Once it is closed, every call on it rejects with `BackendClosedError`, and what waited
 * on it (a watcher, a lock waiter, `work()`) ends with that error.
 *
 * A SQLite file another process holds locked is waited for until it is released, `signal`
 * aborts or `lockedWaitMs` passes, whatever `connectTimeoutMs` says (see {@link ConnectOptions}).
 *
 * @throws {UsageError} on a malformed URL or namespace.
 * @throws {BackendUnreachableError} when the server cannot be reached within
 * `connectTimeoutMs` (a `BackendUnavailableError`: exit 69); `BackendLockedError`, one of
 * them, when a SQLite file stayed locked past `lockedWaitMs`.
 * @throws {BackendUnavailableError} when the backend cannot be opened otherwise.
 * @throws {ForeignDataError} when it holds another program's data (left as it is).
 * @throws `signal`'s reason when it aborts first.
 * @example
 * ```ts
 * import { connect } from "./connect.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * console.log(backend.kind, await backend.now());
 * ```
 */
export async function connect(options: ConnectOptions = {}): Promise<Backend> {
  return guardClosed(await open(options, { create: true }));
}

/** How {@link connectToLook} opens a backend. */
export interface LookOptions {
  /**
   * Only reads: on Postgres a role granted SELECT alone may look. Default true; a look that
   * brings an earlier coord's schema up to date (`coord doctor`) passes false.
   */
  readOnly?: boolean;
  /**
   * Another program's data that opening a SQLite file refuses, the file's clock record, is left
   * for `findForeignData` to report (`coord doctor`): the backend's clock is then the wall
   * clock. Default false.
   */
  reportClockRecord?: boolean;
}

/**
 * Opens a backend for a look that must leave nothing behind (`coord doctor`, the `status`
 * commands): a SQLite file that is not there (or is empty) and a Postgres schema that is not
 * (or holds nothing) are left so, and the backend reads as empty, with `stored` false. Only
 * for looks, so not in the library's API: what a step writes through it is gone at close.
 *
 * @example
 * ```ts
 * import { connectToLook } from "./connect.ts";
 * await using look = await connectToLook({ url: "sqlite:/tmp/never-written.db" });
 * look.stored; // false, and no file was made
 * ```
 */
export async function connectToLook(
  options: ConnectOptions = {},
  { readOnly = true, reportClockRecord = false }: LookOptions = {},
): Promise<Backend> {
  return guardClosed(await open(options, { create: false, readOnly, reportClockRecord }));
}

/**
 * Checks `options` (and the variables they fall back to) as {@link connect} does, opening
 * nothing: for a command that takes the backend options but needs no backend (`schedule list`),
 * so a slip there (`--url ""`) is refused as everywhere else instead of passing unseen.
 *
 * @throws {UsageError} on a malformed URL, namespace or connect timeout.
 * @example
 * ```ts
 * import { checkConnectOptions } from "./connect.ts";
 * checkConnectOptions({ url: "redis://127.0.0.1:6379" }); // fine; nothing is opened
 * // checkConnectOptions({ url: "" }) throws UsageError: the backend URL is empty — …
 * ```
 */
export function checkConnectOptions(options: ConnectOptions = {}): void {
  resolve(options);
}

/** The backend `options` name, and how to open it, checked: all {@link open} reads of them. */
interface Resolved {
  env: Record<string, string | undefined>;
  namespace: string;
  connectTimeoutMs: number;
  /** The URL given (or `COORD_URL`); undefined for the default SQLite file. */
  rawUrl: string | undefined;
  target: BackendUrl;
  displayUrl: string;
}

function resolve(options: ConnectOptions): Resolved {
  // A JavaScript caller may pass the URL alone: it would read as no options, and open the
  // default SQLite file instead of the backend it names.
  if (typeof options !== "object" || options === null) {
    throw new UsageError(
      `connect() takes options, not ${
        maskCredentials(JSON.stringify(options) ?? typeof options)
      } ` +
        `— write connect({ url: … })`,
    );
  }
  const env = options.env ?? Deno.env.toObject();
  const namespaceVariable = variable("COORD_NAMESPACE", env);
  const namespace = naming(
    options.namespace === undefined && namespaceVariable !== undefined && "COORD_NAMESPACE",
    () => checkNamespace(options.namespace ?? namespaceVariable ?? DEFAULT_NAMESPACE),
  );
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (!(connectTimeoutMs > 0)) {
    throw new UsageError(
      `connectTimeoutMs must be a positive number of milliseconds, got ${connectTimeoutMs}`,
    );
  }
  if (options.lockedWaitMs !== undefined && !(options.lockedWaitMs >= 0)) {
    throw new UsageError(
      `lockedWaitMs must be 0 or more milliseconds, got ${options.lockedWaitMs}`,
    );
  }
  // An empty URL given is a slip (`--url "$UNSET"`), not a wish for the default, as an empty
  // namespace is; COORD_URL= set empty counts as unset, as every COORD_ variable does.
  if (options.url === "") {
    throw new UsageError(
      `the backend URL is empty — give one (sqlite:PATH, redis://HOST…, postgres://…), or none ` +
        `for the default`,
    );
  }
  const rawUrl = options.url ?? variable("COORD_URL", env);
  const url = rawUrl || `sqlite:${defaultSqlitePath(env)}`;
  const target: BackendUrl = naming(
    options.url === undefined && rawUrl !== undefined && "COORD_URL",
    () => parseBackendUrl(url, options.password ?? variable("COORD_PASSWORD", env)),
  );
  return { env, namespace, connectTimeoutMs, rawUrl, target, displayUrl: maskPassword(url) };
}

async function open(
  options: ConnectOptions,
  { create, readOnly = false, reportClockRecord = false }: LookOptions & { create: boolean },
): Promise<Backend> {
  const { env, namespace, connectTimeoutMs, rawUrl, target, displayUrl } = resolve(options);
  const { signal } = options;
  signal?.throwIfAborted();
  if (target.kind === "sqlite") {
    const { openSqlite, holdsNothing } = await import("./sqlite/backend.ts");
    if (create || !holdsNothing(target.path)) {
      return await openSqlite({
        path: target.path,
        namespace,
        displayUrl,
        createDirectory: !rawUrl,
        reportClockRecord,
        lockedWait: { signal, waitMs: options.lockedWaitMs, onLocked: options.onLocked },
      });
    }
    const empty = await openSqlite({ path: ":memory:", namespace, displayUrl });
    // Only the default file's directory is made: a path given is not guessed at.
    const refusal = rawUrl ? missingDirectory(target.path, displayUrl) : undefined;
    return nothingStored({
      kind: "sqlite",
      displayUrl,
      namespace,
      now: () => empty.now(),
      // The engine's own version, and the file that is not there yet.
      info: async () => ({ ...await empty.info(), details: { path: target.path } }),
      close: () => Promise.resolve(),
      ...(refusal && { firstWriteRefusal: refusal }),
    }, empty);
  }
  if (target.kind === "postgres") {
    const { openPostgres } = await import("./postgres/backend.ts");
    // libpq's own variable, so a team's existing setup works; COORD_PASSWORD comes first.
    const password = target.password ?? variable("PGPASSWORD", env);
    const backend = await openPostgres(
      { ...target, password },
      { namespace, displayUrl, connectTimeoutMs, create, readOnly, signal },
    );
    if (backend.stored) return backend;
    const { openSqlite } = await import("./sqlite/backend.ts");
    return nothingStored(backend, await openSqlite({ path: ":memory:", namespace, displayUrl }));
  }
  const [{ connectRedis }, { RedisBackend }] = await Promise.all([
    import("./redis/conn.ts"),
    import("./redis/backend.ts"),
  ]);
  const conn = await connectRedis(target, { connectTimeoutMs, displayUrl, signal });
  return new RedisBackend(conn, target.kind, displayUrl, namespace);
}

/**
 * What the first write to the SQLite file at `path`, not there yet, would meet when its
 * directory is not there either; undefined when it is (what else is wrong there, opening it
 * says).
 */
function missingDirectory(path: string, displayUrl: string): BackendUnavailableError | undefined {
  const directory = dirname(path);
  try {
    Deno.statSync(directory);
    return undefined;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) return undefined;
    return new BackendUnavailableError(
      `cannot create ${displayUrl}: its directory ${directory} does not exist — create it, ` +
        `or choose another file with --url sqlite:PATH`,
    );
  }
}

/**
 * Runs `read`. A value it refuses that came from the environment (`variable`, else false) is
 * named by its variable, as a bad flag is by the flag: that is where to look for it.
 */
function naming<T>(variable: string | false, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (!variable || !(e instanceof UsageError)) throw e;
    throw new UsageError(`${variable}: ${e.message}`, { cause: e });
  }
}
