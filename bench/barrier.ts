/**
 * How close together the participants of a barrier continue: 10 participants × 20 rounds, on
 * SQLite (a temporary file) and on Redis (a throw-away redis-server), in two modes:
 *
 * - `cli`: ten loops, each running `deno run -A main.ts barrier bench 10 --delay D --json …`
 *   once per round as a shell loop would (a new process every round, spawned directly).
 * - `library`: ten long-lived processes (`barrier_worker.ts`), each connecting once and
 *   calling `barrier()` once per round, so process start-up is out of the picture. The same
 *   with two processes (`library_2_participants`) shows the figure with no more participants
 *   than cores.
 *
 * Per round the spread is max − min of the participants' `continued_at`: every one reads the
 * same host clock (the library workers `now()` of `clock.ts`, the CLI its own `localNow()`,
 * which agree within a process's start-up when the wall clock keeps the monotonic one's pace). Peers: processes that wake at the same
 * pre-agreed instants with no coordination at all — a bare timer, and a timer then a 2 ms spin
 * as coord does — the floor this machine's timers and scheduler give.
 *
 * Bounded: each part has a deadline and the whole a budget of 85 s; children still running
 * then are stopped (SIGTERM) and the part says `stopped`. It takes 80–85 s on two cores, most
 * of it the Redis CLI loops (ten processes importing node-redis per round, ≈ 2 s); on a busy
 * machine those are cut at their 50 s deadline.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { now } from "./clock.ts";
import { errorLine, runToEnd } from "./command_timing.ts";
import { orSkipped } from "./missing_tool.ts";
import { startRedisServer } from "./redis_server.ts";
import { round3, summarizeMs } from "./stats.ts";
import { tempDir } from "./temp_dir.ts";
import { progressOf } from "./progress.ts";

const progress = progressOf("barrier");

const PARTICIPANTS = 10;
const ROUNDS = 20;
/** Long-lived processes run one untimed round first (first calls compile code). */
const WARMUP_ROUNDS = 1;
/** The issue's goal on one host: spread p99 under 2 ms. */
const GOAL_SPREAD_MS = 2;
/**
 * `--delay`. It counts from the last arrival, when the others are already waiting, so it
 * only has to cover hearing of the release (pub/sub, or SQLite's change polling) and the last
 * arrival's own way back — not process start-up. 100 ms leaves room on a loaded machine.
 */
const DELAY_MS = 100;
/** `--timeout` of every participant: a round that cannot complete fails instead of hanging. */
const TIMEOUT_MS = 10_000;
/** The whole benchmark's budget, and each part's own deadline. */
const BUDGET_MS = 85_000;
const DEADLINE_MS = { cli: 50_000, library: 12_000, floor: 8_000 } as const;
/** The floor's instants: the first this long after spawning, then one per interval. */
const FLOOR_START_MS = 800;
const FLOOR_INTERVAL_MS = 50;
/** The spin of coord's `sleepUntil`, copied by the timer-then-spin floor. */
const SPIN_MS = 2;

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WORKER = fileURLToPath(new URL("./barrier_worker.ts", import.meta.url));
const DENO = Deno.execPath();

/** One participant in one round, from the CLI's `--json` line or the worker's line. */
interface Participation {
  /** When the process was spawned (`cli`) or `barrier()` called (`library`), host clock. */
  started_at: number;
  /** `"0"` when released in time, else the exit code (`cli`) or error name (`library`). */
  outcome: string;
  generation?: number;
  arrival?: number;
  release_at?: number;
  continued_at?: number;
  late_ms?: number;
}

/** What a part reports when the budget ran out before it started. */
type NotRun = { stopped: string };

/**
 * Runs the barrier benchmark; see the module doc.
 *
 * @example
 * ```ts ignore
 * import barrierBench from "./barrier.ts";
 * console.log(await barrierBench());
 * ```
 */
export default async function barrierBench(): Promise<Record<string, unknown>> {
  const budget = AbortSignal.timeout(BUDGET_MS);
  await using dir = await tempDir("coord-bench-barrier-");
  const peers = {
    same_instant_timer_floor: await floor(PARTICIPANTS, 0, budget),
    same_instant_timer_spin_floor: await floor(PARTICIPANTS, SPIN_MS, budget),
    same_instant_timer_spin_floor_2_participants: await floor(2, SPIN_MS, budget),
  };
  const sqliteUrl = (name: string) => `sqlite:${join(dir.path, `${name}.db`)}`;
  const sqlite = {
    library: await library(sqliteUrl("library"), PARTICIPANTS, budget),
    library_2_participants: await library(sqliteUrl("library_2"), 2, budget),
    cli: await cli(sqliteUrl("cli"), budget),
  };
  const redis = await orSkipped(async () => {
    await using server = await startRedisServer();
    return {
      library: await library(server.url, PARTICIPANTS, budget),
      library_2_participants: await library(server.url, 2, budget),
      cli: await cli(server.url, budget),
    };
  });
  return {
    participants: PARTICIPANTS,
    rounds: ROUNDS,
    delay_ms: DELAY_MS,
    sqlite,
    redis,
    peers,
  };
}

