/**
 * One shape over one server, a Cluster, or the master Sentinels name (sentinel.ts), so the Redis
 * backend is written once. node-redis is imported here and only here, lazily, from the one-file
 * bundle in vendor/ (scripts/bundle_redis_client.ts says why): even so, loading it costs
 * ≈ 60 ms, which no SQLite or `--help` call should pay.
 *
 * @module
 */

import {
  BackendRefusedError,
  BackendUnavailableError,
  BackendUnreachableError,
  UsageError,
} from "../../errors.ts";
import type { BackendUrl, HostPort } from "../url.ts";
import { followMaster } from "./sentinel.ts";
import { within } from "./within.ts";
import { notClusterNode, notSentinel, standaloneWrongKind } from "./wrong_kind.ts";

type RedisTarget = Exclude<BackendUrl, { kind: "sqlite" | "postgres" }>;

/** Sends one raw command; the reply as node-redis parses RESP3. */
export type Send = (args: string[]) => Promise<unknown>;

/** A pub/sub handler: coord only needs to hear that a message came. */
export type Listener = (message: string, channel: string) => void;

/** The few things the Redis backend needs from a connection, whatever its topology. */
export interface RedisConn {
  /** Runs one command on the node that owns `firstKey` (any node when it is undefined). */
  send(firstKey: string | undefined, args: string[]): Promise<unknown>;
  /** One sender per master: SCAN and INFO see only the node they run on. */
  perMaster(): Promise<Send[]>;
  /** Subscribes to a channel, or with `pattern` to every channel matching a glob. */
  subscribe(channel: string, listener: Listener, pattern?: boolean): Promise<void>;
  unsubscribe(channel: string, listener: Listener, pattern?: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link connectRedis}. */
export interface RedisConnectOptions {
  connectTimeoutMs: number;
  /** The URL with its password masked, for messages. */
  displayUrl: string;
  /** Gives the first connection up, dropping its sockets (see `ConnectOptions.signal`). */
  signal?: AbortSignal;
}

/** Error replies that mean "not now": the server is loading, failing over or busy. */
const TRANSIENT_REPLY = /^(LOADING|READONLY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|BUSY|NOREPLICAS)\b/;

/**
 * Redis's refusal of a write at its `maxmemory` when it evicts nothing more: "not now" too
 * (writes come back once memory is freed or the limit raised). A script so refused wrote
 * nothing: Redis refuses only a script's first write. Redis 6 words it after the script's name.
 */
const OUT_OF_MEMORY = /(^|: )OOM command not allowed\b/;

/** Whether an error reply means "not now" rather than "never". */
function transient(reply: string): boolean {
  return TRANSIENT_REPLY.test(reply) || OUT_OF_MEMORY.test(reply);
}

/** How long a graceful close may wait for the server before the connection is dropped. */
const CLOSE_GRACE_MS = 1_000;

/**
 * The wait before reconnection attempt `retries` (0 first) once connected: quick at first, then
 * every half second. The cap is what a lease loses of a restart: a holder's renewals stop for
 * the outage and until the next attempt after it, and a cap of 2 s made a 1.7 s restart cost a
 * `--expire 6` holder its lock. Two attempts a second of a client are no load on a server.
 *
 * @example
 * ```ts
 * import { reconnectDelayMs } from "./conn.ts";
 * reconnectDelayMs(0); // 50
 * reconnectDelayMs(10); // 500
 * ```
 */
export function reconnectDelayMs(retries: number): number {
  return Math.min(50 * 2 ** retries, 500);
}

/**
 * Connects to Redis (standalone, cluster or sentinel). A first connection that fails is not
 * retried: the caller gets one {@link BackendUnavailableError} within the connect timeout, or
 * `signal`'s reason as soon as it aborts. Once connected, lost connections are re-established
 * with a capped back-off.
 */
export async function connectRedis(
  target: RedisTarget,
  { connectTimeoutMs, displayUrl, signal }: RedisConnectOptions,
): Promise<RedisConn> {
  const redis = await import("./vendor/redis_client.js");
  signal?.throwIfAborted();
  let connected = false;
  let lastError: unknown;
  // node-redis' destroy() misses a socket still connecting (made its client's only once
  // connected), and a cluster's connection to a root node asking for the slots: a server that
  // accepts them and never answers would keep them, and the process, for good. Every socket
  // opened here goes when the connection is dropped (see `destroy` below).
  const dropped = new AbortController();
  const socket = {
    signal: dropped.signal,
    connectTimeout: connectTimeoutMs,
    reconnectStrategy: (retries: number, cause: Error) =>
      connected ? reconnectDelayMs(retries) : cause,
  };
  // Without an offline queue a command fails at once while disconnected, so the waiting
  // logic in lib/ decides how long an outage is tolerated, not a hidden 5 s queue timeout.
  const auth = {
    username: target.username,
    password: target.password,
    disableOfflineQueue: true,
  };
  const onError = (e: unknown) => (lastError = e);

  let conn: RedisConn & { connect(): Promise<unknown>; destroy(): unknown };
  switch (target.kind) {
    case "redis": {
      const client = redis.createClient({
        ...auth,
        database: target.database,
        socket: { ...socket, ...target.node, ...(target.tls ? { tls: true as const } : {}) },
      }).on("error", onError);
      conn = standaloneConn(client, onError);
      break;
    }
    case "redis-cluster": {
      const cluster = redis.createCluster({
        rootNodes: target.nodes.map((node) => ({ socket: { ...node } })),
        defaults: { ...auth, socket: { ...socket, ...(target.tls ? { tls: true as const } : {}) } },
      }).on("error", onError);
      conn = {
        connect: async () => {
          await cluster.connect();
          // A node that is not part of a set-up cluster answers, but no slot has a master.
          if (cluster.masters.length === 0) {
            throw new TopologyError(
              "it has no node serving hash slots — set the cluster up " +
                "(redis-cli --cluster create) or check --url",
            );
          }
        },
        destroy: () => cluster.destroy(),
        send: (key, args) => cluster.sendCommand(key, false, args),
        perMaster: () =>
          Promise.all(cluster.masters.map(async (master) => {
            const node = await cluster.nodeClient(master);
            return (args: string[]) => node.sendCommand(args);
          })),
        subscribe: (channel, listener, pattern) =>
          pattern ? cluster.pSubscribe(channel, listener) : cluster.subscribe(channel, listener),
        unsubscribe: (channel, listener, pattern) =>
          pattern
            ? cluster.pUnsubscribe(channel, listener as never)
            : cluster.unsubscribe(channel, listener as never),
        close: () => cluster.close(),
      };
      break;
    }
    case "redis-sentinel": {
      conn = followMaster({
        locate: (signal) =>
          locateMaster(redis, target.sentinels, target.master, connectTimeoutMs, signal),
        watchSwitch: (moved, signal) =>
          hearSwitches(redis, target.sentinels, target.master, moved, signal),
        open: (node, lost) => {
          const failed = (e: unknown) => {
            onError(e);
            lost();
          };
          return standaloneConn(
            redis.createClient({
              ...auth,
              database: target.database,
              socket: { ...socket, ...node },
            })
              .on("error", failed),
            failed,
          );
        },
        isReply: (e) => e instanceof redis.ErrorReply,
        timeoutMs: connectTimeoutMs,
      });
      break;
    }
  }

  const destroy = () => {
    dropped.abort();
    return conn.destroy();
  };
  try {
    await within(connectTimeoutMs, conn.connect(), signal);
    connected = true;
    const unavailable = (e: unknown): never => {
      // A server reply is the caller's to read, unless it says "not now" (a restart, a
      // failover) or "not allowed"; anything else is the connection.
      if (e instanceof redis.ErrorReply) {
        // Callers that can do without a command (SCAN for a listing, INFO for doctor) catch
        // the refusal; elsewhere asking again gets the same answer, so it is no outage.
        if (e.message.startsWith("NOPERM")) throw aclRefusal(displayUrl, e.message, e);
        const wrongKind = target.kind === "redis" &&
          standaloneWrongKind(displayUrl, target.node, e.message);
        if (wrongKind) throw wrongKind;
        if (!transient(e.message)) throw e;
      }
      // Once connected, the URL was right: an outage's message gives no hint to check it.
      // A command sent while the client reconnects fails as "The client is offline" (no
      // offline queue): the reconnect's own failure ("connection refused") says why.
      const cause = offline(e) && lastError !== undefined ? lastError : e;
      throw new BackendUnavailableError(
        OUT_OF_MEMORY.test(String((e as Error)?.message))
          ? `${displayUrl} is out of memory: it refuses writes at its maxmemory until memory ` +
            `is freed or maxmemory is raised`
          : `lost ${displayUrl}: ${describeCause(cause, target, { connected: true })}`,
        { cause: e },
      );
    };
    const { send, perMaster, subscribe, close } = conn;
    // A server that stopped (SIGSTOP, a partition) keeps the socket open and never answers:
    // each command is an outage after the connect timeout, so callers' deadlines, signals and
    // outage limits apply, instead of a wait until it answers. The command stays queued on
    // the connection, in order, so a late answer still pairs with its command; like a lost
    // reply, its step may have been done (every step may be retried).
    const answered = <T>(reply: Promise<T>) => within(connectTimeoutMs, reply).catch(unavailable);
    return {
      ...conn,
      send: (key, args) => answered(send(key, args)),
      perMaster: async () =>
        (await answered(perMaster())).map((master) => (args: string[]) => answered(master(args))),
      // A subscription that timed out is still queued, and takes effect once the server answers.
      subscribe: (channel, listener, pattern) => answered(subscribe(channel, listener, pattern)),
      // A graceful close waits for replies that a silent (partitioned) server never sends:
      // after a moment the connection is dropped instead, so a finished command exits.
      close: async () => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const drop = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            Promise.resolve(destroy()).catch(() => {});
            resolve();
          }, CLOSE_GRACE_MS);
        });
        await Promise.race([close().catch(() => {}), drop]);
        clearTimeout(timer);
      },
    };
  } catch (e) {
    // Also what a stop gave up: its sockets, kept open by a server that never answers, would
    // hold the process until the connect timeout.
    await Promise.resolve(destroy()).catch(() => {});
    if (signal?.aborted) throw signal.reason;
    // Cluster discovery hides why every root node failed behind one error; the last reply says.
    const reply = target.kind === "redis-cluster" && lastError instanceof redis.ErrorReply
      ? lastError
      : e instanceof redis.ErrorReply
      ? e
      : undefined;
    const wrongKind = e instanceof UsageError ? e : (
      reply && target.kind === "redis-cluster" && notClusterNode(target.nodes[0], reply.message)
    ) || missingDatabase(reply ?? e);
    if (wrongKind) throw new UsageError(`${displayUrl}: ${wrongKind.message}`, { cause: e });
    const cause = reply ?? e ?? lastError;
    // Servers that answered (a login or certificate refused, a topology not as the URL says)
    // are not away: asking again gets the same. One loading its data or failing over is.
    const away = reply === undefined ? !answered(cause) : transient(reply.message);
    const Failure = away ? BackendUnreachableError : BackendUnavailableError;
    throw new Failure(`cannot reach ${displayUrl}: ${describeCause(cause, target)}`, {
      cause: e,
    });
  }
}

