/**
 * A real node-postgres pool of one connection that records every query text its connection is
 * sent: each one is a round trip, and the texts show what the server had to parse.
 *
 * @module
 */

import { importPg, type PgPool, type PgPoolClient } from "../../lib/backend/postgres/client.ts";

/** int8, which coord reads as numbers (as the backend does). */
const INT8_OID = 20;

/** A pool and what its connection was sent. */
export interface RecordingPool {
  pool: PgPool;
  /** Every query text sent so far, in order: one round trip each. */
  texts: string[];
  /** How many round trips so far. */
  trips(): number;
}

/**
 * A pool of one connection to `url` recording the texts sent; end it with `pool.end()`.
 *
 * @example
 * ```ts ignore
 * const { pool, texts } = await recordingPool(url);
 * await new PostgresSqlStore(pool, namespace, "postgres://test").read((tx) => tx.now());
 * console.log(texts);
 * await pool.end();
 * ```
 */
export async function recordingPool(url: string): Promise<RecordingPool> {
  const pg = await importPg();
  const pool = new pg.Pool({
    connectionString: url,
    max: 1,
    types: {
      getTypeParser: (oid: number, format?: string) =>
        oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format),
    },
  } as never);
  const texts: string[] = [];
  const recorded = new WeakSet<PgPoolClient>();
  return {
    pool: {
      connect: async () => {
        const client = await pool.connect();
        if (!recorded.has(client)) {
          const query = client.query.bind(client);
          client.query = (text, values) => {
            texts.push(text);
            return query(text, values);
          };
          recorded.add(client);
        }
        return client;
      },
      query: (text, values) => pool.query(text, values),
      on: (event, fn) => pool.on(event, fn),
      end: () => pool.end(),
    },
    texts,
    trips: () => texts.length,
  };
}
