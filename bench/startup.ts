/**
 * Whole-process start-up of the `coord` CLI, timed with hyperfine: `--help` (the goal: under
 * 60 ms), and `doctor` and `lock run r -- true` on SQLite and on Redis (the goal: Redis within
 * 1.6× of SQLite), these four in alternating rounds. Then the ways of loading a Redis client that were weighed, each a
 * script that connects, sends PING and closes: node-redis from npm as it is, node-redis bundled
 * into one ES module with its whole command table, the bundle coord ships (a reduced command
 * table; scripts/bundle_redis_client.ts), and ioredis 6; and baselines that split the time up —
 * Deno running an empty script, importing the client only (npm, and coord's bundle), one raw
 * PING over a socket, and redis-cli.
 *
 * @module
 */

import * as esbuild from "esbuild";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBundle, BUNDLE, lockedPackage } from "../scripts/bundle_redis_client.ts";
import {
  CommandFailedError,
  type CommandTiming,
  timeCommand,
  timingTool,
} from "./command_timing.ts";
import { orSkipped, requireTool, type Skipped } from "./missing_tool.ts";
import { type RedisServer, startRedisServer } from "./redis_server.ts";
import { tempDir } from "./temp_dir.ts";
import { progressOf } from "./progress.ts";

const progress = progressOf("startup");

const WARMUP = 3;
const RUNS = 15;
/**
 * The goal's pairs (SQLite, Redis) are timed in rounds that alternate them, so a burst of load
 * from elsewhere falls on both: per round, `ROUND_WARMUP` + `ROUND_RUNS` of each.
 */
const ROUNDS = 3;
const ROUND_WARMUP = 2;
const ROUND_RUNS = 5;
/** The goals of the start-up issue: `--help` mean, and Redis over SQLite (medians). */
const HELP_GOAL_MS = 60;
const REDIS_OVER_SQLITE_GOAL = 1.6;

/** The project root: every command runs there, as `deno run -A main.ts` in a checkout does. */
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DENO = Deno.execPath();
/** ioredis, the other well-kept client with Cluster and Sentinel; fetched for the bench only. */
const IOREDIS = "npm:ioredis@6";

/** A command's timing, or why there is none. */
type Entry = CommandTiming | Skipped | { error: string };

/** What a node-redis script does with the module it loads: connect, PING, close. */
const nodeRedisPing = (specifier: string) =>
  `const { createClient } = await import(${JSON.stringify(specifier)});
const client = createClient({ socket: { port: Number(Deno.args[0]) } });
await client.connect();
if (await client.sendCommand(["PING"]) !== "PONG") Deno.exit(1);
await client.close();
`;

/** Scripts for the options and baselines, written to a temporary directory. */
const SCRIPTS = {
  "empty.ts": "",
  "import_npm.ts": `const { createClient } = await import("@redis/client");
if (typeof createClient !== "function") Deno.exit(1);
`,
  "import_bundle.ts": `const { createClient } = await import(${JSON.stringify(join(ROOT, BUNDLE))});
if (typeof createClient !== "function") Deno.exit(1);
`,
  "ping_npm.ts": nodeRedisPing("@redis/client"),
  "ping_bundle_all_commands.ts": nodeRedisPing("./redis_client_all_commands.js"),
  "ping_bundle.ts": nodeRedisPing(join(ROOT, BUNDLE)),
  "ping_ioredis.ts": `const { default: Redis } = await import("${IOREDIS}");
const client = new Redis({ port: Number(Deno.args[0]), lazyConnect: true });
await client.connect();
if (await client.ping() !== "PONG") Deno.exit(1);
client.disconnect();
`,
  // The floor for a Deno process that talks to Redis: one PING over a bare socket.
  "raw_ping.ts":
    `const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(Deno.args[0]) });
await conn.write(new TextEncoder().encode("*1\\r\\n$4\\r\\nPING\\r\\n"));
const reply = new Uint8Array(16);
const n = await conn.read(reply);
conn.close();
if (new TextDecoder().decode(reply.subarray(0, n ?? 0)) !== "+PONG\\r\\n") Deno.exit(1);
`,
};

/**
 * Runs the start-up benchmark; see the module doc.
 *
 * @example
 * ```ts ignore
 * import startup from "./startup.ts";
 * console.log(await startup());
 * ```
 */
