/**
 * How coord runs other programs (`coord lock run`'s CMD, crontab commands, command jobs): each
 * as its own process group, so stopping it stops everything it started — a `sleep 1000 &` left
 * behind by a shell must not run on beside the next lock holder — and with an environment that
 * does not carry coord's own credentials. Off a terminal the group leads a new session, and on
 * Linux its other groups are stopped too: a process that moved to a group of its own (GNU
 * `timeout` does) is still in the session.
 *
 * @module
 */

import { stopWithinMs } from "./lease.ts";
import {
  type SessionGroups,
  sessionGroups,
  type SessionGroupsOptions,
  type SessionProcess,
} from "./session_groups.ts";
import { sleep } from "./time.ts";

/**
 * A stopped group gets SIGTERM; whatever of it is still there this much later gets SIGKILL.
 * Short, because the group is stopped when what it did must end: a lock lease or a job lease
 * already lost, a timeout passed, a shutdown's own grace period over.
 */
export const STOP_GRACE_MS = 1_000;

/**
 * The grace (SIGTERM to SIGKILL) of a group whose work holds a lease of `leaseMs` — a lock's
 * command, a scheduled command, a command job: the lease keeper's {@link stopWithinMs}, at most
 * {@link STOP_GRACE_MS}. The group is then gone before the backend can hand the lease on, when
 * it was stopped because the lease was lost. One rule for every primitive, whatever stopped it.
 *
 * @example
 * ```ts
 * import { stopGraceMs } from "./subprocess.ts";
 * stopGraceMs(3_000); // 500
 * stopGraceMs(60_000); // 1000
 * ```
 */
export function stopGraceMs(leaseMs: number): number {
  return Math.min(stopWithinMs(leaseMs), STOP_GRACE_MS);
}

/**
 * How long a command's piped output is still read after its group was stopped: a process out of
 * reach (one that left the session with `setsid`) may hold the pipe open for ever, and must not
 * hold the run too.
 */
const OUTPUT_DRAIN_MS = 100;

/**
 * The variables coord reads credentials from (the backend's, and the console's password).
 * Children do not get them (a command that prints its environment would put the password in a
 * job's error or a log) unless named in `passEnv`.
 */
export const WITHHELD_ENV: readonly string[] = [
  "COORD_URL",
  "COORD_PASSWORD",
  "PGPASSWORD",
  "COORD_UI_PASSWORD",
];

/**
 * Why `passEnv` is refused (undefined when it is not): a name coord does not withhold anyway
 * would pass nothing, silently (a typo of one it does). Named as the giver named the option
 * (`label`: the CLI's `--pass-env`).
 *
 * @example
 * ```ts
 * import { passEnvNameRefusal } from "./subprocess.ts";
 * passEnvNameRefusal(["COORD_URL"]); // undefined
 * passEnvNameRefusal(["COORD_ULR"]); // "passEnv takes COORD_URL, COORD_PASSWORD, PGPASSWORD, …, got …"
 * ```
 */
export function passEnvNameRefusal(
  passEnv: readonly string[],
  label = "passEnv",
): string | undefined {
  const other = passEnv.find((name) => !WITHHELD_ENV.includes(name));
  if (other === undefined) return undefined;
  return `${label} takes ${WITHHELD_ENV.join(", ")}, got "${other}" — other variables reach ` +
    "the command anyway";
}

/** While a group is being stopped, how often coord looks whether all of it has exited. */
const GONE_CHECK_MS = 20;

/**
 * How long a stop goes on killing, after its SIGKILL, what of the session still runs. Dying
 * takes a killed process microseconds, but one in uninterruptible sleep (`D`: a hung NFS read)
 * dies only once that call returns, and one coord may not signal (a setuid program) never:
 * past this, {@link ProcessGroup.stop} resolves with them still there rather than hang coord.
 */
export const KILL_WAIT_MS = 5_000;

