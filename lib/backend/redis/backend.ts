/**
 * The Redis backend: one server, a Cluster or a Sentinel-managed master, all through
 * {@link RedisConn}.
 *
 * @module
 */

import { ChangeFlag } from "../change_flag.ts";
import { type Kind, parseRedisKey, redisKey } from "../keys.ts";
import type {
  Backend,
  BackendKind,
  ChangeWatcher,
  EngineInfo,
  ForeignEntry,
  NamedEvent,
  Topic,
} from "../types.ts";
import { sleep } from "../../time.ts";
import type { Listener, RedisConn, Send } from "./conn.ts";
import type { LuaScript } from "./script.ts";
import { ForeignDataError } from "../../errors.ts";
import type { BarrierSteps } from "../../barrier/steps.ts";
import { BARRIER_KEY_TYPES, RedisBarrierSteps } from "./barrier.ts";
import type { LockSteps } from "../../lock/steps.ts";
import { LOCK_KEY_TYPES, RedisLockSteps } from "./lock.ts";
import type { ScheduleSteps } from "../../schedule/steps.ts";
import { RedisScheduleSteps, SCHEDULE_KEY_TYPES } from "./schedule.ts";
import type { QueueSteps } from "../../queue/steps.ts";
import { QUEUE_KEY_TYPES, RedisQueueSteps } from "./queue.ts";

/**
 * The Redis type of every key part coord writes, per primitive; anything else in the
 * namespace is foreign. Each primitive adds its parts here.
 */
const KEY_TYPES: Record<Kind, Record<string, string>> = {
  barrier: BARRIER_KEY_TYPES,
  lock: LOCK_KEY_TYPES,
  schedule: SCHEDULE_KEY_TYPES,
  queue: QUEUE_KEY_TYPES,
};

/** `coord doctor` looks at this many keys at most, so it stays quick on a big database. */
const FOREIGN_SCAN_LIMIT = 10_000;

/** The Redis backend. Primitives run their Lua scripts through {@link RedisBackend.conn}. */
export class RedisBackend implements Backend {
  readonly kind: BackendKind;
  readonly displayUrl: string;
  readonly namespace: string;
  readonly conn: RedisConn;
  readonly barrier: BarrierSteps = new RedisBarrierSteps(this);
  readonly lock: LockSteps = new RedisLockSteps(this);
  readonly schedule: ScheduleSteps = new RedisScheduleSteps(this);
  readonly queue: QueueSteps = new RedisQueueSteps(this);
  readonly #subscriptions = new Map<string, { flags: Set<ChangeFlag>; listener: Listener }>();

  constructor(conn: RedisConn, kind: BackendKind, displayUrl: string, namespace: string) {
    this.conn = conn;
    this.kind = kind;
    this.displayUrl = displayUrl;
    this.namespace = namespace;
  }

  /** The key of one part of a primitive instance in this namespace. */
  key(kind: Kind, name: string, part: string): string {
    return redisKey(this.namespace, kind, name, part);
  }

