/**
 * How punctually a distributed interval task runs, and whether each tick runs exactly once:
 * one task every `PERIOD_MS`, run by 1 and by 3 long-lived processes (`schedule_worker.ts`),
 * for coord's `Scheduler` on SQLite (a fresh temporary file per run), on Redis (a fresh
 * namespace per run, on the benchmark's own redis-server) and on PostgreSQL (a fresh namespace,
 * i.e. schema, per run, on the benchmark's own server, started as the tests start theirs), for
 * BullMQ's job scheduler
 * (`upsertJobScheduler(id, { every: PERIOD_MS })` and a `Worker` per process) on the same
 * redis-server in the same run, and once for the CLI, `coord schedule run FILE` with a
 * crontab-style line running a shell command.
 *
 * Every process prints a line per run it starts: the tick it runs and its lateness (the
 * instant the handler starts − the tick, on this host's clock). Once every process of a run
 * has said it is ready, the bench lets `WARMUP_MS` pass, then counts over a window of exactly
 * `WINDOW_TICKS` periods (ticks in `[start, start + WINDOW_TICKS × PERIOD_MS)`):
 *
 * - `runs`, `ticks` (distinct ticks run), `duplicates` (runs − ticks: a tick run twice);
 * - `missed`: ticks of the task's grid inside the window that never ran. The grid is the
 *   first tick seen plus whole periods (coord aligns intervals to the epoch, BullMQ to when
 *   the scheduler was added); `off_grid` counts runs of ticks not on it;
 * - `lateness_ms`: `{n, p50, p99, max}` over every run in the window (nearest-rank);
 * - `runs_by_process`, and for Redis, `redis`: the server's commands per tick and its CPU
 *   time per second over the window (`redis_idle`: the same server with no client).
 *
 * BullMQ runs once more with 1 process after `CONFIG SET hz 100`: it wakes for a delayed job
 * when its `BZPOPMIN` times out, and redis-server handles blocked clients' timeouts only when
 * its event loop wakes, `hz` times a second when idle (default 10).
 *
 * Bounded: each run has a deadline, the whole a budget of 300 s; children still running then
 * are stopped (SIGTERM) and the run says `stopped`. It takes ≈ 3 min on two cores.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BULLMQ_PACKAGES } from "./bullmq.ts";
import { now, sleep } from "./clock.ts";
import { errorLine } from "./command_timing.ts";
import { type JsonChild, killAll, spawnJsonChild } from "./json_child.ts";
import { orSkipped, type Skipped } from "./missing_tool.ts";
import { redisCommand } from "../tests/support/resp.ts";
import { commandsPer, countRedisUsage, type RedisUsage, serverCpuS } from "./redis_info.ts";
import { startRedisServer } from "./redis_server.ts";
import { type MsSummary, round3, summarizeMs } from "./stats.ts";
import { tempDir } from "./temp_dir.ts";
import {
  POSTGRES_SERVER_NOTE,
  type PostgresServer,
  startPostgresOrSkip,
} from "./postgres_server.ts";
import { progressOf } from "./progress.ts";

const progress = progressOf("schedule");

/** The task's period: short enough for ≥ 60 ticks a run within the bench's few minutes. */
const PERIOD_MS = 250;
/** Ticks counted per run. */
const WINDOW_TICKS = 64;
/** Runs before this long after the last process was ready are left out. */
const WARMUP_MS = 1_000;
/** After the window, runs of its last ticks may still be reported for this long. */
const DRAIN_MS = 1_000;
/** Start-up (Deno, imports, connecting) may take this long. */
const READY_TIMEOUT_MS = 30_000;
/** After stdin closes, a process has this long to finish its run and exit. */
const STOP_TIMEOUT_MS = 10_000;
/** The number of processes of each run. */
const PROCESSES = [1, 3] as const;
/** The redis-server `hz` of BullMQ's extra run (the default is 10). */
const FAST_HZ = 100;
/** redis-server's own CPU use is measured this long with no client, as a baseline. */
const REDIS_IDLE_MS = 2_000;
/** The whole benchmark's budget. */
const BUDGET_MS = 300_000;

const WORKER = fileURLToPath(new URL("./schedule_worker.ts", import.meta.url));
const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

