/**
 * A Redis server that stops answering (SIGSTOP, a partition) but keeps its sockets open: node-redis
 * would wait for its replies for ever. Each command is an outage after the connect timeout, so a
 * library call ends and a waiting CLI process exits 69, and all works again once it answers.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";
import { BackendUnavailableError } from "../lib/errors.ts";
import { lock } from "../lib/lock/lock.ts";
import { getJob, putJob } from "../lib/queue/queue.ts";
import { work } from "../lib/queue/worker.ts";
import { freshNamespace } from "./support/backends.ts";
import { guarded, until } from "./support/wait.ts";
import { assertWaiterExitsWhileSilent } from "./support/lock.ts";
import {
  type RedisServer,
  redisServerAvailable,
  startStandalone,
} from "./support/redis_servers.ts";

/** Runs `test` on a backend of a Redis server of its own, which it may stop; then stops it. */
async function onOwnRedis(
  test: (backend: RedisBackend, server: RedisServer) => Promise<void>,
  { connectTimeoutMs }: { connectTimeoutMs?: number } = {},
): Promise<void> {
  const server = await startStandalone();
  try {
    await using backend = await connect({
      url: `redis://127.0.0.1:${server.port}`,
      namespace: freshNamespace(),
      ...(connectTimeoutMs !== undefined && { connectTimeoutMs }),
      env: {},
    }) as RedisBackend;
    await test(backend, server);
  } finally {
    await server.stop();
  }
}

Deno.test({
  name: "a stopped Redis makes a put and a lock an outage after the connect timeout, not a hang",
  ignore: !redisServerAvailable(),
  fn: () =>
    onOwnRedis(async (backend, server) => {
      await putJob(backend, "q", { id: "before", handler: "h" });
      Deno.kill(server.pid, "SIGSTOP");
      try {
        for (
          const [what, call] of [
            ["put", () => putJob(backend, "q", { id: "during", handler: "h" })],
            ["lock", () => lock(backend, "frozen", { expireMs: 1_000 })],
          ] as [string, () => Promise<unknown>][]
        ) {
          await assert.rejects(guarded(call(), what), (e: Error) => {
            assert.ok(e instanceof BackendUnavailableError, `${what}: ${e}`);
            assert.match(e.message, /no answer within 1 s/);
            return true;
          });
        }
      } finally {
        Deno.kill(server.pid, "SIGCONT");
      }
      // The connection goes on: a command sent once the server answers again pairs with its reply.
      await putJob(backend, "q", { id: "after", handler: "h" });
      assert.equal((await getJob(backend, "q/after")).state, "pending");
      assert.equal((await getJob(backend, "q/before")).state, "pending");
    }, { connectTimeoutMs: 1_000 }),
});

