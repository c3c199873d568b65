/**
 * Writing into a primitive's Redis keys as another program might, then checking that coord's
 * commands refuse what was written (exit 65, one line) and leave every key as it was.
 *
 * @module
 */

import assert from "node:assert/strict";
import { connect } from "../../lib/backend/connect.ts";
import type { Kind } from "../../lib/backend/keys.ts";
import type { RedisBackend } from "../../lib/backend/redis/backend.ts";
import { runCoord } from "./cli.ts";

/** Where to plant, what, and which commands must refuse it. */
export interface RedisPlant {
  url: string;
  namespace: string;
  /** The primitive and instance whose keys are planted into: `["lock", "r"]`. */
  instance: [kind: Kind, name: string];
  /** Every key part of the instance, compared before and after. */
  parts: readonly string[];
  /** Redis commands, each with a key part where the key goes: `["ZADD", "queue", "5", "5"]`. */
  plant: readonly string[][];
  /** coord's argv, each to exit 65 with one line. */
  refusing: readonly string[][];
}

/**
 * What `redis`'s namespace stores (or its keys matching `pattern`), byte for byte: each key's
 * DUMP and expiry time, sorted, to show that a refused step left every key as it was.
 */
export async function storedKeys(
  redis: RedisBackend,
  pattern = `${redis.namespace}:*`,
): Promise<string[]> {
  const keys = [];
  for await (const [key, send] of redis.scan(pattern)) {
    keys.push(
      `${key} ${JSON.stringify(await send(["DUMP", key]))} ${await send(["PEXPIRETIME", key])}`,
    );
  }
  return keys.sort();
}

/** Plants `plant`, then runs each of `refusing`: each must exit 65, changing no key. */
export async function assertPlantRefused(p: RedisPlant): Promise<void> {
  await using opened = await connect({ url: p.url, namespace: p.namespace, env: {} });
  const redis = opened as RedisBackend;
  const key = (part: string) => redis.key(p.instance[0], p.instance[1], part);
  const send = (args: string[]) => redis.conn.send(args[1], args);
  for (const [command, part, ...rest] of p.plant) await send([command, key(part), ...rest]);
  const stored = async () =>
    JSON.stringify(await Promise.all(p.parts.map((part) => send(["DUMP", key(part)]))));
  const before = await stored();
  for (const args of p.refusing) {
    const r = await runCoord([...args]);
    assert.equal(r.code, 65, `${args.slice(0, 2).join(" ")}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
  assert.equal(await stored(), before, "the keys are left as they were");
}
