/**
 * A Redis lock whose live tickets another program wrote (members that are no ticket, a lease
 * that never ends, a ticket without its user, a user record or grant coord does not write):
 * every step refuses it, exit 65, one line, and leaves every key as it was. A step counted the
 * tickets only: it granted another program's ticket, or failed half-way through (exit 70) with
 * what it wrote before kept.
 */

import assert from "node:assert/strict";
import { freshNamespace, REDIS_BACKENDS } from "./support/backends.ts";
import { runCoord } from "./support/cli.ts";
import { assertPlantRefused } from "./support/redis_plant.ts";
import { connect } from "../lib/backend/connect.ts";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";
import { indexKey } from "../lib/backend/keys.ts";
import { ForeignDataError } from "../lib/errors.ts";

interface Plant {
  what: string;
  /** Commands on lock "r"'s keys (KEY(part) stands for the key), after one `lock run r`. */
  commands: string[][];
}

const PLANTS: Plant[] = [
  {
    // Counted alike in queue, presence and users: ticket 6 has no lease.
    what: "tickets whose leases are on other tickets",
    commands: [
      ["HSET", "state", "indicator", "5", "limit", "1"],
      ["SET", "tickets", "6"],
      ["ZADD", "queue", "5", "5", "6", "6"],
      ["ZADD", "presence", "9999999999999", "5", "9999999999999", "7"],
      ["HSET", "users", "5", "{}", "6", "{}"],
    ],
  },
  {
    what: "a ticket that is no number",
    commands: [
      ["HSET", "state", "indicator", "2", "limit", "1"],
      ["SET", "tickets", "1"],
      ["ZADD", "queue", "5", "abc"],
      ["ZADD", "presence", "99999999999999", "abc"],
      ["HSET", "users", "abc", "{}"],
    ],
  },
  {
    // A dead holder's lease past any clock: the lock would never pass on.
    what: "a lease that never ends",
    commands: [
      ["HSET", "state", "indicator", "2", "limit", "1"],
      ["SET", "tickets", "2"],
      ["ZADD", "queue", "2", "2"],
      ["ZADD", "presence", "1e300", "2"],
      ["HSET", "users", "2", '{"label":"them"}'],
      ["HSET", "holders", "2", "1"],
    ],
  },
  {
    what: "a user that is no JSON",
    commands: [
      ["HSET", "state", "indicator", "2", "limit", "1"],
      ["SET", "tickets", "2"],
      ["ZADD", "queue", "2", "2"],
      ["ZADD", "presence", "9999999999999", "2"],
      ["HSET", "users", "2", "not json"],
    ],
  },
  {
    what: "a holder granted at no time",
    commands: [
      ["HSET", "state", "indicator", "2", "limit", "1"],
      ["SET", "tickets", "2"],
      ["ZADD", "queue", "2", "2"],
      ["ZADD", "presence", "9999999999999", "2"],
      ["HSET", "users", "2", '{"label":"them","since":"1.000"}'],
      ["HSET", "holders", "2", "soon"],
    ],
  },
  {
    // Its lease ran out: the purge removed its request id (a table) from the requests, and the
    // script failed half-way (70).
    what: "a lapsed user whose request is no text",
    commands: [
      ["HSET", "state", "indicator", "2", "limit", "1"],
      ["SET", "tickets", "2"],
      ["ZADD", "queue", "2", "2"],
      ["ZADD", "presence", "1", "2"],
      ["HSET", "users", "2", '{"label":"them","since":"1.000","request":{}}'],
    ],
  },
  {
    // Granted with it: its holder would be told another's token, or none.
    what: "a user whose token is no number",
    commands: [
      ["HSET", "state", "indicator", "2", "limit", "1"],
      ["SET", "tickets", "2"],
      ["ZADD", "queue", "2", "2"],
      ["ZADD", "presence", "9999999999999", "2"],
      ["HSET", "users", "2", '{"label":"them","since":"1.000","token":"soon"}'],
    ],
  },
];

const PARTS = ["state", "queue", "presence", "users", "holders", "tickets", "tokens", "requests"];

for (const backend of REDIS_BACKENDS) {
  for (const p of PLANTS) {
    Deno.test(`redis lock (${backend.label}): ${p.what} is refused, 65, and left as it is`, async () => {
      await using target = await backend.use();
      const namespace = freshNamespace();
      const flags = ["--url", target.url, "--namespace", namespace];
      const first = await runCoord(["lock", "run", "r", ...flags, "--", "true"]);
      assert.equal(first.code, 0, first.stderr);
      await assertPlantRefused({
        url: target.url,
        namespace,
        instance: ["lock", "r"],
        parts: PARTS,
        plant: p.commands,
        refusing: [
          ["lock", "run", "r", "-n", ...flags, "--", "true"],
          ["turn", "status", "r", ...flags],
          ["turn", "reset", "r", "--force", ...flags],
        ],
      });
    });
  }
}

