/**
 * The part of node-postgres (`npm:pg`) coord uses, typed here: the package ships no types,
 * and importing it is deferred until a `postgres://` URL is given.
 *
 * @module
 */

/** A query's outcome. */
export interface PgResult {
  rows: Record<string, unknown>[];
}

/** One server connection. */
export interface PgClient {
  query(text: string, values?: unknown[]): Promise<PgResult>;
  on(event: "notification", fn: (msg: { channel: string; payload?: string }) => void): void;
  on(event: "error" | "end", fn: (error?: Error) => void): void;
  connect(): Promise<void>;
  end(): Promise<void>;
  /** Quotes a string as an SQL literal (for the few statements sent without parameters). */
  escapeLiteral(text: string): string;
}

/** A connection borrowed from a pool. */
export interface PgPoolClient extends PgClient {
  /** Gives it back; with an error, the connection is closed instead. */
  release(error?: Error | boolean): void;
}

/** node-postgres' pool. */
export interface PgPool {
  connect(): Promise<PgPoolClient>;
  query(text: string, values?: unknown[]): Promise<PgResult>;
  on(event: "error", fn: (error: Error) => void): void;
  end(): Promise<void>;
}

/** node-postgres's own parts {@link endWithin} reaches to drop a connection. */
interface Droppable {
  connection?: {
    stream?: { destroyed?: boolean; once(event: "close", fn: () => void): void; destroy(): void };
  };
}

/**
 * Ends a pool or a client, waiting at most `ms` for the server: one that stops answering with
 * its sockets open (stopped, a partition) never takes the goodbye, and the process would wait
 * for it. Past `ms` the sockets are dropped; the server rolls back whatever was not committed.
 *
 * @example
 * ```ts ignore
 * await endWithin(pool, 5_000);
 * ```
 */
export async function endWithin(closable: PgPool | PgClient, ms: number): Promise<void> {
  // A pool keeps its connections in `_clients` (pg-pool); a client is one. Taken before the end,
  // which takes the idle ones out of the pool: their sockets are what may stay open.
  const clients = [
    ...(closable as { _clients?: Droppable[] })._clients ?? [closable as Droppable],
  ];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  // A pool's end resolves once it has asked its idle connections to end, not once they have:
  // each socket's close is waited for too.
  const ended = closable.end().catch(() => {}).then(() => Promise.all(clients.map(closed)));
  await Promise.race([ended, late]);
  clearTimeout(timer);
  for (const client of clients) client.connection?.stream?.destroy();
}

/** Resolves once `client`'s socket has closed. */
function closed(client: Droppable): Promise<void> {
  const stream = client.connection?.stream;
  if (!stream || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => stream.once("close", resolve));
}

/** Connection settings, as node-postgres takes them. */
export interface PgConfig {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  ssl: boolean | { rejectUnauthorized: boolean; checkServerIdentity?: () => undefined };
  connectionTimeoutMillis: number;
  /** A query unanswered this long fails, its connection then dropped (`Query read timeout`). */
  query_timeout?: number;
  application_name: string;
  max?: number;
  /** The pool's connections' class. */
  Client?: PgModule["Client"];
  types?: { getTypeParser(oid: number, format?: string): (value: string) => unknown };
}

/** The module's default export. */
export interface PgModule {
  Pool: new (config: PgConfig) => PgPool;
  Client: new (config: PgConfig) => PgClient;
  types: { getTypeParser(oid: number, format?: string): (value: string) => unknown };
}

/**
 * Imports node-postgres, its clients closing their connection when they fail to connect, and
 * ending within their connect timeout.
 *
 * @example
 * ```ts ignore
 * import { importPg } from "./client.ts";
 * const pg = await importPg();
 * const pool = new pg.Pool(config); // its connections end within the connect timeout
 * ```
 */
export async function importPg(): Promise<PgModule> {
  const module = await import("pg");
  const pg = (module.default ?? module) as unknown as PgModule;
  const Client = closingSockets(pg.Client);
  // The pool's connections are of that class too, unless a caller names another.
  const Pool = class extends pg.Pool {
    constructor(config: PgConfig) {
      super({ Client, ...config });
    }
  };
  return { Pool, Client, types: pg.types };
}

/**
 * `Client`, never kept alive by a server that does not answer:
 * - it closes its socket when connecting fails. node-postgres leaves it open when it fails the
 *   login itself (no password to give the server that asks for one), and its pool drops such a
 *   client without closing it: the server closes it at its authentication_timeout, 60 s by
 *   default, and until then the process, which should exit 69 at once, stays alive.
 * - its end waits at most its connect timeout for the server to close the socket, then drops
 *   it. node-postgres's end says goodbye and waits for the server, and pg-pool ends connections
 *   itself (idle for its idleTimeoutMillis, released with an error), where no
 *   {@link endWithin} reaches them: a silent server would keep the process alive for ever.
 */
function closingSockets(Client: PgModule["Client"]): PgModule["Client"] {
  type Connecting = PgClient & Droppable;
  return class extends Client {
    readonly #endMs: number;

    constructor(config: PgConfig) {
      super(config);
      this.#endMs = config.connectionTimeoutMillis;
    }

    override connect(callback?: (error?: Error) => void): Promise<void> {
      const close = (error: unknown) => {
        if (error) (this as Connecting).connection?.stream?.destroy();
      };
      // The pool connects with a callback, a lone client with the promise.
      if (callback) {
        return (super.connect as (cb: (e?: Error) => void) => Promise<void>)((error) => {
          close(error);
          callback(error);
        });
      }
      return super.connect().catch((error) => {
        close(error);
        throw error;
      });
    }

    // pg-pool ends with a callback, coord with the promise.
    override end(callback?: () => void): Promise<void> {
      const stream = (this as Connecting).connection?.stream;
      if (stream && !stream.destroyed) {
        const timer = setTimeout(() => stream.destroy(), this.#endMs);
        // The open socket keeps the process alive until then; a socket never opened does not.
        Deno.unrefTimer(timer);
        stream.once("close", () => clearTimeout(timer));
      }
      return (super.end as (cb?: () => void) => Promise<void>)(callback);
    }
  };
}
