/**
 * A test's own connection to a PostgreSQL server, beside coord's: to look at or change what is
 * stored behind coord's back, hold locks, or hear notifications.
 *
 * @module
 */

import { importPg, type PgClient } from "../../lib/backend/postgres/client.ts";

/**
 * A connected client of the server at `url`; the caller ends it.
 *
 * @example
 * ```ts ignore
 * const client = await openClient(url);
 * try {
 *   await client.query("SELECT 1");
 * } finally {
 *   await client.end();
 * }
 * ```
 */
export async function openClient(url: string): Promise<PgClient> {
  const pg = await importPg();
  const client = new pg.Client({ connectionString: url } as never) as PgClient;
  await client.connect();
  return client;
}
