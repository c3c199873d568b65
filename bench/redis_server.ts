/**
 * A throw-away redis-server for one benchmark: a free loopback port, its own temporary
 * directory, no persistence (so no fsync or fork ever shows up in a figure), and gone when
 * the benchmark ends — or when the bench process exits before that.
 *
 * @module
 */

import { join } from "node:path";
import { atExit } from "./at_exit.ts";
import { freePort } from "./free_port.ts";
import { requireTool } from "./missing_tool.ts";
import { encodeCommand, RawRespConnection } from "./raw_resp.ts";
import { tempDir } from "./temp_dir.ts";

/** A running redis-server this process started. */
export interface RedisServer extends AsyncDisposable {
  /** Its port on 127.0.0.1. */
  readonly port: number;
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  /** Stops the server and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface StartRedisOptions {
  /** How long the server may take to answer; default 5000. */
  readyTimeoutMs?: number;
  /** Ports tried when another process takes the free port first; default 3. */
  portAttempts?: number;
}

/** redis-server did not come up; the message carries the end of its log. */
export class RedisStartError extends Error {
  /** @param message what failed, with the log tail */
  constructor(message: string) {
    super(message);
    this.name = "RedisStartError";
  }
}

const STOP_GRACE_MS = 5_000;
const POLL_MS = 20;

/**
 * Starts a redis-server on a free loopback port and waits until it answers.
 *
 * @throws {MissingToolError} when redis-server is not on `PATH`.
 * @throws {RedisStartError} when it does not come up.
 * @example
 * ```ts ignore
 * import { startRedisServer } from "./redis_server.ts";
 * await using server = await startRedisServer();
 * console.log(server.url);
 * ```
 */
export async function startRedisServer(
  { readyTimeoutMs = 5_000, portAttempts = 3 }: StartRedisOptions = {},
): Promise<RedisServer> {
  const binary = requireTool("redis-server");
  const dir = await tempDir("coord-bench-redis-");
  const log = join(dir.path, "redis.log");
  try {
    for (let attempt = 1;; attempt++) {
      const port = freePort();
      const child = new Deno.Command(binary, {
        args: [
          ...["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
          ...["--dir", dir.path, "--logfile", log],
        ],
        cwd: dir.path,
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      // `unload` cannot await, so a bench that exits early kills the server outright.
      const unregister = atExit(() => child.kill("SIGKILL"));
      if (await answers(child, port, readyTimeoutMs)) {
        return server(port, async () => {
          await stopChild(child);
          unregister();
          await dir[Symbol.asyncDispose]();
        });
      }
      await stopChild(child);
      unregister();
      const tail = await logTail(log);
      if (/already in use/i.test(tail) && attempt < portAttempts) continue;
      throw new RedisStartError(`redis-server did not start on port ${port}:\n${tail}`);
    }
  } catch (e) {
    await dir[Symbol.asyncDispose]();
    throw e;
  }
}

function server(port: number, release: () => Promise<void>): RedisServer {
  let stopped: Promise<void> | undefined;
  const stop = () => stopped ??= release();
  return { port, url: `redis://127.0.0.1:${port}`, stop, [Symbol.asyncDispose]: stop };
}

/**
 * Whether the server answers as `child` itself: if another process took the port first,
 * a PING would be answered by that process, so the check compares INFO's `process_id`.
 */
async function answers(child: Deno.ChildProcess, port: number, timeoutMs: number) {
  let exited = false;
  child.status.then(() => exited = true);
  const deadline = performance.now() + timeoutMs;
  while (!exited && performance.now() < deadline) {
    try {
      using conn = await RawRespConnection.open(port);
      const info = await conn.call(encodeCommand(["INFO", "server"]));
      return /process_id:(\d+)/.exec(info)?.[1] === String(child.pid);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
  return false;
}

async function stopChild(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch {
    // Already exited.
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const grace = new Promise<"late">((resolve) =>
    timer = setTimeout(resolve, STOP_GRACE_MS, "late")
  );
  if (await Promise.race([child.status, grace]) === "late") child.kill("SIGKILL");
  clearTimeout(timer);
  await child.status;
}

async function logTail(path: string): Promise<string> {
  try {
    return (await Deno.readTextFile(path)).trimEnd().split("\n").slice(-5).join("\n");
  } catch {
    return "(no log written)";
  }
}
