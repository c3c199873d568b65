/**
 * Wake-ups on Postgres: one connection per process LISTENs on the change channel, and each
 * NOTIFY (sent by a step, delivered at its commit) wakes the watchers of the instance it names,
 * with the events the step carried in it. A hint only, as on Redis: waiters re-check state
 * when the events do not tell them enough, and at their re-check interval.
 *
 * A LISTEN that succeeds does not prove that NOTIFYs arrive: behind a pooler in transaction mode
 * (PgBouncer) the server connection goes back to the pool after the statement, and the
 * notifications with it. So the listener counts as listening only once a probe NOTIFY, sent from
 * another connection, came back on it. Until then, where it never does or where LISTEN fails,
 * and while its connection is lost, watchers poll instead, which costs up to {@link POLL_MS} of
 * latency, not correctness.
 *
 * @module
 */

import { sleep } from "../../time.ts";
import { ChangeFlag } from "../change_flag.ts";
import type { ChangeWatcher, Topic, WatchOptions } from "../types.ts";
import { progressOnly, waitersNewsOnly } from "../news.ts";
import type { Kind } from "../keys.ts";
import { endWithin, type PgClient, type PgPool } from "./client.ts";
import { CHANGE_CHANNEL, changePayload } from "./sql_store.ts";

/** Without LISTEN, a watcher returns this often so its waiter re-reads the state. */
export const POLL_MS = 50;
/** After losing its connection (a server restart), the listener tries again this often. */
const RELISTEN_MS = 1_000;
/** After a probe that did not come back, the listener tries again this much later. */
const SILENT_RELISTEN_MS = 60_000;
/**
 * A probe NOTIFY not back on the LISTEN connection within this long never will be (a pooler
 * dropped it). Far beyond a direct connection's delivery (≈ 1 ms), and nothing waits on it but
 * `coord doctor`: watchers poll meanwhile.
 */
export const PROBE_TIMEOUT_MS = 2_000;

