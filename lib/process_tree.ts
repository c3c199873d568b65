/**
 * The process groups a command's processes made for themselves, found by walking the command's
 * process tree in Linux's `/proc`: GNU `timeout` moves itself into a group of its own
 * (`setpgid`), a job-control shell makes one for each job, and a signal to the command's own
 * group misses them. The walk reads only the tree (each process's `stat` and its threads'
 * `children`), so its cost grows with the command's processes, not with the host's.
 *
 * @module
 */

/** What the walk needs of one process, from its `/proc/PID/stat`. */
export interface ProcessStat {
  pid: number;
  /** Its parent's pid. */
  parentId: number;
  /** Its process group's id. */
  groupId: number;
  /** Its session's id. */
  sessionId: number;
  /** When it started, in clock ticks since boot: tells it from a later process of its pid. */
  startTicks: number;
  /** True once it has ended and waits to be reaped: it has no children any more. */
  zombie: boolean;
  /** How many threads it has (each lists the children it forked). */
  threads: number;
}

/**
 * Reads a `/proc/PID/stat` line. The command's name (field 2, in parentheses) may itself hold
 * spaces and parentheses, so the fields are those after the last `)`. Undefined for text that
 * is no stat line.
 *
 * @example
 * ```ts
 * import { parseStat } from "./process_tree.ts";
 * parseStat("42 (a) b) S 1 42 40 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 900 0");
 * // { pid: 42, parentId: 1, groupId: 42, sessionId: 40, startTicks: 900, zombie: false,
 * //   threads: 1 }
 * ```
 */
export function parseStat(text: string): ProcessStat | undefined {
  const nameEnd = text.lastIndexOf(")");
  const pid = parseInt(text);
  if (nameEnd < 0 || !(pid > 0)) return undefined;
  // Field 3 (the state) onwards: field N is at index N - 3.
  const fields = text.slice(nameEnd + 1).trim().split(/\s+/);
  if (fields.length < 20) return undefined;
  const numbers = [1, 2, 3, 19, 17].map((i) => Number(fields[i]));
  if (!numbers.every(Number.isInteger)) return undefined;
  const [parentId, groupId, sessionId, startTicks, threads] = numbers;
  const zombie = fields[0] === "Z" || fields[0] === "X";
  return { pid, parentId, groupId, sessionId, startTicks, zombie, threads };
}

