/**
 * The check of the schema version coord stores in `coord_meta` (key `schema_version`), on every
 * SQL engine, before anything is read as coord's tables or changed in them.
 *
 * @module
 */

import { ForeignDataError } from "../../errors.ts";
import { shownValue } from "../../stored_values.ts";
import { foreignRowError } from "./foreign_row.ts";

/**
 * Refuses a stored schema version that is not this coord's: a higher one is a newer coord's,
 * whose tables this one would misread (and an upgrade would alter them back); any other value
 * (text, 0, `01`) no coord wrote. None stored (a new database, or one made before the version
 * was kept) is this coord's to write, and a lower one an older coord's, to upgrade. Exit 65 either way, not 69: no retry would change it.
 *
 * @example
 * ```ts
 * import { refuseSchemaVersion } from "./schema_version.ts";
 * const where = { subject: "sqlite:coord.db", wayOut: "choose another file" };
 * refuseSchemaVersion("1", 1, where); // this coord's: no error
 * refuseSchemaVersion(undefined, 1, where); // none yet: no error
 * ```
 *
 * @throws {ForeignDataError} naming `subject`, the version, and `wayOut`; nothing is changed.
 */
export function refuseSchemaVersion(
  stored: unknown,
  current: number,
  { subject, wayOut }: { subject: string; wayOut: string },
): void {
  if (stored === undefined || stored === String(current)) return;
  const version = typeof stored === "string" && /^[1-9][0-9]{0,14}$/.test(stored)
    ? Number(stored)
    : undefined;
  // An older coord's: its tables are upgraded as those made before the version was kept.
  if (version !== undefined && version < current) return;
  if (version !== undefined && version > current) {
    throw new ForeignDataError(
      `${subject}: its tables are a newer coord's (schema version ${version}; this coord is ` +
        `older and knows ${current}) — coord leaves them as they are; run that newer coord, or ` +
        wayOut,
    );
  }
  throw foreignRowError(subject, "coord_meta", "schema_version", shownValue(stored), wayOut);
}
