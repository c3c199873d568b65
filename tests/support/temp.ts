/**
 * Temporary files for tests, removed when the test's scope ends (`await using`), or at exit
 * when it never does, so runs leave nothing behind in the temp directory.
 *
 * @module
 */

import { type TempDir, tempDir } from "../../bench/temp_dir.ts";

export { type TempDir, tempDir };

/** A fresh SQLite file's `sqlite:PATH` URL; disposing of it removes the file and its journals. */
export interface TempSqlite extends AsyncDisposable {
  readonly url: string;
}

/**
 * Makes a directory for one SQLite file (SQLite adds `-wal`, `-shm` and `-journal` files beside
 * it, which go with the directory).
 *
 * @example
 * ```ts
 * import { tempSqlite } from "./temp.ts";
 * await using db = await tempSqlite();
 * console.log(db.url); // sqlite:/tmp/coord-test-…/coord.db
 * ```
 */
export async function tempSqlite(): Promise<TempSqlite> {
  const dir = await tempDir("coord-test-");
  return {
    url: `sqlite:${dir.path}/coord.db`,
    [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose](),
  };
}

/**
 * Runs `fn` on the path of a SQLite file in a fresh directory, removed (with the file's
 * journals) when `fn` ends.
 *
 * @example
 * ```ts
 * import { withSqliteFile } from "./temp.ts";
 * await withSqliteFile((path) => console.log(path)); // /tmp/coord-test-…/coord.db
 * ```
 */
export async function withSqliteFile(fn: (path: string) => Promise<void> | void): Promise<void> {
  await using dir = await tempDir("coord-test-");
  await fn(`${dir.path}/coord.db`);
}