/** One pass over a session's processes, as {@link sessionGroups} makes it. */
export type SessionReader = (
  sessionId: number,
  options?: SessionGroupsOptions,
) => Promise<SessionGroups | undefined>;

/** Options of {@link spawnGroup}. */
export interface GroupOptions {
  /** The program's arguments. */
  args?: string[];
  /** Added to the inherited environment (which lacks {@link WITHHELD_ENV}). */
  env?: Record<string, string>;
  /** Variables of {@link WITHHELD_ENV} to pass on all the same. */
  passEnv?: readonly string[];
  /** Default `"null"`. */
  stdin?: "inherit" | "null";
  /** Default `"piped"`. */
  stdout?: "inherit" | "piped" | "null";
  /** Default `"piped"`. */
  stderr?: "inherit" | "piped" | "null";
  /**
   * When coord runs in the foreground of a terminal, let the command have the terminal (an
   * editor, a prompt, Ctrl-C) as a shell's foreground job would. Default false: the group is
   * a new session without a terminal.
   */
  terminal?: boolean;
  /**
   * The lease the group's work holds: {@link ProcessGroup.stop} then waits
   * {@link stopGraceMs}`(leaseMs)` between SIGTERM and SIGKILL. Default: no lease,
   * {@link STOP_GRACE_MS}.
   */
  leaseMs?: number;
  /**
   * How a stop reads the session's processes. Default: {@link sessionGroups}, a pass over
   * `/proc`. A test gives a pass that takes long, or one that sees a process stay.
   */
  readSession?: SessionReader;
}

/**
 * Starts `program` as the leader of a new process group.
 *
 * Off a terminal the group is a new session (`setsid`), and where `/proc` tells a process's
 * session (Linux) signals and stops reach the session's other groups too: a process of the
 * command's that moved to a group of its own is reached, one that left the session is not. On
 * a terminal (`terminal: true`) that would take the terminal away from the command, so a
 * job-control shell runs it instead: `sh` with `set -m` puts the command in a new process
 * group, makes that group the terminal's foreground (Ctrl-C and keyboard input reach the
 * command, not coord) and gives the terminal back to coord when the command ends. Its session
 * is then the terminal's, with the user's shell and coord in it: only the group is reached.
 *
 * @throws {Deno.errors.NotFound} when `program` does not exist (or, a bare name, names only
 *   what may not run), {@link Deno.errors.PermissionDenied} when a path names what may not run
 *   (no execute bit, a directory).
 *
 * @example
 * ```ts ignore
 * import { spawnGroup } from "./subprocess.ts";
 *
 * const group = await spawnGroup("sh", { args: ["-c", "sleep 1000 & wait"] });
 * await group.stop(); // SIGTERM to sh and sleep; SIGKILL to what is left after the grace
 * console.log((await group.status).signal); // "SIGTERM"
 * ```
 */
export async function spawnGroup(
  program: string,
  options: GroupOptions = {},
): Promise<ProcessGroup> {
  const {
    args = [],
    stdin = "null",
    stdout = "piped",
    stderr = "piped",
    readSession = sessionGroups,
  } = options;
  const graceMs = options.leaseMs === undefined ? STOP_GRACE_MS : stopGraceMs(options.leaseMs);
  const env = childEnv(options.env, options.passEnv);
  if (options.terminal && stdin === "inherit" && await inTerminalForeground()) {
    // The shell would say it, naming its script's file: coord says it, as off a terminal.
    const refusal = await unrunnable(program, env.PATH);
    if (refusal) throw refusal;
    const pidFile = await Deno.makeTempFile({ prefix: "coord-pgid-" });
    const child = new Deno.Command("sh", {
      args: ["-c", JOB_CONTROL_SCRIPT, pidFile, program, ...args],
      env,
      clearEnv: true,
      stdin,
      stdout,
      stderr,
    }).spawn();
    return new ProcessGroup(child, readGroupId(pidFile, child.status), undefined, {
      graceMs,
      readSession,
    });
  }
  const child = new Deno.Command(program, {
    args,
    env,
    clearEnv: true,
    stdin,
    stdout,
    stderr,
    detached: true,
  }).spawn();
  return new ProcessGroup(child, Promise.resolve(child.pid), child.pid, { graceMs, readSession });
}

