/**
 * A Redis URL of the wrong kind — `redis://` at a Cluster node or a sentinel,
 * `redis+sentinel://` at a plain server or a Cluster node, `redis+cluster://` at a plain server
 * or a sentinel — ends in one line that names the URL
 * to use instead, exit 64: not "is the server up?" (69), nor an internal error (70).
 */

import assert from "node:assert/strict";
import { freshNamespace } from "./support/backends.ts";
import { runCoord } from "./support/cli.ts";
import { startStandalone } from "./support/redis_servers.ts";
import { sharedRedisUrl } from "./support/shared_servers.ts";

const urls = {
  redis: await sharedRedisUrl("redis"),
  cluster: await sharedRedisUrl("cluster"),
  sentinel: await sharedRedisUrl("sentinel"),
};

/** The first host:port of a URL. */
function firstNode(url: string): string {
  return /\/\/([^,/]+)/.exec(url)![1];
}

async function coord(url: string, ...args: string[]) {
  return await runCoord(args, { env: { COORD_URL: url, COORD_NAMESPACE: freshNamespace() } });
}

function assertOneLine(stderr: string, message: RegExp) {
  assert.match(stderr, message);
  assert.equal(stderr.trim().split("\n").length, 1, stderr);
}

Deno.test({
  name: "redis:// at a Cluster node says to use redis+cluster://, exit 64",
  ignore: !urls.cluster,
  fn: async () => {
    const node = firstNode(urls.cluster!);
    // A lock whose slot the node serves works there; the others are answered with MOVED.
    let moved = 0;
    for (const name of ["a", "b", "c", "d", "e", "f"]) {
      const r = await coord(`redis://${node}`, "lock", "run", name, "--", "true");
      if (r.code === 0) continue;
      assert.equal(r.code, 64, r.stderr);
      assertOneLine(
        r.stderr,
        new RegExp(
          `is a Redis Cluster node \\(it answered MOVED\\) — use redis\\+cluster://${node}`,
        ),
      );
      moved++;
    }
    assert.ok(moved > 0, "some lock's slot is on another node");
  },
});

Deno.test({
  name: "redis:// at a one-shard cluster (a node holding every slot) works: put, lock, barrier",
  ignore: !urls.redis,
  fn: async () => {
    // The index of names is another slot than a step's keys: a server in cluster mode refuses
    // a script given both (CROSSSLOT), which ended every creating step with exit 70.
    await using node = await startStandalone({ oneShard: true });
    const env = { COORD_URL: node.url, COORD_NAMESPACE: freshNamespace() };
    for (
      const args of [
        ["queue", "put", "q", "--", "true"],
        ["queue", "put", "q", "--", "true"],
        ["lock", "run", "l", "--", "true"],
        ["barrier", "b", "1"],
      ]
    ) {
      const r = await runCoord(args, { env });
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    }
    const listed = await runCoord(["queue", "list", "q"], { env });
    assert.equal(listed.stdout.trim().split("\n").length, 3, listed.stdout); // a header, 2 jobs
  },
});

Deno.test({
  name: "redis:// at a sentinel says to use redis+sentinel://, exit 64",
  ignore: !urls.sentinel,
  fn: async () => {
    const node = firstNode(urls.sentinel!);
    const r = await coord(`redis://${node}`, "turn", "status");
    assert.equal(r.code, 64, r.stderr);
    assertOneLine(r.stderr, new RegExp(`a sentinel\\? use redis\\+sentinel://${node}/MASTER`));
  },
});

for (const kind of ["redis", "cluster"] as const) {
  Deno.test({
    name: `redis+sentinel:// at a ${kind} node says it is no sentinel, exit 64`,
    ignore: !urls[kind],
    fn: async () => {
      const node = firstNode(urls[kind]!);
      const r = await coord(`redis+sentinel://${node}/coordmaster`, "turn", "status");
      assert.equal(r.code, 64, r.stderr);
      assertOneLine(
        r.stderr,
        new RegExp(`${node} is a Redis server, not a sentinel — for it alone use redis://${node}`),
      );
    },
  });
}

Deno.test({
  name: "redis+cluster:// at a server without cluster mode says to use redis://, exit 64",
  ignore: !urls.redis,
  fn: async () => {
    const node = firstNode(urls.redis!);
    const r = await coord(`redis+cluster://${node}`, "turn", "status");
    assert.equal(r.code, 64, r.stderr);
    assertOneLine(
      r.stderr,
      new RegExp(`${node} is a Redis server without cluster mode — use redis://${node}`),
    );
  },
});

Deno.test({
  name: "redis+cluster:// at a sentinel says to use redis+sentinel://, exit 64",
  ignore: !urls.sentinel,
  fn: async () => {
    const node = firstNode(urls.sentinel!);
    const r = await coord(`redis+cluster://${node}`, "turn", "status");
    assert.equal(r.code, 64, r.stderr);
    assertOneLine(r.stderr, new RegExp(`a sentinel\\? use redis\\+sentinel://${node}/MASTER`));
  },
});

Deno.test({
  name: "a wrong password on a redis+cluster:// URL says the login failed, exit 69 (not an outage)",
  ignore: !urls.cluster,
  fn: async () => {
    const url = urls.cluster!.replace("redis+cluster://", "redis+cluster://u:WrongPw99@");
    const r = await coord(url, "lock", "run", "pw", "--", "true");
    assert.equal(r.code, 69, r.stderr);
    assertOneLine(r.stderr, /: authentication failed — check the password/);
    assert.doesNotMatch(r.stderr, /WrongPw99|is the server up/);
  },
});

Deno.test({
  name: "redis:// naming a database the server does not have exits 64 naming the /N",
  ignore: !urls.redis,
  fn: async () => {
    const r = await coord(`${urls.redis}/99`, "lock", "run", "db", "--", "true");
    assert.equal(r.code, 64, r.stderr);
    assertOneLine(
      r.stderr,
      /has no database of that number .* check the \/N at the end of the URL/,
    );
  },
});
