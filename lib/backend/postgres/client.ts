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

/** Connection settings, as node-postgres takes them. */
export interface PgConfig {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  ssl: boolean | { rejectUnauthorized: boolean; checkServerIdentity?: () => undefined };
  connectionTimeoutMillis: number;
  application_name: string;
  max?: number;
  types?: { getTypeParser(oid: number, format?: string): (value: string) => unknown };
}

/** The module's default export. */
export interface PgModule {
  Pool: new (config: PgConfig) => PgPool;
  Client: new (config: PgConfig) => PgClient;
  types: { getTypeParser(oid: number, format?: string): (value: string) => unknown };
}

/** Imports node-postgres. */
export async function importPg(): Promise<PgModule> {
  const module = await import("pg");
  return (module.default ?? module) as unknown as PgModule;
}
