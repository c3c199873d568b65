/**
 * The benchmarks' own PostgreSQL server, started as the tests start theirs
 * (`tests/support/postgres_server.ts`: `initdb` in a temporary directory, fsync off), or why
 * there is none: a missing PostgreSQL skips the part of a benchmark that needs it.
 *
 * @module
 */

import type { Skipped } from "./missing_tool.ts";
import {
  postgresBinDir,
  type PostgresServer,
  startPostgres,
} from "../tests/support/postgres_server.ts";

export type { PostgresServer };

/** What a benchmark's JSON says of the server its Postgres figures come from. */
export const POSTGRES_SERVER_NOTE =
  "the bench's own, initdb in a temporary directory, fsync off (as the tests')";

/**
 * A fresh server, or `skipped` when PostgreSQL is not installed. Stop it with `stop()`.
 *
 * @example
 * ```ts ignore
 * import { startPostgresOrSkip } from "./postgres_server.ts";
 * const postgres = await startPostgresOrSkip();
 * if (!("skipped" in postgres)) await postgres.stop();
 * ```
 */
export async function startPostgresOrSkip(): Promise<PostgresServer | Skipped> {
  if (postgresBinDir() === undefined) {
    return { skipped: "PostgreSQL not installed — apt-get install postgresql (Debian/Ubuntu)" };
  }
  return await startPostgres();
}
