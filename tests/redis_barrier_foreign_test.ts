/**
 * A Redis barrier whose participants another program wrote (a lease that never ends, a lease
 * without its arrival record or with one that is not JSON, an arrival without a lease): every
 * step refuses it, exit 65, one line, and leaves every key as it was. Counted by its leases
 * alone, one real participant released a barrier of 2.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";
import { freshNamespace, REDIS_BACKENDS } from "./support/backends.ts";
import { runCoord } from "./support/cli.ts";

const ARRIVAL = '{"host":"h","arrival":1,"pid":1,"since":1}';

const PLANTS: { what: string; commands: string[][] }[] = [
  {
    what: "a lease that never ends",
    commands: [["ZADD", "leases", "1e300", "id1"], ["HSET", "arrivals", "id1", ARRIVAL]],
  },
  {
    what: "an arrival record that is not JSON",
    commands: [["ZADD", "leases", "9e12", "id1"], ["HSET", "arrivals", "id1", "garbage"]],
  },
  { what: "a lease without its arrival", commands: [["ZADD", "leases", "9e12", "id1"]] },
  { what: "an arrival without its lease", commands: [["HSET", "arrivals", "id1", ARRIVAL]] },
];

const PARTS = ["state", "leases", "arrivals", "ended", "members"];

for (const backend of REDIS_BACKENDS) {
  for (const p of PLANTS) {
    Deno.test(`redis barrier (${backend.label}): ${p.what} is refused, 65, and left as it is`, async () => {
      await using target = await backend.use();
      const namespace = freshNamespace();
      const flags = ["--url", target.url, "--namespace", namespace];
      await using opened = await connect({ url: target.url, namespace, env: {} });
      const redis = opened as RedisBackend;
      const key = (part: string) => redis.key("barrier", "bf", part);
      const send = (args: string[]) => redis.conn.send(args[1], args);
      await send(["HSET", key("state"), "generation", "1", "n", "2", "next_arrival", "1"]);
      for (const [command, part, ...rest] of p.commands) await send([command, key(part), ...rest]);
      const stored = async () =>
        JSON.stringify(
          await Promise.all(PARTS.map((part) => send(["DUMP", key(part)]).then(String))),
        );
      const before = await stored();
      for (
        const args of [
          ["barrier", "bf", "2", "--timeout", "1", ...flags],
          ["barrier", "status", "bf", ...flags],
        ]
      ) {
        const r = await runCoord(args);
        assert.equal(r.code, 65, `${args.slice(0, 2).join(" ")}: ${r.stderr}`);
        assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      }
      assert.equal(await stored(), before, "the barrier's keys are left as they were");
    });
  }
}
