/**
 * Contended handoff of one lock between long-lived processes (`lock_worker.ts`), each taking
 * the lock over and over — acquire, hold it for `HOLD_MS` of busy work, release — with 2 and
 * with 4 processes, for coord on Redis, on SQLite and on PostgreSQL (the bench's own server,
 * started as the tests start theirs) and, on the same redis-server in the same run, for
 * redis-semaphore's `Mutex` (default options) and redlock (one instance).
 *
 * From every acquisition's timestamps (this host's clock in every process):
 *
 * - handoff: from the holder calling release to the next holder's acquire resolving; all of
 *   them, and only those to another process (the contended case);
 * - grants per second; how often the lock went straight back to the process that released it,
 *   the longest run of grants to one process, grants per process;
 * - FIFO: `ticket_order_violations` (coord: grants whose ticket is lower than the previous
 *   grant's) and, for everyone, `overtakes`: grants to a request made while another process's
 *   older request was still waiting (`overtakes_over_1ms`: that request was older by more than
 *   a millisecond, so no race between two near-simultaneous requests);
 * - `overlaps`: a grant before the previous holder released (mutual exclusion broken).
 *
 * - `redis_per_grant` (Redis contenders): what the redis-server did per grant — commands by
 *   name (a script's own calls included), its CPU time, and one script call's time inside it.
 *
 * Then, per contender, a waiting process's CPU time while another holds the lock (utime +
 * stime from `/proc/PID/stat`, and the threads' `schedstat`, over a 3 s window), and how long
 * it took to notice the release after waiting that long. Peer `idle_timer_floor`: a process
 * that only wakes every 25 ms on a bare timer, measured alike — what the cheapest polling waiter
 * costs (coord's SQLite waiters back off to 250 ms while the `-wal` file is watched, 50 ms where
 * it cannot be: lib/backend/sqlite/backend.ts).
 *
 * Then the handoff on the command line (`lock_cli_handoff.ts`): ten queued `coord lock run`
 * processes, each running a 50 ms `sh -c`, on Redis, SQLite and PostgreSQL, beside `flock(1)`
 * doing the same, as `cli_handoff`.
 *
 * Options (`deno task bench lock --help`): `--only` runs some contenders (e.g. `--only postgres`:
 * coord on PostgreSQL alone, its contention runs and idle waiter), `--baseline DIR` runs the
 * `lock_worker.ts` of an earlier checkout in DIR as one more contender beside each coord one,
 * on the same servers and alternating with it: a before/after in one run, under the same load.
 *
 * Bounded: each contention run stops after its number of acquisitions per process or its run
 * time, each part has a deadline, and the whole a budget of 150 s; children still running then
 * are stopped (SIGTERM, SIGKILL for the command-line rounds). It takes ≈ 60 s on two cores.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { now, sleep } from "./clock.ts";
import { errorLine } from "./command_timing.ts";
import { type JsonChild, killAll, spawnJsonChild } from "./json_child.ts";
import { PEER_PACKAGES, REDLOCK_SETTINGS } from "./lock_worker.ts";
import { orSkipped, type Skipped } from "./missing_tool.ts";
import {
  POSTGRES_SERVER_NOTE,
  type PostgresServer,
  startPostgresOrSkip,
} from "./postgres_server.ts";
import { cliHandoff } from "./lock_cli_handoff.ts";
import { redisCommand } from "../tests/support/resp.ts";
import { type CommandStat, commandStats, serverCpuS } from "./redis_info.ts";
import { startRedisServer } from "./redis_server.ts";
import { type MsSummary, round2, round3, summarizeMs } from "./stats.ts";
import { tempDir } from "./temp_dir.ts";
import { progressOf } from "./progress.ts";

const progress = progressOf("lock");

/** The critical section: this long of busy work between acquire and release. */
const HOLD_MS = 0.2;
/** Acquisitions per process and the most a run may take, by number of processes. */
const RUNS = [
  { workers: 2, acquisitions: 500, runMs: 5_000 },
  { workers: 4, acquisitions: 250, runMs: 4_000 },
] as const;
/** The first grants of a run (in grant order) are left out of the latencies. */
const WARMUP_GRANTS = 10;
/** Idle waiter: CPU is read this long after it started waiting, then again after the window. */
const IDLE_SETTLE_MS = 500;
const IDLE_WINDOW_MS = 3_000;
/** Start-up (Deno, imports, connecting, one warm-up lock) may take this long. */
const READY_TIMEOUT_MS = 20_000;
/** The start instant is set this far ahead, so every process is waiting for it. */
const START_LEAD_MS = 100;
/** The whole benchmark's budget. */
const BUDGET_MS = 150_000;
/** The goals of the lock issue. */
const GOALS = { redisP50Ms: 0.25, sqliteP50Ms: 2, postgresP50Ms: 2, idleCpuPct: 1 };
/** The idle floor's timer: a polling waiter's cost at 25 ms, kept so runs compare across days. */
const POLL_FLOOR_MS = 25;
/** Linux reports utime and stime in ticks of 1/100 s (USER_HZ). */
const TICKS_PER_S = 100;

