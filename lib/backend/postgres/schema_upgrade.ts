/**
 * What bringing a schema an earlier coord made up to date would change, read from the catalog,
 * and who may change it: adding a column, making or dropping an index needs the table's owner,
 * which a role sharing the namespace (a worker's, a dashboard's) is not.
 *
 * @module
 */

import { UpgradeRefusedError } from "../../errors.ts";
import type { PgPoolClient } from "./client.ts";

/** What today's schema has: its tables, the columns added since, and its indexes' tables. */
export interface SchemaShape {
  tables: readonly string[];
  addedColumns: readonly { table: string; column: string }[];
  /** Each index today's schema makes, with its table. */
  indexes: ReadonlyMap<string, string>;
  retiredIndexes: readonly string[];
}

/** What an earlier coord's schema lacks, or keeps, that today's does not. */
export interface SchemaUpgrade {
  missingTables: string[];
  /** `table.column`, of tables that are there. */
  missingColumns: string[];
  /** Indexes of tables that are there. */
  missingIndexes: string[];
  retiredIndexes: string[];
  /**
   * The owners (quoted as identifiers) of the tables the upgrade alters, where this user may not
   * act as them, and, where it makes a table, of coord's other tables where this user is not one.
   */
  otherOwners: string[];
  /** Every owner of coord's tables there (quoted), the upgrade's owners first. */
  owners: string[];
}

/**
 * The tables `ddl`'s `CREATE INDEX` statements make their indexes on, by index.
 *
 * @example
 * ```ts
 * import { indexTables } from "./schema_upgrade.ts";
 * indexTables(["CREATE INDEX IF NOT EXISTS i ON t (a)"]); // Map { "i" => "t" }
 * ```
 */
export function indexTables(ddl: readonly string[]): Map<string, string> {
  const pattern = /^\s*CREATE (?:UNIQUE )?INDEX IF NOT EXISTS\s+(\w+)\s+ON\s+(\w+)/;
  return new Map(ddl.flatMap((statement) => {
    const match = pattern.exec(statement);
    return match ? [[match[1], match[2]] as const] : [];
  }));
}

/**
 * Reads what upgrading schema `namespace` to `shape` would change. From the catalog, which shows
 * it whatever this user may do there; ownership as Postgres judges it (a member of the owning
 * role, or a superuser, may alter).
 */
export async function readUpgrade(
  client: PgPoolClient,
  namespace: string,
  shape: SchemaShape,
): Promise<SchemaUpgrade> {
  const { rows } = await client.query(
    `SELECT c.relname AS name, c.relkind AS kind, quote_ident(pg_get_userbyid(c.relowner)) AS owner,
       pg_has_role(c.relowner, 'USAGE') AS owned, c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) AS mine,
       ARRAY(SELECT a.attname::text FROM pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'i')`,
    [namespace],
  );
  type Row = {
    name: string;
    kind: string;
    owner: string;
    owned: boolean;
    mine: boolean;
    columns: string[];
  };
  const tables = new Map<string, Row>();
  const indexes = new Map<string, Row>();
  for (const row of rows as Row[]) (row.kind === "r" ? tables : indexes).set(row.name, row);
  const missingColumns = shape.addedColumns.filter(({ table, column }) =>
    tables.has(table) && !tables.get(table)!.columns.includes(column)
  ).map(({ table, column }) => `${table}.${column}`);
  const missingIndexes = [...shape.indexes].filter(([index, table]) =>
    tables.has(table) && !indexes.has(index)
  ).map(([index]) => index);
  const retiredIndexes = shape.retiredIndexes.filter((index) => indexes.has(index));
  const missingTables = shape.tables.filter((table) => !tables.has(table));
  const present = shape.tables.flatMap((table) => tables.get(table) ?? []);
  // Who must make each change: a table's owner for its columns and indexes. A missing table
  // belongs to whoever makes it, so the owner of the others makes it himself: one another role
  // made (a worker's, even a superuser acting as their owner) would miss the grants the owner's
  // default privileges give the roles sharing the schema.
  const altered = [
    ...missingColumns.map((name) => tables.get(name.split(".")[0])!),
    ...missingIndexes.map((index) => tables.get(shape.indexes.get(index)!)!),
    ...retiredIndexes.map((index) => indexes.get(index)!),
  ];
  const makers = missingTables.length === 0 ? [] : present;
  const otherOwners = [
    ...new Set([
      ...altered.filter((r) => !r.owned).map((r) => r.owner),
      ...makers.filter((r) => !r.mine).map((r) => r.owner),
    ]),
  ];
  const coords = present.map((r) => r.owner);
  return {
    missingTables,
    missingColumns,
    missingIndexes,
    retiredIndexes,
    otherOwners,
    owners: [...new Set([...altered.map((r) => r.owner), ...coords])],
  };
}

