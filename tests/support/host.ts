/**
 * What tests ask of the machine they run on: whether a file or a process is there, and a
 * loopback port to start a server on.
 *
 * @module
 */

import { parseProcStat } from "../../lib/proc_stat.ts";

/**
 * Whether `path` names an existing file or directory.
 *
 * @example
 * ```ts
 * import { exists } from "./host.ts";
 * exists("/"); // true
 * ```
 */
export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether process `pid` exists (a zombie not yet reaped counts).
 *
 * @example
 * ```ts
 * import { processExists } from "./host.ts";
 * processExists(Deno.pid); // true
 * ```
 */
export function processExists(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Whether process `pid` runs: it exists and is no zombie (which runs nothing, and stays until its
 * parent reaps it: an orphan's parent may be a PID 1 that never does), by the rule coord stops
 * commands by ({@link parseProcStat}). Reads Linux's `/proc`.
 *
 * @example
 * ```ts
 * import { processRuns } from "./host.ts";
 * processRuns(Deno.pid); // true
 * ```
 */
export function processRuns(pid: number): boolean {
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
  return parseProcStat(stat).runs;
}

/**
 * A loopback port nobody listens on right now (the kernel's choice; another process may take
 * it before the caller binds it, so a server started on it checks that it got it).
 *
 * @example
 * ```ts
 * import { freePort } from "./host.ts";
 * const port = freePort();
 * ```
 */
export function freePort(): number {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  return port;
}
