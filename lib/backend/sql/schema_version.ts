/**
 * The check of the schema version coord stores in `coord_meta` (key `schema_version`), on every
 * SQL engine, before anything is read as coord's tables or changed in them.
 *
 * @module
 */

import { NewerDataError } from "../../errors.ts";
import { shownValue } from "../../stored_values.ts";
import { foreignRowError } from "./foreign_row.ts";

/**
 * The version of coord's tables, one for both SQL engines (their steps are written once, in
 * `./queue.ts` and beside it). 2: a flow group counts its parts' ends in a tally (its row's
 * `progress`, see `./flow_tally.ts`), which a coord that knows 1 does not read — it would run a
 * serial part again and never end a parallel flow — so that coord refuses the tables instead.
 */
export const SCHEMA_VERSION = 2;

/**
 * Refuses a stored schema version that is not this coord's: a higher one is a newer coord's,
 * whose tables this one would misread (and an upgrade would alter them back); any other value
 * (text, 0, `01`) no coord wrote. None stored (a new database, one made before the version was
 * kept, or its row deleted) is this coord's to write, and a lower one an older coord's, to
 * upgrade. Exit 65 either way, not 69: no retry would change it.
 *
 * @returns whether a writer writes `current` over what is stored (a look leaves it): none, or
 * an older coord's version. Left so, an older coord would open the tables and misread them; it
 * refuses them once they say `current`.
 * @example
 * ```ts
 * import { refuseSchemaVersion } from "./schema_version.ts";
 * const where = { subject: "sqlite:coord.db", wayOut: "choose another file" };
 * refuseSchemaVersion("2", 2, where); // this coord's: false
 * refuseSchemaVersion(undefined, 2, where); // none: true
 * refuseSchemaVersion("1", 2, where); // an older coord's: true
 * ```
 *
 * @throws {ForeignDataError} naming `subject`, the version, and `wayOut`; nothing is changed.
 */
export function refuseSchemaVersion(
  stored: unknown,
  current: number,
  { subject, wayOut }: { subject: string; wayOut: string },
): boolean {
  if (stored === String(current)) return false;
  if (stored === undefined) return true;
  const version = typeof stored === "string" && /^[1-9][0-9]{0,14}$/.test(stored)
    ? Number(stored)
    : undefined;
  // An older coord's: its tables are upgraded as those made before the version was kept.
  if (version !== undefined && version < current) return true;
  if (version !== undefined && version > current) {
    throw new NewerDataError(
      `${subject}: its tables are a newer coord's (schema version ${version}; this coord is ` +
        `older and knows ${current}) — coord leaves them as they are; run that newer coord, or ` +
        wayOut,
    );
  }
  throw foreignRowError(subject, "coord_meta", "schema_version", shownValue(stored), wayOut);
}