const WORKER = fileURLToPath(new URL("./lock_worker.ts", import.meta.url));

type Kind = "coord" | "redis-semaphore" | "redlock";

/** What `--only` may name: the contenders (coord's by backend), and the command-line rounds. */
const PARTS = ["redis", "sqlite", "postgres", "redis_semaphore", "redlock", "cli"] as const;
type Part = typeof PARTS[number];

/** The options this benchmark takes after its name, for `deno task bench --help`. */
export const usage = `lock options: --only PART,… (${PARTS.join(", ")}; default all), ` +
  `--baseline DIR (a checkout of an earlier coord, e.g. \`git archive main | tar -x -C DIR\`: ` +
  `its lock_worker.ts runs beside each coord contender, on the same servers, as <name>_baseline)`;

interface Options {
  only: readonly Part[];
  baseline?: string;
}

/** `--only` and `--baseline`; throws a one-line error on anything else. */
function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: { only: { type: "string" }, baseline: { type: "string" } },
  });
  const only = values.only === undefined ? PARTS : values.only.split(",").map((name) => {
    if (!(PARTS as readonly string[]).includes(name)) {
      throw new Error(`lock: no part "${name}"; ${usage}`);
    }
    return name as Part;
  });
  const baseline = values.baseline;
  if (baseline !== undefined) {
    try {
      Deno.statSync(join(baseline, "bench", "lock_worker.ts"));
    } catch {
      throw new Error(`lock: --baseline ${baseline} has no bench/lock_worker.ts; ${usage}`);
    }
  }
  return { only, baseline };
}

/** One acquisition, as a `contend` worker prints it. */
interface Acquisition {
  w: number;
  i: number;
  requested_at: number;
  acquired_at: number;
  release_at: number;
  released_at: number;
  token: number | string;
}

/**
 * Runs the lock benchmark; see the module doc.
 *
 * @example
 * ```ts ignore
 * import lockBench from "./lock.ts";
 * console.log(await lockBench());
 * ```
 */
export default async function lockBench(args: string[] = []): Promise<Record<string, unknown>> {
  const options = parseOptions(args);
  const postgres = options.only.some((part) => part === "postgres" || part === "cli")
    ? await startPostgresOrSkip()
    : { skipped: "not in --only" };
  try {
    return await lockBenchWith(postgres, options);
  } finally {
    if (!("skipped" in postgres)) await postgres.stop();
  }
}