for (const backend of REDIS_BACKENDS) {
  Deno.test(`redis lock (${backend.label}): a waiter's check refuses a ticket the purge of lapsed ones ahead would grant, and leaves the keys as they were`, async () => {
    await using target = await backend.use();
    const namespace = freshNamespace();
    const flags = ["--url", target.url, "--namespace", namespace];
    assert.equal((await runCoord(["lock", "run", "r", ...flags, "--", "true"])).code, 0);
    await using redis = await connect({ url: target.url, namespace, env: {} }) as RedisBackend;
    const key = (part: string) => redis.key("lock", "r", part);
    const send = (args: string[]) => redis.conn.send(args[1], args);
    const user = '{"label":"them","since":"1.000"}';
    for (
      const [command, part, ...rest] of [
        ["HSET", "state", "indicator", "2", "limit", "1"],
        ["SET", "tickets", "4"],
        ["ZADD", "queue", "2", "2", "3", "3", "4", "4"],
        // 2 and 3 lapsed; 4's lease never ends.
        ["ZADD", "presence", "1", "2", "1", "3", "1e300", "4"],
        ["HSET", "users", "2", user, "3", user, "4", user],
      ]
    ) await send([command, key(part), ...rest]);
    const stored = async () =>
      JSON.stringify(await Promise.all(PARTS.map((part) => send(["DUMP", key(part)]))));
    const before = await stored();
    // Ticket 2's own step read the line up to the first two only, then granted 4 past them.
    await assert.rejects(
      redis.lock.check("r", { ticket: 2, expireMs: 1000, renew: false, starting: false }),
      (e: Error) => e instanceof ForeignDataError && /ticket "4"/.test(e.message),
    );
    assert.equal(await stored(), before, "the keys are left as they were");
  });
}

for (const backend of REDIS_BACKENDS) {
  Deno.test(`redis lock (${backend.label}): a name no user could give, in the index, is another program's: doctor names it, turn reset goes on and exits 65`, async () => {
    await using target = await backend.use();
    const namespace = freshNamespace();
    const flags = ["--url", target.url, "--namespace", namespace];
    assert.equal((await runCoord(["lock", "run", "ours", ...flags, "--", "true"])).code, 0);
    await using redis = await connect({ url: target.url, namespace, env: {} }) as RedisBackend;
    const index = indexKey(namespace, "lock", "names");
    await redis.conn.send(index, ["ZADD", index, "0", "x\ny"]);
    // The index lists names that have keys.
    const state = redis.key("lock", "x\ny", "state");
    await redis.conn.send(state, ["HSET", state, "indicator", "1", "limit", "1"]);
    // Before: "resource name "x\ny" holds a control character … — leave it out", 64, and
    // turn reset stopped there, after resetting the names before it.
    const doctor = await runCoord(["doctor", ...flags]);
    assert.equal(doctor.code, 0, doctor.stderr);
    assert.match(
      doctor.stdout,
      /^ {2}lock "x\\ny": the backend lists resource name "x\\ny", a name coord never writes/m,
    );
    const reset = await runCoord(["turn", "reset", ...flags]);
    assert.equal(reset.code, 65, reset.stderr);
    assert.match(reset.stderr, /^Reset "ours"\.$/m);
    assert.match(
      reset.stderr,
      /^coord: the backend lists resource name "x\\ny", a name coord never writes/m,
    );
  });
}

for (const backend of REDIS_BACKENDS) {
  Deno.test(`redis lock (${backend.label}): turn reset shows a foreign name's C1 or bidi control escaped, which JSON leaves raw`, async () => {
    // CSI as one C1 character: "\x9b2J" clears a terminal that reads 8-bit controls; U+202E
    // reverses the rest of the line (an earlier coord took such a name, as no name now).
    for (const [c, shown] of [["\x9b", "\\x9b"], ["\u202e", "\\u{202e}"]]) {
      await using target = await backend.use();
      const namespace = freshNamespace();
      const flags = ["--url", target.url, "--namespace", namespace];
      await using redis = await connect({ url: target.url, namespace, env: {} }) as RedisBackend;
      const name = `x${c}2Jy`;
      const index = indexKey(namespace, "lock", "names");
      await redis.conn.send(index, ["ZADD", index, "0", name]);
      const state = redis.key("lock", name, "state");
      await redis.conn.send(state, ["HSET", state, "indicator", "1", "limit", "1"]);
      const reset = await runCoord(["turn", "reset", ...flags]);
      assert.equal(reset.code, 65, reset.stderr);
      assert.ok(
        reset.stderr.startsWith(`coord: the backend lists resource name "x${shown}2Jy"`),
        reset.stderr,
      );
      assert.ok(!reset.stderr.includes(c), reset.stderr);
    }
  });
}
