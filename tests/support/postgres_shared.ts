/**
 * The PostgreSQL server shared by every test of a run, like the Redis ones in
 * `shared_servers.ts`: `tests/run.ts` starts it once and hands its URL to `deno test` in
 * {@link POSTGRES_URL_ENV}; a test run without it gets a server started lazily, once per
 * isolate, and stopped when the isolate unloads.
 *
 * @module
 */

import { postgresBinDir, type PostgresServer, startPostgres } from "./postgres_server.ts";

/** Environment variable carrying the shared server's URL, set by `tests/run.ts`. */
export const POSTGRES_URL_ENV = "COORD_TEST_POSTGRES_URL";
/** Environment variable carrying the shared server's Unix socket directory, set with the URL. */
export const POSTGRES_SOCKET_DIR_ENV = "COORD_TEST_POSTGRES_SOCKET_DIR";

/** The line printed when the Postgres tests are skipped. */
export const POSTGRES_SKIP_NOTICE =
  "SKIPPING postgres tests: PostgreSQL not found — apt-get install -y postgresql";

const SKIP_NOTICE_SHOWN_ENV = "COORD_TEST_POSTGRES_SKIP_SHOWN";

/** PostgreSQL is missing where it must not be (`CI=true`). */
export class PostgresMissingError extends Error {
  constructor() {
    super(
      "PostgreSQL not found and CI=true, so the postgres tests cannot be skipped: " +
        "apt-get install -y postgresql",
    );
    this.name = "PostgresMissingError";
  }
}

let lazy: Promise<PostgresServer> | undefined;

/**
 * URL of the shared server (`postgres://coord@127.0.0.1:PORT/coord`), or `undefined` when
 * PostgreSQL is not installed; then one SKIPPING line goes to stderr. Throws
 * {@link PostgresMissingError} instead when `CI=true`. Call it at module top level, so the
 * server's processes do not count as a test's leak.
 *
 * @example
 * ```ts ignore
 * const url = await sharedPostgresUrl();
 * Deno.test({ name: "works on postgres", ignore: url === undefined, fn() {} });
 * ```
 */
export async function sharedPostgresUrl(): Promise<string | undefined> {
  const fromRunner = Deno.env.get(POSTGRES_URL_ENV);
  if (fromRunner) return fromRunner;
  if (!postgresBinDir()) {
    if (Deno.env.get("CI") === "true") throw new PostgresMissingError();
    announcePostgresSkip();
    return undefined;
  }
  return (await lazyServer()).url;
}

/**
 * The directory of the shared server's Unix socket, or `undefined` when PostgreSQL is not
 * installed (as {@link sharedPostgresUrl}, which it goes with).
 *
 * @example
 * ```ts ignore
 * const dir = await sharedPostgresSocketDir();
 * const url = `postgres://coord@${encodeURIComponent(dir!)}:${port}/coord`;
 * ```
 */
export async function sharedPostgresSocketDir(): Promise<string | undefined> {
  if (Deno.env.get(POSTGRES_URL_ENV)) return Deno.env.get(POSTGRES_SOCKET_DIR_ENV);
  if (await sharedPostgresUrl() === undefined) return undefined;
  return (await lazyServer()).socketDir;
}

/** The server this isolate starts when no runner gave one. */
function lazyServer(): Promise<PostgresServer> {
  lazy ??= startPostgres();
  lazy.catch(() => (lazy = undefined));
  return lazy;
}

/** Prints the SKIPPING line once per process tree (test processes inherit the env). */
export function announcePostgresSkip(): void {
  if (Deno.env.get(SKIP_NOTICE_SHOWN_ENV)) return;
  Deno.env.set(SKIP_NOTICE_SHOWN_ENV, "1");
  console.error(POSTGRES_SKIP_NOTICE);
}
