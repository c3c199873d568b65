/**
 * A process as Linux's `/proc/<pid>/stat` shows it: the fields coord reads, read by one rule.
 *
 * @module
 */

/** What coord reads of a process in `/proc/<pid>/stat`. */
export interface ProcStat {
  /** Its program's name, as the kernel keeps it (at most 15 bytes: `comm`). */
  name: string;
  /**
   * Its main thread's state: `R` running, `S` asleep, `T` stopped, `Z` ended but not reaped, …
   * (see proc(5)).
   */
  state: string;
  /** The process group it is in. */
  group: number;
  /** The session it is in. */
  session: number;
  /**
   * Whether it runs anything. A zombie does not: it stays, ended, until its parent reaps it. But
   * the state shown is the main thread's, and a main thread that ended while the process's other
   * threads run on shows `Z` too: with more than one thread left, the process runs.
   */
  runs: boolean;
}

/** `num_threads`'s place among the fields (counted from 1, as proc(5) does). */
const NUM_THREADS_FIELD = 20;

/**
 * Reads the text of a `/proc/<pid>/stat` file.
 *
 * @example
 * ```ts
 * import { parseProcStat } from "./proc_stat.ts";
 *
 * const stat = parseProcStat("42 (odd) name) S 1 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 3 0 5");
 * console.log(stat); // { name: "odd) name", state: "S", group: 42, session: 42, runs: true }
 * ```
 */
export function parseProcStat(stat: string): ProcStat {
  // Field 2, the program's name, is in parentheses and may itself hold spaces and ")": the
  // fields after it (state, parent, group, session, …) start after the last ")".
  const nameEnd = stat.lastIndexOf(")");
  const fields = stat.slice(nameEnd + 2).split(" ");
  const [state, , group, session] = fields;
  const threads = Number(fields[NUM_THREADS_FIELD - 3]);
  return {
    name: stat.slice(stat.indexOf("(") + 1, nameEnd),
    state,
    group: Number(group),
    session: Number(session),
    runs: state !== "X" && (state !== "Z" || threads > 1),
  };
}