async function lockBenchWith(
  postgres: PostgresServer | Skipped,
  { only, baseline }: Options,
): Promise<Record<string, unknown>> {
  const budget = AbortSignal.timeout(BUDGET_MS);
  const started = performance.now();
  await using dir = await tempDir("coord-bench-lock-");
  const postgresUrl = "skipped" in postgres ? undefined : postgres.url;
  const notRequested = { skipped: "not in --only" };
  const runs = (part: Part) => only.includes(part);
  // SQLite always runs (unless left out); PostgreSQL beside it when installed.
  const embedded: Contender[] = [
    ...(runs("sqlite")
      ? [{
        name: "coord_sqlite",
        kind: "coord" as const,
        url: `sqlite:${join(dir.path, "lock.db")}`,
      }]
      : []),
    ...(postgresUrl && runs("postgres")
      ? [{ name: "coord_postgres", kind: "coord" as const, url: postgresUrl }]
      : []),
  ];
  const onRedis = ["redis", "redis_semaphore", "redlock"].some((part) => runs(part as Part));
  let handoff: Record<string, unknown> | undefined;
  const withRedis = await orSkipped(async () => {
    if (!onRedis) return await measure(withBaseline(embedded, baseline), dir.path, budget);
    await using server = await startRedisServer();
    const onServer = { url: server.url, redisPort: server.port };
    const figures = await measure(
      withBaseline([
        ...(runs("redis") ? [{ name: "coord_redis", kind: "coord" as const, ...onServer }] : []),
        ...embedded,
        ...(runs("redis_semaphore")
          ? [{ name: "redis_semaphore", kind: "redis-semaphore" as const, ...onServer }]
          : []),
        ...(runs("redlock") ? [{ name: "redlock", kind: "redlock" as const, ...onServer }] : []),
      ], baseline),
      dir.path,
      budget,
    );
    if (runs("cli")) {
      handoff = await cliHandoff({
        redisUrl: server.url,
        postgresUrl,
        dir: dir.path,
        signal: budget,
      });
    }
    return figures;
  });
  // Without redis-server, coord on SQLite still runs; the rest says skipped.
  const results: Record<string, Record<string, unknown>> = "skipped" in withRedis
    ? {
      ...await measure(withBaseline(embedded, baseline), dir.path, budget),
      coord_redis: { ...withRedis },
      redis_semaphore: { ...withRedis },
      redlock: { ...withRedis },
    }
    : withRedis;
  if (runs("cli")) handoff ??= await cliHandoff({ postgresUrl, dir: dir.path, signal: budget });
  const floor = await pollFloor(POLL_FLOOR_MS, budget);
  const { coord_redis, coord_sqlite, coord_postgres, redis_semaphore, redlock } = results;
  const postgresPart = (figures: Record<string, unknown> | undefined) =>
    figures
      ? { server: POSTGRES_SERVER_NOTE, ...figures }
      : runs("postgres")
      ? postgres
      : notRequested;
  return {
    ...settings(),
    parts: only,
    wall_s: round3((performance.now() - started) / 1000),
    coord: {
      redis: coord_redis ?? notRequested,
      sqlite: coord_sqlite ?? notRequested,
      postgres: postgresPart(coord_postgres),
    },
    goals: goals(coord_redis, coord_sqlite, coord_postgres),
    ...(baseline
      ? {
        baseline: {
          dir: baseline,
          redis: results.coord_redis_baseline ?? notRequested,
          sqlite: results.coord_sqlite_baseline ?? notRequested,
          postgres: results.coord_postgres_baseline
            ? { server: POSTGRES_SERVER_NOTE, ...results.coord_postgres_baseline }
            : notRequested,
        },
      }
      : {}),
    cli_handoff: handoff ?? notRequested,
    peers: {
      redis_semaphore: {
        package: PEER_PACKAGES.redisSemaphore,
        client: PEER_PACKAGES.ioredis,
        options: "Mutex defaults (retryInterval 10 ms, lockTimeout 10 s, acquireTimeout 10 s)",
        ...(redis_semaphore ?? notRequested),
      },
      redlock: {
        package: PEER_PACKAGES.redlock,
        client: PEER_PACKAGES.ioredis,
        options: `defaults (retryDelay 200 ms ± 100 ms jitter) but ${
          JSON.stringify(REDLOCK_SETTINGS)
        }: wait without a retry limit; duration 10 s`,
        ...(redlock ?? notRequested),
      },
      idle_timer_floor: floor,
    },
  };
}

interface Contender {
  /** Its key in the JSON line. */
  name: string;
  kind: Kind;
  url: string;
  /** The redis-server's port, to read its command statistics. */
  redisPort?: number;
  /** The checkout whose `bench/lock_worker.ts` runs it; default this one. */
  checkout?: string;
}

/** `contenders`, each coord one followed by the same on the `baseline` checkout. */
function withBaseline(contenders: Contender[], baseline: string | undefined): Contender[] {
  if (baseline === undefined) return contenders;
  return contenders.flatMap((c) =>
    c.kind === "coord" ? [c, { ...c, name: `${c.name}_baseline`, checkout: baseline }] : [c]
  );
}

