/**
 * Server-side prepared statements for the steps' statements, which go out as simple-query text
 * (several in one round trip, which node-postgres' extended protocol cannot batch): a statement
 * a store sends again is `PREPARE`d once per connection, in the same round trip as its first
 * `EXECUTE`, so the server parses and plans it once per connection instead of each time.
 *
 * A statement's name is a hash of its text and schema, never a counter: behind a pooler in
 * transaction mode (PgBouncer), a session's statements end up on server connections another
 * client prepared too, and a name must then mean the same statement for everyone. There a step
 * meets a statement that is missing or already there; the store then stops preparing, for good,
 * and runs the step again (see {@link PREPARED_STATEMENT_STATES}).
 *
 * @module
 */

import type { PgClient } from "./client.ts";

/**
 * SQLSTATEs that say the connection's prepared statements are not what this process thinks:
 * `26000` (does not exist), `42P05` (already exists) — a pooler moved the session.
 */
export const PREPARED_STATEMENT_STATES = ["26000", "42P05"];

/**
 * SQLSTATE of a parameter whose type the server cannot tell from the statement alone (`SELECT
 * $1`), which a `PREPARE` refuses though the statement runs with its values inline.
 */
export const INDETERMINATE_TYPE_STATE = "42P18";

/**
 * Distinct statements a store prepares, on each connection: statements built from a variable
 * number of rows (a batch) would otherwise pile up on the server; the rest go out as text.
 */
const MAX_PREPARED = 200;

/** A statement as a step sends it: its `EXECUTE`, and the `PREPARE` to send before it once. */
export interface PreparedForm {
  name: string;
  /** Absent when the connection has it already. */
  prepare?: string;
  execute: string;
}

/**
 * The statements one store prepares and which connection has which.
 *
 * @example
 * ```ts ignore
 * const statements = new PreparedStatements("coord");
 * const form = statements.form(client, "SELECT $1::int AS one", () => ["(1)"]);
 * await client.query([form?.prepare, form?.execute].filter(Boolean).join("; "));
 * if (form) statements.confirm(client, [form.name]);
 * ```
 */
export class PreparedStatements {
  readonly #schema: string;
  /** Texts sent once so far: a statement is prepared when it comes again. */
  readonly #seen = new Set<string>();
  readonly #names = new Map<string, string>();
  /** Texts the server refused to prepare ({@link exclude}): always sent as text. */
  readonly #plain = new Set<string>();
  /** The names each connection is known to hold. */
  readonly #held = new WeakMap<PgClient, Set<string>>();
  #enabled = true;

  /** Statements of the store whose tables are in `schema`. */
  constructor(schema: string) {
    this.#schema = schema;
  }

  /** Whether statements are still prepared (not after a pooler was detected). */
  get enabled(): boolean {
    return this.#enabled;
  }

  /**
   * How to run `sql` (with `$n` placeholders) on `client` with `args` (its SQL literals, made
   * only when needed: they may hold a megabyte), or undefined when it goes out as plain text
   * (the first time it is seen, or preparing is off).
   */
  form(client: PgClient, sql: string, args: () => string[]): PreparedForm | undefined {
    if (!this.#enabled || this.#plain.has(sql)) return undefined;
    let name = this.#names.get(sql);
    if (name === undefined) {
      if (!this.#seen.has(sql)) {
        if (this.#seen.size < MAX_PREPARED) this.#seen.add(sql);
        return undefined;
      }
      if (this.#names.size >= MAX_PREPARED) return undefined;
      name = statementName(this.#schema, sql);
      this.#names.set(sql, name);
    }
    const literals = args();
    const execute = literals.length > 0
      ? `EXECUTE ${name}(${literals.join(", ")})`
      : `EXECUTE ${name}`;
    if (this.#held.get(client)?.has(name)) return { name, execute };
    return { name, prepare: `PREPARE ${name} AS ${sql}`, execute };
  }

  /** Records that the round trip which prepared `names` on `client` succeeded. */
  confirm(client: PgClient, names: string[]): void {
    let held = this.#held.get(client);
    if (!held) this.#held.set(client, held = new Set());
    for (const name of names) held.add(name);
  }

  /**
   * Forgets what `client` holds, after a round trip that failed: the statement to send there
   * before anything else (`DEALLOCATE ALL`), since a `PREPARE` outlives its transaction's
   * rollback and one sent with the failed ones may have run.
   */
  forget(client: PgClient): string {
    this.#held.delete(client);
    return "DEALLOCATE ALL";
  }

  /**
   * Sends the statements named as text from now on: one of them could not be prepared
   * ({@link INDETERMINATE_TYPE_STATE}). Returns whether that changed anything.
   */
  exclude(names: string[]): boolean {
    let changed = false;
    for (const [sql, name] of this.#names) {
      if (!names.includes(name)) continue;
      this.#names.delete(sql);
      this.#plain.add(sql);
      changed = true;
    }
    return changed;
  }

  /** Stops preparing: every statement goes out as text from now on. */
  disable(): void {
    this.#enabled = false;
  }
}

/** `coord_` and a 64-bit FNV-1a hash of the schema and the text, in hex. */
function statementName(schema: string, sql: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(`${schema}\0${sql}`)) {
    hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  }
  return `coord_${hash.toString(16).padStart(16, "0")}`;
}