/**
 * Makes a later {@link spawnGroup} start sooner: Deno sets up its process support on the first
 * `Deno.Command` of a process (5–17 ms measured on a busy machine), which this pays instead —
 * while coord waits for a lock, say, rather than between the lock's grant and the command's
 * start. Starts nothing.
 *
 * @example
 * ```ts ignore
 * import { spawnGroup, warmUpSpawning } from "./subprocess.ts";
 *
 * warmUpSpawning();
 * // … wait for something …
 * const group = await spawnGroup("make");
 * ```
 */
export function warmUpSpawning(): void {
  new Deno.Command("true");
}

/**
 * Why `program` cannot run, as a spawn off a terminal fails: undefined when it is a file it
 * may run (a path as it is, a bare name in a directory of `path`, a `PATH`); `PermissionDenied`
 * when a path names something it may not run (no execute bit, a directory: 126); `NotFound`
 * when nothing is there (127) — for a bare name also when only such things are, as Deno's own
 * search of `PATH` skips them.
 */
async function unrunnable(program: string, path = ""): Promise<Error | undefined> {
  const candidates = program.includes("/")
    ? [program]
    : path.split(":").map((dir) => `${dir || "."}/${program}`);
  let denied = false;
  for (const candidate of candidates) {
    try {
      const info = await Deno.stat(candidate);
      if (info.isFile && (info.mode! & 0o111) !== 0) return undefined;
      denied = program.includes("/");
    } catch {
      // not there, or not ours to see: the next one
    }
  }
  return denied
    ? new Deno.errors.PermissionDenied(`Failed to spawn '${program}': permission denied`)
    : new Deno.errors.NotFound(`Failed to spawn '${program}': entity not found`);
}

/**
 * `sh -c SCRIPT PIDFILE PROGRAM ARGS…`: job control on, then the command as a foreground job
 * whose leader writes its pid (= the group's id) to PIDFILE before it becomes the program.
 */
const JOB_CONTROL_SCRIPT = `set -m
sh -c 'echo $$ > "$0"; exec "$@"' "$0" "$@"`;

/** A process group coord started: its leader's status, output, and ways to signal or stop it. */
export class ProcessGroup {
  readonly #child: Deno.ChildProcess;
  readonly #groupId: Promise<number | undefined>;
  readonly #graceMs: number;
  readonly #readSession: SessionReader;
  /**
   * The session the group leads, whose other groups are reached too: a new one (a detached
   * child calls `setsid`), so never one coord or the user's shell is in. Forgotten once seen
   * without a running process: its number is then free for another program's session (while
   * a process of it lives, the kernel gives the number to no one else).
   */
  #sessionId: number | undefined;
  /** What of the session the last pass over `/proc` saw run. */
  #running: SessionProcess[] = [];
  #stopping: Promise<SessionProcess[]> | undefined;

  /** Use {@link spawnGroup}. */
  constructor(
    child: Deno.ChildProcess,
    groupId: Promise<number | undefined>,
    sessionId: number | undefined,
    { graceMs, readSession }: { graceMs: number; readSession: SessionReader },
  ) {
    this.#child = child;
    this.#groupId = groupId;
    this.#sessionId = sessionId;
    this.#graceMs = graceMs;
    this.#readSession = readSession;
  }

  /** How the command ended (on a terminal, as its shell reports it: 128+N after signal N). */
  get status(): Promise<Deno.CommandStatus> {
    return this.#child.status;
  }

  /** The command's output, when piped. */
  get stdout(): ReadableStream<Uint8Array> {
    return this.#child.stdout;
  }

