/**
 * A second Postgres connection that holds row locks in an open transaction, so that a step
 * needing those rows stops in the middle of its own transaction, where a test can look at it
 * and kill it.
 *
 * @module
 */

import type { PgClient } from "../../lib/backend/postgres/client.ts";
import { openClient } from "./postgres_client.ts";
import { HANG_GUARD_MS } from "./wait.ts";

/**
 * The holding connection: `client` is in a transaction that ran `lockSql` until
 * {@link RowHolder.release}; disposing closes it.
 *
 * @example
 * ```ts ignore
 * await using holder = await RowHolder.open(url, "SELECT 1 FROM s.t WHERE id = 1 FOR UPDATE");
 * const stopping = step();
 * await holder.kill(await holder.blocked());
 * ```
 */
export class RowHolder implements AsyncDisposable {
  /** The connection, for reads beside the held transaction (and after it). */
  readonly client: PgClient;
  /** Its server process. */
  readonly pid: number;

  private constructor(client: PgClient, pid: number) {
    this.client = client;
    this.pid = pid;
  }

  /** Connects to `url`, begins a transaction and runs `lockSql` in it. */
  static async open(url: string, lockSql: string): Promise<RowHolder> {
    const client = await openClient(url);
    try {
      await client.query("BEGIN");
      await client.query(lockSql);
      const { rows: [{ pid }] } = await client.query("SELECT pg_backend_pid() AS pid");
      return new RowHolder(client, pid as number);
    } catch (e) {
      await client.end();
      throw e;
    }
  }

  /** The server process waiting for one of `holders` (by default this one), once there is one. */
  async blocked(...holders: number[]): Promise<number> {
    const waitedFor = holders.length > 0 ? holders : [this.pid];
    const deadline = performance.now() + HANG_GUARD_MS;
    while (performance.now() < deadline) {
      // Inside a transaction pg_stat_activity is read once and kept: read it afresh.
      await this.client.query("SELECT pg_stat_clear_snapshot()");
      const { rows } = await this.client.query(
        "SELECT pid FROM pg_stat_activity WHERE pg_blocking_pids(pid) && $1::int[]",
        [waitedFor],
      );
      if (rows.length > 0) return rows[0].pid as number;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`nothing waited for backend ${waitedFor} within ${HANG_GUARD_MS} ms`);
  }

  /** Ends server process `pid`'s connection, as a network failure would. */
  async kill(pid: number): Promise<void> {
    await this.client.query("SELECT pg_terminate_backend($1)", [pid]);
  }

  /** Ends the held transaction: the rows are free again. */
  async release(): Promise<void> {
    await this.client.query("ROLLBACK");
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.client.end();
  }
}
