/**
 * How long lock users waited and held, for `/metrics`: the console follows the lock queues'
 * events from when it starts, and on each grant reads the queue for the ticket's times (taken,
 * granted: the backend's clock), so the figures do not depend on when an event reached it.
 *
 * @module
 */

import type { Backend } from "../../lib/backend/types.ts";
import { followTicketLines, ticketLines } from "../../lib/lock/console.ts";
import { Histogram } from "./histogram.ts";

/** Wait and hold durations of the locks granted since the console started. */
export class LockTimings {
  readonly wait = new Histogram(
    "coord_lock_wait_seconds",
    "From taking a ticket to its grant, for grants seen by this console.",
    "resource",
  );
  readonly held = new Histogram(
    "coord_lock_held_seconds",
    "From a grant to its release (or crash), for grants seen by this console.",
    "resource",
  );
  /** When each held ticket was granted (backend clock), by resource then ticket. */
  readonly #grantedAt = new Map<string, Map<number, number>>();

  /** Follows every lock queue until `signal` aborts; resolves once listening. */
  async follow(backend: Backend, signal: AbortSignal): Promise<void> {
    const events = await followTicketLines(backend, undefined, signal);
    (async () => {
      try {
        for await (const { resource, event } of events) {
          if (event.event === "granted") await this.#granted(backend, resource, event.ticket);
          if (event.event === "completed" || event.event === "crashed") {
            await this.#ended(backend, resource, event.ticket);
          }
          if (event.event === "reset") this.#grantedAt.delete(resource);
        }
      } catch {
        // A broken stream (an outage) only costs the figures of the grants it missed.
      }
    })();
  }

  /** The histograms' lines. */
  lines(): string[] {
    return [...this.wait.lines(), ...this.held.lines()];
  }

  async #granted(backend: Backend, resource: string, ticket: number): Promise<void> {
    const [{ status }] = await ticketLines(backend, [resource]);
    const user = status?.users.find((u) => u.ticket === ticket);
    // Released before it could be read: too short to matter to a histogram of waits.
    if (user?.grantedAt === undefined) return;
    this.wait.observe(resource, user.grantedAt - user.since);
    let tickets = this.#grantedAt.get(resource);
    if (!tickets) this.#grantedAt.set(resource, tickets = new Map());
    tickets.set(ticket, user.grantedAt);
  }

  async #ended(backend: Backend, resource: string, ticket: number): Promise<void> {
    const grantedAt = this.#grantedAt.get(resource)?.get(ticket);
    if (grantedAt === undefined) return;
    this.#grantedAt.get(resource)!.delete(ticket);
    this.held.observe(resource, await backend.now({ kind: "lock", name: resource }) - grantedAt);
  }
}