/** One run's line from a process. */
interface Run {
  tick: number;
  latenessMs: number;
  worker: number;
  timestamp_plus_delay?: number;
}

/**
 * Runs the schedule benchmark; see the module doc.
 *
 * @example
 * ```ts ignore
 * import scheduleBench from "./schedule.ts";
 * console.log(await scheduleBench());
 * ```
 */
export default async function scheduleBench(): Promise<Record<string, unknown>> {
  const budget = AbortSignal.timeout(BUDGET_MS);
  const started = performance.now();
  await using dir = await tempDir("coord-bench-schedule-");
  const { coord, bullmq, redisIdle } = await measureLibrary(dir.path, budget);
  const cli = await measureCli(dir.path, budget);
  return {
    period_ms: PERIOD_MS,
    window_ticks: WINDOW_TICKS,
    warmup_ms: WARMUP_MS,
    task: `interval "${PERIOD_MS}ms", default options (executionMode at-least-once)`,
    budget_s: BUDGET_MS / 1000,
    wall_s: round3((performance.now() - started) / 1000),
    redis_idle: redisIdle,
    coord: { ...coord, cli_sqlite: cli },
    peers: {
      bullmq: {
        package: BULLMQ_PACKAGES.bullmq,
        client: BULLMQ_PACKAGES.ioredis,
        options: `queue.upsertJobScheduler(id, { every: ${PERIOD_MS} }, { name: "tick" }) ` +
          `from process 0; a Worker (concurrency 1) in every process`,
        tick_source: "the millis in the job's id, repeat:<schedulerId>:<nextMillis>",
        ...bullmq,
      },
    },
  };
}

/** One configuration run with each number of processes in {@link PROCESSES}. */
interface Contender {
  label: string;
  /** Where its figures go, under `processes_<n>`. */
  figures: Record<string, unknown>;
  /** The command line of process `w` of a run of `processes`. */
  spawn: (processes: number, w: number) => string[];
  redisPort?: number;
}

/**
 * The library's runs: coord on SQLite always; with the bench's own redis-server, coord on
 * Redis and BullMQ beside it, then BullMQ once more at a higher `hz`; with the bench's own
 * PostgreSQL, coord on Postgres.
 */
async function measureLibrary(dir: string, budget: AbortSignal) {
  const postgres = await startPostgresOrSkip();
  try {
    return await measureWith(dir, budget, postgres);
  } finally {
    if (!("skipped" in postgres)) await postgres.stop();
  }
}

async function measureWith(
  dir: string,
  budget: AbortSignal,
  postgres: PostgresServer | Skipped,
) {
  const redis = await orSkipped(() => startRedisServer());
  await using server = "skipped" in redis ? undefined : redis;
  const redisIdle = server ? await redisIdleCpu(server.port) : {};
  const coord: Record<string, Record<string, unknown>> = {
    sqlite: {},
    redis: {},
    postgres: "skipped" in postgres ? { ...postgres } : { server: POSTGRES_SERVER_NOTE },
  };
  const bullmq: Record<string, unknown> = server ? { redis_hz: redisIdle.hz } : {};
  const contenders: Contender[] = [{
    label: "coord sqlite",
    figures: coord.sqlite,
    spawn: (processes, w) =>
      workerArgs("coord", w, `sqlite:${join(dir, `processes_${processes}.db`)}`, "bench"),
  }];
  if (server) {
    contenders.push({
      label: "coord redis",
      figures: coord.redis,
      spawn: (processes, w) => workerArgs("coord", w, server.url, `bench-schedule-${processes}`),
      redisPort: server.port,
    }, {
      label: "bullmq",
      figures: bullmq,
      spawn: (processes, w) => workerArgs("bullmq", w, server.url, `bench-schedule-${processes}`),
      redisPort: server.port,
    });
  }
  if (!("skipped" in postgres)) {
    contenders.push({
      label: "coord postgres",
      figures: coord.postgres,
      spawn: (processes, w) => workerArgs("coord", w, postgres.url, `bench_schedule_${processes}`),
    });
  }
  // Sizes alternate between contenders, so a burst of load elsewhere is spread out.
  for (const processes of PROCESSES) {
    for (const { label, figures, spawn, redisPort } of contenders) {
      figures[`processes_${processes}`] = await measure({
        label: `${label}, ${processes} processes`,
        processes,
        spawn: (w) => spawn(processes, w),
        redisPort,
        budget,
      });
    }
  }
  if (!server) {
    // Without redis-server, coord on SQLite still ran; the rest says skipped.
    coord.redis = { ...redis };
    return { coord, bullmq: { ...redis }, redisIdle };
  }
  // BullMQ wakes for a delayed job when its BZPOPMIN times out, and redis-server handles
  // timeouts only when its event loop wakes: at `hz` per second when idle (default 10).
  await redisCommand(server.port, "CONFIG", "SET", "hz", String(FAST_HZ));
  bullmq[`processes_1_redis_hz_${FAST_HZ}`] = await measure({
    label: `bullmq, 1 process, redis-server hz ${FAST_HZ}`,
    processes: 1,
    spawn: (w) => workerArgs("bullmq", w, server.url, `bench-schedule-hz-${FAST_HZ}`),
    redisPort: server.port,
    budget,
  });
  return { coord, bullmq, redisIdle };
}

