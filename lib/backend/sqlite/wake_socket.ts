/**
 * Direct wake-ups between processes that share one SQLite file: an idle waiter listens on a
 * Unix socket in the directory `PATH-wake/`, and a process that commits a change connects to
 * every socket there; the connection itself is the message.
 *
 * @module
 */

import { join } from "node:path";

/** The ending of a socket that listens: only these are poked. */
const SOCKET = ".sock";
/** The ending of a socket not yet listening. */
const OPENING = ".opening";

/** Longer than the kernel's file-time granularity (a scheduler tick, 1–10 ms). */
const MTIME_TICK_MS = 20;

/**
 * Wake-ups for idle waiters on the database at a path. A file notification on the `-wal` file
 * reaches a waiter in ms on a busy host; a connection to its socket, in a fraction of one, so
 * an idle waiter sees a commit about as soon as a busy one. Still only a hint: waiters poll
 * `PRAGMA data_version` as before, since a poke can be lost (the committer died first) or
 * impossible (no permission, a path too long for a socket).
 *
 * A wait without expectations (a worker's, a barrier's) listens from its start, and its watcher
 * keeps the socket until it ends; one with them (a lock's line) listens once its poll has
 * slowed, so most commits poke someone: a poke is one connection per listening process. A
 * socket whose process died is removed by the next committer that finds it refusing.
 *
 * @example
 * ```ts ignore
 * import { WakeSockets } from "./wake_socket.ts";
 * const wake = new WakeSockets("/var/lib/app/coord.db");
 * const idle = wake.listen(() => console.log("another process committed"));
 * // … in another process, after a commit:
 * new WakeSockets("/var/lib/app/coord.db").poke();
 * idle.stop();
 * ```
 */
export class WakeSockets {
  readonly #dbPath: string;
  readonly #dir: string;
  readonly #listeners = new Set<() => void>();
  #listener: { socket: Deno.Listener; path: string } | undefined;
  /** The sockets last read from the directory, and its mtime then. */
  #known: { mtimeMs: number; paths: string[] } = { mtimeMs: NaN, paths: [] };

  /** Wake-ups around the database at `path`. */
  constructor(path: string) {
    this.#dbPath = path;
    this.#dir = `${path}-wake`;
  }

  /**
   * Adds a listener, and listens on a socket while there is one.
   *
   * @returns whether pokes will come, and the function that removes the listener.
   */
  listen(listener: () => void): { listening: boolean; stop: () => void } {
    this.#listeners.add(listener);
    this.#listener ??= this.#open();
    const stop = () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.close();
    };
    return { listening: this.#listener !== undefined, stop };
  }

  /** Wakes every other process's idle waiters: call after a commit that changed something. */
  poke(): void {
    for (const path of this.#sockets()) {
      if (path === this.#listener?.path) continue;
      Deno.connect({ transport: "unix", path }).then(
        (conn) => conn.close(),
        (e) => {
          // A socket nobody listens on is left by a process that died: it goes. Only a socket:
          // a file named so refuses too, and is not coord's.
          if (e instanceof Deno.errors.ConnectionRefused) {
            Deno.lstat(path).then((info) => info.isSocket ? Deno.remove(path) : undefined)
              .catch(() => {});
          }
        },
      );
    }
  }

  /** Stops listening, whoever still listens (the database is being closed). */
  close(): void {
    this.#listeners.clear();
    const listener = this.#listener;
    this.#listener = undefined;
    if (!listener) return;
    listener.socket.close();
    try {
      Deno.removeSync(listener.path);
    } catch {
      // removed by a committer that found it refusing already
    }
  }

  /** The directory's sockets, read again only when the directory changed. */
  #sockets(): string[] {
    let mtimeMs: number;
    try {
      const dir = Deno.lstatSync(this.#dir);
      if (!dir.isDirectory) return []; // a link or a file: not coord's folder (see #open)
      mtimeMs = dir.mtime?.getTime() ?? NaN;
    } catch {
      return []; // nobody ever listened
    }
    // File times tick coarsely (ms): two changes within one tick leave one mtime, so a
    // directory changed that recently is read again anyway.
    const settled = Date.now() - mtimeMs > MTIME_TICK_MS;
    if (settled && mtimeMs === this.#known.mtimeMs) return this.#known.paths;
    const paths: string[] = [];
    try {
      for (const entry of Deno.readDirSync(this.#dir)) {
        if (!entry.isSymlink && entry.name.endsWith(SOCKET)) {
          paths.push(join(this.#dir, entry.name));
        }
      }
    } catch {
      return [];
    }
    // A read made within the tick may miss a change that keeps the mtime: not kept for later.
    this.#known = { mtimeMs: settled ? mtimeMs : NaN, paths };
    return paths;
  }

  #open(): { socket: Deno.Listener; path: string } | undefined {
    const name = `${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
    // A socket is bound before it listens, and a connection between the two is refused, which
    // tells a committer to remove it: it is made under a name pokes pass over, then renamed.
    const opening = join(this.#dir, `${name}${OPENING}`);
    const path = join(this.#dir, `${name}${SOCKET}`);
    let socket: Deno.Listener;
    try {
      // Whoever may write the file may wake its waiters: the directory takes the file's mode
      // (plus search where it has read), the socket its read and write — connecting needs
      // write. Set after creating, as both were made through the umask (022 would keep
      // another user of a 0666 file out).
      const fileMode = Deno.statSync(this.#dbPath).mode! & 0o777;
      Deno.mkdirSync(this.#dir, { recursive: true });
      // Where others may write beside the file, one could put a link there: its target is
      // not coord's to change the mode of, nor to remove sockets from. No wake-ups, the poll.
      const dir = Deno.lstatSync(this.#dir);
      if (!dir.isDirectory) return undefined;
      chmodOwn(this.#dir, fileMode | ((fileMode & 0o444) >> 2));
      socket = Deno.listen({ transport: "unix", path: opening });
      try {
        Deno.chmodSync(opening, fileMode & 0o666);
        Deno.renameSync(opening, path);
      } catch (e) {
        socket.close();
        Deno.remove(opening).catch(() => {});
        throw e;
      }
    } catch {
      return undefined; // no permission, or a path too long for a socket: the poll alone
    }
    (async () => {
      try {
        for await (const conn of socket) {
          conn.close();
          for (const listener of this.#listeners) listener();
        }
      } catch {
        // closed
      }
    })();
    return { socket, path };
  }
}

/** Sets the mode of `dir` where this process may: another user may have made it. */
function chmodOwn(dir: string, mode: number): void {
  try {
    Deno.chmodSync(dir, mode);
  } catch (e) {
    if (!(e instanceof Deno.errors.PermissionDenied)) throw e;
  }
}
