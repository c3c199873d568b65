/**
 * The Redis backend: one server, a Cluster or a Sentinel-managed master, all through
 * {@link RedisConn}.
 *
 * @module
 */

import { ChangeFlag, flagWatcher } from "../change_flag.ts";
import { indexKey, type Kind, parseRedisKey, redisKey } from "../keys.ts";
import type {
  Backend,
  BackendKind,
  ChangeWatcher,
  EngineInfo,
  ForeignEntry,
  NamedEvent,
  Topic,
  WatchOptions,
} from "../types.ts";
import { SEARCH_STOPPED } from "../types.ts";
import { JobBudget, JOBS_READ, refusedJobs } from "../refused_jobs.ts";
import { deletedRecords, isOrder } from "./deleted_records.ts";
import { scanPages } from "./scan_pages.ts";
import { sleep } from "../../time.ts";
import { aclRefusal, type Listener, type RedisConn, type Send } from "./conn.ts";
import { loadScript, type LuaScript } from "./script.ts";
import { evictionOf } from "./eviction.ts";
import { infoField } from "./info_field.ts";
import {
  BackendRefusedError,
  BackendUnavailableError,
  BrokenBuildError,
  CoordError,
  ExitCode,
  ForeignDataError,
  NewerDataError,
} from "../../errors.ts";
import type { BarrierSteps } from "../../barrier/steps.ts";
import { BARRIER_KEY_TYPES, RedisBarrierSteps } from "./barrier.ts";
import type { LockSteps } from "../../lock/steps.ts";
import { LOCK_KEY_TYPES, RedisLockSteps } from "./lock.ts";
import type { ScheduleSteps } from "../../schedule/steps.ts";
import { RedisScheduleSteps, SCHEDULE_KEY_TYPES } from "./schedule.ts";
import type { QueueSteps } from "../../queue/steps.ts";
import { QUEUE_KEY_TYPES, RedisQueueSteps } from "./queue.ts";
import { progressOnly, waitersNewsOnly } from "../news.ts";

/**
 * The Redis type of every key part coord writes, per primitive; anything else in the
 * namespace is foreign. Each primitive adds its parts here.
 */
const KEY_TYPES: Record<Kind | "index", Record<string, string>> = {
  barrier: BARRIER_KEY_TYPES,
  lock: LOCK_KEY_TYPES,
  schedule: SCHEDULE_KEY_TYPES,
  queue: QUEUE_KEY_TYPES,
  index: { names: "zset", scanned: "string", tidied: "string" },
};

/** The parts of an instance of which one key at least exists as long as the instance does. */
const LIVE_PARTS: Record<Kind, string[]> = {
  barrier: ["state"],
  lock: ["state"],
  schedule: ["state"],
  // A queue with settings and no job yet (paused before its first put) is a queue too; so is one
  // whose records another program deleted while their ids stayed in its orders, for `status` to
  // count them and `purge` or `work` to clear them (coord's own steps never leave an id there
  // without its record).
  queue: [
    "jobs",
    "config",
    "pending",
    "active",
    "waiting",
    "done_completed",
    "done_failed",
    "done_cancelled",
  ],
};

/** The script that keeps the index of names (see `indexKey`). */
const INDEX_SCRIPT = new URL("./index.lua", import.meta.url);

/**
 * A name whose keys are gone stays indexed this long after it was last touched: its creator
 * skips touching it again for a while ({@link INDEX_RETOUCH_MS}), and may write its keys again
 * meanwhile.
 */
const INDEX_GRACE_MS = 60_000;

/**
 * A process touches a name's index entry again only after this long: every put and every lock
 * enqueue touching it cost them two writes more in their script, and on a Cluster a second
 * script call (≈ 0.2 ms of a 1 ms put). Well inside {@link INDEX_GRACE_MS}, so a name is never
 * pruned while its last toucher still skips it: a prune needs the score older than the grace,
 * and a skipped touch is younger than this.
 */
const INDEX_RETOUCH_MS = 10_000;