function readStat(pid: number): ProcessStat | undefined {
  try {
    return parseStat(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return undefined; // ended meanwhile, or no /proc
  }
}

/** The children of every thread of `process` (any thread may fork). */
function childrenOf({ pid, threads }: ProcessStat): number[] {
  const children: number[] = [];
  try {
    // Most processes have one thread, whose id is the pid: no need to list them (≈ 45 µs).
    const tids = threads === 1
      ? [pid]
      : [...Deno.readDirSync(`/proc/${pid}/task`)].map((t) => t.name);
    for (const tid of tids) {
      const text = Deno.readTextFileSync(`/proc/${pid}/task/${tid}/children`);
      for (const child of text.split(" ")) if (child) children.push(Number(child));
    }
  } catch {
    // ended meanwhile: its children are init's now, out of the tree
  }
  return children;
}

/**
 * Whether `/proc` shows coord's own PID namespace: one mounted for another (a container's
 * parent's) shows other processes under the same numbers, and must not be read as ours. Not
 * read without the permission to (a library user's Deno would prompt on a terminal).
 */
function procIsOurs(): boolean {
  try {
    if (Deno.permissions.querySync({ name: "read", path: "/proc" }).state !== "granted") {
      return false;
    }
    return Deno.readLinkSync("/proc/self") === String(Deno.pid);
  } catch {
    return false; // no /proc: not Linux
  }
}

/**
 * The process groups that the processes of a command — the tree under its group's leader —
 * made for themselves, in the leader's session. Each walk finds them afresh: a group is
 * reported only while a process of the tree, seen alive in that walk, is in it (a group id
 * remembered from an earlier walk may be an unrelated program's by now: pids are reused). The
 * processes seen are kept, by pid and start time: a process seen once is walked from again while
 * it lives (its parent may have ended since).
 *
 * Which groups: off a terminal the leader's session is the command's own (`setsid`), and every
 * group in it is; on a terminal the session is the user's, and only a group a process of the
 * tree leads is the command's (a group joined there, the login shell's, is not).
 *
 * Out of reach by design: a process in a session of its own (`setsid`, a daemon) and all below
 * it, and a process whose parent ended before any walk saw it (it was handed to init). Where
 * `/proc` is not this namespace's (or may not be read without a prompt), or does not show the
 * leader as expected (its group and parent), every walk finds nothing, and a stop reaches the
 * command's own group alone.
 *
 * @example
 * ```ts ignore
 * import { EscapedGroups } from "./process_tree.ts";
 *
 * const child = new Deno.Command("sh", { args: ["-c", "timeout 60 sleep 60"], detached: true })
 *   .spawn();
 * const escaped = new EscapedGroups(child.pid, Deno.pid);
 * if (escaped.usable) Deno.kill(-child.pid, "SIGSTOP"); // the tree holds still while walked
 * const groups = escaped.walk(true, (group) => Deno.kill(-group, "SIGSTOP"));
 * for (const group of [child.pid, ...groups]) Deno.kill(-group, "SIGTERM");
 * for (const group of [...groups].reverse()) Deno.kill(-group, "SIGCONT");
 * if (escaped.usable) Deno.kill(-child.pid, "SIGCONT");
 * ```
 */
export class EscapedGroups {
  readonly #leader: number;
  readonly #leaderParent: number;
  /** The leader's session, once `/proc` showed the leader as expected; null: never walk. */
  #sessionId: number | null | undefined;
  /** Processes of the tree seen so far: pid → start time. */
  readonly #seen = new Map<number, number>();

  /**
   * @param leader the command's process group's leader (its pid is the group's id)
   * @param leaderParent the leader's parent: coord, or the shell coord started it through
   */
  constructor(leader: number, leaderParent: number) {
    this.#leader = leader;
    this.#leaderParent = leaderParent;
    // Checked before anything is frozen or read: a prompt must not wait on a frozen command.
    if (!procIsOurs()) this.#sessionId = null;
  }

  /** False when no walk can find anything: no `/proc` of this namespace to read. */
  get usable(): boolean {
    return this.#sessionId !== null;
  }

  /**
   * Walks the tree from the leader (when `leaderLives`: once it has ended its pid may be
   * another's) and from every process seen before that still lives (same pid, same start time),
   * and returns the groups other than the leader's that a process found alive in this walk is
   * in, in the order found: a group before those found below it. `onFound` is called with each
   * group before the walk reads its processes' children, so it may freeze the group first
   * (`/proc`'s children lists hold still only while their processes do).
   */
  walk(leaderLives: boolean, onFound: (group: number) => void = () => {}): number[] {
    const toVisit: ProcessStat[] = [];
    if (leaderLives && this.#sessionId !== null) {
      const leader = readStat(this.#leader);
      if (leader && this.#isLeader(leader)) toVisit.push(leader);
    }
    if (!this.#sessionId) return [];
    for (const [pid, startTicks] of this.#seen) {
      const stat = readStat(pid);
      if (stat?.startTicks === startTicks) toVisit.push(stat);
      else this.#seen.delete(pid);
    }
    // Off a terminal the session is the command's own (its leader's pid is the session's id).
    const ownSession = this.#sessionId === this.#leader;
    const groups = new Set<number>();
    const visited = new Set<number>();
    for (let i = 0; i < toVisit.length; i++) {
      const entry = toVisit[i];
      if (visited.has(entry.pid) || entry.sessionId !== this.#sessionId) continue;
      visited.add(entry.pid);
      if (entry.zombie) continue;
      this.#seen.set(entry.pid, entry.startTicks);
      const group = entry.groupId;
      const ours = ownSession || group === entry.pid;
      if (ours && group !== this.#leader && !groups.has(group)) {
        groups.add(group);
        onFound(group);
      }
      for (const child of childrenOf(entry)) {
        const stat = readStat(child);
        if (stat) toVisit.push(stat);
      }
    }
    return [...groups];
  }

  /**
   * Whether `stat` is the leader as coord started it, checked once: else `/proc` is some other
   * namespace's (or the pid another process's), and no walk ever reads it again.
   */
  #isLeader(stat: ProcessStat): boolean {
    const expected = stat.groupId === this.#leader && stat.parentId === this.#leaderParent;
    this.#sessionId ??= expected ? stat.sessionId : null;
    return this.#sessionId !== null && expected;
  }
}