/** Ten loops of `coord barrier` processes, one process per round. */
async function cli(url: string, budget: AbortSignal) {
  const label = `${url.split(":")[0]} cli`;
  if (budget.aborted) return notRun(label);
  progress(`${label}: ${PARTICIPANTS} loops × ${ROUNDS} processes, --delay ${DELAY_MS / 1000}`);
  const signal = AbortSignal.any([budget, AbortSignal.timeout(DEADLINE_MS.cli)]);
  const started = performance.now();
  const firstErrors: Record<string, string> = {};
  const loop = async () => {
    const rounds: Participation[] = [];
    for (let round = 0; round < ROUNDS && !signal.aborted; round++) {
      const startedAt = now();
      const run = await runToEnd(DENO, {
        args: [
          ...["run", "-A", "main.ts", "barrier", "bench", String(PARTICIPANTS)],
          ...["--delay", String(DELAY_MS / 1000), "--timeout", String(TIMEOUT_MS / 1000)],
          ...["--json", "--url", url],
        ],
        cwd: ROOT,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        signal,
      }).catch((e) => {
        if (signal.aborted) return undefined; // aborted as it was being spawned
        throw e;
      });
      // Stopped by the deadline: not a failure of coord's, and not counted.
      if (run === undefined || signal.aborted) break;
      const { code, stdout, stderr } = run;
      const outcome = String(code);
      const fields = code === 0 ? JSON.parse(new TextDecoder().decode(stdout)) : {};
      if (code !== 0) {
        const line = errorLine(stderr);
        firstErrors[outcome] ??= line;
        // Exit 76 says how late: "heard of the release 12.3 ms after its instant".
        const late = /release ([\d.]+) ms after/.exec(line)?.[1];
        if (late !== undefined) fields.late_ms = Number(late);
      }
      rounds.push({ started_at: startedAt, outcome, ...fields });
    }
    return rounds;
  };
  const all = (await Promise.all(Array.from({ length: PARTICIPANTS }, loop))).flat();
  const result = figures(all, PARTICIPANTS, "spawn_to_release_ms", performance.now() - started);
  progress(`${label}: ${summaryLine(result)}`);
  return {
    ...result,
    ...stoppedNote(signal, budget, DEADLINE_MS.cli),
    ...(Object.keys(firstErrors).length > 0 ? { first_error_by_exit_code: firstErrors } : {}),
  };
}

/** `n` long-lived processes, each calling `barrier()` once per round. */
async function library(url: string, n: number, budget: AbortSignal) {
  const label = `${url.split(":")[0]} library, ${n} participants`;
  if (budget.aborted) return notRun(label);
  progress(`${label}: ${n} processes × ${ROUNDS} barrier() calls, delay ${DELAY_MS} ms`);
  const signal = AbortSignal.any([budget, AbortSignal.timeout(DEADLINE_MS.library)]);
  const started = performance.now();
  const { lines, failure } = await workers(
    n,
    ["barrier", url, `bench-${n}`, n, WARMUP_ROUNDS + ROUNDS, DELAY_MS, TIMEOUT_MS],
    signal,
  );
  const all = lines
    .filter((line) => (line.round as number) >= WARMUP_ROUNDS)
    .map((line): Participation => ({
      ...line,
      started_at: line.called_at as number,
      outcome: line.error === undefined ? "0" : String(line.error),
    }));
  const result = figures(all, n, "call_to_release_ms", performance.now() - started);
  progress(`${label}: ${summaryLine(result)}`);
  return {
    warmup_rounds: WARMUP_ROUNDS,
    ...result,
    ...stoppedNote(signal, budget, DEADLINE_MS.library),
    ...(failure ? { error: failure } : {}),
  };
}

/** `n` processes waking at the same agreed instants with no coordination: the floor. */
async function floor(n: number, spinMs: number, budget: AbortSignal) {
  const wake = spinMs > 0 ? `setTimeout to ${spinMs} ms before, then spin` : "setTimeout alone";
  const label = `floor, ${n} processes, ${wake}`;
  if (budget.aborted) return notRun(label);
  progress(`${label}: ${ROUNDS} instants`);
  const signal = AbortSignal.any([budget, AbortSignal.timeout(DEADLINE_MS.floor)]);
  const startAt = now() + FLOOR_START_MS;
  const { lines, failure } = await workers(
    n,
    ["timer", startAt, FLOOR_INTERVAL_MS, WARMUP_ROUNDS + ROUNDS, spinMs],
    signal,
  );
  const timed = lines.filter((line) => (line.round as number) >= WARMUP_ROUNDS);
  const byRound = Map.groupBy(timed, (line) => line.round as number);
  const spreads = [...byRound.values()]
    .filter((round) => round.length === n)
    .map((round) => range(round.map((line) => line.continued_at as number)));
  const late = timed.map((line) => (line.continued_at as number) - (line.target as number));
  const spread = summarizeMs(spreads);
  progress(`${label}: spread p50 ${spread?.p50} ms, p99 ${spread?.p99} ms`);
  return {
    participants: n,
    wake,
    warmup_rounds: WARMUP_ROUNDS,
    rounds_complete: spreads.length,
    spread_ms: spread,
    late_ms: summarizeMs(late),
    spread_p99_under_2ms: spread === null ? null : spread.p99 < GOAL_SPREAD_MS,
    ...stoppedNote(signal, budget, DEADLINE_MS.floor),
    ...(failure ? { error: failure } : {}),
  };
}