/** The command line of one `schedule_worker.ts` process. */
function workerArgs(kind: "coord" | "bullmq", w: number, url: string, name: string): string[] {
  // BullMQ's packages are the benchmark's, not the project's: kept out of `deno.lock`.
  return [
    "run",
    "-A",
    ...(kind === "coord" ? [] : ["--no-lock"]),
    WORKER,
    kind,
    String(w),
    url,
    name,
    String(PERIOD_MS),
  ];
}

/** One run: `processes` instances of the same task, their runs over one window. */
async function measure(
  { label, processes, spawn, redisPort, budget }: {
    label: string;
    processes: number;
    spawn: (w: number) => string[];
    redisPort?: number;
    budget: AbortSignal;
  },
): Promise<Record<string, unknown>> {
  if (budget.aborted) return notRun(label);
  progress(label);
  const deadline = READY_TIMEOUT_MS + WARMUP_MS + WINDOW_TICKS * PERIOD_MS + DRAIN_MS +
    STOP_TIMEOUT_MS;
  const signal = AbortSignal.any([budget, AbortSignal.timeout(deadline)]);
  const spawnedAt = now();
  const children = Array.from(
    { length: processes },
    (_, w) => spawnJsonChild(spawn(w), { signal }),
  );
  try {
    const ready = await Promise.all(children.map((c) => c.waitFor("ready", READY_TIMEOUT_MS)));
    const readyAt = Math.max(...ready.map((line) => line.at as number));
    const window = { start: readyAt + WARMUP_MS, end: readyAt + WARMUP_MS + windowMs() };
    let counted: (() => Promise<RedisUsage>) | undefined;
    if (redisPort !== undefined) {
      await sleep(window.start - now());
      counted = await countRedisUsage(redisPort);
    }
    await sleep(window.end - now());
    const redisUse = await counted?.();
    await sleep(DRAIN_MS);
    const failed = await stopAll(children);
    if (failed) throw new Error(failed);
    const lines = children.flatMap((child) => child.lines);
    const result = {
      processes,
      ready_s: round3((readyAt - spawnedAt) / 1000),
      ...figures(lines, window, processes),
      ...(redisUse ? { redis: redisFigures(redisUse, lines, window) } : {}),
    };
    progress(`${label}: ${summaryLine(result)}`);
    return result;
  } catch (e) {
    await killAll(children);
    const message = e instanceof Error ? e.message : String(e);
    progress(`${label}: ${message}`);
    return signal.aborted ? stopped(label, budget) : { processes, error: message };
  }
}

/**
 * The CLI, once: `coord schedule run FILE` on SQLite, FILE a crontab-style line whose shell
 * command appends the tick (`$COORD_SCHEDULED_AT`) and the instant it ran (`date +%s%3N`,
 * whole milliseconds) to a file. Its lateness includes starting `sh` and `date`. The window
 * starts `WARMUP_MS` after the first line appears.
 */