/**
 * Where the sentinels say `master` is. All are asked at once, each over a connection of its
 * own that lasts one command and at most `timeoutMs`, and the first that knows it answers: a
 * sentinel that accepts connections but never answers must not keep the others from being
 * asked, nor the process from ending. `signal` drops every connection still waiting.
 */
async function locateMaster(
  redis: typeof import("./vendor/redis_client.js"),
  sentinels: HostPort[],
  master: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<HostPort> {
  // Once one sentinel answered, the others' connections are dropped too: a silent one would
  // otherwise hold the process for up to `timeoutMs` after its command finished.
  const answered = new AbortController();
  const stop = AbortSignal.any([signal, answered.signal]);
  const ask = async (sentinel: HostPort): Promise<HostPort> => {
    const client = redis.createClient({
      // `stop` drops a socket still connecting, which destroy() misses (see connectRedis).
      socket: { ...sentinel, connectTimeout: timeoutMs, reconnectStrategy: false, signal: stop },
    }).on("error", () => {});
    const connecting = client.connect();
    try {
      const reply = await within(
        timeoutMs,
        connecting.then(() => client.sendCommand(["SENTINEL", "get-master-addr-by-name", master])),
        stop,
      );
      if (Array.isArray(reply) && reply.length === 2) {
        return { host: String(reply[0]), port: Number(reply[1]) };
      }
      throw new TopologyError(
        `sentinel ${sentinel.host}:${sentinel.port} monitors no master named "${master}" — ` +
          `check the name after the last / of the URL`,
      );
    } catch (e) {
      throw (e instanceof redis.ErrorReply && notSentinel(sentinel, e.message)) || e;
    } finally {
      drop(client, connecting);
    }
  };
  try {
    return await Promise.any(sentinels.map(ask));
  } catch (e) {
    // Every sentinel failed: a sentinel's own words say more than another's silence.
    const failures = e instanceof AggregateError ? e.errors : [e];
    throw failures.find((f) => f instanceof UsageError || f instanceof TopologyError) ??
      failures[0];
  } finally {
    answered.abort();
  }
}

/**
 * Calls `moved` at each `+switch-master` of `master` a sentinel publishes, on a subscription to
 * each sentinel (node-redis subscribes again after a reconnect), until `signal` aborts. A
 * sentinel that cannot be reached is passed over: the others tell the switch, and a command that
 * fails on a node no longer the master still does.
 */
function hearSwitches(
  redis: typeof import("./vendor/redis_client.js"),
  sentinels: HostPort[],
  master: string,
  moved: () => void,
  signal: AbortSignal,
): void {
  if (signal.aborted) return;
  for (const sentinel of sentinels) {
    const client = redis.createClient({
      socket: {
        ...sentinel,
        reconnectStrategy: (retries: number) => Math.min(100 * retries, 2_000),
        signal,
      },
    }).on("error", () => {}) as unknown as StandaloneClient;
    // "+switch-master NAME OLD-IP OLD-PORT NEW-IP NEW-PORT"
    const connecting = client.connect().then(() =>
      client.subscribe("+switch-master", (message) => {
        if (String(message).split(" ")[0] === master) moved();
      })
    ).catch(() => {});
    signal.addEventListener("abort", () => drop(client, connecting), { once: true });
  }
}

interface StandaloneClient {
  connect(): Promise<unknown>;
  destroy(): void;
  close(): Promise<void>;
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(): StandaloneClient;
  on(event: "error", listener: (e: unknown) => void): StandaloneClient;
  subscribe(channel: string, listener: Listener): Promise<void>;
  unsubscribe(channel: string, listener: Listener): Promise<void>;
  pSubscribe(pattern: string, listener: Listener): Promise<void>;
  pUnsubscribe(pattern: string, listener: Listener): Promise<void>;
}

/**
 * A standalone client needs a second connection for pub/sub, made on first use. Dropping or
 * closing the connection drops both: a subscriber left behind reconnects to its node forever
 * (a dead master after a failover), and keeps the process alive.
 */
function standaloneConn(
  client: StandaloneClient,
  onError: (e: unknown) => void,
): RedisConn & { connect(): Promise<unknown>; destroy(): void } {
  let connecting: Promise<unknown> | undefined;
  // The subscriber itself, not only its connect(): that never ends while its node is down.
  let duplicate: { client: StandaloneClient; connecting: Promise<unknown> } | undefined;
  let subscriber: Promise<StandaloneClient> | undefined;
  const sub = () =>
    subscriber ??= (async () => {
      const s = client.duplicate().on("error", onError);
      duplicate = { client: s, connecting: s.connect() };
      await duplicate.connecting;
      return s;
    })();
  const dropSubscriber = () => duplicate && drop(duplicate.client, duplicate.connecting);
  return {
    connect: () => connecting = client.connect(),
    destroy: () => {
      dropSubscriber();
      drop(client, connecting);
    },
    send: (_key, args) => client.sendCommand(args),
    perMaster: () => Promise.resolve([(args: string[]) => client.sendCommand(args)]),
    subscribe: async (channel, listener, pattern) =>
      pattern
        ? (await sub()).pSubscribe(channel, listener)
        : (await sub()).subscribe(channel, listener),
    unsubscribe: async (channel, listener, pattern) =>
      pattern
        ? (await sub()).pUnsubscribe(channel, listener)
        : (await sub()).unsubscribe(channel, listener),
    close: async () => {
      // Both, whatever happened to either: a half-open client keeps the process alive.
      dropSubscriber();
      await client.close().catch(() => {});
    },
  };
}

/**
 * Drops `client` now, and again once `connecting` (its connect()) settles: node-redis keeps
 * the socket that a connect in flight opens after destroy(), and that socket keeps the process
 * alive (a locate given up as a command ends, a failover's new master dropped at close).
 */
function drop(client: { destroy(): void }, connecting: Promise<unknown> | undefined): void {
  const destroy = () => {
    try {
      client.destroy();
    } catch {
      // dropped already
    }
  };
  destroy();
  connecting?.then(destroy, () => {});
}

/**
 * The server's ACL refused a command, directly (`NOPERM`) or inside a script; the message says
 * what the ACL user needs.
 */
export function aclRefusal(displayUrl: string, reply: string, cause: unknown): BackendRefusedError {
  return new BackendRefusedError(
    `${displayUrl} refused by its ACL: ${reply} — the ACL user needs coord's commands, the ` +
      `key pattern ~<namespace>:* and the channel pattern &<namespace>:* (README: Tenants)`,
    { cause },
  );
}

/** The server has no database of the URL's number (`/N`): a mistake in the URL, not an outage. */
function missingDatabase(error: unknown): Error | undefined {
  return error instanceof Error && /DB index is out of range/i.test(error.message)
    ? new Error(
      "the server has no database of that number (`databases` in its redis.conf, 16 by " +
        "default) — check the /N at the end of the URL",
    )
    : undefined;
}

/**
 * node-redis's refusal of a command sent while it is disconnected (its `ClientOfflineError`,
 * which the bundle does not export): it says nothing of why.
 */
function offline(error: unknown): boolean {
  return error instanceof Error && error.message === "The client is offline";
}

/** The servers answered, but not as the URL says they should; the message says what to do. */
class TopologyError extends Error {}

/** A reply refusing the password or user. */
const AUTH_FAILURE = /WRONGPASS|NOAUTH|invalid password|invalid username/i;
/** A server certificate this process does not trust. */
const CERT_FAILURE = /certificate|CERT_|self.signed/i;

/** Whether connecting failed on what servers answered (no reply of theirs at hand). */
function answered(error: unknown): boolean {
  if (error instanceof TopologyError) return true;
  const text = error instanceof Error ? error.message : String(error);
  return AUTH_FAILURE.test(text) || CERT_FAILURE.test(text);
}

/**
 * Turns a connection failure into words a user can act on; a first connect's (not
 * `connected`) also says to check the URL.
 */
function describeCause(
  error: unknown,
  target: RedisTarget,
  { connected = false }: { connected?: boolean } = {},
): string {
  if (error instanceof TopologyError) return error.message;
  const text = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string })?.code ?? "";
  const credentials = target.password ? " — check the password (COORD_PASSWORD or the URL)" : "";
  if (AUTH_FAILURE.test(text)) {
    return `authentication failed${credentials || " — set COORD_PASSWORD or put it in the URL"}`;
  }
  if (CERT_FAILURE.test(text)) {
    return `TLS certificate not trusted (${text}) — for a private CA set DENO_CERT=/path/to/ca.pem`;
  }
  const hint = connected ? "" : " — is the server up? check --url or COORD_URL";
  if (code === "ECONNREFUSED" || /ECONNREFUSED|refused/i.test(text)) {
    return `connection refused${hint}`;
  }
  if (code === "ENOTFOUND" || /ENOTFOUND|getaddrinfo|dns/i.test(text)) {
    return `host not found${hint}`;
  }
  if (/timeout|no answer/i.test(text)) {
    return connected ? text : `${text}${hint} (or raise --connect-timeout)`;
  }
  return `${redact(text, target.password)}${hint}`;
}

/**
 * Removes a password from text a library produced, in case it echoes it: where it stands
 * apart, not inside a word ("Socket closed" stays as it is for the password "e", which
 * masking there would garble, and give away).
 */
function redact(text: string, password: string | undefined): string {
  if (!password) return text;
  const apart = new RegExp(`(?<![\\p{L}\\p{N}])${RegExp.escape(password)}(?![\\p{L}\\p{N}])`, "gu");
  return text.replace(apart, "***");
}
