/**
 * Whole-process start-up of the `coord` CLI, timed with hyperfine: `--help` (the goal
 * is under 150 ms), `doctor` on SQLite and on Redis, the same through a `deno bundle`d CLI,
 * and baselines that split the time up — Deno running an empty script, Deno creating a
 * CommonJS `require`, Deno only importing the Redis client, Deno sending one raw PING, and
 * redis-cli sending one.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CommandFailedError,
  type CommandTiming,
  errorLine,
  runToEnd,
  timeCommand,
  timingTool,
} from "./command_timing.ts";
import { orSkipped, requireTool, type Skipped } from "./missing_tool.ts";
import { type RedisServer, startRedisServer } from "./redis_server.ts";
import { tempDir } from "./temp_dir.ts";

const WARMUP = 3;
const RUNS = 15;
/** The goal for `coord --help`, compared with the mean. */
const HELP_GOAL_MS = 150;

/** The project root: every command runs there, as `deno task coord` does. */
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DENO = Deno.execPath();

/** A command's timing, or why there is none. */
type Entry = CommandTiming | Skipped | { error: string };

/** Scripts for the baselines, written to a temporary directory. */
const SCRIPTS = {
  "empty.ts": "",
  // The same import conn.ts does lazily: what a Redis command pays before its first byte.
  "import_redis_client.ts": `const { createClient } = await import("@redis/client");
if (typeof createClient !== "function") Deno.exit(1);
`,
  // What any CommonJS npm package costs before its own code runs: Deno's CommonJS loader. A
  // bundle calls this at its top level as soon as it inlines one (node-redis is CommonJS).
  "create_require.ts": `import { createRequire } from "node:module";
createRequire(import.meta.url);
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
    // Temporary scripts get the project's config explicitly (it is found from the script's
    // directory, not the working one), so the baseline pays the same config load as main.ts.
    const script = (
      name: string,
      ...args: string[]
    ) => [DENO, "run", "-A", "--config", join(ROOT, "deno.json"), join(tmp, name), ...args];
    const coord = (...args: string[]) => [DENO, "run", "-A", "main.ts", ...args];

    const help = await measure("help", coord("--help"));
    const doctorSqlite = await measure(
      "doctor_sqlite",
      coord("doctor", "--url", `sqlite:${join(tmp, "coord.db")}`),
    );
    const doctorRedis = await withRedis(
      server,
      (url) => measure("doctor_redis", coord("doctor", "--url", url)),
    );
    const bundle = await bundled(tmp, server);
    const peers = {
      deno_empty: await measure("peer deno_empty", script("empty.ts")),
      deno_create_require: await measure("peer deno_create_require", script("create_require.ts")),
      deno_import_redis_client: await measure(
        "peer deno_import_redis_client",
        script("import_redis_client.ts"),
      ),
      deno_raw_ping: await withRedis(
        server,
        (_, port) => measure("peer deno_raw_ping", script("raw_ping.ts", String(port))),
      ),
      redis_cli_ping: await withRedis(server, async (_, port) => {
        const redisCli = requireTool("redis-cli");
        return await measure("peer redis_cli_ping", [redisCli, "-p", String(port), "ping"]);
      }),
    };
    return {
      tool,
      warmup: WARMUP,
      runs: RUNS,
      help,
      doctor_sqlite: doctorSqlite,
      doctor_redis: doctorRedis,
      bundle,
      help_under_150ms: "mean_ms" in help ? help.mean_ms < HELP_GOAL_MS : null,
      peers,
    };
  } finally {
    if (!("skipped" in server)) await server.stop();
  }
}

/**
 * The CLI bundled into one file by `deno bundle`, run the way an installed bundle would be:
 * from outside the project, so without its deno.json or lock file.
 */
async function bundled(
  tmp: string,
  server: RedisServer | Skipped,
): Promise<Record<string, unknown> | Skipped> {
  const output = join(tmp, "coord.js");
  progress("bundle: deno bundle --platform deno main.ts");
  const started = performance.now();
  const { success, stderr } = await runToEnd(DENO, {
    args: ["bundle", "--platform", "deno", "-o", output, "main.ts"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  });
  if (!success) return { skipped: `deno bundle failed: ${errorLine(stderr)}` };
  const buildMs = Math.round(performance.now() - started);
  const run = (...args: string[]) => [DENO, "run", "-A", output, ...args];
  return {
    build_ms: buildMs,
    size_bytes: (await Deno.stat(output)).size,
    help: await measure("bundle help", run("--help")),
    doctor_redis: await withRedis(
      server,
      (url) => measure("bundle doctor_redis", run("doctor", "--url", url)),
    ),
  };
}

/** Times one command, turning its failure into an entry so the other figures still print. */
async function measure(label: string, argv: string[]): Promise<Entry> {
  try {
    const timing = await timeCommand(argv, { warmup: WARMUP, runs: RUNS, cwd: ROOT });
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

function progress(message: string): void {
  console.error(`startup: ${message}`);
}
