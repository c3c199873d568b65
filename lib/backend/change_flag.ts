/**
 * The part of a {@link ChangeWatcher} both backends share: a flag that remembers a change until
 * the next wait takes it, and a promise that settles when a change comes in.
 *
 * @module
 */

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
