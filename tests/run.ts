/**
 * The test entry point, `deno task test [paths] [deno test flags]`: starts one standalone Redis,
 * one cluster, one sentinel group and one PostgreSQL server for the whole run, runs `deno test`
 * against them, ends with a plain `tests: N passed, M failed` line, and exits with `deno test`'s
 * status.
 *
 * Two `deno test` processes ("lanes") run at once: the conformance cases on SQLite and the
 * standalone Redis with every other test, and those on the cluster, the sentinel group and
 * PostgreSQL. They share no server, and most of a case's time is spent waiting on processes and
 * servers, so the run takes about as long as its slower lane instead of the sum.
 *
 * Paths among the arguments replace the default `tests/ lib/ bench/`; everything else is passed
 * on to both lanes.
 *
 * @example
 * ```sh
 * deno run -A tests/run.ts tests/support/ --filter cluster
 * ```
 *
 * @module
 */

import {
  redisServerAvailable,
  startCluster,
  startSentinel,
  startStandalone,
} from "./support/redis_servers.ts";
import {
  announceSkip,
  CONFORMANCE_BACKENDS_ENV,
  RedisMissingError,
  SHARED_URL_ENV,
} from "./support/shared_servers.ts";
import { exists } from "./support/host.ts";
import { postgresBinDir, startPostgres } from "./support/postgres_server.ts";
import {
  announcePostgresSkip,
  POSTGRES_SOCKET_DIR_ENV,
  POSTGRES_URL_ENV,
  PostgresMissingError,
} from "./support/postgres_shared.ts";

const PROJECT_ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);
const DEFAULT_PATHS = ["tests/", "lib/", "bench/"];
const CONFORMANCE_DIR = `${PROJECT_ROOT}tests/conformance`;
/** The conformance backends of each lane; the first lane also runs every other test. */
const LANE_BACKENDS = [["sqlite", "redis"], ["cluster", "sentinel", "postgres"]];
/** How much of `deno test`'s output is kept to find its summary line in. */
const SUMMARY_TAIL_CHARS = 4_096;

interface Stoppable {
  stop(): Promise<void>;
}

/** Counts from `deno test`'s summary line. */
export interface TestSummary {
  passed: number;
  failed: number;
  ignored: number;
}

/**
 * Reads the counts from the last `ok | … passed | … failed …` or `FAILED | …` line of
 * `deno test` output, or `undefined` when there is none (e.g. type checking failed).
 *
 * @example
 * ```ts
 * summarize("ok | 12 passed (3 steps) | 0 failed | 1 ignored (3s)\n");
 * // { passed: 12, failed: 0, ignored: 1 }
 * ```
 */
export function summarize(output: string): TestSummary | undefined {
  // deno test colours its output even when piped.
  // deno-lint-ignore no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  const line = plain.split("\n").findLast((line) => /^(ok|FAILED) \| /.test(line.trim()));
  if (line === undefined) return undefined;
  const count = (word: string) => Number(line.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);
  return { passed: count("passed"), failed: count("failed"), ignored: count("ignored") };
}

async function main(args: string[]): Promise<number> {
  const servers: Stoppable[] = [];
  const children: Deno.ChildProcess[] = [];
  let interruptedBy: Deno.Signal | undefined;
  const listeners = (["SIGINT", "SIGTERM"] as const).map((signal) => {
    const listener = () => {
      // A second signal means "stop now", for a test that ignores the first.
      const forward = interruptedBy ? "SIGKILL" : signal;
      interruptedBy ??= signal;
      for (const child of children) {
        try {
          child.kill(forward);
        } catch {
          // Already exited.
        }
      }
    };
    Deno.addSignalListener(signal, listener);
    return { signal, listener };
  });
  try {
    const env: Record<string, string> = { DENO_JOBS: Deno.env.get("DENO_JOBS") ?? "2" };
    let lanes: string[][] = [[...testPaths(args), ...args]];
    if (redisServerAvailable()) {
      Object.assign(env, await startServers(servers));
      lanes = splitIntoLanes(args);
    } else if (Deno.env.get("CI") === "true") {
      console.error(`error: ${new RedisMissingError().message}`);
      return 1;
    } else {
      announceSkip(); // Also marks it shown for the test processes, which inherit the env.
    }
    if (postgresBinDir()) {
      const postgres = await startPostgres();
      servers.push(postgres);
      env[POSTGRES_URL_ENV] = postgres.url;
      env[POSTGRES_SOCKET_DIR_ENV] = postgres.socketDir;
      console.error(`test postgres up: ${postgres.url}`);
    } else if (Deno.env.get("CI") === "true") {
      console.error(`error: ${new PostgresMissingError().message}`);
      return 1;
    } else {
      announcePostgresSkip();
    }
    if (interruptedBy) return exitCodeFor(interruptedBy);

    const runs = lanes.map((laneArgs, lane) => {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["test", "-A", "--parallel", ...laneArgs],
        env: lanes.length === 1
          ? env
          : { ...env, [CONFORMANCE_BACKENDS_ENV]: LANE_BACKENDS[lane].join(",") },
        stdin: lane === 0 ? "inherit" : "null",
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      children.push(child);
      return (async () => {
        const output = await forwardKeepingTail(child.stdout);
        return { code: (await child.status).code, summary: summarize(output) };
      })();
    });
    const results = await Promise.all(runs);
    const code = results.find((r) => r.code !== 0)?.code ?? 0;

    const summaries = results.map((r) => r.summary);
    if (summaries.some((summary) => summary === undefined)) {
      console.log(`tests: no summary from deno test (exit code ${code})`);
    } else {
      const total = (key: keyof TestSummary) => summaries.reduce((n, s) => n + s![key], 0);
      console.log(
        `tests: ${total("passed")} passed, ${total("failed")} failed` +
          (total("ignored") > 0 ? `, ${total("ignored")} ignored` : ""),
      );
    }
    return interruptedBy ? exitCodeFor(interruptedBy) : code;
  } finally {
    for (const { signal, listener } of listeners) Deno.removeSignalListener(signal, listener);
    await Promise.allSettled(servers.map((server) => server.stop()));
  }
}

