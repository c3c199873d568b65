/**
 * The process groups of a session, read from Linux's `/proc`: how coord reaches what a command
 * moved out of its process group but not out of its session. `setpgid` (GNU `timeout` calls it)
 * can only move a process to another group of its own session; only `setsid` leaves it.
 *
 * @module
 */

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

/**
 * The process groups that hold a process of session `sessionId` still running (a zombie runs
 * nothing and does not count), from one pass over `/proc/<pid>/stat`. Undefined when they
 * cannot be known: no `/proc` to read (macOS, no --allow-read), or the session is coord's own —
 * on a terminal, the user's, with coord's shell in it, which is never one coord started.
 *
 * @example
 * ```ts ignore
 * import { sessionGroups } from "./session_groups.ts";
 *
 * const child = new Deno.Command("sleep", { args: ["1000"], detached: true }).spawn();
 * sessionGroups(child.pid); // Set { <child.pid> }: detached, the child leads a new session
 * ```
 */
export function sessionGroups(sessionId: number): Set<number> | undefined {
  if (!(procReadable ??= ownProc())) return undefined;
  const groups = new Set<number>();
  try {
    return scan(sessionId, groups) ? groups : undefined;
  } catch {
    return undefined; // /proc unreadable after all: a stop must not crash coord
  }
}

/** Adds to `groups` those of session `sessionId`'s running processes; false if coord is one. */
function scan(sessionId: number, groups: Set<number>): boolean {
  const ownPid = String(Deno.pid);
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = entry.name;
    if (!/^\d+$/.test(pid)) continue; // not a process: self, sys, meminfo, …
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    } catch {
      continue; // ended since the listing
    }
    // Field 2, the program's name, is in parentheses and may itself hold spaces and ")": the
    // fields after it (state, parent, group, session) start after the last ")".
    const [state, , group, session] = stat.slice(stat.lastIndexOf(")") + 2).split(" ", 4);
    if (Number(session) !== sessionId) continue;
    if (pid === ownPid) return false;
    if (state !== "Z" && state !== "X") groups.add(Number(group));
  }
  return true;
}
