/**
 * The lock's handoff on the command line: `WAITERS` processes of `coord lock run RES -- sh -c
 * …` queued behind a holder (on SQLite, and on Redis and PostgreSQL when given), each command
 * running `HOLD_MS`, and the gap from one command's end to the next one's start — the whole
 * path a shell script pays: the command exits, coord sees it, releases, the next coord process wakes, checks its turn and spawns its command. Peer:
 * `flock(1)` doing the same on a lock file, in the same rounds.
 *
 * Each command stamps its own start and end with `date +%s%N` into one log (appending lines, so
 * processes do not mix them), the same command for every contender: the gap holds the same
 * `sh` and `date` start-up for all. Rounds alternate the contenders, so load from elsewhere
 * falls on them alike.
 *
 * Events, no sleeps: a round starts once a gate command holds the lock (its line in the log)
 * and every waiter is queued (coord: the backend's queue holds them all; flock: the kernel's
 * `/proc/locks` lists them blocked on the file), then the gate lets go.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connect } from "../lib/mod.ts";
import { errorLine } from "./command_timing.ts";
import { findTool } from "./missing_tool.ts";
import { round3, summarizeMs } from "./stats.ts";
import { until } from "../tests/support/wait.ts";
import { progressOf } from "./progress.ts";

const progress = progressOf("lock: cli handoff");

/** Processes queued behind the gate, and how long each one's command runs. */
const WAITERS = 10;
const HOLD_MS = 50;
/** Rounds per contender: `WAITERS - 1` gaps each. */
const ROUNDS = 3;
/** Hang guard of one round: start-up of `WAITERS + 1` processes on a busy machine, and the chain. */
const ROUND_TIMEOUT_MS = 60_000;
/** How often a round checks the log, the queue or `/proc/locks` while it sets up. */
const POLL_MS = 10;

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DENO = Deno.execPath();

/** A contender: how to run `sh -c SCRIPT` under the lock, and how many waiters are queued. */
interface Contender {
  name: string;
  argv(script: string): string[];
  queued(): Promise<number>;
  close(): Promise<void>;
}

/** Options of {@link cliHandoff}. */
export interface CliHandoffOptions {
  /** coord on Redis too, when a server is there. */
  redisUrl?: string;
  /** coord on PostgreSQL too, when a server is there. */
  postgresUrl?: string;
  /** Where logs, gate files, the SQLite file and flock's lock file go. */
  dir: string;
  signal: AbortSignal;
}

/**
 * Measures the handoff of every contender; see the module doc.
 *
 * @example
 * ```ts ignore
 * const figures = await cliHandoff({ dir: "/tmp/x", signal: AbortSignal.timeout(60_000) });
 * ```
 */
export async function cliHandoff(
  { redisUrl, postgresUrl, dir, signal }: CliHandoffOptions,
): Promise<Record<string, unknown>> {
  const contenders: Contender[] = [
    ...(redisUrl ? [await coordContender("coord_redis", redisUrl)] : []),
    await coordContender("coord_sqlite", `sqlite:${join(dir, "handoff.db")}`),
    ...(postgresUrl ? [await coordContender("coord_postgres", postgresUrl)] : []),
  ];
  const flock = findTool("flock");
  if (flock) contenders.push(await flockContender(flock, join(dir, "handoff.lock")));
  const gaps = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const errors: Record<string, string> = {};
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of contenders) {
        if (signal.aborted || errors[c.name]) continue;
        try {
          gaps.get(c.name)!.push(...await runRound(c, join(dir, `${c.name}-${round}`), signal));
        } catch (e) {
          errors[c.name] = e instanceof Error ? e.message : String(e);
          progress(`${c.name}: ${errors[c.name]}`);
        }
      }
    }
  } finally {
    await Promise.all(contenders.map((c) => c.close()));
  }
  const figures = (name: string) => ({
    gap_ms: summarizeMs(gaps.get(name) ?? []),
    ...(errors[name] ? { error: errors[name] } : {}),
  });
  const p50 = (name: string) => summarizeMs(gaps.get(name) ?? [])?.p50;
  const flockP50 = p50("flock");
  const within = (name: string, slackMs: number) => {
    const own = p50(name);
    return own === undefined || flockP50 === undefined ? null : own <= flockP50 + slackMs;
  };
  for (const c of contenders) progress(`${c.name}: gap p50 ${p50(c.name)} ms`);
  return {
    waiters: WAITERS,
    hold_ms: HOLD_MS,
    rounds: ROUNDS,
    command: `sh -c 'stamp start; sleep ${HOLD_MS / 1000}; stamp end'`,
    coord: {
      redis: redisUrl ? figures("coord_redis") : { skipped: "no redis-server" },
      sqlite: figures("coord_sqlite"),
      postgres: postgresUrl ? figures("coord_postgres") : { skipped: "no PostgreSQL server" },
    },
    goals: {
      redis_p50_le_flock_plus_5ms: within("coord_redis", 5),
      sqlite_p50_le_flock_plus_10ms: within("coord_sqlite", 10),
      postgres_p50_le_flock_plus_10ms: within("coord_postgres", 10),
    },
    peers: {
      flock: flock ? figures("flock") : { skipped: "flock not found on PATH (util-linux)" },
    },
  };
}