/** Every contention run, then every idle waiter, of the given contenders. */
async function measure(
  contenders: Contender[],
  dir: string,
  budget: AbortSignal,
): Promise<Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const c of contenders) out[c.name] = {};
  // Contenders alternate within each size, so a burst of load elsewhere is spread out.
  for (const { workers, acquisitions, runMs } of RUNS) {
    for (const c of contenders) {
      out[c.name][`workers_${workers}`] = await contend(
        c,
        `${c.name}-${workers}`,
        { workers, acquisitions, runMs },
        join(dir, `start-${c.name}-${workers}`),
        budget,
      );
    }
  }
  for (const c of contenders) {
    out[c.name].idle_waiter = await idleWaiter(c, `${c.name}-idle`, budget);
  }
  return out;
}

function settings() {
  return {
    hold_ms: HOLD_MS,
    runs: RUNS.map(({ workers, acquisitions, runMs }) => ({
      workers,
      acquisitions_per_worker: acquisitions,
      max_run_s: runMs / 1000,
    })),
    warmup_grants: WARMUP_GRANTS,
    budget_s: BUDGET_MS / 1000,
  };
}

/** The goals, from coord's figures (the 2-process runs for latency). */
function goals(
  redis: Record<string, unknown> | undefined,
  sqlite: Record<string, unknown>,
  postgres: Record<string, unknown> | undefined,
) {
  const p50 = (part: Record<string, unknown> | undefined) =>
    ((part?.workers_2 as Record<string, unknown> | undefined)?.handoff_to_other_process_ms as
      | MsSummary
      | null
      | undefined)?.p50;
  const runs = [redis, sqlite, postgres].flatMap((part) =>
    RUNS.map(({ workers }) => part?.[`workers_${workers}`] as Record<string, unknown> | undefined)
  );
  const measured = runs.filter((run) => run?.fifo !== undefined) as Record<string, unknown>[];
  const violations = measured.reduce(
    (sum, run) =>
      sum + (run.fifo as { ticket_order_violations: number }).ticket_order_violations +
      (run.overlaps as number),
    0,
  );
  const idle = [redis, sqlite, postgres].map((part) =>
    (part?.idle_waiter as Record<string, unknown> | undefined)?.cpu_pct as number | undefined
  );
  const redisP50 = p50(redis);
  const sqliteP50 = p50(sqlite);
  const postgresP50 = p50(postgres);
  return {
    redis_p50_le_0_25ms: redisP50 === undefined ? null : redisP50 <= GOALS.redisP50Ms,
    sqlite_p50_le_2ms: sqliteP50 === undefined ? null : sqliteP50 <= GOALS.sqliteP50Ms,
    postgres_p50_le_2ms: postgresP50 === undefined ? null : postgresP50 <= GOALS.postgresP50Ms,
    fifo_violations_zero: violations > 0 ? false : measured.length === runs.length ? true : null,
    waiters_idle: idle.some((pct) => pct !== undefined && pct >= GOALS.idleCpuPct)
      ? false
      : idle.every((pct) => pct !== undefined)
      ? true
      : null,
  };
}

