/**
 * What a benchmark's own redis-server says about itself in `INFO`: the CPU time it has used
 * and the commands it has run, each read over a connection of its own.
 *
 * @module
 */

import { redisCommand } from "../tests/support/resp.ts";
import { round2 } from "./stats.ts";

/** One command's line of `INFO commandstats`: how often it ran, and its time inside the server. */
export interface CommandStat {
  calls: number;
  usec: number;
}

/**
 * The server's CPU time so far in seconds, user + system (`INFO cpu`).
 *
 * @example
 * ```ts ignore
 * import { serverCpuS } from "./redis_info.ts";
 * const before = await serverCpuS(port);
 * ```
 */
export async function serverCpuS(port: number): Promise<number> {
  const info = await redisCommand(port, "INFO", "cpu");
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return field("used_cpu_user") + field("used_cpu_sys");
}

/**
 * The bytes the server's allocator holds for its data (`used_memory` of `INFO memory`).
 *
 * @example
 * ```ts ignore
 * import { usedMemoryBytes } from "./redis_info.ts";
 * const before = await usedMemoryBytes(port);
 * ```
 */
export async function usedMemoryBytes(port: number): Promise<number> {
  const info = await redisCommand(port, "INFO", "memory");
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

/**
 * The server's commands since it started or since `CONFIG RESETSTAT`, by name as
 * `INFO commandstats` gives it (`evalsha`, `config|resetstat`, …). A script's own calls are
 * counted under their names too.
 *
 * @example
 * ```ts ignore
 * import { commandStats } from "./redis_info.ts";
 * const scripts = (await commandStats(port)).get("evalsha")?.calls ?? 0;
 * ```
 */
export async function commandStats(port: number): Promise<Map<string, CommandStat>> {
  const info = await redisCommand(port, "INFO", "commandstats");
  const stats = new Map<string, CommandStat>();
  // cmdstat_evalsha:calls=1312,usec=123107,usec_per_call=93.83,…
  for (const [, name, calls, usec] of info.matchAll(/cmdstat_(\S+?):calls=(\d+),usec=(\d+)/g)) {
    stats.set(name, { calls: Number(calls), usec: Number(usec) });
  }
  return stats;
}

/** What a server did over a stretch of time: its CPU time and its commands' calls by name. */
export interface RedisUsage {
  cpuS: number;
  /** Calls by command name, as {@link commandStats} names them. */
  calls: Map<string, number>;
}

/**
 * Starts counting what the server does (`CONFIG RESETSTAT`, then its CPU time); the function
 * it returns reads what the server did since, leaving out the counting's own commands.
 *
 * @example
 * ```ts ignore
 * import { countRedisUsage } from "./redis_info.ts";
 * const counted = await countRedisUsage(port);
 * // … the work measured …
 * const { cpuS, calls } = await counted();
 * ```
 */
export async function countRedisUsage(port: number): Promise<() => Promise<RedisUsage>> {
  await redisCommand(port, "CONFIG", "RESETSTAT");
  const startS = await serverCpuS(port);
  return async () => {
    const cpuS = await serverCpuS(port) - startS;
    const calls = new Map<string, number>();
    for (const [name, stat] of await commandStats(port)) {
      if (name !== "config|resetstat" && name !== "info") calls.set(name, stat.calls);
    }
    return { cpuS, calls };
  };
}

/**
 * Commands per unit of work (a tick, a job): in all, and by name, most frequent first, to
 * 0.01.
 *
 * @example
 * ```ts
 * import { commandsPer } from "./redis_info.ts";
 * commandsPer(new Map([["get", 3], ["evalsha", 6]]), 3); // { total: 3, byName: { evalsha: 2, get: 1 } }
 * ```
 */
export function commandsPer(
  calls: Map<string, number>,
  units: number,
): { total: number; byName: Record<string, number> } {
  const byName: Record<string, number> = {};
  let total = 0;
  for (const [name, n] of [...calls].sort((a, b) => b[1] - a[1])) {
    byName[name] = round2(n / units);
    total += n;
  }
  return { total: round2(total / units), byName };
}
