/**
 * The `queue` benchmark's Postgres column: one PostgreSQL server of its own (the test suite's
 * `initdb` + `pg_ctl` helper, on a free port, removed afterwards), coord's queue on it, and
 * graphile-worker (`graphile.ts`) on the same server as the peer, with the same jobs, phases
 * and concurrency as the other contenders. Goal: coord's throughput ≥ graphile-worker's.
 *
 * @module
 */

import type { Contender } from "./queue_phase.ts";
import { GRAPHILE_PACKAGE } from "./graphile.ts";
import { startPostgres } from "../tests/support/postgres_server.ts";

/** The Postgres contenders and where their figures go; disposing stops the server. */
export interface PostgresColumn extends AsyncDisposable {
  contenders: [Contender, Record<string, unknown>][];
  /** coord's figures on Postgres. */
  coord: Record<string, unknown>;
  /** graphile-worker's. */
  peer: Record<string, unknown>;
}

/**
 * Starts the server; without PostgreSQL installed, both columns say why they are skipped.
 *
 * @example
 * ```ts ignore
 * await using postgres = await postgresColumn(50);
 * contenders.push(...postgres.contenders);
 * ```
 */
export async function postgresColumn(concurrency: number): Promise<PostgresColumn> {
  let server: Awaited<ReturnType<typeof startPostgres>>;
  try {
    server = await startPostgres();
  } catch (e) {
    const skipped = { skipped: e instanceof Error ? e.message : String(e) };
    return {
      contenders: [],
      coord: skipped,
      peer: skipped,
      [Symbol.asyncDispose]: () => Promise.resolve(),
    };
  }
  const coord = {};
  const peer = {
    package: GRAPHILE_PACKAGE,
    options: `run({ concurrency: ${concurrency} }), jobs added with addJob (a batch at once)`,
  };
  return {
    contenders: [
      [{ label: "coord postgres", kind: "coord", url: () => server.url }, coord],
      [{ label: "graphile-worker", kind: "graphile", url: () => server.url }, peer],
    ],
    coord,
    peer,
    [Symbol.asyncDispose]: () => server.stop(),
  };
}