/**
 * Runs `n` `barrier_worker.ts` processes with the same arguments and gathers their JSON
 * lines; stopped by `signal`, what they printed so far is kept.
 */
async function workers(
  n: number,
  args: (string | number)[],
  signal: AbortSignal,
): Promise<{ lines: Record<string, unknown>[]; failure?: string }> {
  const outputs = await Promise.all(Array.from(
    { length: n },
    () =>
      runToEnd(DENO, {
        args: ["run", "-A", WORKER, ...args.map(String)],
        cwd: ROOT,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        signal,
      }),
  ));
  const lines = outputs.flatMap(({ stdout }) =>
    new TextDecoder().decode(stdout).split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
  );
  const failed = outputs.find(({ code }) => code !== 0);
  return signal.aborted || !failed
    ? { lines }
    : { lines, failure: `a worker exited ${failed.code}: ${errorLine(failed.stderr)}` };
}

/** The figures of one backend and mode from every participation of every round. */
function figures(
  all: Participation[],
  n: number,
  startName: "spawn_to_release_ms" | "call_to_release_ms",
  wallMs: number,
) {
  const released = all.filter((p) => p.outcome === "0");
  const byGeneration = Map.groupBy(released, (p) => p.generation!);
  const complete = [...byGeneration.values()].filter((round) => round.length === n);
  // When the participants continued, all on this host's clock.
  const spreads = complete.map((round) => range(round.map((p) => p.continued_at!)));
  // The instants the participants converted the release to (late_ms = continued_at − it):
  // how far their clock-offset estimates disagree. The rest of the spread is waking up.
  const instantSpreads = complete.map((round) =>
    range(round.map((p) => p.continued_at! - p.late_ms!))
  );
  // From the last participant's start (spawn or call) to the backend step that released it,
  // at release_at − delay (the backend's clock: the same host clock here).
  const toRelease = [...byGeneration.values()].flatMap((round) =>
    round.filter((p) => p.arrival === n).map((p) => p.release_at! - DELAY_MS - p.started_at)
  );
  const outcomes: Record<string, number> = {};
  for (const p of all) outcomes[p.outcome] = (outcomes[p.outcome] ?? 0) + 1;
  const tooLate = all.filter((p) => p.outcome !== "0" && p.late_ms !== undefined);
  const spread = summarizeMs(spreads);
  return {
    participants: n,
    wall_s: round3(wallMs / 1000),
    outcomes,
    rounds_complete: complete.length,
    rounds_failed: ROUNDS - complete.length,
    spread_ms: spread,
    instant_spread_ms: summarizeMs(instantSpreads),
    late_ms: summarizeMs(released.map((p) => p.late_ms!)),
    ...(tooLate.length > 0 ? { too_late_ms: summarizeMs(tooLate.map((p) => p.late_ms!)) } : {}),
    [startName]: summarizeMs(toRelease),
    spread_p99_under_2ms: spread === null ? null : spread.p99 < GOAL_SPREAD_MS,
  };
}

function summaryLine(result: ReturnType<typeof figures>): string {
  const { spread_ms: spread, outcomes, wall_s: wall } = result;
  const counts = JSON.stringify(outcomes);
  return `spread p50 ${spread?.p50} ms, p99 ${spread?.p99} ms; outcomes ${counts}; ${wall} s`;
}

/** Says why a part ended early, if it did: its deadline or the whole benchmark's budget. */
function stoppedNote(signal: AbortSignal, budget: AbortSignal, deadlineMs: number) {
  if (!signal.aborted) return {};
  const why = budget.aborted
    ? `the benchmark's ${BUDGET_MS / 1000} s budget`
    : `this part's ${deadlineMs / 1000} s deadline`;
  return { stopped: `stopped at ${why}; figures cover the rounds completed before` };
}

function notRun(label: string): NotRun {
  progress(`${label}: not run, the ${BUDGET_MS / 1000} s budget is spent`);
  return { stopped: `not run: the benchmark's ${BUDGET_MS / 1000} s budget was spent` };
}

function range(values: number[]): number {
  return Math.max(...values) - Math.min(...values);
}