export default async function startup(): Promise<Record<string, unknown>> {
  const tool = await timingTool();
  progress(`timing with ${tool}, ${WARMUP} warm-up + ${RUNS} runs each`);
  await using dir = await tempDir("coord-bench-startup-");
  const tmp = dir.path;
  const server = await orSkipped(() => startRedisServer());
  try {
    for (const [name, source] of Object.entries(SCRIPTS)) {
      await Deno.writeTextFile(join(tmp, name), source);
    }
    await writeFullBundle(join(tmp, "redis_client_all_commands.js"));
    // Temporary scripts get the project's config explicitly (it is found from the script's
    // directory, not the working one), so the baseline pays the same config load as main.ts.
    const script = (name: string, ...args: string[]) => [
      ...[DENO, "run", "-A", "--config", join(ROOT, "deno.json")],
      ...(name === "ping_ioredis.ts" ? ["--no-lock"] : []),
      ...[join(tmp, name), ...args],
    ];
    const coord = (...args: string[]) => [DENO, "run", "-A", "main.ts", ...args];
    const sqliteUrl = `sqlite:${join(tmp, "coord.db")}`;
    const onRedis = (name: string) =>
      withRedis(server, (_, port) => measure(name, script(name, String(port))));

    const help = await measure("help", coord("--help"));
    const lockRun = (url: string) => coord("lock", "run", "r", "--url", url, "--", "true");
    const pairs = "skipped" in server ? server : await inRounds({
      doctor_sqlite: coord("doctor", "--url", sqliteUrl),
      doctor_redis: coord("doctor", "--url", server.url),
      lock_run_sqlite: lockRun(sqliteUrl),
      lock_run_redis: lockRun(server.url),
    });
    const clients = {
      node_redis_npm: await onRedis("ping_npm.ts"),
      node_redis_bundle_all_commands: await onRedis("ping_bundle_all_commands.ts"),
      node_redis_bundle_coord: await onRedis("ping_bundle.ts"),
      ioredis_6: await onRedis("ping_ioredis.ts"),
    };
    const peers = {
      deno_empty: await measure("peer deno_empty", script("empty.ts")),
      deno_import_redis_client_npm: await measure("peer import npm", script("import_npm.ts")),
      deno_import_redis_client_bundle: await measure(
        "peer import bundle",
        script("import_bundle.ts"),
      ),
      deno_raw_ping: await onRedis("raw_ping.ts"),
      redis_cli_ping: await withRedis(server, async (_, port) => {
        const redisCli = requireTool("redis-cli");
        return await measure("peer redis_cli_ping", [redisCli, "-p", String(port), "ping"]);
      }),
    };
    const ratios = "skipped" in pairs ? null : {
      doctor: ratio(pairs.doctor_redis, pairs.doctor_sqlite),
      lock_run: ratio(pairs.lock_run_redis, pairs.lock_run_sqlite),
    };
    return {
      tool,
      warmup: WARMUP,
      runs: RUNS,
      rounds: { rounds: ROUNDS, warmup: ROUND_WARMUP, runs: ROUND_RUNS },
      help,
      ...("skipped" in pairs ? { goal_pairs: pairs } : pairs),
      redis_over_sqlite: ratios,
      goals: {
        help_under_60ms: "mean_ms" in help ? help.mean_ms < HELP_GOAL_MS : null,
        redis_within_1_6x_of_sqlite: !ratios?.doctor || !ratios.lock_run
          ? null
          : Math.max(ratios.doctor.median, ratios.lock_run.median) <= REDIS_OVER_SQLITE_GOAL,
      },
      redis_clients: clients,
      peers,
    };
  } finally {
    if (!("skipped" in server)) await server.stop();
  }
}

/** node-redis bundled as coord's bundle is, but with its whole command table. */
async function writeFullBundle(path: string): Promise<void> {
  try {
    const { dir, version } = await lockedPackage();
    await Deno.writeTextFile(path, await buildBundle(dir, version, { allCommands: true }));
  } finally {
    await esbuild.stop();
  }
}

/** A command's timing in each round, and the medians of the rounds' medians and CPU times. */
interface Rounds {
  median_ms: number;
  cpu_ms?: number;
  rounds: CommandTiming[];
}

/** Times the commands in alternating rounds; a command that fails is reported as an error. */
async function inRounds<K extends string>(
  commands: Record<K, string[]>,
): Promise<Record<K, Rounds | { error: string }>> {
  const names = Object.keys(commands) as K[];
  const rounds = new Map<K, CommandTiming[]>(names.map((name) => [name, []]));
  const errors = new Map<K, string>();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const name of names) {
      if (errors.has(name)) continue;
      const entry = await measure(`${name} (round ${round})`, commands[name], {
        warmup: ROUND_WARMUP,
        runs: ROUND_RUNS,
      });
      if ("median_ms" in entry) rounds.get(name)!.push(entry);
      else errors.set(name, "error" in entry ? entry.error : entry.skipped);
    }
  }
  return Object.fromEntries(names.map((name) => {
    const timings = rounds.get(name)!;
    const cpu = timings.flatMap((t) => t.cpu_ms === undefined ? [] : [t.cpu_ms]);
    const figures = errors.has(name) ? { error: errors.get(name)! } : {
      median_ms: median(timings.map((t) => t.median_ms)),
      ...(cpu.length > 0 ? { cpu_ms: median(cpu) } : {}),
      rounds: timings,
    };
    return [name, figures];
  })) as Record<K, Rounds | { error: string }>;
}

/**
 * Redis over SQLite in each round (medians), the median of those, and the same of CPU times
 * (steadier when the machine is busy), when both ran.
 */
function ratio(
  redis: Rounds | { error: string },
  sqlite: Rounds | { error: string },
): { median: number; rounds: number[]; cpu?: number } | null {
  if (!("rounds" in redis) || !("rounds" in sqlite)) return null;
  const over = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const perRound = redis.rounds.map((r, i) => over(r.median_ms, sqlite.rounds[i].median_ms));
  return {
    median: median(perRound),
    rounds: perRound,
    ...(redis.cpu_ms && sqlite.cpu_ms ? { cpu: over(redis.cpu_ms, sqlite.cpu_ms) } : {}),
  };
}

/** The middle value (the upper one of an even count). */
function median(values: number[]): number {
  return values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** Times one command, turning its failure into an entry so the other figures still print. */
async function measure(
  label: string,
  argv: string[],
  { warmup = WARMUP, runs = RUNS } = {},
): Promise<Entry> {
  try {
    const timing = await timeCommand(argv, { warmup, runs, cwd: ROOT });
    progress(`${label}: ${timing.mean_ms} ms mean, ${timing.min_ms} ms min`);
    return timing;
  } catch (e) {
    if (!(e instanceof CommandFailedError)) throw e;
    progress(`${label}: ${e.message}`);
    return { error: e.message };
  }
}

/** Runs `fn` against the server, or passes on why there is no server. */
function withRedis(
  server: RedisServer | Skipped,
  fn: (url: string, port: number) => Promise<Entry>,
): Promise<Entry> {
  return "skipped" in server
    ? Promise.resolve(server)
    : orSkipped(() => fn(server.url, server.port));
}
