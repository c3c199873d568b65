/**
 * Planting job records coord would never write, to see the queue refuse them cleanly.
 *
 * @module
 */

import type { Backend } from "../../lib/backend/types.ts";
import type { RedisBackend } from "../../lib/backend/redis/backend.ts";
import { shownValue } from "../../lib/stored_values.ts";
import { isSql, runSql, sqlRows, sqlValue } from "./sql.ts";

/**
 * What is wrong with a planted job: a part that is not JSON, a field of the wrong type, or a
 * count no JavaScript number holds exactly.
 */
export type Garbage =
  | "json"
  | "spec"
  | "worded"
  | "unspecified"
  | "argv"
  | "listed"
  | "types"
  | "ready"
  | "negative"
  | "far"
  | "huge";

/** Every kind of {@link Garbage}. */
export const GARBAGE: Garbage[] = [
  "json",
  "spec",
  "worded",
  "unspecified",
  "argv",
  "listed",
  "types",
  "ready",
  "negative",
  "far",
  "huge",
];

/** The attempts of a `huge` job: beyond 2^53, where adding one may change nothing. */
const HUGE = 2n ** 60n + 1n;

/** Garbage Postgres cannot hold: it enforces its columns' types. */
export const TYPED_GARBAGE: Garbage[] = ["types", "ready"];

/** The kinds of {@link Garbage} `backend` can hold. */
export function garbageOn(backend: Backend): Garbage[] {
  return GARBAGE.filter((g) => backend.kind !== "postgres" || !TYPED_GARBAGE.includes(g));
}

const SPEC = JSON.stringify({ handler: "h", retries: 0, backoffMs: 0 });

/** The spec of a planted job. */
function specOf(garbage: Garbage): string {
  switch (garbage) {
    case "spec":
      return "junk";
    case "worded":
      // Words a connection's failure says: quoted in the refusal, it was once taken for one.
      return "socket timeout";
    case "unspecified":
      return JSON.stringify({ command: ["false"] });
    case "argv":
      return JSON.stringify({ command: "false", retries: 0, backoffMs: 0 });
    case "listed":
      return "[]";
    default:
      return SPEC;
  }
}

/** `value` in JSON, with `HUGE_ATTEMPTS` standing for {@link HUGE}'s digits. */
function stateJson(value: unknown): string {
  return JSON.stringify(value).replace('"HUGE_ATTEMPTS"', HUGE.toString());
}

/**
 * Writes a pending job `id` into `queue` the way another program might: `json` — its state
 * (Redis) or its group column (SQL) is not JSON; `spec` — its spec is not JSON; `worded` — its
 * spec is words, not JSON, that a lost connection's error would hold; `unspecified`
 * — its spec has no retries and backoff; `argv` — its command is text, not a list; `listed` —
 * its spec is an empty list, not an object; `types` —
 * its attempts are text; `ready` — its start time is text; `negative` — its
 * attempts are -5; `far` — its start is past the last instant a Date holds; `huge` — its attempts
 * are 2^60 + 1. `group`: its `--group`, where what is wrong leaves that readable.
 */
export async function plantGarbageJob(
  backend: Backend,
  queue: string,
  id: string,
  garbage: Garbage,
  group?: string,
): Promise<void> {
  const state = {
    id,
    state: "pending",
    attempts: garbage === "types"
      ? "x"
      : garbage === "huge"
      ? "HUGE_ATTEMPTS"
      : garbage === "negative"
      ? -5
      : 0,
    failures: 0,
    stalls: 0,
    // Beyond the last instant a JavaScript Date holds (8.64e15 ms), within 2^53.
    readyAt: garbage === "ready" ? "soon" : garbage === "far" ? 9e15 : 0,
    createdAt: 0,
    groupKey: group,
  };
  if (isSql(backend)) {
    // Text the server casts: no JavaScript number is 2^60 + 1.
    const attempts = garbage === "huge" ? "CAST(? AS BIGINT)" : "?";
    await runSql(
      backend,
      `INSERT INTO coord_queue_job (namespace, queue, id, state, ready_at, attempts, stalls, spec,
       created_at, grp, group_key) VALUES (?, ?, ?, 'pending', ?, ${attempts}, 0, ?, 0, ?, ?)`,
      backend.namespace,
      queue,
      id,
      state.readyAt,
      garbage === "huge" ? HUGE.toString() : state.attempts,
      specOf(garbage),
      garbage === "json" ? "{oops" : null,
      group ?? null,
    );
    return;
  }
  const redis = backend as RedisBackend;
  const key = (part: string) => redis.key("queue", queue, part);
  const send = (args: string[]) => redis.conn.send(args[1], args);
  await send(["HSET", key("jobs"), id, garbage === "json" ? "junk" : stateJson(state)]);
  await send(["HSET", key("specs"), id, specOf(garbage)]);
  await send(["ZADD", key("pending"), "0", id]);
}

