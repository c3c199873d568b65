/**
 * Reading a test's SQLite file directly, to show what a command stored (or did not).
 *
 * @module
 */

/** How many rows `table` of the file behind a `sqlite:PATH` URL holds; 0 when it has none yet. */
export async function rowCount(url: string, table: string): Promise<number> {
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(url.slice("sqlite:".length));
  try {
    // A command may be writing the file: wait for its lock rather than fail.
    db.exec("PRAGMA busy_timeout = 10000");
    const found = db.prepare("SELECT name FROM sqlite_schema WHERE name = ?").all(table);
    if (found.length === 0) return 0;
    return Number((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
  } finally {
    db.close();
  }
}
