/**
 * A PostgreSQL server that stops answering while its connections stay open (a partition, a
 * stopped VM), through a pausable proxy: node-postgres would wait for its replies for ever.
 * Each query is an outage after the connect timeout, and all works again once it answers.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { BackendUnavailableError } from "../lib/errors.ts";
import { lock } from "../lib/lock/lock.ts";
import { getJob, putJob } from "../lib/queue/queue.ts";
import { freshNamespace } from "./support/backends.ts";
import { ChangeListener } from "../lib/backend/postgres/change_listener.ts";
import { endWithin, importPg, type PgConfig } from "../lib/backend/postgres/client.ts";
import { guarded, HANG_GUARD_MS } from "./support/wait.ts";
import { assertWaiterExitsWhileSilent } from "./support/lock.ts";
import { sharedPostgresUrl } from "./support/postgres_shared.ts";
import { type PausableProxy, startProxy } from "./support/proxy.ts";
import { spawnCoord, spawnProgram } from "./support/cli.ts";
import { tempDir } from "./support/temp.ts";

const url = await sharedPostgresUrl();

Deno.test({
  name: "a silent Postgres makes a put and a lock an outage after the connect timeout, not a hang",
  ignore: url === undefined,
  async fn() {
    const server = new URL(url!);
    await using proxy = startProxy(Number(server.port));
    server.port = String(proxy.port);
    await using backend = await connect({
      url: server.href,
      namespace: freshNamespace(),
      connectTimeoutMs: 1_000,
      env: {},
    });
    await putJob(backend, "q", { id: "before", handler: "h" });
    proxy.pause();
    try {
      for (
        const [what, call] of [
          ["put", () => putJob(backend, "q", { id: "during", handler: "h" })],
          ["lock", () => lock(backend, "frozen", { expireMs: 1_000 })],
        ] as [string, () => Promise<unknown>][]
      ) {
        await assert.rejects(guarded(call(), what), (e: Error) => {
          assert.ok(e instanceof BackendUnavailableError, `${what}: ${e}`);
          assert.match(e.message, /: no (answer|connection) within --connect-timeout\)?$/);
          return true;
        });
      }
    } finally {
      proxy.resume();
    }
    await putJob(backend, "q", { id: "after", handler: "h" });
    assert.equal((await getJob(backend, "q/after")).state, "pending");
    assert.equal((await getJob(backend, "q/before")).state, "pending");
  },
});

Deno.test({
  name: "a lock run waiting on a Postgres that stops answering exits 69 while it is silent",
  ignore: url === undefined,
  async fn() {
    const server = new URL(url!);
    await using proxy = startProxy(Number(server.port));
    const namespace = freshNamespace();
    await using backend = await connect({ url: url!, namespace, env: {} });
    server.port = String(proxy.port);
    await assertWaiterExitsWhileSilent(
      backend,
      { COORD_URL: server.href, COORD_NAMESPACE: namespace },
      { silence: () => proxy.pause(), answer: () => proxy.resume() },
      /^coord: lock "y": gave up its place in line after 2(\.\d)? s without the backend \((lost )?postgres:\/\/\S+: no (answer|connection) within --connect-timeout\)\n$/,
    );
  },
});

Deno.test({
  name: "a lock run whose Postgres stops answering before its listener's probe came back exits 69",
  ignore: url === undefined,
  async fn() {
    const server = new URL(url!);
    const decoder = new TextDecoder();
    // Silent from the moment the probe NOTIFY (sent as the backend opens) leaves: it never comes
    // back, and the listener then ends its LISTEN connection, which the server never lets go of.
    const proxy: PausableProxy = startProxy(Number(server.port), {
      watchClient: () => (bytes) => {
        if (decoder.decode(bytes).includes("coord probe")) proxy.pause();
      },
    });
    await using _ = proxy;
    server.port = String(proxy.port);
    const env = { COORD_URL: server.href, COORD_NAMESPACE: freshNamespace() };
    try {
      await using waiter = spawnCoord(
        ["lock", "run", "y", "--expire", "2", "--connect-timeout", "1", "--", "true"],
        { env },
      );
      const { code, stderr } = await guarded(waiter.result, "the waiter");
      assert.equal(code, 69, stderr);
      assert.match(
        stderr,
        /^coord: lock "y": gave up its place in line after 2(\.\d)? s without the backend \(postgres:\/\/\S+: no (answer|connection) within --connect-timeout\)\n$/,
      );
    } finally {
      proxy.resume();
    }
  },
});

Deno.test({
  name: "a program whose Postgres stops answering ends once it has closed its backend",
  ignore: url === undefined,
  async fn() {
    await assertProgramEndsAfterClose();
  },
});

Deno.test({
  name:
    "a program whose Postgres stops answering ends once it has closed its backend, after its pool ended an idle connection",
  ignore: url === undefined,
  async fn() {
    // pg-pool ends a connection idle for 10 s itself (coord does not set its idleTimeoutMillis),
    // out of the reach of coord's close, which waits until it has: the goodbye is sent.
    await assertProgramEndsAfterClose({ closeOnceIdleEnded: true });
  },
});

Deno.test({
  name: "the change listener closed at once drops its probe's connection on a silent server",
  ignore: url === undefined,
  async fn() {
    const server = new URL(url!);
    const decoder = new TextDecoder();
    const probing = Promise.withResolvers<void>();
    const proxy: PausableProxy = startProxy(Number(server.port), {
      watchClient: () => (bytes) => {
        if (!decoder.decode(bytes).includes("coord probe")) return;
        proxy.pause();
        probing.resolve();
      },
    });
    await using _ = proxy;
    const pg = await importPg();
    // A connect timeout beyond the hang guard: only the close's own 0 ms ends the test in time.
    const config: PgConfig = {
      host: server.hostname,
      port: proxy.port,
      user: decodeURIComponent(server.username),
      database: server.pathname.slice(1),
      ssl: false,
      connectionTimeoutMillis: 2 * HANG_GUARD_MS,
      application_name: "coord-test",
    };
    const pool = new pg.Pool(config);
    try {
      const listener = await ChangeListener.start(() => new pg.Client(config), pool);
      await guarded(probing.promise, "the probe");
      await guarded(listener.close(0), "the listener's close");
    } finally {
      proxy.resume();
      await endWithin(pool, HANG_GUARD_MS);
    }
  },
});

/**
 * Runs a program that reads three locks at once, which leaves three connections idle in its
 * pool, makes its Postgres silent, then has it close its backend (with `closeOnceIdleEnded`,
 * once one of them has sent its goodbye); the program must end.
 */