/**
 * One writer in this long tidies a kind's index (adopts what older coords wrote, prunes names
 * whose keys are gone): each costs a read of every name. No sooner than a gone name may be
 * pruned anyway ({@link INDEX_GRACE_MS}).
 */
const INDEX_TIDY_EVERY_MS = INDEX_GRACE_MS;

/** Touches remembered at the most; beyond, a name is touched again (one script call more). */
const TOUCHED_KEPT = 10_000;

/**
 * An error raised inside a script, as Redis 7 (`script: <sha>`) and older (`f_<sha>`) word it.
 * Refusals from outside it (`NOPERM`, `READONLY`, `OOM`…) do not name the script.
 */
const SCRIPT_ERROR = /\b(script: |f_)[0-9a-f]{40}\b/;

/** A script the server could not compile; the group is where and why, as Redis words it. */
const SCRIPT_UNCOMPILED = /^ERR Error compiling script \([^)]*\): (.*)$/s;

/** A command a script ran that the ACL user may not run, as Redis words it. */
const SCRIPT_ACL_DENIAL = /^ERR The user executing the script can't run this command/;

/** `coord doctor` looks at this many keys at most, so it stays quick on a big database. */
const FOREIGN_SCAN_LIMIT = 10_000;
/** …and reads a queue's jobs this many at a time (one HSCAN page, pipelined). */
const FOREIGN_JOB_BATCH = 100;

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
  /** Each channel's subscription, shared by its watchers: whether each wakes for news only. */
  readonly #subscriptions = new Map<
    string,
    { flags: Map<ChangeFlag, boolean>; listener: Listener }
  >();
  /** When this process last touched each index entry (`kind name` → `performance.now()`). */
  readonly #touched = new Map<string, number>();
  /** Set once a server in cluster mode refused the index beside a step's keys. */
  #indexApart = false;
  /** Index tidies under way, which {@link RedisBackend.close} lets end. */
  readonly #tidying = new Set<Promise<void>>();

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
   * the script gets the instance's change channel before `args`. A `FOREIGN` error reply
   * (a key holding data coord did not write) becomes a {@link ForeignDataError}, a command the
   * ACL denies a {@link BackendRefusedError}, any other script error an internal one (70).
   * `index`: the keys of the index of the instance's kind, for a step that may create it
   * ({@link RedisBackend.runCreatingStep}).
   */
  async runStep(
    script: LuaScript,
    topic: Topic,
    parts: string[],
    args: (string | number)[],
    index: string[] = [],
  ): Promise<unknown> {
    const keys = [...parts.map((part) => this.key(topic.kind, topic.name, part)), ...index];
    try {
      return await script.run(this.conn, keys, [this.channel(topic), ...args]);
    } catch (e) {
      throw this.#scriptFailure(`${topic.kind} "${topic.name}"`, script, e);
    }
  }

  /**
   * The refusal of data another program wrote at `where` (`queue "q"`), as a script's checks
   * word it (`…:jobs has job 7 "junk"`): every Redis refusal's way out.
   */
  foreignData(where: string, text: string): ForeignDataError {
    return new ForeignDataError(
      `${where}: ${text} — another program wrote there; remove the key or use another --namespace`,
    );
  }

  /**
   * What a failed step of `script` means. Only a `FOREIGN` reply, which the scripts raise after
   * checking the data they read, is foreign data (and `NEWER`, a newer coord's, refused as
   * such): any other error inside a script is a bug in coord, and telling the user to remove
   * keys then could make them delete valid state. A script the server cannot compile is a
   * broken build of coord: every call meets it again, so a loop that rides out errors (a
   * worker's) ends with it instead.
   */
  #scriptFailure(where: string, script: LuaScript, e: unknown): unknown {
    // Already judged by the connection: a transient reply (`READONLY` in a failover) raised
    // inside a script names the script too, and must stay an outage.
    if (!(e instanceof Error) || e instanceof CoordError) return e;
    const uncompiled = SCRIPT_UNCOMPILED.exec(e.message);
    if (uncompiled) {
      return new BrokenBuildError(
        `${where}: coord's script ${script.file} does not compile ` +
          `(${script.locate(uncompiled[1])}) — a bug ` +
          `in this build of coord, not in your data: please report it with this line`,
        { cause: e },
      );
    }
    const text = e.message.replace(/\s*(script: |\(call to f_)[0-9a-f]{40}\b.*$/s, "");
    if (text.startsWith("FOREIGN ")) return this.foreignData(where, text.slice(8));
    // Refused as the SQL backends refuse a newer coord's tables: no retry or removal mends it.
    if (text.startsWith("NEWER ")) {
      return new NewerDataError(
        `${where}: ${text.slice(6)} — coord leaves them as they are; run that newer coord, or ` +
          `use another --namespace`,
        { cause: e },
      );
    }
    if (SCRIPT_ACL_DENIAL.test(text)) return aclRefusal(this.displayUrl, text, e);
    if (SCRIPT_ERROR.test(e.message)) {
      return new CoordError(
        `${where}: a coord script failed (${
          script.locate(text.replace(/^ERR /, ""))
        }) — a bug in coord, ` +
          `not in your data: please report it with this line`,
        ExitCode.internal,
        { cause: e },
      );
    }
    return e;
  }

  /**
   * Runs a step that may create instance `topic` (as {@link RedisBackend.runStep} does), and
   * adds its name to the index of its kind's names, so listings find it without SCAN, only once
   * the step succeeded: a refused one (bad input, another program's keys at the instance's names)
   * leaves the index as it was, as it leaves every key. Another program's keys where the index
   * is are refused before the step writes anything (a put refused after it ran was a duplicate
   * job for a caller who retried). Where the index is on the step's node (one server, Sentinel's
   * master) the step's own script does both (prelude.lua), at the end of a step that succeeded:
   * no round trip more. On a Cluster, where the index is in another slot, the name is added
   * before the step and taken out again if the step is refused, on a name's first step in a
   * process (and every {@link INDEX_RETOUCH_MS} after, as a touch).
   *
   * @example
   * ```ts ignore
   * const reply = await backend.runCreatingStep(put, { kind: "queue", name: "q" }, parts, args);
   * ```
   */
  async runCreatingStep(
    script: LuaScript,
    topic: Topic,
    parts: string[],
    args: (string | number)[],
  ): Promise<unknown> {
    if (this.kind !== "redis-cluster" && !this.#indexApart) {
      try {
        return await this.#runIndexing(script, topic, parts, args);
      } catch (e) {
        // A server in cluster mode reached as one server (a `redis://` URL at a node that holds
        // every slot, as a one-shard managed cluster is) refuses the index beside the step's
        // keys, and ran nothing: from then on this backend indexes apart, as on a Cluster.
        if (!(e instanceof Error) || !e.message.startsWith("CROSSSLOT")) throw e;
        this.#indexApart = true;
      }
    }
    return await this.#runIndexedBefore(script, topic, parts, args);
  }

  /**
   * Runs a creating step whose index is in another slot (a Cluster): adds the name to the index
   * before the step, on a name's first step in a process (and every {@link INDEX_RETOUCH_MS}
   * after), so that no step stores what the index then lacks (a touch after it could fail, or
   * never come: a one-shot `queue put` killed between). A step refused by its script takes the
   * name out again if that add put it there; a step whose fate is unknown (an outage) leaves it,
   * as the listing of a name that may hold nothing is the lesser fault.
   */
  async #runIndexedBefore(
    script: LuaScript,
    topic: Topic,
    parts: string[],
    args: (string | number)[],
  ): Promise<unknown> {
    const entry = `${topic.kind} ${topic.name}`;
    const sentAt = performance.now();
    if (this.#touchedLately(entry, sentAt)) return await this.runStep(script, topic, parts, args);
    const [due, addedAt] = await this.#index(
      topic.kind,
      "add",
      topic.name,
      INDEX_TIDY_EVERY_MS,
    ) as [number, string];
    let reply;
    try {
      reply = await this.runStep(script, topic, parts, args);
    } catch (e) {
      if (e instanceof CoordError && !(e instanceof BackendUnavailableError)) {
        await this.#index(topic.kind, "unadd", topic.name, addedAt, due).catch(() => {});
      }
      throw e;
    }
    this.#indexTouched(topic.kind, entry, sentAt, Number(due) === 1);
    return reply;
  }

  /**
   * Runs a creating step with the index of its kind beside its keys, which its script checks,
   * and indexes the name in when this process did not lately (prelude.lua, `indexed`).
   */
  async #runIndexing(
    script: LuaScript,
    topic: Topic,
    parts: string[],
    args: (string | number)[],
  ): Promise<unknown> {
    const entry = `${topic.kind} ${topic.name}`;
    const sentAt = performance.now();
    const touch = !this.#touchedLately(entry, sentAt);
    const index = (["names", "tidied"] as const).map((part) =>
      indexKey(this.namespace, topic.kind, part)
    );
    const reply = await this.runStep(script, topic, parts, [
      ...args,
      touch ? topic.name : "",
      INDEX_TIDY_EVERY_MS,
    ], index);
    if (!touch) return reply;
    const [due, stepReply = null] = reply as [unknown, unknown?];
    this.#indexTouched(topic.kind, entry, sentAt, Number(due) === 1);
    return stepReply;
  }

  /**
   * Remembers that index entry `entry` was touched by a command sent at `sentAt`, and tidies the
   * index of `kind`'s names when the touch found it `due`.
   */
  #indexTouched(kind: Kind, entry: string, sentAt: number, due: boolean): void {
    // Not awaited: with 5,000 names a tidy took 0.2-0.35 s, which the write it came with (a
    // lock handoff, a put) waited out once a minute. Upkeep, at most: one that fails is the
    // next due writer's to do.
    if (due) {
      const tidy = this.#tidyIndex(kind).catch(() => {}).finally(() => this.#tidying.delete(tidy));
      this.#tidying.add(tidy);
    }
    // The send's instant, not the reply's: the server's score is at least as recent.
    if (this.#touched.size >= TOUCHED_KEPT) this.#forgetOldTouches(sentAt);
    this.#touched.set(entry, sentAt);
  }

  /** Whether this process touched index entry `entry` within {@link INDEX_RETOUCH_MS} of `now`. */
  #touchedLately(entry: string, now: number): boolean {
    return now - (this.#touched.get(entry) ?? -Infinity) < INDEX_RETOUCH_MS;
  }

  /** Bounds the memory of a process that touches ever new names (a queue per tenant). */
  #forgetOldTouches(now: number): void {
    for (const [entry, at] of this.#touched) {
      if (now - at >= INDEX_RETOUCH_MS) this.#touched.delete(entry);
    }
    if (this.#touched.size >= TOUCHED_KEPT) this.#touched.clear();
  }

  /**
   * The names of every `kind` instance in the namespace, sorted, from the index: no SCAN, so
   * an ACL user denied SCAN can list them. A look, so it writes nothing: names whose keys are
   * gone (expired, reset) are left out, and keys an older coord wrote without an index are
   * found by SCAN (when the user may SCAN), until a write of their kind tidies the index
   * ({@link RedisBackend.runCreatingStep}).
   */
  async indexedNames(kind: Kind): Promise<string[]> {
    const { scanned, entries } = await this.#indexEntries(kind);
    const unindexed = scanned ? [] : (await this.#unindexed([kind]))?.get(kind) ?? [];
    const names = [...new Set([...entries.map((e) => e.name), ...unindexed])];
    const live = await this.#live(kind, names);
    return names.filter((_, i) => live[i]).sort();
  }

  /**
   * What a writer does for the index of its kind when it is due ({@link INDEX_TIDY_EVERY_MS}):
   * prunes the names whose keys are gone, and adopts what older coords wrote without an index
   * where that is still to do. Done by writers, not by listings, so a look changes nothing.
   */
  async #tidyIndex(kind: Kind): Promise<void> {
    const [{ entries }] = await Promise.all([this.#indexEntries(kind), this.#adoptUnindexed()]);
    const live = await this.#live(kind, entries.map((e) => e.name));
    await Promise.all(
      entries.filter((_, i) => !live[i])
        .map(({ name, score }) => this.#index(kind, "prune", name, score, INDEX_GRACE_MS)),
    );
  }

  /**
   * Indexes the instances an older coord wrote without an index, of every kind whose index did
   * not adopt them yet: one SCAN of the namespace, once (when the user may SCAN). Every kind
   * at once, so that a listing of a kind nobody writes here need not SCAN either.
   */
  async #adoptUnindexed(): Promise<void> {
    const kinds = Object.keys(LIVE_PARTS) as Kind[];
    const adopted = await Promise.all(kinds.map((kind) => {
      const scanned = indexKey(this.namespace, kind, "scanned");
      return this.conn.send(scanned, ["EXISTS", scanned]);
    }));
    const pending = kinds.filter((_, i) => Number(adopted[i]) === 0);
    if (pending.length === 0) return;
    const found = await this.#unindexed(pending);
    if (!found) return;
    await Promise.all(pending.map((kind) => this.#index(kind, "adopt", ...found.get(kind)!)));
  }

  /** The index of `kind`'s names: whether the adoption SCAN ran, and each name's score. */
  async #indexEntries(
    kind: Kind,
  ): Promise<{ scanned: boolean; entries: { name: string; score: string }[] }> {
    const [scanned, ...rows] = (await this.#index(kind, "list") as unknown[]).map(String);
    const entries = [];
    for (let i = 0; i < rows.length; i += 2) entries.push({ name: rows[i], score: rows[i + 1] });
    return { scanned: scanned === "1", entries };
  }

  /** Whether each of `names` still has its keys. */
  async #live(kind: Kind, names: string[]): Promise<boolean[]> {
    const counts = await Promise.all(names.map((name) => {
      const keys = LIVE_PARTS[kind].map((part) => this.key(kind, name, part));
      return this.conn.send(keys[0], ["EXISTS", ...keys]);
    }));
    return counts.map((n) => Number(n) > 0);
  }

  /**
   * The instances of each of `kinds` that SCAN finds, indexed or not; undefined when the ACL
   * denies SCAN.
   */
  async #unindexed(kinds: Kind[]): Promise<Map<Kind, string[]> | undefined> {
    const names = new Map(kinds.map((kind) => [kind, new Set<string>()]));
    const pattern = kinds.length === 1
      ? `${this.namespace}:{${kinds[0]}:*}:${LIVE_PARTS[kinds[0]][0]}`
      : `${this.namespace}:*`;
    try {
      for await (const [key] of this.scan(pattern)) {
        const parsed = parseRedisKey(this.namespace, key);
        const kind = parsed?.kind as Kind;
        if (names.has(kind) && parsed?.part === LIVE_PARTS[kind][0]) {
          names.get(kind)!.add(parsed.name);
        }
      }
    } catch (e) {
      if (e instanceof BackendRefusedError) return undefined;
      throw e;
    }
    return new Map([...names].map(([kind, found]) => [kind, [...found]]));
  }

  async #index(kind: Kind, op: string, ...args: (string | number)[]): Promise<unknown> {
    const keys = (["names", "scanned", "tidied"] as const).map((part) =>
      indexKey(this.namespace, kind, part)
    );
    const script = await loadScript(INDEX_SCRIPT);
    try {
      return await script.run(this.conn, keys, ["", op, ...args]);
    } catch (e) {
      throw this.#scriptFailure(`the index of ${kind} names`, script, e);
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

  /** What the engine says about itself; `acl` names what the ACL user may not ask. */
  async info(): Promise<EngineInfo> {
    const masters = await this.conn.perMaster();
    const denied: string[] = [];
    const text = await masters[0](["INFO", "server"]).catch((e) => {
      if (!(e instanceof BackendRefusedError)) throw e;
      denied.push("INFO");
      return "";
    });
    if (!await this.#mayScan(masters[0])) denied.push("SCAN");
    const field = (name: string) => infoField(String(text), name);
    const valkey = field("valkey_version");
    // Every master's: each holds its own share of the keys, and each may be set apart.
    // An ACL may allow `INFO server` and deny `INFO memory`: then nothing is known of it.
    const memory = denied.includes("INFO") ? [] : await Promise.all(
      masters.map((send) =>
        send(["INFO", "memory"]).then(String, (e) => {
          if (e instanceof BackendRefusedError) return "";
          throw e;
        })
      ),
    );
    const evicts = evictionOf(memory);
    return {
      engine: valkey ? "valkey" : "redis",
      version: valkey ?? field("redis_version") ?? "unknown",
      details: {
        mode: field("redis_mode") ?? "unknown",
        masters: String(masters.length),
        ...(denied.length > 0 && { acl: `denies ${denied.join(" and ")}` }),
      },
      ...(evicts !== undefined && { evicts }),
    };
  }

  async #mayScan(send: Send): Promise<boolean> {
    try {
      await send(["SCAN", "0", "MATCH", `${this.namespace}:{index:*`, "COUNT", "1"]);
      return true;
    } catch (e) {
      if (e instanceof BackendRefusedError) return false;
      throw e;
    }
  }

  /**
   * Keys in the namespace that coord did not write: every key, by SCAN, or when the ACL denies
   * SCAN, the keys of the instances in the index.
   */
  async findForeignData(): Promise<ForeignEntry[]> {
    try {
      return await this.#findForeign(this.scan(`${this.namespace}:*`));
    } catch (e) {
      if (!(e instanceof BackendRefusedError)) throw e;
      return await this.#findForeign(this.#indexedKeys());
    }
  }

  /** The keys of every indexed instance that exist, with the sender of their node. */
  async *#indexedKeys(): AsyncIterable<[key: string, send: Send]> {
    for (const kind of Object.keys(LIVE_PARTS) as Kind[]) {
      for (const name of await this.indexedNames(kind)) {
        for (const part of Object.keys(KEY_TYPES[kind])) {
          const key = this.key(kind, name, part);
          const send: Send = (args) => this.conn.send(key, args);
          if (Number(await send(["EXISTS", key])) === 1) yield [key, send];
        }
      }
    }
  }

  async #findForeign(keys: AsyncIterable<[key: string, send: Send]>): Promise<ForeignEntry[]> {
    const found: ForeignEntry[] = [];
    let seen = 0;
    const jobs = new JobBudget();
    // Apart from the records' budget: a job's id is in an order as well as in `jobs`, and the
    // orders read first (SCAN's order) would leave the records of a big queue unread.
    const orderIds = new JobBudget(JOBS_READ, "ids in queue orders");
    for await (const [key, send] of keys) {
      if (this.#inNestedNamespace(key)) continue;
      if (++seen > FOREIGN_SCAN_LIMIT) {
        found.push({ where: SEARCH_STOPPED, problem: `stopped after ${FOREIGN_SCAN_LIMIT} keys` });
        break;
      }
      const problem = await this.#checkKey(key, send);
      if (problem) found.push({ where: key, problem });
      const parsed = parseRedisKey(this.namespace, key);
      if (problem || parsed?.kind !== "queue") continue;
      if (parsed.part === "jobs") {
        const ids = scanPages(send, "HSCAN", key, FOREIGN_JOB_BATCH);
        found.push(...await refusedJobs(this.queue, parsed.name, key, ids, jobs));
      } else if (isOrder(parsed.part)) {
        found.push(...await deletedRecords(this, parsed.name, parsed.part, send, orderIds));
      }
    }
    return [...found, ...jobs.notes(), ...orderIds.notes()];
  }

  /** `team-a:prod:{lock:x}:queue` belongs to namespace `team-a:prod`, not to `team-a`. */
  #inNestedNamespace(key: string): boolean {
    return /^[^{}\s]+:\{[a-z]+:/.test(key.slice(this.namespace.length + 1));
  }

  async #checkKey(key: string, send: Send) {
    const parsed = parseRedisKey(this.namespace, key);
    const expected = parsed && KEY_TYPES[parsed.kind as Kind | "index"]?.[parsed.part];
    if (!expected) return "not a key coord writes";
    const type = String(await send(["TYPE", key]));
    return type === expected ? undefined : `type ${type}, coord writes a ${expected} here`;
  }

  async watch(topic: Topic, options: WatchOptions = {}): Promise<ChangeWatcher> {
    const channel = this.channel(topic);
    const flag = new ChangeFlag();
    let subscription = this.#subscriptions.get(channel);
    if (!subscription) {
      const flags = new Map<ChangeFlag, boolean>();
      const listener = (message: string) => {
        // Told by `told` in includes/keys.lua; progress is for a console's own subscription.
        if (progressOnly([message])) return;
        const event = parseEvent(message);
        const news = waitersNewsOnly([message]);
        flags.forEach((startsOnly, f) => {
          if (!(startsOnly && news)) f.notify(event);
        });
      };
      subscription = { flags, listener };
      this.#subscriptions.set(channel, subscription);
      await this.conn.subscribe(channel, subscription.listener);
    }
    subscription.flags.set(flag, options.startsOnly === true);
    const { flags } = subscription;
    // The subscription outlives the watcher: a program that locks the same resource again (or
    // a loop at a barrier) then starts waiting without a SUBSCRIBE round trip. It ends with the
    // connection.
    return flagWatcher(flag, () => Promise.resolve(void flags.delete(flag)));
  }

  /** Every instance's changes, as {@link events} hears them. */
  async watchKind(kind: Kind): Promise<ChangeWatcher> {
    const flag = new ChangeFlag();
    const listener = this.#kindListener(kind, (_, event) => flag.notify(event));
    const pattern = this.#namespacePattern();
    await this.conn.subscribe(pattern, listener, true);
    return flagWatcher(flag, () => this.conn.unsubscribe(pattern, listener, true).catch(() => {}));
  }

  /** A pub/sub listener that passes on each change of an instance of `kind`, by its name. */
  #kindListener(kind: Kind, onChange: (name: string, event: unknown) => void): Listener {
    return (message, channel) => {
      const parsed = parseRedisKey(this.namespace, channel);
      if (parsed?.kind !== kind || parsed.part !== "changed") return;
      // Queue, schedule and barrier scripts announce a bare word ("changed", "arrive"): still
      // a change a console must hear of, so it is passed on as that string.
      onChange(parsed.name, parseEvent(message) ?? message);
    };
  }

  /**
   * Every instance's channel: an ACL allows PSUBSCRIBE only to a pattern it lists word for
   * word, and README's tenant ACL lists `<namespace>:*`.
   */
  #namespacePattern(): string {
    return `${this.namespace}:*`;
  }

  async events(
    kind: Kind,
    names: string[] | undefined,
    signal: AbortSignal,
  ): Promise<AsyncIterable<NamedEvent>> {
    const pending: NamedEvent[] = [];
    const flag = new ChangeFlag();
    const listener = this.#kindListener(kind, (name, event) => {
      pending.push({ name, event });
      flag.notify();
    });
    const channels = names?.map((name) => this.channel({ kind, name })) ??
      [this.#namespacePattern()];
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

  /** Resolves once the index tidies this process started have ended. */
  async indexTidied(): Promise<void> {
    await Promise.all(this.#tidying);
  }

  /** Closes the connection, once a tidy under way ended: a command's exit must not cut it off. */
  async close(): Promise<void> {
    await this.indexTidied();
    await this.conn.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * A JSON event from a script (an object), or undefined for a plain wake-up word (barriers,
 * queues and schedules send those). The word is told apart before parsing: a `JSON.parse` that
 * throws costs ≈ 46 µs, and a queue worker hears three such words a job.
 */
function parseEvent(message: string): unknown {
  if (!message.startsWith("{")) return undefined;
  try {
    return JSON.parse(message);
  } catch {
    return undefined;
  }
}
