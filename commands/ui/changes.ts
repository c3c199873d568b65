/**
 * When to re-read: the events the backends already publish (every kind on Redis, lock queues
 * on SQLite), SQLite's change detection for the kinds it has no events for, and a slow timer,
 * since an event can be missed (a reconnect) and some state changes by time alone (leases).
 *
 * @module
 */

import type { Backend } from "../../lib/backend/types.ts";
import type { Kind } from "../../lib/backend/keys.ts";

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
 * Fires `pulse` on every change the backend shows, and every {@link RE_READ_MS}, until `signal`
 * aborts. Resolves once listening.
 */
export async function followChanges(
  backend: Backend,
  pulse: Pulse,
  signal: AbortSignal,
): Promise<void> {
  const timer = setInterval(() => pulse.fire(), RE_READ_MS);
  signal.addEventListener("abort", () => clearInterval(timer), { once: true });
  let watchNeeded = false;
  for (const kind of KINDS) {
    try {
      const events = await backend.events(kind, undefined, signal);
      drain(events, () => pulse.fire());
    } catch {
      // This backend keeps no events of this kind (SQLite has them for locks only).
      watchNeeded = true;
    }
  }
  if (watchNeeded) {
    // SQLite's watcher wakes on any commit to the file, whatever its topic.
    const watcher = await backend.watch({ kind: "queue", name: "coord-ui" });
    (async () => {
      await using _ = watcher;
      while (!signal.aborted) {
        await watcher.next(RE_READ_MS, signal).catch(() => {});
        pulse.fire();
      }
    })();
  }
}

async function drain(events: AsyncIterable<unknown>, seen: () => void): Promise<void> {
  try {
    for await (const _ of events) seen();
  } catch {
    // A stream that broke (an outage) leaves the slow re-read to notice changes.
  }
}