async function measureCli(dir: string, budget: AbortSignal): Promise<Record<string, unknown>> {
  const label = "coord schedule run FILE, sqlite, 1 process";
  if (budget.aborted) return notRun(label);
  progress(label);
  const out = join(dir, "cli-runs.txt");
  const file = join(dir, "cli.cron");
  const command = `echo "$COORD_SCHEDULED_AT $(date +%s%3N)" >> '${out}'`;
  await Deno.writeTextFile(file, `@every ${PERIOD_MS}ms  name=tick  ${command}\n`);
  const url = `sqlite:${join(dir, "cli.db")}`;
  const deadline = READY_TIMEOUT_MS + WARMUP_MS + windowMs() + DRAIN_MS + STOP_TIMEOUT_MS;
  const signal = AbortSignal.any([budget, AbortSignal.timeout(deadline)]);
  const spawnedAt = now();
  const child = spawnJsonChild(
    ["run", "-A", MAIN, "schedule", "run", file, "--url", url, "--instance", "cli"],
    { signal },
  );
  const base = {
    command: `coord schedule run FILE --url sqlite:<tmp>/cli.db (as deno run -A main.ts …)`,
    line: `@every ${PERIOD_MS}ms  name=tick  echo "$COORD_SCHEDULED_AT $(date +%s%3N)" >> OUT`,
  };
  try {
    const firstAt = await firstLine(out, child, READY_TIMEOUT_MS);
    const window = { start: firstAt + WARMUP_MS, end: firstAt + WARMUP_MS + windowMs() };
    await sleep(window.end + DRAIN_MS - now());
    child.kill();
    const { code, stderr } = await child.done;
    if (code !== 0) throw new Error(`coord exited ${code}: ${errorLine(stderr)}`);
    const runs = (await Deno.readTextFile(out)).trim().split("\n").map((row) => {
      const [scheduledAt, ranAt] = row.trim().split(" ");
      const tick = Date.parse(scheduledAt);
      return { tick, latenessMs: Number(ranAt) - tick, worker: 0 };
    });
    const result = {
      ...base,
      processes: 1,
      first_run_s: round3((firstAt - spawnedAt) / 1000),
      ...figures(runs as unknown as Record<string, unknown>[], window, 1),
    };
    progress(`${label}: ${summaryLine(result)}`);
    return result;
  } catch (e) {
    child.kill();
    await child.done;
    const message = e instanceof Error ? e.message : String(e);
    progress(`${label}: ${message}`);
    return signal.aborted ? { ...base, ...stopped(label, budget) } : { ...base, error: message };
  }
}

/** The instant `path` first had a line, polled; rejects when `child` exits first. */
async function firstLine(path: string, child: JsonChild, timeoutMs: number): Promise<number> {
  let exited = false;
  child.done.then(() => exited = true);
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    try {
      if ((await Deno.readTextFile(path)).includes("\n")) return now();
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    if (exited) {
      const { code, stderr } = await child.done;
      throw new Error(`coord exited ${code} before its first run: ${errorLine(stderr)}`);
    }
    await sleep(10);
  }
  throw new Error(`no run within ${timeoutMs / 1000} s`);
}

/** The figures of one run, from every process's lines, over `window`. */
function figures(
  lines: Record<string, unknown>[],
  window: { start: number; end: number },
  processes: number,
) {
  const runs = (lines.filter((l) => typeof l.tick === "number") as unknown as Run[])
    .filter((r) => r.tick >= window.start && r.tick < window.end);
  const events = lines.filter((l) => l.event !== undefined);
  const ticks = [...new Set(runs.map((r) => r.tick))].sort((a, b) => a - b);
  const anchor = ticks[0];
  const onGrid = (tick: number) => {
    const rest = (((tick - anchor) % PERIOD_MS) + PERIOD_MS) % PERIOD_MS;
    return rest < 0.5 || PERIOD_MS - rest < 0.5;
  };
  // Every half-open window of WINDOW_TICKS periods holds WINDOW_TICKS points of any grid.
  const expected = ticks.length > 0 ? WINDOW_TICKS : 0;
  const checked = runs.filter((r) => r.timestamp_plus_delay !== undefined);
  return {
    expected_ticks: expected,
    runs: runs.length,
    ticks: ticks.length,
    duplicates: runs.length - ticks.length,
    missed: expected - ticks.filter(onGrid).length,
    off_grid: ticks.filter((t) => !onGrid(t)).length,
    lateness_ms: summarizeMs(runs.map((r) => r.latenessMs)),
    runs_by_process: Array.from(
      { length: processes },
      (_, w) => runs.filter((r) => r.worker === w).length,
    ),
    ...(checked.length > 0
      ? {
        timestamp_plus_delay_is_tick: `${
          checked.filter((r) => r.timestamp_plus_delay === r.tick).length
        } of ${checked.length}`,
      }
      : {}),
    ...(events.length > 0
      ? { events: events.length, first_event: JSON.stringify(events[0].event).slice(0, 200) }
      : {}),
  };
}

