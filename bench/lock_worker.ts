/**
 * A long-lived contender for the `lock` benchmark: one process of several started alike, each
 * taking the same lock over and over. KIND is `coord` (the library's `lock()`, on the URL's
 * backend), `redis-semaphore` (its `Mutex`, default options, over ioredis) or `redlock` (one
 * Redis instance, default settings but `retryCount: -1`: wait as long as it takes, as the
 * others do, instead of giving up after ten retries, ≈ 2 s).
 *
 * Modes (every timestamp is this host's wall clock, `now()` of `clock.ts`, epoch ms, comparable
 * across processes):
 *
 * - `contend INDEX KIND URL RESOURCE COUNT HOLD_MS START_FILE RUN_MS`: connects, takes and
 *   gives back a warm-up lock (on `RESOURCE-warmup`, so code is compiled and Lua scripts
 *   are cached), prints `{"ready"}`, waits for START_FILE (it holds the start instant), then
 *   loops until COUNT acquisitions or RUN_MS after the start: acquire → spin HOLD_MS (the
 *   critical section's work) → release. Afterwards it prints one line per acquisition,
 *   `{w, i, requested_at, acquired_at, release_at, released_at, token}` (or `error`), and a
 *   last `{w, ended_at}`. Printing after the loop keeps writes out of the timed loop.
 * - `hold KIND URL RESOURCE`: takes the lock, prints `{"holding"}`, keeps it until stdin is
 *   closed, then prints `{"release_at"}` and releases it.
 * - `wait KIND URL RESOURCE`: connects and warms up, prints `{"waiting_at"}`, waits for the
 *   lock (held by a `hold` process), then prints `{"acquired_at"}`: the bench reads this
 *   process's CPU time while it waits.
 * - `poll INTERVAL_MS`: no lock at all: prints `{"waiting_at"}`, then wakes every INTERVAL_MS
 *   on a bare timer until stdin is closed — what any waiter polling that often costs here.
 *
 * The peers come from npm through one dynamic import of a `data:` module, so neither
 * `deno check bench/` nor the bench's own run records them in the project's `deno.lock`;
 * peer workers are started with `--no-lock`.
 *
 * @module
 */

import { now } from "./clock.ts";

/** What a kind of lock offers this worker: acquire (resolving once held) and close. */
interface Contender {
  acquire(resource: string): Promise<Held>;
  close(): Promise<void>;
}

interface Held {
  /** coord's ticket (a fencing token); the peers' random lock value. */
  token: number | string;
  release(): Promise<unknown>;
}

/** The part of ioredis, redis-semaphore and redlock this worker uses. */
interface IoRedis {
  ping(): Promise<string>;
  quit(): Promise<unknown>;
}
interface Peers {
  Redis: new (url: string, options?: Record<string, unknown>) => IoRedis;
  Mutex: new (client: IoRedis, key: string, options?: Record<string, unknown>) => {
    readonly identifier: string;
    acquire(): Promise<void>;
    release(): Promise<void>;
  };
  Redlock: new (clients: IoRedis[], settings?: Record<string, unknown>) => {
    acquire(resources: string[], durationMs: number): Promise<
      { value: string; release(): Promise<unknown> }
    >;
  };
}

/** The peers' packages, as the bench's JSON line names them. */
export const PEER_PACKAGES = {
  ioredis: "npm:ioredis@5",
  redisSemaphore: "npm:redis-semaphore@5",
  redlock: "npm:redlock@5.0.0-beta.2",
} as const;

/** Redlock's lock duration: the same 10 s lease coord and redis-semaphore default to. */
const REDLOCK_DURATION_MS = 10_000;
/** The settings redlock runs with: its defaults, but waiting without a retry limit. */
export const REDLOCK_SETTINGS = { retryCount: -1 } as const;

async function loadPeers(): Promise<Peers> {
  const source = [
    `export { default as Redis } from "${PEER_PACKAGES.ioredis}";`,
    `export { Mutex } from "${PEER_PACKAGES.redisSemaphore}";`,
    `export { default as Redlock } from "${PEER_PACKAGES.redlock}";`,
  ].join("\n");
  return await import(`data:text/javascript,${encodeURIComponent(source)}`) as Peers;
}

