/**
 * A connection to the master a group of Sentinels names, that follows it when it moves.
 *
 * node-redis' own Sentinel client first observes the whole topology, then opens a sentinel
 * connection with a subscription, the master connection and a pub/sub proxy, each its own client
 * class and handshake: on a loaded two-core machine that took 3–5 s against ≈ 1.5 s for one plain
 * connection. coord only needs the master, so it asks a sentinel where it is (one short-lived
 * connection, one command), connects to it, and asks again when the master stops answering as
 * one (connection lost, `READONLY`, …) or, for a connection that lives, when the sentinels say
 * they switched it over.
 *
 * @module
 */

import type { HostPort } from "../url.ts";
import type { Listener, RedisConn } from "./conn.ts";
import { within } from "./within.ts";

/** A connection that is opened by `connect()` and can be dropped without waiting. */
export type NodeConn = RedisConn & { connect(): Promise<unknown>; destroy(): unknown };

/** Error replies that mean the node stopped being the master, or is not one yet. */
const NOT_MASTER_REPLY = /^(READONLY|MASTERDOWN|LOADING)\b/;

/** Options of {@link followMaster}. */
export interface FollowMasterOptions {
  /** Where the master is now, by the sentinels; gives up when `signal` aborts. */
  locate: (signal: AbortSignal) => Promise<HostPort>;
  /**
   * A connection to one node, not yet connected; it calls `lost` whenever one of its sockets
   * fails (a subscriber has no command that would fail instead).
   */
  open: (node: HostPort, lost: () => void) => NodeConn;
  /** Whether an error is a server's reply (the node answered) rather than a lost connection. */
  isReply: (error: unknown) => boolean;
  /** How long finding and connecting to a moved master may take. */
  timeoutMs: number;
  /**
   * Calls `moved` whenever the sentinels switch the master over, until `signal` aborts. A
   * failover asked for (`SENTINEL FAILOVER`, a planned switch) leaves the old master up and
   * taking writes for seconds, which its turn into a replica then drops: no command fails
   * meanwhile to tell the move.
   */
  watchSwitch?: (moved: () => void, signal: AbortSignal) => void;
}

/**
 * How long a connection lives before it hears the sentinels' switches: a command that ends
 * sooner (most CLI calls) opens no connection to them.
 */
const WATCH_SWITCH_AFTER_MS = 500;

/**
 * A {@link NodeConn} to the master the sentinels name. A command that fails because the node
 * is gone or no longer the master, or a socket of the connection that fails, makes it ask the
 * sentinels again (in the background, once at a time); when they name another node, it
 * connects there, subscribes again to every channel, and drops the old connection. The failed
 * command is not retried: the caller's outage handling retries it. The socket failures count
 * for a process that only listens (`coord turn follow`): it sends no command that could fail,
 * and its subscriptions would stay with a dead master.
 *
 * @example
 * ```ts ignore
 * const conn = followMaster({ locate, open, isReply, timeoutMs: 5_000 });
 * await conn.connect();
 * await conn.send(undefined, ["PING"]);
 * ```
 */
export function followMaster(
  { locate, open, isReply, timeoutMs, watchSwitch }: FollowMasterOptions,
): NodeConn {
  let node: HostPort | undefined;
  let current: NodeConn | undefined;
  let moving: Promise<void> | undefined;
  let closed = false;
  // Ends a locate still asking the sentinels when the connection is dropped: its connections
  // to a silent sentinel would otherwise keep the process alive.
  const dropped = new AbortController();
  const subscriptions: { channel: string; listener: Listener; pattern: boolean }[] = [];
  const same =
    (channel: string, listener: Listener, pattern: boolean) =>
    (s: (typeof subscriptions)[number]) =>
      s.channel === channel && s.listener === listener && s.pattern === pattern;

  const opened = (at: HostPort): NodeConn => {
    // Only the connection in use asks: a dropped one's last errors say nothing new.
    const conn = open(at, () => conn === current && follow());
    return conn;
  };
  const move = async () => {
    const found = await within(timeoutMs, locate(dropped.signal));
    if (closed || (found.host === node?.host && found.port === node.port)) return;
    const next = opened(found);
    try {
      await within(timeoutMs, next.connect());
      for (const { channel, listener, pattern } of subscriptions) {
        await next.subscribe(channel, listener, pattern);
      }
    } catch (e) {
      await Promise.resolve(next.destroy()).catch(() => {});
      throw e;
    }
    if (closed) return void next.destroy();
    const old = current;
    [node, current] = [found, next];
    await Promise.resolve(old?.destroy()).catch(() => {});
  };
  // Told again while a move was under way: its sentinel may have answered before it heard the
  // switch, so the sentinels are asked once more after it.
  let again = false;
  const follow = () => {
    // A connection closing fails its sockets too: no sentinel is asked then.
    if (closed) return;
    if (moving) {
      again = true;
      return;
    }
    moving = move().catch(() => {}).finally(() => {
      moving = undefined;
      if (again) {
        again = false;
        follow();
      }
    });
  };
  const watched = async <T>(run: (conn: NodeConn) => Promise<T>): Promise<T> => {
    try {
      return await run(current!);
    } catch (e) {
      if (!isReply(e) || NOT_MASTER_REPLY.test((e as Error).message)) follow();
      throw e;
    }
  };

  return {
    connect: async () => {
      node = await locate(dropped.signal);
      // Dropped while the sentinels were asked: nothing is left to drop the master's connection.
      dropped.signal.throwIfAborted();
      current = opened(node);
      await current.connect();
      if (!watchSwitch) return;
      const watching = setTimeout(() => watchSwitch(follow, dropped.signal), WATCH_SWITCH_AFTER_MS);
      Deno.unrefTimer(watching);
      dropped.signal.addEventListener("abort", () => clearTimeout(watching), { once: true });
    },
    destroy: () => {
      closed = true;
      dropped.abort();
      return current?.destroy();
    },
    send: (key, args) => watched((conn) => conn.send(key, args)),
    perMaster: () =>
      Promise.resolve([(args: string[]) => watched((conn) => conn.send(undefined, args))]),
    subscribe: async (channel, listener, pattern = false) => {
      await watched((conn) => conn.subscribe(channel, listener, pattern));
      // Kept once it took, and once however often a caller retried it: a move subscribes each.
      if (!subscriptions.some(same(channel, listener, pattern))) {
        subscriptions.push({ channel, listener, pattern });
      }
    },
    unsubscribe: async (channel, listener, pattern = false) => {
      const i = subscriptions.findIndex(same(channel, listener, pattern));
      if (i >= 0) subscriptions.splice(i, 1);
      await watched((conn) => conn.unsubscribe(channel, listener, pattern));
    },
    close: async () => {
      closed = true;
      dropped.abort();
      await moving;
      await current?.close();
    },
  };
}