/** Whether the upgrade changes tables or indexes (the owner's to make), beyond the version. */
export function altersTables(upgrade: SchemaUpgrade): boolean {
  return upgrade.missingTables.length > 0 || upgrade.missingColumns.length > 0 ||
    upgrade.missingIndexes.length > 0 || upgrade.retiredIndexes.length > 0;
}

/** Whether coord's steps can read the schema as it is: every table and column there. */
export function readable(upgrade: SchemaUpgrade): boolean {
  return upgrade.missingTables.length === 0 && upgrade.missingColumns.length === 0;
}

/**
 * The refusal a command that writes meets where the upgrade alters tables this user does not
 * own (Postgres lets only their owner add a column or an index), or makes a table beside ones
 * another role owns. Undefined where it may.
 */
export function ownerRefusal(
  upgrade: SchemaUpgrade,
  namespace: string,
  displayUrl: string,
  user: string,
): UpgradeRefusedError | undefined {
  if (upgrade.otherOwners.length === 0) return undefined;
  const owners = upgrade.otherOwners.join(", ");
  return new UpgradeRefusedError(
    `${displayUrl}: schema "${namespace}" is an earlier coord's and needs an upgrade ` +
      `(${described(upgrade)}) that only the owner of its tables, ${owners}, may make, not ` +
      `user ${user} — ${upgradeAdvice(upgrade.otherOwners)}, then run this again`,
    readable(upgrade),
  );
}

/**
 * The refusal a look meets where coord's steps cannot read the schema as it is: a look changes
 * nothing, so it says what is missing and who upgrades it. Undefined where it can read.
 */
export function lookRefusal(
  upgrade: SchemaUpgrade,
  namespace: string,
  displayUrl: string,
): UpgradeRefusedError | undefined {
  if (readable(upgrade)) return undefined;
  return new UpgradeRefusedError(
    `${displayUrl}: schema "${namespace}" is an earlier coord's (${described(upgrade)}), ` +
      `which a look leaves as it is — ${upgradeAdvice(upgrade.owners)}`,
    false,
  );
}

/**
 * What upgrades a schema: `coord doctor` (it opens the backend as a command that writes would,
 * and changes nothing else) or any command that writes, run by the tables' owner.
 */
function upgradeAdvice(owners: string[]): string {
  const as = owners.length === 0 ? "the owner of its tables" : owners.join(" or ");
  return `run coord doctor (or any coord command that writes) once as ${as} to upgrade it`;
}

/** The changes, in a few words each. */
function described(upgrade: SchemaUpgrade): string {
  return [
    [upgrade.missingTables, "tables", "missing"],
    [upgrade.missingColumns, "columns", "missing"],
    [upgrade.missingIndexes, "indexes", "missing"],
    [upgrade.retiredIndexes, "retired indexes", "still there"],
  ].flatMap(([names, what, how]) =>
    names.length === 0 ? [] : [`${what} ${listed(names as string[])} ${how}`]
  ).join("; ");
}

/** The first few of `names`, for a one-line message. */
function listed(names: string[]): string {
  return names.slice(0, 3).join(", ") + (names.length > 3 ? ", …" : "");
}
