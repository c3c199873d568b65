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
let procReadable: boolean | undefined;

function ownProc(): boolean {
  try {
    // Not asked for: a library user without --allow-read must not get a permission prompt.
    if (Deno.permissions.querySync({ name: "read", path: "/proc" }).state !== "granted") {
      return false;
    }
    return Deno.readLinkSync("/proc/self") === String(Deno.pid);
  } catch {
    return false; // no /proc (macOS)
  }
}

/** What one pass over `/proc` saw of a session. */
export interface SessionGroups {
  /**
   * The groups holding a process of the session, a zombie too: signalling its group is harmless,
   * and the pass is not atomic: the group may hold a process forked while it read, and missed.
   */
  groups: Set<number>;
  /** Whether a process of the session runs (see {@link parseProcStat}). */
  runs: boolean;
}

/**
 * The process groups of session `sessionId`, and whether a process of it runs, from one pass
 * over `/proc/<pid>/stat`. Undefined when they cannot be known: no `/proc` to read (macOS, no
 * --allow-read).
 *
 * @example
 * ```ts ignore
 * import { sessionGroups } from "./session_groups.ts";
 *
 * const child = new Deno.Command("sleep", { args: ["1000"], detached: true }).spawn();
 * sessionGroups(child.pid); // { groups: Set { <child.pid> }, runs: true }: it leads a new session
 * ```
 */
export function sessionGroups(sessionId: number): SessionGroups | undefined {
  if (!(procReadable ??= ownProc())) return undefined;
  const seen: SessionGroups = { groups: new Set(), runs: false };
  try {
    scan(sessionId, seen);
    return seen;
  } catch {
    return undefined; // /proc unreadable after all: a stop must not crash coord
  }
}

/** Adds to `seen` what it finds of session `sessionId`. */
function scan(sessionId: number, seen: SessionGroups): void {
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = entry.name;
    if (!/^\d+$/.test(pid)) continue; // not a process: self, sys, meminfo, …
    let text: string;
    try {
      text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    } catch {
      continue; // ended since the listing
    }
    const stat = parseProcStat(text);
    if (stat.session !== sessionId) continue;
    seen.groups.add(stat.group);
    seen.runs ||= stat.runs;
  }
}