/** How a probe ended: came back, did not within {@link PROBE_TIMEOUT_MS}, or a connection failed. */
type ProbeOutcome = "heard" | "silent" | "failed";

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
  readonly #pool: Pick<PgPool, "query">;
  readonly #flags = new Map<string, Map<ChangeFlag, WatchOptions>>();
  /** This process's probe payload: no other listener's probe can pass for it. */
  readonly #probe = JSON.stringify(["coord probe", crypto.randomUUID()]);
  /** The connection NOTIFYs are known to arrive on. */
  #client: PgClient | undefined;
  /** The connection being probed, and how to end its probe; kept until the connection ended. */
  #probing: { client: PgClient; end: (outcome: ProbeOutcome) => void } | undefined;
  /** Settles when the probe in flight has ended. */
  #verdict: Promise<void> = Promise.resolve();
  #closed = false;
  #relisten: ReturnType<typeof setTimeout> | undefined;

  private constructor(makeClient: () => PgClient, pool: Pick<PgPool, "query">) {
    this.#makeClient = makeClient;
    this.#pool = pool;
  }

  /**
   * Connects and LISTENs, then probes in the background (watchers poll until the probe is
   * back); falls back to polling when LISTEN fails or the probe does not come back. Probes are
   * sent through `pool`, never on the LISTEN connection. `makeClient`'s connections end within
   * their connect timeout (see `importPg`): one the listener gives up on (its probe not back, its
   * LISTEN failed) may be on a server that stopped answering. `signal` drops the connection while
   * it is being made (the backend's opening given up).
   */
  static async start(
    makeClient: () => PgClient,
    pool: Pick<PgPool, "query">,
    signal?: AbortSignal,
  ): Promise<ChangeListener> {
    const listener = new ChangeListener(makeClient, pool);
    const client = await listener.#listen(signal);
    // No waiter can have read the state before this LISTEN took effect: none to wake.
    if (client) listener.#verdict = listener.#prove(client, { wakeAll: false });
    return listener;
  }

  /** Whether changes arrive by NOTIFY (else watchers poll). */
  get listening(): boolean {
    return this.#client !== undefined;
  }

  /** How changes arrive, once the probe in flight (if any) has ended. */
  async wakeUps(): Promise<"listen/notify" | "polling"> {
    await this.#verdict;
    return this.listening ? "listen/notify" : "polling";
  }

  /** A connection that LISTENs, or undefined when it could not be had (or `signal` aborted). */
  async #listen(signal?: AbortSignal): Promise<PgClient | undefined> {
    const client = this.#makeClient();
    const lost = () => {
      if (this.#probing?.client === client) this.#probing.end("failed");
      if (this.#client !== client) return;
      this.#client = undefined;
      // Whatever was announced meanwhile is unknown: every waiter re-checks, polling until
      // the connection is back.
      this.#wakeAll();
      this.#scheduleRelisten();
    };
    client.on("error", lost);
    client.on("end", lost);
    client.on("notification", (msg) => {
      if (msg.channel !== CHANGE_CHANNEL || msg.payload === undefined) return;
      if (msg.payload === this.#probe) return this.#probing?.end("heard");
      const change = parseChange(msg.payload);
      if (!change) return;
      const news = waitersNewsOnly(change.events);
      if (!progressOnly(change.events)) {
        for (const [flag, { startsOnly }] of this.#flags.get(change.key) ?? []) {
          if (startsOnly && news) continue;
          for (const event of change.events) flag.notify(event);
        }
      }
      // A watch of the whole kind (a console, `coord turn follow`) wants every change.
      for (const flag of this.#flags.get(change.kindKey)?.keys() ?? []) {
        for (const event of change.events) flag.notify(event);
      }
    });
    const drop = () => void endWithin(client, 0);
    signal?.addEventListener("abort", drop, { once: true });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
      return client;
    } catch {
      await client.end().catch(() => {});
      return undefined;
    } finally {
      signal?.removeEventListener("abort", drop);
    }
  }

  /**
   * Sends the probe NOTIFY from the pool and waits for it on `client`: back, and `client` is
   * the listener's; not back in time (a pooler), and watchers keep polling; a failed
   * connection, and the listener tries again later. With `wakeAll`, every waiter re-checks once
   * it is back: one that read the state before LISTEN took effect would miss a change made in
   * between, now that it sleeps long.
   */
  async #prove(client: PgClient, { wakeAll }: { wakeAll: boolean }): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await new Promise<ProbeOutcome>((resolve) => {
      this.#probing = { client, end: resolve };
      timer = setTimeout(() => resolve("silent"), PROBE_TIMEOUT_MS);
      // A finished process must not wait for a probe that will not come back.
      Deno.unrefTimer(timer);
      this.#pool.query("SELECT pg_notify($1, $2)", [CHANGE_CHANNEL, this.#probe])
        .catch(() => resolve("failed"));
    });
    clearTimeout(timer);
    if (outcome === "heard" && !this.#closed) {
      this.#probing = undefined;
      this.#client = client;
      if (wakeAll) this.#wakeAll();
      return;
    }
    // Kept in #probing meanwhile: a close drops it sooner.
    await client.end().catch(() => {});
    this.#probing = undefined;
    // Silent: a pooler that will stay so, or a server too busy to answer in time — asked
    // again now and then, so one slow answer does not leave the process polling for good.
    this.#scheduleRelisten(outcome === "silent" ? SILENT_RELISTEN_MS : RELISTEN_MS);
  }

  #wakeAll(): void {
    for (const flags of this.#flags.values()) for (const flag of flags.keys()) flag.notify(null);
  }

  #scheduleRelisten(afterMs = RELISTEN_MS): void {
    if (this.#closed || this.#relisten !== undefined) return;
    const timer = setTimeout(async () => {
      this.#relisten = undefined;
      if (this.#closed || this.#client) return;
      const client = await this.#listen();
      if (!client) return this.#scheduleRelisten();
      this.#verdict = this.#prove(client, { wakeAll: true });
    }, afterMs);
    // Waiting for the server must not keep a finished process alive.
    Deno.unrefTimer(timer);
    this.#relisten = timer;
  }

  /** A watcher of `topic`; see {@link ChangeWatcher} and {@link WatchOptions}. */
  watch(namespace: string, topic: Topic, options: WatchOptions = {}): Promise<ChangeWatcher> {
    return this.#watch(changePayload(namespace, topic), options);
  }

  /** A watcher of every instance of `kind` in `namespace`, also those made later. */
  watchKind(namespace: string, kind: Kind): Promise<ChangeWatcher> {
    return this.#watch(JSON.stringify([namespace, kind]));
  }

  #watch(key: string, options: WatchOptions = {}): Promise<ChangeWatcher> {
    const flag = new ChangeFlag();
    let flags = this.#flags.get(key);
    if (!flags) this.#flags.set(key, flags = new Map());
    flags.set(flag, options);
    const next = async (maxWaitMs: number, signal?: AbortSignal): Promise<unknown[]> => {
      const deadline = performance.now() + maxWaitMs;
      while (!flag.take()) {
        const leftMs = deadline - performance.now();
        if (leftMs <= 0) break;
        const polling = !this.listening;
        await sleep(polling ? Math.min(leftMs, POLL_MS) : leftMs, signal, flag.changed);
        // A poll that ends after the probe came back sleeps on: every change since LISTEN took
        // effect reaches the flag (or #prove wakes it).
        if (polling && !this.listening) {
          flag.take();
          break;
        }
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

  /**
   * Stops listening, waiting at most `endMs` for the server to take the goodbye: on the LISTEN
   * connection and on one being probed or ended after its probe.
   */
  async close(endMs: number): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#relisten);
    const probed = this.#probing;
    probed?.end("failed");
    const client = this.#client;
    this.#client = undefined;
    await Promise.all([client, probed?.client].map((c) => c && endWithin(c, endMs)));
    await this.#verdict;
  }
}