async function open(kind: string, url: string): Promise<Contender> {
  if (kind === "coord") {
    const { connect, lock } = await import("../lib/mod.ts");
    const backend = await connect({ url });
    return {
      acquire: async (resource) => {
        const held = await lock(backend, resource);
        return { token: held.token, release: () => held.release() };
      },
      close: () => backend.close(),
    };
  }
  const { Redis, Mutex, Redlock } = await loadPeers();
  const client = new Redis(url);
  await client.ping();
  if (kind === "redis-semaphore") {
    return {
      acquire: async (resource) => {
        const mutex = new Mutex(client, resource);
        await mutex.acquire();
        return { token: mutex.identifier, release: () => mutex.release() };
      },
      close: async () => void await client.quit(),
    };
  }
  if (kind === "redlock") {
    const redlock = new Redlock([client], REDLOCK_SETTINGS);
    return {
      acquire: async (resource) => {
        const held = await redlock.acquire([resource], REDLOCK_DURATION_MS);
        return { token: held.value, release: () => held.release() };
      },
      close: async () => void await client.quit(),
    };
  }
  throw new Error(`unknown kind "${kind}" (coord, redis-semaphore or redlock)`);
}

function line(fields: Record<string, unknown>): void {
  console.log(JSON.stringify(fields));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function spinUntil(instant: number): void {
  while (now() < instant) {
    // spin
  }
}

async function warmUp(contender: Contender, resource: string): Promise<void> {
  const held = await contender.acquire(`${resource}-warmup`);
  await held.release();
}

/** Waits until START_FILE exists and holds the start instant, then until that instant. */
async function waitForStart(startFile: string): Promise<number> {
  for (;;) {
    try {
      const startAt = Number(await Deno.readTextFile(startFile));
      if (startAt > 0) {
        await sleep(startAt - now() - 2);
        spinUntil(startAt);
        return startAt;
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    await sleep(2);
  }
}

async function contend(args: string[]): Promise<void> {
  const [w, kind, url, resource, count, holdMs, startFile, runMs] = args;
  const index = Number(w);
  const contender = await open(kind, url);
  await warmUp(contender, resource);
  line({ ready: true, w: index, pid: Deno.pid });
  const deadline = await waitForStart(startFile) + Number(runMs);
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i < Number(count) && now() < deadline; i++) {
    const requestedAt = now();
    let held: Held;
    try {
      held = await contender.acquire(resource);
    } catch (e) {
      records.push({ w: index, i, requested_at: requestedAt, error: String(e) });
      continue;
    }
    const acquiredAt = now();
    spinUntil(acquiredAt + Number(holdMs));
    const releaseAt = now();
    await held.release();
    records.push({
      w: index,
      i,
      requested_at: requestedAt,
      acquired_at: acquiredAt,
      release_at: releaseAt,
      released_at: now(),
      token: held.token,
    });
  }
  const endedAt = now();
  for (const record of records) line(record);
  line({ w: index, ended_at: endedAt });
  await contender.close();
}

async function hold(args: string[]): Promise<void> {
  const [kind, url, resource] = args;
  const contender = await open(kind, url);
  const held = await contender.acquire(resource);
  line({ holding: true, pid: Deno.pid, acquired_at: now() });
  // Held until the bench closes stdin.
  for await (const _ of Deno.stdin.readable) {
    // nothing is sent, only EOF
  }
  const releaseAt = now();
  await held.release();
  line({ release_at: releaseAt });
  await contender.close();
}

async function wait(args: string[]): Promise<void> {
  const [kind, url, resource] = args;
  const contender = await open(kind, url);
  await warmUp(contender, resource);
  line({ waiting_at: now(), pid: Deno.pid });
  const held = await contender.acquire(resource);
  const acquiredAt = now();
  await held.release();
  line({ acquired_at: acquiredAt, token: held.token });
  await contender.close();
}

async function poll(args: string[]): Promise<void> {
  const intervalMs = Number(args[0]);
  line({ waiting_at: now(), pid: Deno.pid });
  let closed = false;
  const stdinClosed = (async () => {
    for await (const _ of Deno.stdin.readable) {
      // nothing is sent, only EOF
    }
    closed = true;
  })();
  while (!closed) await sleep(intervalMs);
  await stdinClosed;
}

if (import.meta.main) {
  const [mode, ...args] = Deno.args;
  const modes: Record<string, (args: string[]) => Promise<void>> = { contend, hold, wait, poll };
  if (!Object.hasOwn(modes, mode)) {
    console.error(`lock_worker: unknown mode "${mode}" (contend, hold, wait or poll)`);
    Deno.exit(64);
  }
  await modes[mode](args);
}
