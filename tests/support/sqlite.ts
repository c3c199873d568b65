/**
 * Reading a test's SQLite file directly, to show what a command stored (or did not).
 *
 * @module
 */

import { until } from "./wait.ts";

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

/** Another process holding a SQLite file locked (see {@link holdFileLocked}). */
export interface FileLockHolder extends AsyncDisposable {
  /** Ends its transaction, leaving the file as it was, and resolves once the process exits. */
  release(): Promise<void>;
}

/**
 * Starts a process that opens the file at `path` (an empty one where there is none, as a new
 * database is) and holds it in `BEGIN EXCLUSIVE`, as a sqlite3 shell can, until released;
 * resolves once it holds the lock. A file not yet in WAL mode then cannot be read or written by
 * anyone else, nor switched to WAL. `IMMEDIATE` holds the write lock only, as another writer's
 * long transaction does. Disposing of it releases it.
 *
 * @example
 * ```ts ignore
 * await using holder = await holdFileLocked(path);
 * await holder.release();
 * ```
 */
export async function holdFileLocked(
  path: string,
  lock: "EXCLUSIVE" | "IMMEDIATE" = "EXCLUSIVE",
): Promise<FileLockHolder> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { DatabaseSync } from "node:sqlite";
       const db = new DatabaseSync(${JSON.stringify(path)});
       db.exec("BEGIN ${lock}");
       console.log("locked");
       // Held until the test closes stdin (or exits).
       await Deno.stdin.readable.pipeTo(new WritableStream());
       db.exec("COMMIT");
       db.close();`,
    ],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  const said = new TextDecoder().decode(value);
  if (!said.startsWith("locked")) throw new Error(`the holder did not lock ${path}: ${said}`);
  let released: Promise<void> | undefined;
  const release = () =>
    released ??= (async () => {
      await child.stdin.close();
      await child.stdout.cancel();
      const status = await child.status;
      if (!status.success) throw new Error(`the holder of ${path} failed: ${status.code}`);
    })();
  return { release, [Symbol.asyncDispose]: release };
}

/**
 * Resolves once process `pid` has the file at `path` open (Linux: its `/proc/PID/fd`), or has
 * exited; for a command that says nothing before it reaches the file.
 *
 * @example
 * ```ts ignore
 * await hasOpen(coord.pid, path);
 * ```
 */
export async function hasOpen(pid: number, path: string): Promise<void> {
  const target = await Deno.realPath(path).catch(() => path);
  await until(async () => {
    try {
      for await (const { name } of Deno.readDir(`/proc/${pid}/fd`)) {
        const link = await Deno.readLink(`/proc/${pid}/fd/${name}`).catch(() => "");
        if (link === target) return true;
      }
      return false;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return true;
      throw e;
    }
  }, { what: `process ${pid} to open ${path}`, intervalMs: 2 });
}
