/**
 * Round trip of `backend.now()`, the cheapest call every backend has (SQLite reads the local
 * clock, Redis sends TIME), next to what the wire alone costs: redis-benchmark's PING and a
 * bare RESP PING/TIME over a Deno socket. The gap between coord's Redis figure and the bare
 * TIME is the client's (node-redis plus coord's) overhead per call.
 *
 * @module
 */

import { join } from "node:path";
import { connect } from "../lib/backend/connect.ts";
import { errorLine, runToEnd } from "./command_timing.ts";
import { orSkipped, requireTool } from "./missing_tool.ts";
import { encodeCommand, RawRespConnection } from "../tests/support/resp.ts";
import { startRedisServer } from "./redis_server.ts";
import { type LatencySummary, round2, timeCalls, timeCallsInterleaved } from "./stats.ts";
import { tempDir } from "./temp_dir.ts";
import { progressOf } from "./progress.ts";

const progress = progressOf("roundtrip");

/** Timed calls per figure, after {@link WARMUP} untimed ones. */
const CALLS = 2_000;
const WARMUP = 200;
/** Rounds the Redis calls are interleaved in; see {@link timeCallsInterleaved}. */
const ROUNDS = 10;
/** redis-benchmark requests: ≈ 0.6 s per test at loopback speed. */
const REDIS_BENCHMARK_REQUESTS = 20_000;

/**
 * Runs the round-trip benchmark; see the module doc.
 *
 * @example
 * ```ts ignore
 * import roundtrip from "./roundtrip.ts";
 * console.log(await roundtrip());
 * ```
 */
export default async function roundtrip(): Promise<Record<string, unknown>> {
  const options = { calls: CALLS, warmup: WARMUP };
  progress(`sqlite: ${CALLS} × backend.now()`);
  const sqlite = await sqliteNow(options);
  const redis = await orSkipped(() => redisAndPeers(options));
  if ("skipped" in redis) return { calls: CALLS, warmup: WARMUP, sqlite, redis, peers: {} };
  return { calls: CALLS, warmup: WARMUP, sqlite, ...redis };
}

/**
 * coord's Redis figure and the peers', all against one server of our own. coord and the bare
 * socket are timed interleaved, so the overhead figure compares like with like.
 */
async function redisAndPeers(options: { calls: number; warmup: number }) {
  await using server = await startRedisServer();
  progress(`redis: ${CALLS} × backend.now() against ${server.url}, interleaved with raw RESP`);
  await using backend = await connect({ url: server.url });
  using ping = await RawRespConnection.open(server.port);
  using time = await RawRespConnection.open(server.port);
  const pingRequest = encodeCommand(["PING"]);
  const timeRequest = encodeCommand(["TIME"]);
  const { redis, rawPing, rawTime } = await timeCallsInterleaved({
    redis: () => backend.now(),
    rawPing: () => ping.call(pingRequest),
    rawTime: () => time.call(timeRequest),
  }, { ...options, rounds: ROUNDS });
  progress(`peers: redis-benchmark`);
  const redisBenchmark = await orSkipped(() => runRedisBenchmark(server.port));
  return {
    redis,
    // What coord (node-redis + the backend layer) adds to the same command on the same wire.
    redis_client_overhead_p50_us: round2(redis.p50_us - rawTime.p50_us),
    peers: { deno_raw_ping: rawPing, deno_raw_time: rawTime, redis_benchmark: redisBenchmark },
  };
}

async function sqliteNow(options: { calls: number; warmup: number }): Promise<LatencySummary> {
  await using dir = await tempDir("coord-bench-sqlite-");
  await using backend = await connect({ url: `sqlite:${join(dir.path, "coord.db")}` });
  return await timeCalls(() => backend.now(), options);
}

/** One redis-benchmark test: its own latency figures, and µs per request from its rate. */
interface RedisBenchmarkFigure {
  rps: number;
  us_per_request: number;
  mean_us: number;
  p50_us: number;
  p99_us: number;
}

/**
 * redis-benchmark's PING_INLINE and PING_MBULK with one connection (`-c 1`), so a request
 * waits for the previous reply, as coord's calls do.
 */
async function runRedisBenchmark(
  port: number,
): Promise<Record<string, RedisBenchmarkFigure> | { error: string }> {
  const binary = requireTool("redis-benchmark");
  const { success, stdout, stderr } = await runToEnd(binary, {
    args: [
      ...["-h", "127.0.0.1", "-p", String(port), "-c", "1"],
      ...["-n", String(REDIS_BENCHMARK_REQUESTS), "-t", "ping", "--csv"],
    ],
    stdin: "null",
  });
  if (!success) return { error: `redis-benchmark failed: ${errorLine(stderr)}` };
  // `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_…","p99_…","max_…"`
  const [header, ...rows] = new TextDecoder().decode(stdout).trim().split("\n")
    .map((line) => line.split(",").map((cell) => cell.replaceAll('"', "")));
  const column = (row: string[], name: string) => Number(row[header.indexOf(name)]);
  const figures: Record<string, RedisBenchmarkFigure> = {};
  for (const row of rows) {
    const rps = column(row, "rps");
    figures[row[0].toLowerCase()] = {
      rps,
      us_per_request: round2(1e6 / rps),
      mean_us: round2(column(row, "avg_latency_ms") * 1000),
      p50_us: round2(column(row, "p50_latency_ms") * 1000),
      p99_us: round2(column(row, "p99_latency_ms") * 1000),
    };
  }
  return figures;
}
