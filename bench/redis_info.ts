/**
 * What a benchmark's own redis-server says about itself in `INFO`: the CPU time it has used
 * and the commands it has run, each read over a connection of its own.
 *
 * @module
 */

import { callOnce } from "./raw_resp.ts";

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
  const info = await callOnce(port, ["INFO", "cpu"]);
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return field("used_cpu_user") + field("used_cpu_sys");
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
  const info = await callOnce(port, ["INFO", "commandstats"]);
  const stats = new Map<string, CommandStat>();
  // cmdstat_evalsha:calls=1312,usec=123107,usec_per_call=93.83,…
  for (const [, name, calls, usec] of info.matchAll(/cmdstat_(\S+?):calls=(\d+),usec=(\d+)/g)) {
    stats.set(name, { calls: Number(calls), usec: Number(usec) });
  }
  return stats;
}