/** `n` processes taking one lock in a loop; figures from their acquisitions. */
async function contend(
  { kind, url, redisPort, checkout }: Contender,
  resource: string,
  { workers, acquisitions, runMs }: { workers: number; acquisitions: number; runMs: number },
  startFile: string,
  budget: AbortSignal,
): Promise<Record<string, unknown>> {
  const label = `${resource}: ${workers} processes`;
  if (budget.aborted) return notRun(label);
  progress(`${label} × ${acquisitions} acquisitions (at most ${runMs / 1000} s)`);
  const deadline = READY_TIMEOUT_MS + START_LEAD_MS + runMs + 15_000;
  const signal = AbortSignal.any([budget, AbortSignal.timeout(deadline)]);
  const started = performance.now();
  let cpuBefore = 0;
  let redisUse: RedisUse | undefined;
  const children = Array.from(
    { length: workers },
    (_, w) =>
      spawnWorker(
        kind,
        ["contend", w, kind, url, resource, acquisitions, HOLD_MS, startFile, runMs],
        signal,
        false,
        checkout,
      ),
  );
  try {
    await Promise.all(children.map((child) => child.waitFor("ready", READY_TIMEOUT_MS)));
    if (redisPort !== undefined) {
      await redisCommand(redisPort, "CONFIG", "RESETSTAT");
      cpuBefore = await serverCpuS(redisPort);
    }
    const tmp = `${startFile}.tmp`;
    await Deno.writeTextFile(tmp, String(now() + START_LEAD_MS));
    await Deno.rename(tmp, startFile);
    const ends = await Promise.all(children.map((child) => child.done));
    const failed = ends.find(({ code }) => code !== 0);
    if (failed && !signal.aborted) {
      throw new Error(`a worker exited ${failed.code}: ${errorLine(failed.stderr)}`);
    }
    if (redisPort !== undefined) {
      const cpuS = await serverCpuS(redisPort) - cpuBefore;
      redisUse = { cpuS, stats: await commandStats(redisPort) };
    }
  } catch (e) {
    await killAll(children);
    const message = e instanceof Error ? e.message : String(e);
    progress(`${label}: ${message}`);
    return signal.aborted ? stopped(label, budget) : { workers, error: message };
  }
  const lines = children.flatMap((child) => child.lines);
  const grants = lines.filter((l) => typeof l.acquired_at === "number").length;
  const result = {
    workers,
    wall_s: round3((performance.now() - started) / 1000),
    ...figures(kind, lines, workers),
    ...(redisUse && grants > 0 ? { redis_per_grant: perGrant(redisUse, grants) } : {}),
    ...(signal.aborted ? stopped(label, budget) : {}),
  };
  progress(`${label}: ${summaryLine(result)}`);
  return result;
}

/** The figures of one run, from every process's lines. */
function figures(kind: Kind, lines: Record<string, unknown>[], workers: number) {
  const all = (lines.filter((l) => typeof l.acquired_at === "number") as unknown as Acquisition[])
    .toSorted((a, b) => a.acquired_at - b.acquired_at);
  const errors = lines.filter((l) => typeof l.error === "string");
  // Contention lasts until the first process stops: later grants have nobody to compete with.
  const ends = lines.filter((l) => typeof l.ended_at === "number").map((l) => l.ended_at as number);
  const contentionEnd = ends.length === workers ? Math.min(...ends) : Infinity;
  const grants = all.filter((a) => a.acquired_at <= contentionEnd);
  const timed = grants.slice(WARMUP_GRANTS);
  const pairs = timed.slice(1).map((next, k) => [timed[k], next] as const);
  const handoffs = pairs.map(([prev, next]) => next.acquired_at - prev.release_at);
  const toOther = pairs.filter(([prev, next]) => prev.w !== next.w)
    .map(([prev, next]) => next.acquired_at - prev.release_at);
  const samePairs = pairs.filter(([prev, next]) => prev.w === next.w);
  const spanMs = timed.length > 1 ? timed[timed.length - 1].acquired_at - timed[0].acquired_at : 0;
  const byWorker = Array.from(
    { length: workers },
    (_, w) => grants.filter((a) => a.w === w).length,
  );
  return {
    grants: all.length,
    grants_in_contention: grants.length,
    grants_per_s: spanMs > 0 ? round1(((timed.length - 1) / spanMs) * 1000) : null,
    handoff_ms: summarizeMs(handoffs),
    handoff_to_other_process_ms: summarizeMs(toOther),
    same_process_reacquire_pct: pairs.length > 0
      ? round1((samePairs.length / pairs.length) * 100)
      : null,
    max_consecutive_grants: longestRun(grants.map((a) => a.w)),
    grants_by_worker: byWorker,
    fifo: {
      ...(kind === "coord" ? { ticket_order_violations: ticketOrderViolations(grants) } : {}),
      ...overtakes(all, grants, workers),
    },
    overlaps: grants.slice(1).filter((next, k) => next.acquired_at < grants[k].release_at).length,
    ...(errors.length > 0
      ? { errors: errors.length, first_error: String(errors[0].error).slice(0, 200) }
      : {}),
  };
}

/** What the redis-server did during a run: its CPU time and INFO commandstats by command. */
interface RedisUse {
  cpuS: number;
  stats: Map<string, CommandStat>;
}

/**
 * What the redis-server did per grant over the whole run (warm-up excluded): commands by name
 * (a script's own calls are counted too, under their names), its CPU time, and the time one
 * script call takes inside the server.
 */