Deno.test({
  name: "a lock run waiting on a Redis that stops answering exits 69, naming the silence",
  ignore: !redisServerAvailable(),
  async fn() {
    const server = await startStandalone();
    const url = `redis://127.0.0.1:${server.port}`;
    try {
      const env = { COORD_URL: url, COORD_NAMESPACE: freshNamespace() };
      await using backend = await connect({ url, namespace: env.COORD_NAMESPACE, env: {} });
      await assertWaiterExitsWhileSilent(
        backend,
        env,
        {
          silence: () => Deno.kill(server.pid, "SIGSTOP"),
          answer: () => Deno.kill(server.pid, "SIGCONT"),
        },
        /^coord: lock "y": gave up its place in line after 2(\.\d)? s without the backend \(lost redis:\/\/\S+: no answer within 1 s\)\n$/,
      );
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "a worker asks a Redis that stops answering one cancel check per running job at a time",
  ignore: !redisServerAvailable(),
  fn: () =>
    onOwnRedis(async (backend, server) => {
      await putJob(backend, "q", { id: "long", handler: "h" });
      // Counts the cancel checks (the worker's only reads of a job) waiting for their answer.
      const steps = backend.queue;
      const get = steps.get.bind(steps);
      let waiting = 0;
      let mostWaiting = 0;
      const firstUnanswered = Promise.withResolvers<void>();
      steps.get = async (...args) => {
        mostWaiting = Math.max(mostWaiting, ++waiting);
        try {
          return await get(...args);
        } catch (e) {
          firstUnanswered.resolve();
          throw e;
        } finally {
          waiting--;
        }
      };
      const started = Promise.withResolvers<void>();
      const release = Promise.withResolvers<void>();
      const stop = new AbortController();
      const worker = work(backend, ["q"], {
        signal: stop.signal,
        handlers: {
          h: async () => {
            started.resolve();
            await release.promise;
          },
        },
      });
      await guarded(started.promise, "the job's start");
      Deno.kill(server.pid, "SIGSTOP");
      try {
        // Before the first check ends unanswered (2 s), 4-5 more came due (one each 0.4 s): each
        // held a connection (a Postgres worker's pool has 10), and the finishes queued behind them.
        await guarded(firstUnanswered.promise, "a cancel check ending unanswered");
      } finally {
        Deno.kill(server.pid, "SIGCONT");
      }
      release.resolve();
      stop.abort();
      assert.equal((await guarded(worker, "the worker's stop")).completed, 1);
      assert.equal(mostWaiting, 1);
    }, { connectTimeoutMs: 2_000 }),
});

Deno.test({
  name: "a worker whose writes fail while its reads are answered says one outage, not one a second",
  ignore: !redisServerAvailable(),
  fn: () =>
    onOwnRedis(async (backend) => {
      for (const id of ["long", "short"]) await putJob(backend, "q", { id, handler: id });
      // Counts the lane's calls refused, each tried again a second later.
      const steps = backend.queue;
      const finishAndClaim = steps.finishAndClaim.bind(steps);
      let refused = 0;
      steps.finishAndClaim = async (...args) => {
        try {
          return await finishAndClaim(...args);
        } catch (e) {
          refused++;
          throw e;
        }
      };
      const events: string[] = [];
      const go = { long: Promise.withResolvers<void>(), short: Promise.withResolvers<void>() };
      let running = 0;
      const bothStarted = Promise.withResolvers<void>();
      const handler = (id: keyof typeof go) => async () => {
        if (++running === 2) bothStarted.resolve();
        await go[id].promise;
      };
      const stop = new AbortController();
      const worker = work(backend, ["q"], {
        signal: stop.signal,
        concurrency: 2,
        onEvent: (event) => void events.push(event.type),
        handlers: { long: handler("long"), short: handler("short") },
      });
      await guarded(bothStarted.promise, "both jobs' start");
      // Writes refused (NOREPLICAS, as a master cut off from its replicas answers), reads
      // answered: the short job's end is refused, the long job's cancel checks are answered.
      const config = (value: string) =>
        backend.conn.send(undefined, ["CONFIG", "SET", "min-replicas-to-write", value]);
      await config("1");
      try {
        go.short.resolve();
        await until(() => refused >= 3, { what: "three refused calls of the lane" });
      } finally {
        await config("0");
      }
      await until(() => events.includes("completed"), { what: "the short job's end" });
      go.long.resolve();
      stop.abort();
      assert.equal((await guarded(worker, "the worker's stop")).completed, 2);
      // Before, each cancel check answered (every 0.4 s) said "back", and the lane's next try
      // "unavailable" again.
      assert.deepEqual(events.filter((t) => t === "unavailable" || t === "available"), [
        "unavailable",
        "available",
      ]);
    }),
});

Deno.test({
  name:
    "a worker whose claim a frozen Redis ran after its answer was given up runs that job at once",
  ignore: !redisServerAvailable(),
  fn: () =>
    onOwnRedis(async (backend, server) => {
      for (const id of ["first", "second"]) await putJob(backend, "q", { id, handler: "h" });
      const firstStarted = Promise.withResolvers<void>();
      const release = Promise.withResolvers<void>();
      const second = Promise.withResolvers<number>();
      const unanswered = Promise.withResolvers<void>();
      const lost: string[] = [];
      const stop = new AbortController();
      const worker = work(backend, ["q"], {
        signal: stop.signal,
        concurrency: 1,
        // Longer than the hang guard: the job the lost answer took must not wait it out.
        leaseMs: 10 * 60_000,
        onEvent: (event) => {
          if (event.type === "unavailable") unanswered.resolve();
          if (event.type === "lost") lost.push(event.job);
        },
        handlers: {
          h: async (_args, { job, attempt }) => {
            if (job === "q/second") return second.resolve(attempt);
            firstStarted.resolve();
            await release.promise;
          },
        },
      });
      await guarded(firstStarted.promise, "the first job's start");
      Deno.kill(server.pid, "SIGSTOP");
      try {
        // The first run's end and the claim of the second go to a server that does not answer;
        // it runs them once it goes on, when the worker has given the answer up.
        release.resolve();
        await guarded(unanswered.promise, "the worker's call ending unanswered");
      } finally {
        Deno.kill(server.pid, "SIGCONT");
      }
      // Taken by the lost call (attempt 1), handed back, and taken again; never stalled.
      assert.equal(await guarded(second.promise, "the second job's start"), 2);
      stop.abort();
      await guarded(worker, "the worker's stop");
      const job = await getJob(backend, "q/second");
      assert.deepEqual([job.state, job.stalls], ["completed", 0]);
      // The first run's end, sent again, was recorded by the call whose answer was lost.
      assert.deepEqual(lost, []);
    }, { connectTimeoutMs: 1_000 }),
});
