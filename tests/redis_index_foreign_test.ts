/**
 * The index of a kind's names (keys.ts `indexKey`) written over by another program: a step that
 * may create an instance (`queue put`, `lock run`, `barrier`) refuses it, exit 65, one line,
 * before the step writes anything. It used to refuse only once the step had run: the job was
 * put (a caller who retried put it twice), the ticket taken, the arrival counted. And a step
 * refused for another program's keys at an instance's names leaves the index as it was: touched
 * alongside the step, it took in the name of a queue coord never wrote.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { indexKey, type Kind } from "../lib/backend/keys.ts";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";
import { freshNamespace, REDIS_BACKENDS } from "./support/backends.ts";
import { runCoord } from "./support/cli.ts";

/** What another program writes where the index keeps its names (a zset) or its tidy mark. */
const PLANTS: { what: string; part: "names" | "tidied"; command: string[] }[] = [
  { what: "its names a string", part: "names", command: ["SET", "junk"] },
  { what: "its tidy mark a hash", part: "tidied", command: ["HSET", "field", "junk"] },
];

/** Each creating command, by the kind whose index it touches, and what follows its flags. */
const COMMANDS: { kind: Kind; args: string[]; after?: string[] }[] = [
  { kind: "queue", args: ["queue", "put", "q"], after: ["--", "true"] },
  { kind: "lock", args: ["lock", "run", "r"], after: ["--", "echo", "ran"] },
  { kind: "barrier", args: ["barrier", "b", "1", "--timeout", "5"] },
];

/** Every key of the namespace, each with its value as DUMP gives it, sorted by key. */
async function stored(redis: RedisBackend): Promise<string[]> {
  const keys: string[] = [];
  for await (const [key, send] of redis.scan(`${redis.namespace}:*`)) {
    keys.push(`${key} ${JSON.stringify(await send(["DUMP", key]))}`);
  }
  return keys.sort();
}

for (const backend of REDIS_BACKENDS) {
  for (const { kind, args, after = [] } of COMMANDS) {
    Deno.test(
      `redis index (${backend.label}): ${args.slice(0, 2).join(" ")} refuses another ` +
        `program's index of ${kind} names, 65, before its step writes anything`,
      async () => {
        await using target = await backend.use();
        for (const plant of PLANTS) {
          const namespace = freshNamespace();
          await using opened = await connect({ url: target.url, namespace, env: {} });
          const redis = opened as RedisBackend;
          const key = indexKey(namespace, kind, plant.part);
          const [command, ...rest] = plant.command;
          await redis.conn.send(key, [command, key, ...rest]);
          const before = await stored(redis);
          const r = await runCoord([
            ...args,
            ...["--url", target.url, "--namespace", namespace],
            ...after,
          ]);
          assert.equal(r.code, 65, `${plant.what}: ${r.stderr}`);
          assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
          assert.match(r.stderr, new RegExp(`${key.replace(/[{}]/g, "\\$&")} holds a`));
          assert.equal(r.stdout, "", `${plant.what}: the command did not run`);
          assert.deepEqual(await stored(redis), before, `${plant.what}: nothing was stored`);
        }
      },
    );
  }
}

/**
 * Another program's keys at the names of a queue coord never indexed: its settings with a pause
 * coord never writes, or its totals a string beside settings of coord's.
 */
const FOREIGN_QUEUES: { what: string; plant: [part: string, command: string[]][] }[] = [
  { what: "a pause of another program's", plant: [["config", ["HSET", "paused", "maybe"]]] },
  {
    what: "its totals a string",
    plant: [["config", ["HSET", "paused", "0"]], ["totals", ["SET", "junk"]]],
  },
];

/** The commands that would write such a queue's keys, each refused by its step. */
const QUEUE_WRITES: string[][] = [
  ["pause", "q"],
  ["resume", "q"],
  ["config", "q", "--keep-completed", "5"],
  ["put", "q", "--", "true"],
  ["purge", "q", "--state", "completed"],
];

for (const backend of REDIS_BACKENDS) {
  Deno.test(
    `redis index (${backend.label}): a command refused on another program's keys at an ` +
      `unindexed queue's names exits 65 and leaves the index as it was, as every key`,
    async () => {
      await using target = await backend.use();
      for (const { what, plant } of FOREIGN_QUEUES) {
        const namespace = freshNamespace();
        await using opened = await connect({ url: target.url, namespace, env: {} });
        const redis = opened as RedisBackend;
        for (const [part, [command, ...rest]] of plant) {
          const key = redis.key("queue", "q", part);
          await redis.conn.send(key, [command, key, ...rest]);
        }
        const before = await stored(redis);
        for (const args of QUEUE_WRITES) {
          const r = await runCoord([
            "queue",
            ...args.slice(0, 2),
            ...["--url", target.url, "--namespace", namespace],
            ...args.slice(2),
          ]);
          const step = `${what}, ${args[0]}`;
          assert.equal(r.code, 65, `${step}: ${r.stderr}`);
          assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
          assert.equal(r.stdout, "", step);
          const names = indexKey(namespace, "queue", "names");
          assert.equal(await redis.conn.send(names, ["EXISTS", names]), 0, `${step}: indexed`);
          assert.deepEqual(await stored(redis), before, `${step}: a key changed`);
        }
      }
    },
  );
}