function perGrant({ cpuS, stats }: RedisUse, grants: number) {
  const commands: Record<string, number> = {};
  for (const [name, { calls }] of stats) commands[name] = round2(calls / grants);
  const scripts = stats.get("evalsha");
  return {
    commands,
    server_cpu_us: round2((cpuS * 1e6) / grants),
    ...(scripts && scripts.calls > 0
      ? { script_us_per_call: round2(scripts.usec / scripts.calls) }
      : {}),
  };
}

/** Grants (in grant order) whose ticket is not above the previous grant's. */
function ticketOrderViolations(grants: Acquisition[]): number {
  return grants.slice(1).filter((next, k) => Number(next.token) <= Number(grants[k].token))
    .length;
}

/**
 * Grants to a request made while another process's older request was waiting. Each process
 * has at most one request out at a time: the one waiting at instant t is its first
 * acquisition granted after t, if it was requested before t.
 */
function overtakes(all: Acquisition[], grants: Acquisition[], workers: number) {
  const own = Array.from({ length: workers }, (_, w) => all.filter((a) => a.w === w));
  const next = new Array<number>(workers).fill(0);
  let count = 0;
  let overOneMs = 0;
  for (const grant of grants) {
    for (let w = 0; w < workers; w++) {
      const mine = own[w];
      while (next[w] < mine.length && mine[next[w]].acquired_at <= grant.acquired_at) next[w]++;
      const waiting = mine[next[w]];
      if (w === grant.w || waiting === undefined) continue;
      if (waiting.requested_at < grant.requested_at) {
        count++;
        if (grant.requested_at - waiting.requested_at > 1) overOneMs++;
      }
    }
  }
  return { overtakes: count, overtakes_over_1ms: overOneMs };
}

function longestRun(values: number[]): number {
  let longest = 0;
  for (let i = 0, run = 0; i < values.length; i++) {
    run = i > 0 && values[i] === values[i - 1] ? run + 1 : 1;
    longest = Math.max(longest, run);
  }
  return longest;
}

/**
 * One process holds the lock while another waits for it: the waiter's CPU over a window, then
 * how long it takes the waiter to get the lock once the holder lets go.
 */
async function idleWaiter(
  { kind, url, checkout }: Contender,
  resource: string,
  budget: AbortSignal,
): Promise<Record<string, unknown>> {
  const label = `${resource}: a waiter's CPU`;
  if (Deno.build.os !== "linux") return { skipped: "reads /proc: Linux only" };
  if (budget.aborted) return notRun(label);
  progress(`${label}, ${IDLE_WINDOW_MS / 1000} s while another process holds the lock`);
  const signal = AbortSignal.any([budget, AbortSignal.timeout(2 * READY_TIMEOUT_MS + 15_000)]);
  const holder = spawnWorker(kind, ["hold", kind, url, resource], signal, true, checkout);
  let waiter: JsonChild | undefined;
  try {
    await holder.waitFor("holding", READY_TIMEOUT_MS);
    waiter = spawnWorker(kind, ["wait", kind, url, resource], signal, false, checkout);
    await waiter.waitFor("waiting_at", READY_TIMEOUT_MS);
    const cpu = await idleCpu(waiter.pid);
    await holder.closeStdin();
    const ends = await Promise.all([holder.done, waiter.done]);
    const failed = ends.find(({ code }) => code !== 0);
    if (failed) throw new Error(`a worker exited ${failed.code}: ${errorLine(failed.stderr)}`);
    const releaseAt = holder.lines.find((l) => l.release_at !== undefined)?.release_at as number;
    const acquiredAt = waiter.lines.find((l) => l.acquired_at !== undefined)
      ?.acquired_at as number;
    const result = { ...cpu, handoff_after_wait_ms: round3(acquiredAt - releaseAt) };
    progress(`${label}: ${JSON.stringify(result)}`);
    return result;
  } catch (e) {
    await killAll([holder, waiter]);
    const message = e instanceof Error ? e.message : String(e);
    progress(`${label}: ${message}`);
    return signal.aborted ? stopped(label, budget) : { error: message };
  }
}

/**
 * The floor for a waiter that polls: a process that only wakes every `intervalMs` on a bare
 * timer.
 */