  /**
   * Runs one step of a primitive instance's script: its keys are `parts` of the instance, and
   * the script gets the instance's change channel and `step` first. A `FOREIGN` error reply
   * (a key holding data coord did not write) becomes a {@link ForeignDataError}.
   */
  async runStep(
    script: LuaScript,
    topic: Topic,
    parts: string[],
    step: string,
    args: (string | number)[],
  ): Promise<unknown> {
    const keys = parts.map((part) => this.key(topic.kind, topic.name, part));
    try {
      return await script.run(this.conn, keys, [this.channel(topic), step, ...args]);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith("FOREIGN ")) {
        throw new ForeignDataError(
          `${topic.kind} "${topic.name}": ${e.message.slice(8)} — another program wrote ` +
            `there; remove the key or use another --namespace`,
        );
      }
      throw e;
    }
  }

  /** Every key matching `pattern` on every master, with the sender of its node. */
  async *scan(pattern: string): AsyncIterable<[key: string, send: Send]> {
    for (const send of await this.conn.perMaster()) {
      let cursor = "0";
      do {
        const [next, keys] = await send(["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"]) as [
          string,
          string[],
        ];
        cursor = next;
        for (const key of keys) yield [key, send];
      } while (cursor !== "0");
    }
  }

  /** The pub/sub channel a primitive instance announces changes on. */
  channel(topic: Topic): string {
    return this.key(topic.kind, topic.name, "changed");
  }

  async now(topic?: Topic): Promise<number> {
    const node = topic && this.key(topic.kind, topic.name, "state");
    const [seconds, micros] = await this.conn.send(node, ["TIME"]) as string[];
    return Number(seconds) * 1000 + Number(micros) / 1000;
  }

  async info(): Promise<EngineInfo> {
    const masters = await this.conn.perMaster();
    const text = String(await masters[0](["INFO", "server"]));
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, "m").exec(text)?.[1]?.trim();
    const valkey = field("valkey_version");
    return {
      engine: valkey ? "valkey" : "redis",
      version: valkey ?? field("redis_version") ?? "unknown",
      details: {
        mode: field("redis_mode") ?? "unknown",
        masters: String(masters.length),
      },
    };
  }

  async findForeignData(): Promise<ForeignEntry[]> {
    const found: ForeignEntry[] = [];
    let seen = 0;
    for await (const [key, send] of this.scan(`${this.namespace}:*`)) {
      if (this.#inNestedNamespace(key)) continue;
      if (++seen > FOREIGN_SCAN_LIMIT) {
        found.push({ where: "…", problem: `stopped after ${FOREIGN_SCAN_LIMIT} keys` });
        break;
      }
      const problem = await this.#checkKey(key, send);
      if (problem) found.push({ where: key, problem });
    }
    return found;
  }

  /** `team-a:prod:{lock:x}:queue` belongs to namespace `team-a:prod`, not to `team-a`. */
  #inNestedNamespace(key: string): boolean {
    return /^[^{}\s]+:\{[a-z]+:/.test(key.slice(this.namespace.length + 1));
  }

  async #checkKey(key: string, send: Send) {
    const parsed = parseRedisKey(this.namespace, key);
    const expected = parsed && KEY_TYPES[parsed.kind as Kind]?.[parsed.part];
    if (!expected) return "not a key coord writes";
    const type = String(await send(["TYPE", key]));
    return type === expected ? undefined : `type ${type}, coord writes a ${expected} here`;
  }

  async watch(topic: Topic): Promise<ChangeWatcher> {
    const channel = this.channel(topic);
    const flag = new ChangeFlag();
    let subscription = this.#subscriptions.get(channel);
    if (!subscription) {
      const flags = new Set<ChangeFlag>();
      const listener = (message: string) => {
        const event = parseEvent(message);
        flags.forEach((f) => f.notify(event));
      };
      subscription = { flags, listener };
      this.#subscriptions.set(channel, subscription);
      await this.conn.subscribe(channel, subscription.listener);
    }
    subscription.flags.add(flag);
    const { flags } = subscription;
    return {
      next: async (maxWaitMs, signal) => {
        if (!flag.take()) {
          await sleep(maxWaitMs, signal, flag.changed);
          flag.take();
        }
        return flag.events();
      },
      // The subscription outlives the watcher: a program that locks the same resource again
      // (or a loop at a barrier) then starts waiting without a SUBSCRIBE round trip. It ends
      // with the connection.
      [Symbol.asyncDispose]: () => {
        flags.delete(flag);
        return Promise.resolve();
      },
    };
  }

  async events(
    kind: Kind,
    names: string[] | undefined,
    signal: AbortSignal,
  ): Promise<AsyncIterable<NamedEvent>> {
    const pending: NamedEvent[] = [];
    const flag = new ChangeFlag();
    const listener = (message: string, channel: string) => {
      const name = parseRedisKey(this.namespace, channel)?.name;
      // Queue, schedule and barrier scripts announce a bare word ("changed", "arrive"): still
      // a change a console must hear of, so it is passed on as that string.
      const event = parseEvent(message) ?? message;
      if (name !== undefined) pending.push({ name, event });
      flag.notify();
    };
    const channels = names?.map((name) => this.channel({ kind, name })) ??
      [`${this.namespace}:{${kind}:*}:changed`];
    const pattern = names === undefined;
    for (const channel of channels) await this.conn.subscribe(channel, listener, pattern);
    const conn = this.conn;
    return (async function* () {
      try {
        while (!signal.aborted) {
          while (pending.length > 0) yield pending.shift()!;
          await sleep(60_000, signal, flag.changed).catch(() => {});
          flag.take();
        }
      } finally {
        for (const channel of channels) {
          await conn.unsubscribe(channel, listener, pattern).catch(() => {});
        }
      }
    })();
  }

  close(): Promise<void> {
    return this.conn.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** A JSON event from a script, or undefined for a plain wake-up word (barriers send those). */
function parseEvent(message: string): unknown {
  try {
    return JSON.parse(message);
  } catch {
    return undefined;
  }
}