  /** The command's error output, when piped. */
  get stderr(): ReadableStream<Uint8Array> {
    return this.#child.stderr;
  }

  /**
   * Sends `signal` to every process of the group that is still there, and off a terminal to
   * those of the session's other groups (see {@link spawnGroup}).
   */
  async signal(signal: Deno.Signal): Promise<void> {
    const id = await this.#groupId;
    if (id !== undefined) await this.#reach(id, [signal]);
  }

  /**
   * Stops the whole group (off a terminal, with the session's other groups): SIGTERM, then
   * SIGKILL to whatever of it is left after the grace ({@link STOP_GRACE_MS}, or
   * {@link stopGraceMs} of the lease it holds). Resolves once nothing of the session runs
   * (SIGKILL is sent again to what a pass over `/proc` missed, forked after it listed the
   * processes), or, without the session, right after the group's SIGKILL; at once when nothing
   * ran. What still runs {@link KILL_WAIT_MS} after the SIGKILL (a process in uninterruptible
   * sleep, or one coord may not signal) is left running: stop() then resolves all the same, with
   * those processes (those a SIGKILL before the last pass did not end), for the caller to say so.
   * Calling it again joins the stop under way.
   *
   * @returns what of the session was left running: none, unless the stop gave up.
   */
  stop(): Promise<SessionProcess[]> {
    this.#stopping ??= (async () => {
      const id = await this.#groupId;
      if (id === undefined) return [];
      // By the clock, not by counting checks: on a busy machine each sleep overruns. Taken
      // before the first pass over /proc, which the grace must not be added to.
      const killAt = performance.now() + this.#graceMs;
      // The session's groups this stop's passes saw: each signal goes to them at once.
      const seen = new Set<number>();
      // A pass over /proc may outlast what is left of the grace (the first one too): the
      // SIGKILL of what the passes saw does not wait for it, nor does this stop run a pass
      // beside another of its own.
      const kill = setTimeout(
        () => this.#signalSeen(id, ["SIGKILL"], seen),
        Math.max(0, killAt - performance.now()),
      );
      try {
        // SIGCONT too: a stopped process acts on SIGTERM only once continued.
        if (!await this.#reach(id, ["SIGTERM", "SIGCONT"], seen)) return [];
        while (performance.now() < killAt) {
          await sleep(Math.min(GONE_CHECK_MS, killAt - performance.now()));
          if (!await this.#reach(id, ["SIGCONT"], seen)) return [];
        }
      } finally {
        clearTimeout(kill);
      }
      // Again and again until nothing of the session runs: a pass signals only what it read,
      // and a process forked after its listing, in a group of its own, would run on. Each pass
      // kills what the last one missed; nothing can ignore SIGKILL, nor fork once it has it.
      // Without the session (a terminal, no /proc) the one kill(-group) reached all of it.
      const giveUpAt = performance.now() + KILL_WAIT_MS;
      // What the grace's last pass saw running is in `seen`: SIGKILLed before the next pass reads.
      let killed = this.#running;
      while (await this.#reach(id, ["SIGKILL"], seen) && this.#sessionId !== undefined) {
        // Only what a SIGKILL before this pass did not end: one forked just before the pass
        // had its first only now.
        if (performance.now() >= giveUpAt) return outlived(this.#running, killed);
        killed = this.#running;
        await sleep(GONE_CHECK_MS);
      }
      return [];
    })();
    return this.#stopping;
  }

  /**
   * Sends `signals` to the group, and to the session's other groups while it is known; false
   * when none of them has a process left. Without the session, signalling is the only portable
   * way to ask whether a group still has members (zombies count); with it, the session's
   * running processes are counted (a zombie runs nothing). Every group seen is signalled, a
   * zombie's too (see {@link sessionGroups}). `seen`: the session's groups earlier passes of
   * the same stop saw, signalled at once; this call's passes add theirs.
   */
  async #reach(
    groupId: number,
    signals: Deno.Signal[],
    seen = new Set<number>(),
  ): Promise<boolean> {
    // At once, before a pass over /proc (tens of milliseconds on a busy machine, more with many
    // processes), so that a stop's SIGKILL is not put off past the lease. Each group once a
    // call: a coord run as the command would take a second SIGTERM for a second signal.
    const groupLeft = this.#signalSeen(groupId, signals, seen);
    if (this.#sessionId === undefined) return groupLeft;
    const signalled = new Set<number>([groupId, ...seen]);
    // A pass over /proc is not atomic: a process forked after it listed /proc is not read, and
    // its parent may end before it was. A session forgotten is never read again, so a pass that
    // saw nothing run is checked by another before the session is given up: one over only the
    // processes started since the first listed them (all a command end costs is one full pass).
    let listedBefore: ReadonlySet<number> | undefined;
    for (let pass = 0; pass < 2; pass++) {
      const session = this.#sessionId === undefined
        ? undefined
        : await this.#readSession(this.#sessionId, { listedBefore });
      if (session === undefined) return groupLeft;
      listedBefore = session.listed;
      for (const group of session.groups) {
        seen.add(group);
        // Once a call: the signal went after the pass that saw the group, so it reached what the
        // group held then, a process that pass missed too.
        if (signalled.has(group)) continue;
        signalled.add(group);
        for (const signal of signals) signalGroup(group, signal);
      }
      if (session.running.length > 0) {
        this.#running = session.running;
        return true;
      }
    }
    this.#sessionId = undefined;
    return false;
  }

  /**
   * Sends `signals` to the group and to the session's groups in `seen` (passes of this stop saw
   * them: a group's number is free again once it is empty, and only a wrap of every pid since a
   * pass could give it to another program's group); whether the group has members.
   */
  #signalSeen(groupId: number, signals: Deno.Signal[], seen: ReadonlySet<number>): boolean {
    const groupLeft = signals.every((signal) => signalGroup(groupId, signal));
    for (const group of seen) {
      if (group === groupId) continue;
      for (const signal of signals) signalGroup(group, signal);
    }
    return groupLeft;
  }