async function coordContender(name: string, url: string): Promise<Contender> {
  const backend = await connect({ url });
  const resource = `handoff-${name}-${Deno.pid}`;
  return {
    name,
    argv: (script) => [
      ...[DENO, "run", "-A", join(ROOT, "main.ts"), "lock", "run", resource],
      ...["--url", url, "--", "sh", "-c", script],
    ],
    queued: async () => ((await backend.lock.status(resource))?.users.length ?? 1) - 1,
    close: () => backend.close(),
  };
}

async function flockContender(flock: string, lockFile: string): Promise<Contender> {
  await Deno.writeTextFile(lockFile, "");
  const inode = (await Deno.stat(lockFile)).ino;
  return {
    name: "flock",
    argv: (script) => [flock, lockFile, "sh", "-c", script],
    // Blocked requests are the lines with "->", e.g. `1: -> FLOCK ADVISORY WRITE 42 08:01:INODE 0 EOF`.
    queued: async () =>
      (await Deno.readTextFile("/proc/locks")).split("\n")
        .filter((line) =>
          line.includes("->") && line.split(/\s+/).some((f) => f.endsWith(`:${inode}`))
        )
        .length,
    close: () => Promise.resolve(),
  };
}

/** One round: the gate holds, every waiter queues, the gate lets go; the gaps of the chain. */
async function runRound(c: Contender, base: string, signal: AbortSignal): Promise<number[]> {
  const log = `${base}.log`;
  const gate = `${base}.open`;
  await Deno.writeTextFile(log, "");
  const guard = AbortSignal.any([signal, AbortSignal.timeout(ROUND_TIMEOUT_MS)]);
  const children: Deno.ChildProcess[] = [];
  const spawn = (script: string) => {
    const [program, ...args] = c.argv(script);
    const child = new Deno.Command(program, {
      args,
      cwd: ROOT,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      signal: guard,
    }).spawn();
    children.push(child);
    return child;
  };
  const ends = [spawn(`echo gate >> ${log}; while [ ! -e ${gate} ]; do sleep 0.005; done`)];
  try {
    await until(async () => (await Deno.readTextFile(log)).includes("gate"), {
      what: "the gate holding the lock",
      signal: guard,
      intervalMs: POLL_MS,
    });
    const stamp = (what: string) => `echo "${what} $$ $(date +%s%N)" >> ${log}`;
    for (let i = 0; i < WAITERS; i++) {
      ends.push(spawn(`${stamp("start")}; sleep ${HOLD_MS / 1000}; ${stamp("end")}`));
    }
    await until(async () => await c.queued() >= WAITERS, {
      what: "every waiter queued",
      signal: guard,
      intervalMs: POLL_MS,
    });
    await Deno.writeTextFile(gate, "");
    const outputs = await Promise.all(ends.map((child) => child.output()));
    const failed = outputs.find(({ success }) => !success);
    if (failed) throw new Error(`a process exited ${failed.code}: ${errorLine(failed.stderr)}`);
  } finally {
    for (const child of children) {
      try {
        child.kill("SIGKILL");
      } catch {
        // it has exited
      }
    }
  }
  return gapsOf(await Deno.readTextFile(log));
}

/**
 * From the log's start and end stamps (`start|end PID NANOSECONDS` lines; others are skipped):
 * each command's start minus the previous one's end, in ms.
 *
 * @throws {Error} when two commands overlapped: the lock failed.
 * @example
 * ```ts
 * import { gapsOf } from "./lock_cli_handoff.ts";
 * gapsOf("start 1 1000000\nend 1 3000000\nstart 2 5500000\nend 2 9000000\n"); // [2.5]
 * ```
 */
export function gapsOf(log: string): number[] {
  const events = log.split("\n").map((line) => line.split(" "))
    .filter(([what]) => what === "start" || what === "end")
    .map(([what, pid, ns]) => ({ what, pid, ms: Number(ns) / 1e6 }))
    .toSorted((a, b) => a.ms - b.ms);
  const gaps: number[] = [];
  for (let i = 1; i < events.length; i++) {
    const [prev, next] = [events[i - 1], events[i]];
    if (prev.what === "end" && next.what === "start") gaps.push(round3(next.ms - prev.ms));
    if (prev.what === next.what) {
      throw new Error(`two commands overlapped: ${prev.pid} and ${next.pid}`);
    }
  }
  return gaps;
}