async function pollFloor(intervalMs: number, budget: AbortSignal) {
  const label = `floor: a process waking every ${intervalMs} ms`;
  if (Deno.build.os !== "linux") return { skipped: "reads /proc: Linux only" };
  if (budget.aborted) return notRun(label);
  progress(label);
  const signal = AbortSignal.any([budget, AbortSignal.timeout(READY_TIMEOUT_MS + 10_000)]);
  const poller = spawnWorker("coord", ["poll", intervalMs], signal, true);
  try {
    await poller.waitFor("waiting_at", READY_TIMEOUT_MS);
    const cpu = await idleCpu(poller.pid);
    await poller.closeStdin();
    const { code, stderr } = await poller.done;
    if (code !== 0) throw new Error(`the poller exited ${code}: ${errorLine(stderr)}`);
    progress(`${label}: ${JSON.stringify(cpu)}`);
    return { interval_ms: intervalMs, ...cpu };
  } catch (e) {
    poller.kill();
    await poller.done;
    const message = e instanceof Error ? e.message : String(e);
    progress(`${label}: ${message}`);
    return signal.aborted ? stopped(label, budget) : { error: message };
  }
}

/** A process's CPU use over a window that starts once it has settled into waiting. */
async function idleCpu(pid: number) {
  await sleep(IDLE_SETTLE_MS);
  const before = cpuTime(pid);
  const from = performance.now();
  await sleep(IDLE_WINDOW_MS);
  const after = cpuTime(pid);
  const windowS = (performance.now() - from) / 1000;
  return {
    window_s: round3(windowS),
    cpu_ms: round3(((after.ticks - before.ticks) * 1000) / TICKS_PER_S),
    cpu_pct: round3(((after.ticks - before.ticks) / TICKS_PER_S / windowS) * 100),
    ...(after.ns !== undefined && before.ns !== undefined
      ? { cpu_pct_schedstat: round3(((after.ns - before.ns) / 1e9 / windowS) * 100) }
      : {}),
  };
}

/**
 * A process's CPU time so far: utime + stime from `/proc/PID/stat` (every thread, in ticks),
 * and the sum of its threads' `schedstat` run time (ns), finer but missing on some kernels.
 */
function cpuTime(pid: number): { ticks: number; ns?: number } {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
  try {
    let ns = 0;
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(
          Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/schedstat`).split(" ")[0],
        );
      } catch {
        // the thread ended meanwhile
      }
    }
    return { ticks, ns };
  } catch {
    return { ticks };
  }
}

/**
 * Starts a `lock_worker.ts` process. Peer workers run with `--no-lock`: their npm packages are
 * the benchmark's, not the project's, and stay out of `deno.lock`.
 */
function spawnWorker(
  kind: Kind,
  args: (string | number)[],
  signal: AbortSignal,
  stdin = false,
  checkout?: string,
): JsonChild {
  // A baseline checkout's worker runs with that checkout's configuration and lock file.
  const worker = checkout === undefined
    ? [WORKER]
    : ["--config", join(checkout, "deno.json"), join(checkout, "bench", "lock_worker.ts")];
  return spawnJsonChild(
    ["run", "-A", ...(kind === "coord" ? [] : ["--no-lock"]), ...worker, ...args.map(String)],
    { signal, stdin, noun: "worker" },
  );
}

function stopped(label: string, budget: AbortSignal) {
  const why = budget.aborted ? `the benchmark's ${BUDGET_MS / 1000} s budget` : "its deadline";
  progress(`${label}: stopped at ${why}`);
  return { stopped: `stopped at ${why}; figures cover what completed before` };
}

function notRun(label: string) {
  progress(`${label}: not run, the ${BUDGET_MS / 1000} s budget is spent`);
  return { stopped: `not run: the benchmark's ${BUDGET_MS / 1000} s budget was spent` };
}

function summaryLine(result: Record<string, unknown>): string {
  const handoff = result.handoff_to_other_process_ms as MsSummary | null;
  const toOther = handoff ? `p50 ${handoff.p50} ms, p99 ${handoff.p99} ms` : "none";
  return `handoff to another process ${toOther}; ` +
    `${result.grants_per_s} grants/s; same process again ${result.same_process_reacquire_pct} %`;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