  /**
   * Runs the command to its end: the group is stopped when `signal` aborts meanwhile, and once
   * the command exited, whatever it left running in its group (`sleep 1000 &`) is stopped too,
   * so nothing of it outlives the run (or runs beside a lock's next holder). `read` reads the
   * piped output; its signal aborts {@link OUTPUT_DRAIN_MS} after the group is gone, when it
   * should stop: a process out of reach (`setsid`) may hold the pipes open for ever.
   *
   * @returns how the command ended, what `read` returned and what the stop left running (see
   * {@link stop}), once the group is gone.
   */
  async finish<T = undefined>(
    signal: AbortSignal,
    read: (drained: AbortSignal) => Promise<T> = () => Promise.resolve(undefined as T),
  ): Promise<{ status: Deno.CommandStatus; output: T; leftRunning: SessionProcess[] }> {
    const drained = new AbortController();
    const output = read(drained.signal);
    const onAbort = () => void this.stop();
    signal.addEventListener("abort", onAbort, { once: true });
    if (signal.aborted) onAbort();
    try {
      const status = await this.#child.status;
      const leftRunning = await this.stop();
      const timer = setTimeout(() => drained.abort(), OUTPUT_DRAIN_MS);
      try {
        return { status, output: await output, leftRunning };
      } finally {
        clearTimeout(timer);
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      // A stop the signal started runs to its end: the group is gone when this returns.
      await this.#stopping;
    }
  }
}

/** The processes of `running` that `killed` names too (by pid). */
function outlived(running: SessionProcess[], killed: SessionProcess[]): SessionProcess[] {
  const pids = new Set(killed.map(({ pid }) => pid));
  return running.filter(({ pid }) => pids.has(pid));
}

/**
 * What a stop left running (see {@link ProcessGroup.stop}), in the words `lock run`, `schedule
 * run` and `queue work` print it in; `command` names what was run.
 *
 * @example
 * ```ts
 * import { leftRunningNotice } from "./subprocess.ts";
 * leftRunningNotice([{ pid: 7, name: "cp" }], "CMD");
 * // "SIGKILL did not end pid 7 (cp) of CMD within 5 s (…) — left running"
 * ```
 */
export function leftRunningNotice(processes: readonly SessionProcess[], command: string): string {
  return `SIGKILL did not end ${processList(processes)} of ${command} within ` +
    `${KILL_WAIT_MS / 1000} s (in uninterruptible sleep, or not coord's to signal) — left running`;
}

/** How many processes {@link processList} names before it says "…". */
const PROCESSES_LISTED = 5;

/**
 * Processes (what a stop left running) for a one-line message: by pid and name, the first few.
 *
 * @example
 * ```ts
 * import { processList } from "./subprocess.ts";
 * processList([{ pid: 7, name: "sleep" }, { pid: 9, name: "cat" }]); // "pid 7 (sleep), pid 9 (cat)"
 * ```
 */
export function processList(processes: readonly SessionProcess[]): string {
  const named = processes.slice(0, PROCESSES_LISTED).map(({ pid, name }) => `pid ${pid} (${name})`);
  return named.join(", ") + (processes.length > PROCESSES_LISTED ? ", …" : "");
}

/**
 * The environment a child gets: coord's own, without {@link WITHHELD_ENV} (except those named
 * in `passEnv`), plus `extra`.
 *
 * @example
 * ```ts ignore
 * import { childEnv } from "./subprocess.ts";
 *
 * const env = childEnv({ COORD_TOKEN: "7" }, ["COORD_URL"]);
 * console.log("COORD_PASSWORD" in env); // false
 * ```
 */
export function childEnv(
  extra: Record<string, string> = {},
  passEnv: readonly string[] = [],
): Record<string, string> {
  const env = Deno.env.toObject();
  for (const name of WITHHELD_ENV) if (!passEnv.includes(name)) delete env[name];
  return { ...env, ...extra };
}

/**
 * False when the group has no process left. Never throws: a group of processes coord may not
 * signal (a setuid program) is still there, and a stop must not crash coord.
 */
function signalGroup(id: number, signal: Deno.Signal): boolean {
  try {
    Deno.kill(-id, signal);
    return true;
  } catch (error) {
    return !(error instanceof Deno.errors.NotFound);
  }
}

/**
 * The job's group id, from the pid file its leader writes right after it starts; undefined
 * when the shell ended without starting it.
 */
async function readGroupId(
  pidFile: string,
  shellStatus: Promise<unknown>,
): Promise<number | undefined> {
  let shellEnded = false;
  shellStatus.then(() => shellEnded = true);
  try {
    // The leader writes within milliseconds; no event says when, so look briefly and often.
    for (;;) {
      const id = parseInt(await Deno.readTextFile(pidFile));
      if (id > 0) return id;
      if (shellEnded) return undefined;
      await sleep(2);
    }
  } finally {
    await Deno.remove(pidFile).catch(() => {});
  }
}

/**
 * Whether coord's process group is its terminal's foreground group: only then may a job-control
 * shell take the terminal (from the background, `set -m` would stop coord with SIGTTIN).
 */
async function inTerminalForeground(): Promise<boolean> {
  if (!Deno.stdin.isTerminal()) return false;
  try {
    const { success, stdout } = await new Deno.Command("ps", {
      args: ["-o", "tpgid=,pgid=", "-p", String(Deno.pid)],
      // Whatever `ps` is on PATH gets no credentials either (`--url` is one of coord's own).
      env: childEnv(),
      clearEnv: true,
      stdin: "null",
      stderr: "null",
    }).output();
    const [terminalGroup, ownGroup] = new TextDecoder().decode(stdout).trim().split(/\s+/);
    return success && terminalGroup === ownGroup;
  } catch {
    return false;
  }
}
