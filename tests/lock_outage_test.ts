/**
 * A lock holder or waiter against a Redis that goes away (its own server per test), and a
 * waiter on a backend that is only slow.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import {
  type RedisServer,
  redisServerAvailable,
  startStandalone,
} from "./support/redis_servers.ts";
import { spawnCoord } from "./support/cli.ts";
import { freshNamespace } from "./support/backends.ts";
import { users } from "./support/lock.ts";
import { guarded } from "./support/wait.ts";
import { tempSqlite } from "./support/temp.ts";
import { lock } from "../lib/lock/lock.ts";

Deno.test({
  name: "a holder that loses Redis for most of its lease stops its command and exits 75",
  ignore: !redisServerAvailable(),
  async fn() {
    const server = await startStandalone();
    let stopped = false;
    try {
      const holder = spawnCoord(
        [
          "lock",
          "gone",
          "--expire",
          "1",
          "--",
          "sh",
          "-c",
          "trap 'echo TERM; kill $!; exit 0' TERM; echo ready >&2; sleep 20 & wait",
        ],
        { env: { COORD_URL: server.url } },
      );
      await holder.stderrLine(/^ready$/);
      await server.stop();
      stopped = true;
      const started = performance.now();
      const result = await holder.result;
      assert.equal(result.code, 75, result.stderr);
      assert.equal(result.stdout.trim(), "TERM");
      assert.match(result.stderr, /lost the lease of ticket 1 .* sent SIGTERM to sh/);
      // At its lease, not riding the outage out: a busy machine's second or two aside.
      assert.ok(performance.now() - started < 15_000);
    } finally {
      if (!stopped) await server.stop();
    }
  },
});

/**
 * A waiter with `--wait 8` loses its Redis (`outage.begin`) while it waits, with `--expire 600`:
 * it must give up at its wait, not ride the outage out for its lease as it did (a give-back
 * tried again, each try held by a silent server for the connect timeout, until the outage
 * outlasted the lease), and say that its ticket was not given back. The wait counts from the
 * command's start: 8 s leave a busy machine's start-up and the server's stop well inside it.
 */
async function assertWaiterGivesUpAtItsWait(
  outage: { begin(server: RedisServer): Promise<void>; end(server: RedisServer): void },
  { flags = [], code = 75 }: { flags?: string[]; code?: number } = {},
): Promise<void> {
  await using server = await startStandalone();
  const env = { COORD_URL: server.url, COORD_NAMESPACE: freshNamespace() };
  await using backend = await connect({ url: server.url, namespace: env.COORD_NAMESPACE, env: {} });
  await using _holder = spawnCoord(["lock", "y", "--expire", "600", "--", "sleep", "600"], { env });
  await users(backend, "y", 1);
  await using waiter = spawnCoord(
    ["lock", "y", "--wait", "8", "--expire", "600", ...flags, "--", "echo", "granted"],
    { env },
  );
  await users(backend, "y", 2);
  await outage.begin(server);
  try {
    // The hang guard stands in for "before its lease": the waiter gave up after 600 s.
    const line = await guarded(waiter.stderrLine(/^coord: /), "the waiter's line");
    // The ticket is seen as soon as its step wrote it, whose answer may still be on its way when
    // the server stops: then the ticket itself is unanswered.
    assert.match(
      line,
      /^coord: lock "y": not granted within 8 s( \(1 ahead\), and its ticket|, and a ticket it may have taken) was not given back: the backend did not answer \(.+\) — it leaves the queue when its lease runs out, within 600 s$/,
    );
    const result = await guarded(waiter.result, "the waiter's exit");
    assert.equal(result.code, code, result.stderr);
    assert.equal(result.stdout, "");
  } finally {
    // Before the holder is stopped: its give-back must not wait on a silent server.
    outage.end(server);
  }
}

Deno.test({
  name: "a waiter whose Redis stops answering gives up at its --wait, its ticket left to lapse",
  ignore: !redisServerAvailable(),
  fn: () =>
    assertWaiterGivesUpAtItsWait({
      begin: (server) => Promise.resolve(Deno.kill(server.pid, "SIGSTOP")),
      end: (server) => Deno.kill(server.pid, "SIGCONT"),
    }),
});

Deno.test({
  name: "a waiter whose Redis goes away gives up at its --wait, its ticket left to lapse",
  ignore: !redisServerAvailable(),
  fn: () => assertWaiterGivesUpAtItsWait({ begin: (server) => server.stop(), end: () => {} }),
});

Deno.test("a waiter with --wait 0 on a backend that is slow, not away, is granted", async () => {
  await using db = await tempSqlite();
  await using backend = await connect({ url: db.url, env: {} });
  const { DatabaseSync } = await import("node:sqlite");
  // Another process's write transaction holds the file for 1.5 s, past the waiter's wait and the
  // second a waiter in an outage is given: its steps queue behind it, answered late, not lost.
  const other = new DatabaseSync(db.url.slice("sqlite:".length));
  other.exec("BEGIN IMMEDIATE");
  const released = new Promise<void>((resolve) =>
    setTimeout(() => {
      other.exec("COMMIT");
      resolve();
    }, 1_500)
  );
  try {
    await using held = await lock(backend, "slow", { waitMs: 0 });
    assert.equal(held.resource, "slow");
  } finally {
    await released;
    other.close();
  }
});

Deno.test({
  name: "a waiter with -E 0 whose Redis goes away exits 69 at its --wait, not 0: nothing seen held",
  ignore: !redisServerAvailable(),
  fn: () =>
    assertWaiterGivesUpAtItsWait({ begin: (server) => server.stop(), end: () => {} }, {
      flags: ["-E", "0"],
      code: 69,
    }),
});
