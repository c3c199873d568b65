/**
 * The part of a {@link ChangeWatcher} the backends share: a flag that remembers a change until
 * the next wait takes it, and a promise that settles when a change comes in.
 *
 * @module
 */

import { sleep } from "../time.ts";
import type { ChangeWatcher } from "./types.ts";

/** A latched change signal; `notify()` from any source, `take()`/`changed` from the waiter. */
export class ChangeFlag {
  #pending = false;
  #events: unknown[] = [];
  #wake: (() => void) | undefined;
  #changed: Promise<void> = this.#arm();

  #arm(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve));
  }

  /** Records a change (with the event that announced it, if any) and wakes the waiter. */
  notify(event?: unknown): void {
    if (event !== undefined) this.#events.push(event);
    this.#pending = true;
    this.#wake?.();
  }

  /** Whether a change came in since the last `take()`; clears it. */
  take(): boolean {
    if (!this.#pending) return false;
    this.#pending = false;
    this.#changed = this.#arm();
    return true;
  }

  /** The events recorded since the last call. */
  events(): unknown[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }

  /** Settles at the next `notify()` (or at once if one is pending). */
  get changed(): Promise<void> {
    return this.#changed;
  }
}

/**
 * A watcher that waits on `flag` alone (whoever hears a change notifies it), and `dispose`s
 * what feeds it.
 *
 * @example
 * ```ts
 * import { ChangeFlag, flagWatcher } from "./change_flag.ts";
 * const flag = new ChangeFlag();
 * await using watcher = flagWatcher(flag, () => Promise.resolve());
 * flag.notify("changed");
 * await watcher.next(1_000); // ["changed"], at once
 * ```
 */
export function flagWatcher(flag: ChangeFlag, dispose: () => Promise<void>): ChangeWatcher {
  return {
    next: async (maxWaitMs, signal) => {
      if (!flag.take()) {
        await sleep(maxWaitMs, signal, flag.changed);
        flag.take();
      }
      return flag.events();
    },
    [Symbol.asyncDispose]: dispose,
  };
}