/** Starts the three deployments side by side; returns the env vars naming them. */
async function startServers(servers: Stoppable[]): Promise<Record<string, string>> {
  const startedAt = performance.now();
  const starts = [startStandalone(), startCluster(), startSentinel()] as const;
  // Every start must settle before returning, so `servers` holds all that came up and the
  // caller's cleanup stops them even when another failed.
  const results = await Promise.allSettled(starts);
  for (const result of results) if (result.status === "fulfilled") servers.push(result.value);
  const failure = results.find((result) => result.status === "rejected");
  if (failure) throw failure.reason;
  const [redis, cluster, sentinel] = await Promise.all(starts);
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  console.error(`test servers up in ${seconds} s: ${redis.url} ${cluster.url} ${sentinel.url}`);
  return {
    [SHARED_URL_ENV.redis]: redis.url,
    [SHARED_URL_ENV.cluster]: cluster.url,
    [SHARED_URL_ENV.sentinel]: sentinel.url,
  };
}

/**
 * The `deno test` arguments of each lane: the first runs the given paths (every test, its
 * conformance cases on the first lane's backends); the second only the conformance files among
 * them, on the other backends, and is left out when there are none.
 */
function splitIntoLanes(args: string[]): string[][] {
  const named = args.filter(isPath);
  const flags = args.filter((arg) => !isPath(arg));
  const conformance = named.length === 0 ? [CONFORMANCE_DIR] : [
    ...new Set(
      named.map((path) => Deno.realPathSync(path)).flatMap((path) =>
        path === CONFORMANCE_DIR || path.startsWith(`${CONFORMANCE_DIR}/`)
          ? [path]
          : CONFORMANCE_DIR.startsWith(`${path}/`)
          ? [CONFORMANCE_DIR]
          : []
      ),
    ),
  ];
  const first = [...testPaths(args), ...args];
  return conformance.length === 0 ? [first] : [first, [...conformance, ...flags]];
}

/** An argument naming an existing file or directory (anything else is a flag or its value). */
function isPath(arg: string): boolean {
  return !arg.startsWith("-") && exists(arg);
}

/** The default paths, unless an argument names an existing file or directory. */
function testPaths(args: string[]): string[] {
  if (args.some(isPath)) return [];
  return DEFAULT_PATHS.map((path) => `${PROJECT_ROOT}${path}`).filter(exists);
}

/**
 * Copies the stream to our stdout as it arrives, whole lines at a time (so two lanes' lines do
 * not interleave), and returns the last few KB of it as text.
 */
async function forwardKeepingTail(stream: ReadableStream<Uint8Array>): Promise<string> {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let tail = "";
  let partial = "";
  const write = async (text: string) => {
    const bytes = encoder.encode(text);
    let written = 0;
    while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
  };
  for await (const chunk of stream) {
    const text = decoder.decode(chunk, { stream: true });
    tail = (tail + text).slice(-SUMMARY_TAIL_CHARS);
    const lines = partial + text;
    const end = lines.lastIndexOf("\n") + 1;
    await write(lines.slice(0, end));
    partial = lines.slice(end);
  }
  const last = decoder.decode();
  await write(partial + last);
  return tail + last;
}

function exitCodeFor(signal: Deno.Signal): number {
  return signal === "SIGINT" ? 130 : 143;
}

if (import.meta.main) {
  Deno.exitCode = await main(Deno.args);
}
