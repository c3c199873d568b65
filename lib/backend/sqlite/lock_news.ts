/**
 * What a lock's waiters hear on SQLite: the lock's events since they last looked, read from the
 * event table its steps write (`coord turn follow` reads the same). SQLite's change signal says
 * only that the lock changed; with nothing more, every waiter asked the backend on every
 * handoff, each ask a step reading every ticket — a line of N drained in N² steps. With the
 * events, a waiter counts down the tickets ahead of it (`lib/lock/ahead.ts`), and only the one
 * whose turn may have come asks, as on Redis and PostgreSQL.
 *
 * @module
 */

/** The reads {@link LockNews} makes, on the backend's connection. */
export interface LockNewsStore {
  readonly namespace: string;
  all<T>(sql: string, ...params: (string | number)[]): T[];
}

/** One waiter's place in its lock's news. */
export interface LockNewsReader {
  /**
   * The lock's events since this reader's last read (or its start), in the order its steps
   * emitted them; none when some may be missing (trimmed before they were read, a row coord did
   * not write): the waiter then asks, as it would without events. `changes` is the lock's topic
   * counter as the waiter just read it: every step that writes events moves it, so while it
   * stays, the events already read are all there are.
   */
  read(changes: number): unknown[];
  /** Ends the reader. */
  stop(): void;
}

/** Events held for readers that have not read them, at most (one lock's, one connection's). */
const KEPT = 4096;

const LAST_SQL = "SELECT coalesce(max(id), 0) AS last FROM coord_lock_event WHERE namespace = ?";
// The mark (the last event read, of any lock) comes back too: while it is there, no event after
// it was trimmed, as the trim deletes the oldest of a namespace's events.
const SINCE_SQL = `SELECT id, event FROM coord_lock_event
  WHERE namespace = ? AND id >= ? AND (id = ? OR name = ?) ORDER BY id`;

/**
 * One lock's events as one connection read them, shared by its waiters there: a change is read
 * once for all of them, not once by each (a line of 5,000 in one process read it 5,000 times).
 *
 * @example
 * ```ts ignore
 * const news = new LockNews(backend, "deploy", changesOfDeploy());
 * const reader = news.follow();
 * // … steps on "deploy" commit …
 * reader.read(changesOfDeploy()); // [{ event: "completed", ticket: 3, label: "…" }, …]
 * reader.stop();
 * ```
 */
export class LockNews {
  readonly #store: LockNewsStore;
  readonly #name: string;
  /** The id of an event that was there at the last read: events after it are news. */
  #mark: number;
  /** The topic's counter at the last read. */
  #changes: number;
  /** Readers at or before this id may have missed events (trimmed before they were read). */
  #lostUpTo = 0;
  /** This lock's events read and not yet read by every reader, oldest first. */
  #events: { id: number; event: unknown }[] = [];
  /** Each reader's last id read. */
  readonly #readers = new Set<{ at: number }>();
  /** Called when the last reader stops. */
  readonly #unused: () => void;

  /** Reads `name`'s events from now on (`changes`: its topic counter now). */
  constructor(store: LockNewsStore, name: string, changes: number, unused: () => void = () => {}) {
    this.#store = store;
    this.#name = name;
    this.#changes = changes;
    this.#unused = unused;
    try {
      this.#mark = this.#last();
    } catch {
      this.#mark = 0;
      this.#unreadable();
    }
  }

  /**
   * The event table could not be read as coord writes it (another program's row: an id past
   * 2^53, …): every reader hears nothing and asks, as without events, until a read succeeds. A
   * lock whose steps never read that row must not be stopped by it (exit 65, a granted ticket
   * left behind), as it was not before its waiters read events.
   */
  #unreadable(): void {
    this.#events = [];
    this.#lostUpTo = Infinity;
  }

  #last(): number {
    const [{ last }] = this.#store.all<{ last: number }>(LAST_SQL, this.#store.namespace);
    return Number(last);
  }

  #refresh(changes: number): void {
    if (changes === this.#changes) return;
    this.#changes = changes;
    const mark = this.#mark;
    let rows: { id: number; event: string }[];
    try {
      rows = this.#store.all(SINCE_SQL, this.#store.namespace, mark, mark, this.#name);
    } catch {
      return this.#unreadable();
    }
    const lost = () => {
      try {
        this.#mark = this.#lostUpTo = Math.max(this.#last(), mark);
        this.#events = [];
      } catch {
        this.#unreadable();
      }
    };
    // After an unreadable table, what was missed is not known: as if trimmed.
    if (this.#lostUpTo === Infinity || rows[0] === undefined || Number(rows[0].id) !== mark) {
      return lost();
    }
    try {
      for (const row of rows.slice(1)) {
        this.#events.push({ id: Number(row.id), event: JSON.parse(row.event) });
      }
    } catch {
      return lost();
    }
    this.#mark = Number(rows[rows.length - 1].id);
    if (this.#events.length > KEPT) this.#forget();
  }

  /** A reader that hears the events from now on. */
  follow(changes: number): LockNewsReader {
    this.#refresh(changes);
    const reader = { at: this.#mark };
    this.#readers.add(reader);
    return {
      read: (changes) => {
        this.#refresh(changes);
        const news = reader.at < this.#lostUpTo
          ? []
          : this.#events.slice(this.#after(reader.at)).map((e) => e.event);
        reader.at = this.#mark;
        return news;
      },
      stop: () => {
        this.#readers.delete(reader);
        if (this.#readers.size === 0) this.#unused();
      },
    };
  }

  /** The index of the first event after `id` (events are in id order). */
  #after(id: number): number {
    let [low, high] = [0, this.#events.length];
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#events[middle].id > id) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /**
   * Drops the events every reader has read, and when still more than {@link KEPT} remain (a
   * reader that has not read for long), the older half: a reader before them hears none, and
   * asks.
   */
  #forget(): void {
    let oldest = Infinity;
    for (const reader of this.#readers) oldest = Math.min(oldest, reader.at);
    this.#events = this.#events.slice(this.#after(oldest));
    if (this.#events.length > KEPT) {
      const cut = this.#events.length >>> 1;
      this.#lostUpTo = Math.max(this.#lostUpTo, this.#events[cut - 1].id);
      this.#events = this.#events.slice(cut);
    }
  }
}
