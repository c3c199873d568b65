/**
 * When to re-read: the events the backends already publish (every kind on Redis, the lock's on
 * SQLite and PostgreSQL), a watch of every instance for the kinds without events, and a slow
 * timer, since an event can be missed (a reconnect) and some state changes by time alone
 * (leases).
 *
 * @module
 */

import type { Backend } from "../../lib/backend/types.ts";
import type { Kind } from "../../lib/backend/keys.ts";
import { sleep } from "../../lib/time.ts";

/** How often every page is re-read even without a change seen, in ms. */
export const RE_READ_MS = 5_000;

const KINDS: Kind[] = ["queue", "lock", "schedule", "barrier"];

/** A counter of changes seen, with waiters for the next one. */
export class Pulse {
  #count = 0;
  #waiters = new Set<() => void>();

  /** Changes seen so far. */
  get count(): number {
    return this.#count;
  }

  /** Something may have changed. */
  fire(): void {
    this.#count++;
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  /** Resolves once more than `seen` changes were seen, or when `signal` aborts. */
  after(seen: number, signal: AbortSignal): Promise<void> {
    if (this.#count > seen || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        signal.removeEventListener("abort", wake);
        this.#waiters.delete(wake);
        resolve();
      };
      this.#waiters.add(wake);
      signal.addEventListener("abort", wake, { once: true });
    });
  }
}

/**
 * Fires `pulse` on every change the backend shows, and every `reReadMs`, until `signal`
 * aborts. Resolves once listening.
 */
export async function followChanges(
  backend: Backend,
  pulse: Pulse,
  signal: AbortSignal,
  reReadMs = RE_READ_MS,
): Promise<void> {
  const timer = setInterval(() => pulse.fire(), reReadMs);
  signal.addEventListener("abort", () => clearInterval(timer), { once: true });
  for (const kind of KINDS) {
    try {
      const events = await backend.events(kind, undefined, signal);
      drain(events, () => pulse.fire());
    } catch {
      // No events of this kind kept here (SQLite and PostgreSQL keep the lock's only). A watch
      // of one topic named for the console heard nothing: queues, schedules and barriers
      // showed changes only at the timer.
      const watcher = await backend.watchKind(kind);
      (async () => {
        await using _ = watcher;
        while (!signal.aborted) {
          try {
            await watcher.next(reReadMs, signal);
          } catch {
            // Stopped, or the backend failed at once: a loop without a pause would spin.
            await sleep(reReadMs, signal).catch(() => {});
          }
          pulse.fire();
        }
      })();
    }
  }
}

async function drain(events: AsyncIterable<unknown>, seen: () => void): Promise<void> {
  try {
    for await (const _ of events) seen();
  } catch {
    // A stream that broke (an outage) leaves the slow re-read to notice changes.
  }
}
