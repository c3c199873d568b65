/**
 * One slow poll of `PRAGMA data_version` per SQLite connection, shared by all of its idle
 * waiters, and woken early by other processes' hints.
 *
 * @module
 */

import { sleep } from "../../time.ts";

/** What an idle waiter waits for: a change of its topic's counter (see `topic_changes.ts`). */
export interface IdleWatch {
  /** The topic's counter; undefined: any change to the file. */
  bucket?: number;
  /** The counter's value the waiter has seen. */
  seen: number;
  /** The `data_version` the waiter saw at its last look. */
  version: number;
}

/**
 * What the look that woke a sleeper read: the sleeper's own look, had it made it right then
 * (a second read of the same two things cost ≈ 0.2 ms of every idle wake-up).
 */
export interface IdleSight {
  /** The `data_version` read. */
  version: number;
  /** The topic's counter read; undefined for a sleeper without a topic. */
  changes?: number;
}

/**
 * A source of hints that another process committed (a socket, a file watch): starts listening,
 * says whether hints will come, and stops.
 */
export type HintSource = (listener: () => void) => { listening: boolean; stop: () => void };

/** Where an {@link IdlePoll} looks. */
export interface IdlePollOptions {
  /** The connection's `data_version`: moves when another connection commits. */
  readVersion: () => number;
  /** Every counter of the namespace, by bucket. */
  readCounters: () => Map<number, number>;
  /** How often to look while nothing hints at a commit… */
  periodMs: number;
  /** …and while no hint can come (no source listens). */
  unhintedPeriodMs: number;
  /**
   * Listened to while someone sleeps, the first that can be (the others are fallbacks); each
   * hint brings the next look forward.
   */
  hints: HintSource[];
}

/** A commit may show a moment after its hint: the look after a hint that found none. */
const HINT_RECHECK_MS = 1;

/**
 * Looks, for every idle waiter of a connection at once, whether another process changed what
 * it waits for: once a period, and at once when a hint comes. A look is one `data_version`
 * read, and only when that moved one read of the topics' counters; a waiter is woken only when
 * its topic's counter moved. So a worker idle on 100 queues costs one look a period, not 100,
 * and wakes for neither another worker's heartbeat nor its other queues' jobs. Timers and
 * hints run only while someone sleeps, so they never keep a process alive.
 *
 * @example
 * ```ts ignore
 * import { IdlePoll } from "./idle_poll.ts";
 * const poll = new IdlePoll({
 *   readVersion,
 *   readCounters,
 *   periodMs: 250,
 *   unhintedPeriodMs: 50,
 *   hints: [socket],
 * });
 * // Resolves after 10 s, when woken, or once bucket 7's counter is no longer 3.
 * await poll.sleep(10_000, signal, otherWakeUp, { bucket: 7, seen: 3, version: seenVersion });
 * ```
 */
export class IdlePoll {
  readonly #options: IdlePollOptions;
  readonly #sleepers = new Map<(sight?: IdleSight) => void, IdleWatch>();
  #version = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #recheck: ReturnType<typeof setTimeout> | undefined;
  #hint: ReturnType<HintSource> | undefined;

  /** Looks where `options` say. */
  constructor(options: IdlePollOptions) {
    this.#options = options;
  }

  /**
   * Sleeps `ms`, or until `wake` settles, `signal` aborts (rejecting with its reason), or a
   * look finds `watch`'s counter moved.
   *
   * @returns what that look read, when it woke the sleeper; else undefined, and the caller
   * looks itself.
   */
  async sleep(
    ms: number,
    signal: AbortSignal | undefined,
    wake: Promise<unknown>,
    watch: IdleWatch,
  ): Promise<IdleSight | undefined> {
    const { promise: changed, resolve } = Promise.withResolvers<IdleSight | undefined>();
    if (this.#sleepers.size === 0) this.#start(watch.version);
    this.#sleepers.set(resolve, watch);
    let sight: IdleSight | undefined;
    try {
      await sleep(ms, signal, Promise.race([wake, changed.then((seen) => (sight = seen))]));
      return sight;
    } finally {
      this.#sleepers.delete(resolve);
      if (this.#sleepers.size === 0) this.#stop();
    }
  }

  /**
   * Starts looking from the version the first sleeper saw, not from a fresh read: a commit
   * between its look and now must still count as a change.
   */
  #start(version: number): void {
    this.#version = version;
    for (const listen of this.#options.hints) {
      const hint = listen(() => this.#hinted());
      if (hint.listening) {
        this.#hint = hint;
        break;
      }
      hint.stop();
    }
    const { periodMs, unhintedPeriodMs } = this.#options;
    this.#timer = setInterval(() => this.#look(), this.#hint ? periodMs : unhintedPeriodMs);
  }

  #stop(): void {
    clearInterval(this.#timer);
    clearTimeout(this.#recheck);
    this.#recheck = undefined;
    this.#hint?.stop();
    this.#hint = undefined;
  }

  #hinted(): void {
    if (this.#look() || this.#recheck !== undefined) return;
    this.#recheck = setTimeout(() => {
      this.#recheck = undefined;
      this.#look();
    }, HINT_RECHECK_MS);
  }

  /** Wakes the sleepers whose counter moved; returns whether the file changed at all. */
  #look(): boolean {
    try {
      return this.#lookOnce();
    } catch {
      // Closed or damaged under them (a look runs from a timer: nobody would hear the error):
      // the sleepers look themselves, and hear why.
      for (const wake of this.#sleepers.keys()) wake();
      return true;
    }
  }

  #lookOnce(): boolean {
    const version = this.#options.readVersion();
    if (version === this.#version) return false;
    this.#version = version;
    let counters: Map<number, number> | undefined;
    for (const [wake, { bucket, seen, version: itsVersion }] of this.#sleepers) {
      if (bucket === undefined) {
        // Against the version it saw, not the poll's: it may have come after a commit the
        // poll has not looked at yet.
        if (version !== itsVersion) wake({ version });
        continue;
      }
      counters ??= this.#options.readCounters();
      const changes = counters.get(bucket) ?? 0;
      if (changes !== seen) wake({ version, changes });
    }
    return true;
  }
}
