/**
 * A wake-up hint for SQLite waiters: file notifications on the database's `-wal` file, which
 * every commit by any process of the host writes to.
 *
 * @module
 */

/**
 * Calls its listeners whenever the `-wal` file next to a database is written. Only a hint: the
 * notification can come before the commit is visible, and none comes when the file cannot be
 * watched, so waiters still poll `PRAGMA data_version` — fast right after a hint, slowly
 * otherwise. The file watch runs only while someone listens, so it never keeps a process alive.
 *
 * @example
 * ```ts ignore
 * import { WalHint } from "./wal_hint.ts";
 * const hint = new WalHint("/var/lib/app/coord.db");
 * const stop = hint.listen(() => console.log("another process committed, maybe"));
 * stop();
 * ```
 */
export class WalHint {
  readonly #walPath: string;
  readonly #listeners = new Set<() => void>();
  #watcher: Deno.FsWatcher | undefined;

  /** Hints about the database at `path` (its `-wal` file must exist by the first listen). */
  constructor(path: string) {
    this.#walPath = `${path}-wal`;
  }

  /**
   * Adds a listener; returns the function that removes it.
   *
   * @returns whether hints will come: false when the file cannot be watched.
   */
  listen(listener: () => void): { watching: boolean; stop: () => void } {
    this.#listeners.add(listener);
    this.#watcher ??= this.#watch();
    const stop = () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size > 0) return;
      this.#watcher?.close();
      this.#watcher = undefined;
    };
    return { watching: this.#watcher !== undefined, stop };
  }

  /** Stops watching, whoever still listens (the database is being closed). */
  close(): void {
    this.#listeners.clear();
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  #watch(): Deno.FsWatcher | undefined {
    let watcher: Deno.FsWatcher;
    try {
      watcher = Deno.watchFs(this.#walPath, { recursive: false });
    } catch {
      return undefined; // no permission, no file, no inotify: the slow poll alone
    }
    (async () => {
      try {
        for await (const _ of watcher) for (const listener of this.#listeners) listener();
      } catch {
        // closed
      }
    })();
    return watcher;
  }
}
