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

/** A command with its flags between `head` and `tail`, as `COMMANDS` above. */
type Command = { head: string[]; tail: string[] };

/** The commands that would write a queue's keys, each refused by its step on such keys. */
const QUEUE_WRITES: Command[] = [
  { head: ["queue", "pause", "q"], tail: [] },
  { head: ["queue", "resume", "q"], tail: [] },
  { head: ["queue", "config", "q"], tail: ["--keep-completed", "5"] },
  { head: ["queue", "put", "q"], tail: ["--", "true"] },
];

/**
 * Another program's keys at the names of an instance coord never indexed, and the commands that
 * would create it there. A queue's settings with a pause coord never writes, or its totals a
 * string beside settings of coord's; a lock's queue, a barrier's state a string. (`queue purge`
 * is not among them: it never creates a queue, so it never touched the index.)
 */
const FOREIGN_INSTANCES: {
  kind: Kind;
  name: string;
  what: string;
  plant: [part: string, command: string[]][];
  commands: Command[];
}[] = [
  {
    kind: "queue",
    name: "q",
    what: "a pause of another program's",
    plant: [["config", ["HSET", "paused", "maybe"]]],
    commands: QUEUE_WRITES,
  },
  {
    kind: "queue",
    name: "q",
    what: "its totals a string",
    plant: [["config", ["HSET", "paused", "0"]], ["totals", ["SET", "junk"]]],
    commands: QUEUE_WRITES,
  },
  {
    kind: "lock",
    name: "r",
    what: "a lock's queue a string",
    plant: [["queue", ["SET", "junk"]]],
    commands: [{ head: ["lock", "run", "r"], tail: ["--", "echo", "ran"] }],
  },
  {
    kind: "barrier",
    name: "b",
    what: "a barrier's state a string",
    plant: [["state", ["SET", "junk"]]],
    commands: [{ head: ["barrier", "b", "1"], tail: ["--timeout", "5"] }],
  },
];

for (const backend of REDIS_BACKENDS) {
  Deno.test(
    `redis index (${backend.label}): a command refused on another program's keys at an ` +
      `unindexed instance's names exits 65 and leaves the index as it was, as every key`,
    async () => {
      await using target = await backend.use();
      // Every command's faults, not the first one's only.
      const faults: string[] = [];
      for (const { kind, name, what, plant, commands } of FOREIGN_INSTANCES) {
        const namespace = freshNamespace();
        await using opened = await connect({ url: target.url, namespace, env: {} });
        const redis = opened as RedisBackend;
        for (const [part, [command, ...rest]] of plant) {
          const key = redis.key(kind, name, part);
          await redis.conn.send(key, [command, key, ...rest]);
        }
        const names = indexKey(namespace, kind, "names");
        // What each command found: one that stored something must not hide the next one's.
        const snapshot = async () =>
          JSON.stringify({
            indexed: await redis.conn.send(names, ["ZSCORE", names, name]),
            keys: await stored(redis),
          });
        for (const { head, tail } of commands) {
          const before = await snapshot();
          const r = await runCoord([
            ...head,
            ...["--url", target.url, "--namespace", namespace],
            ...tail,
          ]);
          const step = `${what}, ${head.slice(0, 2).join(" ")}`;
          if (r.code !== 65) faults.push(`${step}: exit ${r.code}, not 65: ${r.stderr}`);
          if (r.stderr.trim().split("\n").length !== 1) faults.push(`${step}: ${r.stderr}`);
          if (r.stdout !== "") faults.push(`${step}: printed ${r.stdout}`);
          const after = await snapshot();
          if (JSON.parse(after).indexed !== JSON.parse(before).indexed) {
            faults.push(`${step}: it touched the index`);
          } else if (after !== before) faults.push(`${step}: a key changed`);
        }
      }
      assert.deepEqual(faults, []);
    },
  );
}
