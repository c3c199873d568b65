/**
 * The test entry point, `deno task test [paths] [deno test flags]`: starts one standalone Redis,
 * one cluster, one sentinel group and one PostgreSQL server for the whole run, runs `deno test` against them, ends with
 * a plain `tests: N passed, M failed` line, and exits with `deno test`'s status.
 *
 * Paths among the arguments replace the default `tests/ lib/`; everything else is passed on.
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
import { announceSkip, RedisMissingError, SHARED_URL_ENV } from "./support/shared_servers.ts";
import { postgresBinDir, startPostgres } from "./support/postgres_server.ts";
import {
  announcePostgresSkip,
  POSTGRES_URL_ENV,
  PostgresMissingError,
} from "./support/postgres_shared.ts";

const PROJECT_ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);
const DEFAULT_PATHS = ["tests/", "lib/", "bench/"];
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
  let child: Deno.ChildProcess | undefined;
  let interruptedBy: Deno.Signal | undefined;
  const listeners = (["SIGINT", "SIGTERM"] as const).map((signal) => {
    const listener = () => {
      // A second signal means "stop now", for a test that ignores the first.
      const forward = interruptedBy ? "SIGKILL" : signal;
      interruptedBy ??= signal;
      try {
        child?.kill(forward);
      } catch {
        // Already exited.
      }
    };
    Deno.addSignalListener(signal, listener);
    return { signal, listener };
  });
  try {
    const env: Record<string, string> = { DENO_JOBS: Deno.env.get("DENO_JOBS") ?? "2" };
    if (redisServerAvailable()) {
      Object.assign(env, await startServers(servers));
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
      console.error(`test postgres up: ${postgres.url}`);
    } else if (Deno.env.get("CI") === "true") {
      console.error(`error: ${new PostgresMissingError().message}`);
      return 1;
    } else {
      announcePostgresSkip();
    }
    if (interruptedBy) return exitCodeFor(interruptedBy);

    child = new Deno.Command(Deno.execPath(), {
      args: ["test", "-A", "--parallel", ...testPaths(args), ...args],
      env,
      stdin: "inherit",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const output = await forwardKeepingTail(child.stdout);
    const { code } = await child.status;

    const summary = summarize(output);
    console.log(
      summary === undefined
        ? `tests: no summary from deno test (exit code ${code})`
        : `tests: ${summary.passed} passed, ${summary.failed} failed` +
          (summary.ignored > 0 ? `, ${summary.ignored} ignored` : ""),
    );
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

/** The default paths, unless an argument names an existing file or directory. */
function testPaths(args: string[]): string[] {
  const namesPath = args.some((arg) => !arg.startsWith("-") && exists(arg));
  if (namesPath) return [];
  return DEFAULT_PATHS.map((path) => `${PROJECT_ROOT}${path}`).filter(exists);
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Copies the stream to our stdout as it arrives and returns the last few KB of it as text. */
async function forwardKeepingTail(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let tail = "";
  for await (const chunk of stream) {
    let written = 0;
    while (written < chunk.length) written += await Deno.stdout.write(chunk.subarray(written));
    tail = (tail + decoder.decode(chunk, { stream: true })).slice(-SUMMARY_TAIL_CHARS);
  }
  return tail + decoder.decode();
}

function exitCodeFor(signal: Deno.Signal): number {
  return signal === "SIGINT" ? 130 : 143;
}

if (import.meta.main) {
  Deno.exitCode = await main(Deno.args);
}
