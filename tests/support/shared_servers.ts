/**
 * Redis servers shared by every test of a run. `tests/run.ts` starts them once and hands their
 * URLs to `deno test` in environment variables; a test that runs without it (plain `deno test`)
 * gets servers started lazily, once per isolate, and stopped when the isolate unloads.
 *
 * @module
 */

import {
  redisServerAvailable,
  startCluster,
  startSentinel,
  startStandalone,
} from "./redis_servers.ts";

/** The kinds of Redis deployment a test can ask for. */
export type RedisKind = "redis" | "cluster" | "sentinel";

/** Environment variable carrying the URL of each kind, set by `tests/run.ts`. */
export const SHARED_URL_ENV: Readonly<Record<RedisKind, string>> = {
  redis: "COORD_TEST_REDIS_URL",
  cluster: "COORD_TEST_CLUSTER_URL",
  sentinel: "COORD_TEST_SENTINEL_URL",
};

/**
 * Environment variable naming the backends (comma-separated) whose conformance cases a test
 * process registers; all when unset. `tests/run.ts` runs two processes at once with disjoint
 * sets, as they share no server.
 */
export const CONFORMANCE_BACKENDS_ENV = "COORD_TEST_CONFORMANCE_BACKENDS";

/** The line printed when Redis tests are skipped. */
export const SKIP_NOTICE =
  "SKIPPING redis tests: redis-server not found — apt-get install -y redis-server";

/** Set once the skip notice was printed, so test modules in one process print it once. */
const SKIP_NOTICE_SHOWN_ENV = "COORD_TEST_REDIS_SKIP_SHOWN";

/** Redis is missing where it must not be (`CI=true`). */
export class RedisMissingError extends Error {
  constructor() {
    super(
      "redis-server not found and CI=true, so the redis tests cannot be skipped: " +
        "apt-get install -y redis-server",
    );
    this.name = "RedisMissingError";
  }
}

const lazy = new Map<RedisKind, Promise<string>>();

/**
 * URL of a running server of the kind (`redis://…`, `redis+cluster://…`,
 * `redis+sentinel://…/coordmaster`), or `undefined` when redis-server is not installed; then one
 * SKIPPING line goes to stderr. Throws {@linkcode RedisMissingError} instead when `CI=true`.
 *
 * Under `tests/run.ts` the URL comes from the environment. Otherwise the server is started on
 * first use and stopped at unload; call this at module top level (not inside a test) so the
 * server's process does not count as a leak when `--sanitize-ops`/`--sanitize-resources` are on.
 *
 * @example
 * ```ts
 * const url = await sharedRedisUrl("cluster");
 * Deno.test({ name: "lock works on a cluster", ignore: url === undefined, async fn() {
 *   // connect to url!
 * } });
 * ```
 */
export async function sharedRedisUrl(kind: RedisKind): Promise<string | undefined> {
  const fromRunner = Deno.env.get(SHARED_URL_ENV[kind]);
  if (fromRunner) return fromRunner;
  if (!redisServerAvailable()) {
    if (Deno.env.get("CI") === "true") throw new RedisMissingError();
    announceSkip();
    return undefined;
  }
  let url = lazy.get(kind);
  if (!url) {
    url = startLazily(kind);
    lazy.set(kind, url);
    // A failed start is not cached, so the next caller gets a fresh attempt and its own error.
    url.catch(() => lazy.delete(kind));
  }
  return await url;
}

/**
 * Prints the SKIPPING line, once per process (the environment is shared by the test modules'
 * isolates, module state is not).
 *
 * @example
 * ```ts
 * if (!redisServerAvailable()) announceSkip();
 * ```
 */
export function announceSkip(): void {
  if (Deno.env.get(SKIP_NOTICE_SHOWN_ENV)) return;
  Deno.env.set(SKIP_NOTICE_SHOWN_ENV, "1");
  console.error(SKIP_NOTICE);
}

async function startLazily(kind: RedisKind): Promise<string> {
  // redis_servers.ts already kills every process it started at unload; the dirs go with them.
  const server = kind === "redis"
    ? await startStandalone()
    : kind === "cluster"
    ? await startCluster()
    : await startSentinel();
  return server.url;
}