/**
 * The server's commands per tick run (a script's own calls included), and its CPU time per
 * second of the window (`redis_idle` is the same with no client at all).
 */
function redisFigures(
  { cpuS, calls }: RedisUsage,
  lines: Record<string, unknown>[],
  window: { start: number; end: number },
) {
  const ticks = new Set(
    lines.filter((l) => typeof l.tick === "number" && l.tick >= window.start && l.tick < window.end)
      .map((l) => l.tick),
  ).size;
  if (ticks === 0) return null;
  const commands = commandsPer(calls, ticks);
  return {
    commands_per_tick: commands.total,
    commands_per_tick_by_name: commands.byName,
    server_cpu_ms_per_s: round3((cpuS * 1e3) / (windowMs() / 1000)),
  };
}

/** redis-server's CPU time per second while nobody is connected: its own timers. */
async function redisIdleCpu(port: number): Promise<Record<string, unknown>> {
  const before = await serverCpuS(port);
  const from = performance.now();
  await sleep(REDIS_IDLE_MS);
  const cpuS = await serverCpuS(port) - before;
  const seconds = (performance.now() - from) / 1000;
  return {
    window_s: round3(seconds),
    server_cpu_ms_per_s: round3((cpuS * 1e3) / seconds),
    hz: await redisHz(port),
  };
}

/** The server's `hz`: how often its timers (client timeouts included) run when idle. */
async function redisHz(port: number): Promise<number | null> {
  // A RESP array: *2 $2 hz $N value
  const reply = await redisCommand(port, "CONFIG", "GET", "hz");
  const value = /^hz\r\n\$\d+\r\n(\d+)/m.exec(reply)?.[1];
  return value === undefined ? null : Number(value);
}

/** Closes every child's stdin (their signal to stop); the first failure, if any. */
async function stopAll(children: JsonChild[]): Promise<string | undefined> {
  await Promise.all(children.map((child) => child.closeStdin()));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) =>
    timer = setTimeout(resolve, STOP_TIMEOUT_MS, "late")
  );
  const ends = await Promise.race([Promise.all(children.map((child) => child.done)), late]);
  clearTimeout(timer);
  if (ends === "late") {
    await killAll(children);
    return `a process did not stop within ${STOP_TIMEOUT_MS / 1000} s of its stdin closing`;
  }
  const failed = ends.find(({ code }) => code !== 0);
  return failed && `a process exited ${failed.code}: ${errorLine(failed.stderr)}`;
}

function windowMs(): number {
  return WINDOW_TICKS * PERIOD_MS;
}

function stopped(label: string, budget: AbortSignal) {
  const why = budget.aborted ? `the benchmark's ${BUDGET_MS / 1000} s budget` : "its deadline";
  progress(`${label}: stopped at ${why}`);
  return { stopped: `stopped at ${why}; no figures` };
}

function notRun(label: string) {
  progress(`${label}: not run, the ${BUDGET_MS / 1000} s budget is spent`);
  return { stopped: `not run: the benchmark's ${BUDGET_MS / 1000} s budget was spent` };
}

function summaryLine(result: Record<string, unknown>): string {
  const late = result.lateness_ms as MsSummary | null;
  const lateness = late ? `lateness p50 ${late.p50} ms, p99 ${late.p99} ms` : "no runs";
  return `${result.ticks}/${result.expected_ticks} ticks, ${result.duplicates} duplicates, ` +
    `${result.missed} missed; ${lateness}`;
}
