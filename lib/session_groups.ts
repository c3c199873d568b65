/**
 * The process groups of a session, read from Linux's `/proc`: how coord reaches what a command
 * moved out of its process group but not out of its session. `setpgid` (GNU `timeout` calls it)
 * can only move a process to another group of its own session; only `setsid` leaves it.
 *
 * @module
 */

import { parseProcStat } from "./proc_stat.ts";

/**
 * Whether `/proc` can be read and is this process's own: another pid namespace's would name
 * strangers by numbers that mean other processes here.
 */
let procReadable: Promise<boolean> | undefined;

async function ownProc(): Promise<boolean> {
  try {
    // Not asked for: a library user without --allow-read must not get a permission prompt.
    if ((await Deno.permissions.query({ name: "read", path: "/proc" })).state !== "granted") {
      return false;
    }
    return await Deno.readLink("/proc/self") === String(Deno.pid);
  } catch {
    return false; // no /proc (macOS)
  }
}

/**
 * How many `/proc/<pid>/stat` files a pass reads at once. Read blocking, as a pass once did, a
 * file takes ≈ 8 µs, but the pass then holds up all else of coord (lease renewals too): ≈ 80 ms
 * on a host with 10,000 processes. Read without blocking, each waits its turn on Deno's pool of
 * blocking threads: one after another ≈ 125 µs a process, 8 at once ≈ 15 µs (a pass ≈ 150 ms,
 * longer than the blocking one, with coord's other work going on meanwhile), 32 hardly less.
 */
const STAT_READS_AT_ONCE = 8;

/** A process of a session that runs, as a pass over `/proc` saw it. */
export interface SessionProcess {
  /** Its process id, the number `kill` and `ps` take. */
  pid: number;
  /** Its program's name, as `/proc/<pid>/stat` shows it (at most 15 bytes). */
  name: string;
}

/** What one pass over `/proc` saw of a session. */
export interface SessionGroups {
  /**
   * The groups holding a process of the session, a zombie too: signalling its group is harmless,
   * and the pass is not atomic: the group may hold a process forked while it read, and missed.
   */
  groups: Set<number>;
  /** The session's processes that run (see {@link parseProcStat}): none, once it has ended. */
  running: SessionProcess[];
  /**
   * Every process the pass listed, of any session: given to a later pass as
   * {@link SessionGroupsOptions.listedBefore}, it reads only what was started since.
   */
  listed: Set<number>;
}

/** Options of {@link sessionGroups}. */
export interface SessionGroupsOptions {
  /**
   * Processes an earlier pass listed, and so read: this pass skips them. One that was read then
   * cannot have been missed (short of its pid being given to a new process in the meantime,
   * which takes the kernel's whole range of pids to wrap round); only a process started after
   * that listing can. Default: none, a full pass.
   */
  listedBefore?: ReadonlySet<number>;
}

/**
 * The process groups of session `sessionId`, and which of its processes run, from one pass
 * over `/proc/<pid>/stat`. Undefined when they cannot be known: no `/proc` to read (macOS, no
 * --allow-read). Read without blocking: on a host with many processes a pass takes a while, and
 * coord has leases to renew meanwhile.
 *
 * @example
 * ```ts ignore
 * import { sessionGroups } from "./session_groups.ts";
 *
 * const child = new Deno.Command("sleep", { args: ["1000"], detached: true }).spawn();
 * const first = await sessionGroups(child.pid); // groups: Set { <child.pid> }, running: [{ pid: <child.pid>, name: "sleep" }]
 * // Only what was started since the first pass listed /proc:
 * await sessionGroups(child.pid, { listedBefore: first?.listed }); // groups: Set {}, running: []
 * ```
 */
export async function sessionGroups(
  sessionId: number,
  { listedBefore = new Set() }: SessionGroupsOptions = {},
): Promise<SessionGroups | undefined> {
  if (!await (procReadable ??= ownProc())) return undefined;
  const seen: SessionGroups = { groups: new Set(), running: [], listed: new Set() };
  try {
    // The other names are no processes: self, sys, meminfo, …
    for await (const { name } of Deno.readDir("/proc")) {
      if (/^\d+$/.test(name)) seen.listed.add(Number(name));
    }
    // One iterator shared by the readers: each process is read once.
    const pids = seen.listed.values().filter((pid) => !listedBefore.has(pid));
    const reader = async () => {
      for (const pid of pids) {
        let text: string;
        try {
          text = await Deno.readTextFile(`/proc/${pid}/stat`);
        } catch {
          continue; // ended since the listing
        }
        const stat = parseProcStat(text);
        if (stat.session !== sessionId) continue;
        seen.groups.add(stat.group);
        if (stat.runs) seen.running.push({ pid, name: stat.name });
      }
    };
    await Promise.all(Array.from({ length: STAT_READS_AT_ONCE }, reader));
    return seen;
  } catch {
    return undefined; // /proc unreadable after all: a stop must not crash coord
  }
}
