/**
 * A throw-away redis-server for one benchmark: the tests' standalone server (a free loopback
 * port, its own directory, no persistence — so no fsync or fork ever shows up in a figure —
 * and killed with the process), with a missing redis-server reported as a skipped benchmark.
 *
 * @module
 */

import { type RedisServer, startStandalone } from "../tests/support/redis_servers.ts";
import { requireTool } from "./missing_tool.ts";

export type { RedisServer };

/**
 * Starts a redis-server on a free loopback port and waits until it answers.
 *
 * @throws {MissingToolError} when redis-server is not on `PATH`.
 * @throws {RedisStartError} when it does not come up.
 * @example
 * ```ts ignore
 * import { startRedisServer } from "./redis_server.ts";
 * await using server = await startRedisServer();
 * console.log(server.url);
 * ```
 */
export function startRedisServer(): Promise<RedisServer> {
  requireTool("redis-server");
  return startStandalone();
}
