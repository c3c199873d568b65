/**
 * The host's live processes as Linux's `/proc` lists them: what {@link ProcessGroup}'s stop
 * needs to find everything a command started, also what left the command's process group
 * (GNU `timeout` puts itself in a group of its own).
 *
 * @module
 */

/** One process, from its `/proc/PID/stat`. */
export interface ProcessEntry {
  pid: number;
  /** Its parent's pid (1, or a subreaper, once the parent ended). */
  parentId: number;
  /** Its process group's id. */
  groupId: number;
  /** Its session's id: the pid of the process that called `setsid`. */
  sessionId: number;
  /** When it started, in clock ticks since boot: tells a process from a later one of its pid. */
  startTicks: number;
}

/**
 * Reads `/proc/PID/stat`'s text. The command name (field 2, in parentheses) may itself hold
 * spaces and parentheses, so the fields are those after the last `)`. Undefined for a zombie
 * or a dead process (it has ended: nothing to stop) and for text that is no stat line.
 *
 * @example
 * ```ts
 * import { parseStat } from "./process_table.ts";
 * parseStat("42 (a) b) S 1 42 40 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 900 0");
 * // { pid: 42, parentId: 1, groupId: 42, sessionId: 40, startTicks: 900 }
 * ```
 */
export function parseStat(text: string): ProcessEntry | undefined {
  const nameEnd = text.lastIndexOf(")");
  const pid = parseInt(text);
  if (nameEnd < 0 || !(pid > 0)) return undefined;
  // Field 3 (state) onwards; field N is at index N - 3.
  const fields = text.slice(nameEnd + 1).trim().split(/\s+/);
  if (fields.length < 20 || fields[0] === "Z" || fields[0] === "X") return undefined;
  const [parentId, groupId, sessionId, startTicks] = [1, 2, 3, 19].map((i) => Number(fields[i]));
  if (![parentId, groupId, sessionId, startTicks].every(Number.isInteger)) return undefined;
  return { pid, parentId, groupId, sessionId, startTicks };
}

/**
 * Every live process of the host (zombies left out), or undefined where there is no `/proc` to
 * read (not Linux). A process that ends while it is read is left out.
 *
 * @example
 * ```ts ignore
 * import { readProcessTable } from "./process_table.ts";
 * const table = await readProcessTable();
 * console.log(table?.find((entry) => entry.pid === Deno.pid)?.sessionId);
 * ```
 */
export async function readProcessTable(): Promise<ProcessEntry[] | undefined> {
  const entries: ProcessEntry[] = [];
  try {
    for await (const { name } of Deno.readDir("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const entry = parseStat(await Deno.readTextFile(`/proc/${name}/stat`));
        if (entry) entries.push(entry);
      } catch {
        // ended meanwhile
      }
    }
  } catch {
    return undefined;
  }
  return entries.length > 0 ? entries : undefined;
}