async function assertProgramEndsAfterClose({ closeOnceIdleEnded = false } = {}): Promise<void> {
  const server = new URL(url!);
  // The LISTEN connection ends only at the close: the first goodbye is the pool's.
  const idleEnded = Promise.withResolvers<void>();
  await using proxy = startProxy(Number(server.port), {
    watchClient: () => (bytes) => {
      if (isTerminate(bytes)) idleEnded.resolve();
    },
  });
  server.port = String(proxy.port);
  await using dir = await tempDir("coord-test-");
  const program = `${dir.path}/app.ts`;
  await Deno.writeTextFile(
    program,
    `import { connect } from "coord";
const backend = await connect({ connectTimeoutMs: 1_000 });
const silent = Promise.withResolvers<void>();
Deno.addSignalListener("SIGUSR2", silent.resolve);
await Promise.all(["a", "b", "c"].map((name) => backend.lock.status(name)));
console.log("ready");
await silent.promise;
Deno.removeSignalListener("SIGUSR2", silent.resolve);
await backend.close();
console.log("closed");
`,
  );
  await using app = spawnProgram(program, {
    env: { COORD_URL: server.href, COORD_NAMESPACE: freshNamespace() },
  });
  await app.stdoutLine(/^ready$/);
  proxy.pause();
  try {
    if (closeOnceIdleEnded) {
      await guarded(idleEnded.promise, "the pool's ending of an idle connection");
    }
    app.kill("SIGUSR2");
    const { code, stdout, stderr } = await guarded(app.result, "the program's end");
    assert.equal(code, 0, stderr);
    assert.equal(stdout, "ready\nclosed\n");
  } finally {
    proxy.resume();
  }
}

/** Whether a client's `bytes` end with a Terminate message (`X`, length 4): its goodbye. */
function isTerminate(bytes: Uint8Array): boolean {
  return bytes.length >= 5 &&
    [0x58, 0, 0, 0, 4].every((byte, i) => bytes[bytes.length - 5 + i] === byte);
}
