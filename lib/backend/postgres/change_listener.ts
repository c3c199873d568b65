/**
 * Wake-ups on Postgres: one connection per process LISTENs on the change channel, and each
 * NOTIFY (sent by a step, delivered at its commit) wakes the watchers of the instance it names,
 * with the events the step carried in it. A hint only, as on Redis: waiters re-check state
 * when the events do not tell them enough, and at their re-check interval. Where LISTEN is unavailable (a pooler in transaction mode) or its connection is
 * lost, watchers poll instead, which costs up to {@link POLL_MS} of latency, not correctness.
 *
 * @module
 */

import { sleep } from "../../time.ts";
import { ChangeFlag } from "../change_flag.ts";
import type { ChangeWatcher, Topic } from "../types.ts";
import type { Kind } from "../keys.ts";
import type { PgClient } from "./client.ts";
import { CHANGE_CHANNEL, changePayload } from "./sql_store.ts";

/** Without LISTEN, a watcher returns this often so its waiter re-reads the state. */
export const POLL_MS = 50;
/** After losing its connection (a server restart), the listener tries again this often. */
const RELISTEN_MS = 1_000;

/**
 * A change's payload read: the key of the instance's watchers, that of the kind-wide ones, and
 * the events it carries (`[null]` when it carries none: a waiter must then ask what changed);
 * undefined when it is not coord's.
 */
function parseChange(
  payload: string,
): { key: string; kindKey: string; events: unknown[] } | undefined {
  try {
    const [namespace, kind, name, events] = JSON.parse(payload);
    return {
      key: JSON.stringify([namespace, kind, name]),
      kindKey: JSON.stringify([namespace, kind]),
      events: Array.isArray(events) ? events : [null],
    };
  } catch {
    return undefined; // another program's NOTIFY on the channel
  }
}

/** The process's LISTEN connection and the watchers it serves. */
export class ChangeListener {
  readonly #makeClient: () => PgClient;
  readonly #flags = new Map<string, Set<ChangeFlag>>();
  #client: PgClient | undefined;
  #closed = false;
  #relisten: ReturnType<typeof setTimeout> | undefined;

  private constructor(makeClient: () => PgClient) {
    this.#makeClient = makeClient;
  }

  /** Starts listening; falls back to polling when LISTEN fails. */
  static async start(makeClient: () => PgClient): Promise<ChangeListener> {
    const listener = new ChangeListener(makeClient);
    await listener.#listen();
    return listener;
  }

  /** Whether changes arrive by NOTIFY (else watchers poll). */
  get listening(): boolean {
    return this.#client !== undefined;
  }

  async #listen(): Promise<void> {
    const client = this.#makeClient();
    const lost = () => {
      if (this.#client !== client) return;
      this.#client = undefined;
      // Whatever was announced meanwhile is unknown: every waiter re-checks, polling until
      // the connection is back.
      for (const flags of this.#flags.values()) for (const flag of flags) flag.notify(null);
      this.#scheduleRelisten();
    };
    client.on("error", lost);
    client.on("end", lost);
    client.on("notification", (msg) => {
      if (msg.channel !== CHANGE_CHANNEL || msg.payload === undefined) return;
      const change = parseChange(msg.payload);
      if (!change) return;
      for (const flag of this.#flags.get(change.key) ?? []) {
        for (const event of change.events) flag.notify(event);
      }
      for (const flag of this.#flags.get(change.kindKey) ?? []) flag.notify();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
      this.#client = client;
    } catch {
      await client.end().catch(() => {});
    }
  }

  #scheduleRelisten(): void {
    if (this.#closed || this.#relisten !== undefined) return;
    const timer = setTimeout(async () => {
      this.#relisten = undefined;
      if (this.#closed || this.#client) return;
      await this.#listen();
      if (!this.#client) this.#scheduleRelisten();
    }, RELISTEN_MS);
    // Waiting for the server must not keep a finished process alive.
    Deno.unrefTimer(timer);
    this.#relisten = timer;
  }

  /** A watcher of `topic`; see {@link ChangeWatcher}. */
  watch(namespace: string, topic: Topic): Promise<ChangeWatcher> {
    return this.#watch(changePayload(namespace, topic));
  }

  /** A watcher of every instance of `kind` in `namespace`, also those made later. */
  watchKind(namespace: string, kind: Kind): Promise<ChangeWatcher> {
    return this.#watch(JSON.stringify([namespace, kind]));
  }

  #watch(key: string): Promise<ChangeWatcher> {
    const flag = new ChangeFlag();
    let flags = this.#flags.get(key);
    if (!flags) this.#flags.set(key, flags = new Set());
    flags.add(flag);
    const next = async (maxWaitMs: number, signal?: AbortSignal): Promise<unknown[]> => {
      if (!flag.take()) {
        await sleep(
          this.listening ? maxWaitMs : Math.min(maxWaitMs, POLL_MS),
          signal,
          flag.changed,
        );
        flag.take();
      }
      return flag.events();
    };
    const dispose = () => {
      flags.delete(flag);
      if (flags.size === 0) this.#flags.delete(key);
      return Promise.resolve();
    };
    return Promise.resolve({ next, [Symbol.asyncDispose]: dispose });
  }

  /** Stops listening. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#relisten);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }
}
