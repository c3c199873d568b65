/**
 * coord through a real PgBouncer in front of the test server. In transaction mode, where a
 * session's server connection goes back to the pool after each transaction, LISTEN succeeds but
 * no NOTIFY comes back: coord must find that out and poll, and its prepared statements must
 * survive moving between server connections. Session mode is plain Postgres to coord.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { openClient } from "./support/postgres_client.ts";
import { CHANGE_CHANNEL } from "../lib/backend/postgres/sql_store.ts";
import { queue } from "../lib/queue/handle.ts";
import { freshNamespace } from "./support/backends.ts";
import { runCoord, spawnCoord } from "./support/cli.ts";
import { users } from "./support/lock.ts";
import { pgBouncerAvailable, startPgBouncer } from "./support/pgbouncer.ts";
import { sharedPostgresUrl } from "./support/postgres_shared.ts";
import { tempDir } from "./support/temp.ts";
import { guarded, until } from "./support/wait.ts";

const url = await sharedPostgresUrl();
const ignore = url === undefined || !pgBouncerAvailable();

async function doctorWakeUps(bouncerUrl: string): Promise<string> {
  const r = await runCoord(["doctor", "--json", "--url", bouncerUrl, "--namespace", "pgb"]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).details.wake_ups;
}

Deno.test({
  name: "behind pgbouncer in transaction mode coord connects and says it polls",
  ignore,
  async fn() {
    await using bouncer = await startPgBouncer(url!, { poolMode: "transaction" });
    assert.equal(await doctorWakeUps(bouncer.url), "polling");
  },
});

Deno.test({
  name: "behind pgbouncer in session mode coord listens",
  ignore,
  async fn() {
    await using bouncer = await startPgBouncer(url!, { poolMode: "session", poolSize: 20 });
    assert.equal(await doctorWakeUps(bouncer.url), "listen/notify");
  },
});

Deno.test({
  name: "a LISTEN made again after a lost connection is probed again: polling behind the pooler",
  ignore,
  async fn() {
    // Probes reach the server whatever the pooler does with them: count them there.
    const server = await openClient(url!);
    const probes = new Map<string, number>();
    server.on("notification", ({ payload = "" }) => {
      if (payload.startsWith('["coord probe"')) probes.set(payload, (probes.get(payload) ?? 0) + 1);
    });
    await server.query(`LISTEN ${CHANGE_CHANNEL}`);
    try {
      await using bouncer = await startPgBouncer(url!, { poolMode: "session", poolSize: 20 });
      await using backend = await connect({
        url: bouncer.url,
        namespace: freshNamespace(),
        env: {},
      });
      assert.equal((await backend.info()).details.wake_ups, "listen/notify");
      // The listener's connection drops; its LISTEN is made again, through a pooler that now
      // swallows NOTIFYs. (Another process's listener probes twice only when it, too, lost its
      // connection.)
      await bouncer.restart("transaction");
      await until(() => [...probes.values()].some((n) => n >= 2), { what: "a second probe" });
      // info() waits for the probe in flight.
      assert.equal((await backend.info()).details.wake_ups, "polling");
    } finally {
      await server.end();
    }
  },
});

Deno.test({
  name: "behind pgbouncer in transaction mode a lock waiter wakes on the poll, not its re-check",
  ignore,
  async fn() {
    await using bouncer = await startPgBouncer(url!);
    const namespace = freshNamespace();
    const env = { COORD_URL: bouncer.url, COORD_NAMESPACE: namespace };
    await using temp = await tempDir("coord-test-");
    const release = `${temp.path}/release`;
    // The waiter's own re-checks come every 200 s at the earliest (a third of --expire,
    // --patience), so only a wake-up (the 50 ms poll) lets it run within the hang guard.
    const lock = ["lock", "run", "r", "--expire", "600", "--patience", "600", "--"];
    await using holder = spawnCoord(
      [...lock, "sh", "-c", 'echo holding >&2; while [ ! -e "$0" ]; do sleep 0.05; done', release],
      { env },
    );
    await holder.stderrLine(/^holding$/);
    await using waiter = spawnCoord([...lock, "echo", "second"], { env });
    await using backend = await connect({ url: bouncer.url, namespace, env: {} });
    await users(backend, "r", 2);
    await Deno.writeTextFile(release, "");
    const second = await guarded(waiter.result, "second holder's run");
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout.trim(), "second");
    assert.equal((await holder.result).code, 0);
  },
});

Deno.test({
  name: "behind pgbouncer in transaction mode a job put is worked and its waiter sees it done",
  ignore,
  async fn() {
    await using bouncer = await startPgBouncer(url!);
    const env = { COORD_URL: bouncer.url, COORD_NAMESPACE: freshNamespace() };
    await using worker = spawnCoord(["queue", "work", "q", "--allow-commands"], { env });
    const put = await runCoord(["queue", "put", "q", "--id", "j", "--", "echo", "done"], { env });
    assert.equal(put.code, 0, put.stderr);
    const waited = await guarded(
      runCoord(["queue", "wait", "q/j", "--json"], { env }),
      "end of the job",
    );
    assert.equal(waited.code, 0, waited.stderr);
    assert.match(waited.stdout, /"completed"/);
    worker.kill("SIGTERM");
    assert.equal((await worker.result).code, 0);
  },
});

Deno.test({
  name: "prepared statements through pgbouncer: 100 jobs put and worked over 2 server connections",
  ignore,
  async fn() {
    await using bouncer = await startPgBouncer(url!, { poolSize: 2 });
    const namespace = freshNamespace();
    // Two processes' worth of pools: their sessions take turns on the same server connections.
    await using putter = await connect({ url: bouncer.url, namespace, env: {} });
    await using workerBackend = await connect({ url: bouncer.url, namespace, env: {} });
    const jobs = 100;
    const putting = (async () => {
      for (let i = 0; i < jobs; i++) await queue(putter, "p").put({ handler: "double", args: i });
    })();
    await guarded(putting, "end of the puts");
    const worked = await guarded(
      queue(workerBackend, "p").runUntilEmpty({ double: (n) => (n as number) * 2 }, {
        concurrency: 4,
      }),
      "end of the worker's drain",
    );
    const counts = await putter.queue.counts("p");
    assert.equal(counts.completed, jobs, JSON.stringify({ counts, worked }));
    assert.equal(await queue(putter, "p").job("100").result(), 198);
  },
});