/**
 * Writes `text` over a part of job `id` as another program might: its spec, its state (the
 * record on Redis, the state column on SQL), or a group's record of its parts (the record on
 * Redis, the grp column on SQL).
 */
export async function overwriteJob(
  backend: Backend,
  queue: string,
  id: string,
  part: "spec" | "state" | "group",
  text: string,
): Promise<void> {
  if (isSql(backend)) {
    const column = part === "group" ? "grp" : part;
    await runSql(
      backend,
      `UPDATE coord_queue_job SET ${column} = ? WHERE namespace = ? AND queue = ? AND id = ?`,
      text,
      backend.namespace,
      queue,
      id,
    );
    return;
  }
  const redis = backend as RedisBackend;
  const key = redis.key("queue", queue, part === "spec" ? "specs" : "jobs");
  await redis.conn.send(key, ["HSET", key, id, text]);
}

/** What of a running job's record {@link overwriteRunningJob} writes over on SQL. */
export type RunningPart = "attempts" | "state";

/** The parts {@link overwriteRunningJob} writes over on `backend`: Redis has one record. */
export function runningPartsOn(backend: Backend): RunningPart[] {
  return isSql(backend) ? ["attempts", "state"] : ["state"];
}

/**
 * Writes over the record of running job `id` as another program might: on Redis its record
 * (its lease in the active set stays), on SQL its attempts (-5) or its state ("not coord's"),
 * its lease column left as it was.
 */
export async function overwriteRunningJob(
  backend: Backend,
  queue: string,
  id: string,
  part: RunningPart = "state",
): Promise<void> {
  if (!isSql(backend)) return await overwriteJob(backend, queue, id, "state", "not coord's");
  await runSql(
    backend,
    `UPDATE coord_queue_job SET ${part} = ? WHERE namespace = ? AND queue = ? AND id = ?`,
    part === "attempts" ? -5 : "not coord's",
    backend.namespace,
    queue,
    id,
  );
}

/**
 * Writes `priority` into job `id` of `queue` as another program might, the rest of the job left
 * as coord wrote it: in its record (Redis), its priority column (SQL).
 */
export async function overwritePriority(
  backend: Backend,
  queue: string,
  id: string,
  priority: number,
): Promise<void> {
  if (isSql(backend)) {
    await runSql(
      backend,
      "UPDATE coord_queue_job SET priority = ? WHERE namespace = ? AND queue = ? AND id = ?",
      priority,
      backend.namespace,
      queue,
      id,
    );
    return;
  }
  const redis = backend as RedisBackend;
  const key = redis.key("queue", queue, "jobs");
  const record = JSON.parse(String(await redis.conn.send(key, ["HGET", key, id])));
  await redis.conn.send(key, ["HSET", key, id, JSON.stringify({ ...record, priority })]);
}

/** How many job records `queue` holds, read as stored (coord's or not). */
export async function storedJobs(backend: Backend, queue: string): Promise<number> {
  if (isSql(backend)) {
    return Number(
      await sqlValue(
        backend,
        "SELECT count(*) FROM coord_queue_job WHERE namespace = ? AND queue = ?",
        backend.namespace,
        queue,
      ),
    );
  }
  const redis = backend as RedisBackend;
  const key = redis.key("queue", queue, "jobs");
  return Number(await redis.conn.send(key, ["HLEN", key]));
}

/**
 * Makes `queue`, which holds a job, one another program wrote into: on Redis its totals key
 * holds a string, on SQL a job row holds a state coord has not, where nothing else in the row
 * says what it was (it ended, no lease: neither running nor waiting to run).
 */
export async function plantForeignQueue(backend: Backend, queue: string): Promise<void> {
  if (isSql(backend)) {
    await runSql(
      backend,
      `UPDATE coord_queue_job SET state = 'bogus', finished_at = created_at
       WHERE namespace = ? AND queue = ?`,
      backend.namespace,
      queue,
    );
    return;
  }
  const redis = backend as RedisBackend;
  const key = redis.key("queue", queue, "totals");
  await redis.conn.send(key, ["DEL", key]);
  await redis.conn.send(key, ["SET", key, "another program's"]);
}

/**
 * Makes `queue`'s counts of its jobs by state (what retention and status go by) another program's:
 * its count of completed jobs is a fraction in the totals hash (Redis), below 0 (SQL). Either
 * refuses a worker's start, and no claim meets it (taking a job reads no count).
 */
export async function plantForeignTotals(backend: Backend, queue: string): Promise<void> {
  if (isSql(backend)) {
    await runSql(
      backend,
      `INSERT INTO coord_queue_kept (namespace, queue, state, n) VALUES (?, ?, 'completed', -3)
       ON CONFLICT (namespace, queue, state) DO UPDATE SET n = -3`,
      backend.namespace,
      queue,
    );
    return;
  }
  const redis = backend as RedisBackend;
  const key = redis.key("queue", queue, "totals");
  await redis.conn.send(key, ["HSET", key, "completed", "-3.5"]);
}

/**
 * Takes job `id` out of `queue` behind coord's back, as a backend that lost its data (Redis
 * restarted without persistence) would have it: not there, and not remembered as removed.
 */
export async function loseJob(backend: Backend, queue: string, id: string): Promise<void> {
  if (isSql(backend)) {
    await runSql(
      backend,
      "DELETE FROM coord_queue_job WHERE namespace = ? AND queue = ? AND id = ?",
      backend.namespace,
      queue,
      id,
    );
    return;
  }
  const redis = backend as RedisBackend;
  const key = (part: string) => redis.key("queue", queue, part);
  const parts = [["HDEL", "jobs"], ["HDEL", "specs"], ["ZREM", "pending"], ["ZREM", "ready"]];
  for (const [command, part] of parts) await redis.conn.send(key(part), [command, key(part), id]);
}

/** A value coord never writes in a queue's settings: in its config hash (Redis), its row (SQL). */
export interface ForeignSetting {
  /** The config hash's field, and the text planted there. */
  field: string;
  redis: string;
  /** The config row's column, and the value planted there. */
  column: string;
  sql: string | number;
}

/** A pause neither on nor off, a group limit and retention settings that are not counts. */
export const FOREIGN_SETTINGS: ForeignSetting[] = [
  { field: "paused", redis: "maybe", column: "paused", sql: 2 },
  { field: "groupLimit", redis: "abc", column: "group_limit", sql: -3 },
  {
    field: "keepCompleted",
    redis: '{"count":"x"}',
    column: "keep_completed",
    sql: '{"count":"x"}',
  },
  { field: "keepFailed", redis: '{"ageMs":-5}', column: "keep_failed", sql: '{"ageMs":-5}' },
];

/**
 * Writes `setting` into `queue`'s settings the way another program might.
 *
 * @returns what a refusal names it by, and a reader of the settings as stored, to show they were
 *   left as they were.
 */
export async function plantForeignSetting(
  backend: Backend,
  queue: string,
  setting: ForeignSetting,
): Promise<{ shown: string; read: () => Promise<string> }> {
  if (isSql(backend)) {
    const where = "WHERE namespace = ? AND queue = ?";
    await runSql(
      backend,
      `INSERT INTO coord_queue_config (namespace, queue, paused) VALUES (?, ?, 0)
       ON CONFLICT (namespace, queue) DO NOTHING`,
      backend.namespace,
      queue,
    );
    await runSql(
      backend,
      `UPDATE coord_queue_config SET ${setting.column} = ? ${where}`,
      setting.sql,
      backend.namespace,
      queue,
    );
    return {
      shown: `${setting.column} = ${shownValue(setting.sql)}`,
      read: async () =>
        JSON.stringify(
          await sqlRows(
            backend,
            `SELECT * FROM coord_queue_config ${where}`,
            backend.namespace,
            queue,
          ),
        ),
    };
  }
  const redis = backend as RedisBackend;
  const key = redis.key("queue", queue, "config");
  await redis.conn.send(key, ["HSET", key, setting.field, setting.redis]);
  return {
    shown: `${setting.field} "${setting.redis}"`,
    read: async () => JSON.stringify(await redis.conn.send(key, ["HGETALL", key])),
  };
}

/**
 * Writes `value` over a --group's count of its jobs `kind` (running, in the run order) in
 * `queue`, as another program might: its field in the groups hash (Redis), its column of the
 * group's row (SQL).
 *
 * @returns a reader of the group's counts as stored, to show they were left as they were.
 */
export async function plantGroupCount(
  backend: Backend,
  queue: string,
  group: string,
  kind: "active" | "ready",
  value: string | number,
): Promise<() => Promise<string>> {
  if (isSql(backend)) {
    const where = "WHERE namespace = ? AND queue = ? AND group_key = ?";
    await runSql(
      backend,
      `UPDATE coord_queue_group SET ${kind} = ? ${where}`,
      value,
      backend.namespace,
      queue,
      group,
    );
    return async () =>
      JSON.stringify(
        await sqlRows(
          backend,
          `SELECT * FROM coord_queue_group ${where}`,
          backend.namespace,
          queue,
          group,
        ),
      );
  }
  const redis = backend as RedisBackend;
  const key = redis.key("queue", queue, "groups");
  await redis.conn.send(key, ["HSET", key, `${kind}:${group}`, String(value)]);
  return async () => JSON.stringify(await redis.conn.send(key, ["HGETALL", key]));
}
