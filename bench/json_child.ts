/**
 * A long-lived child `deno` process that reports on stdout in JSON lines, as the benchmarks'
 * workers do: started directly (no shell) from the project root, its lines gathered as they
 * arrive, waited on by field, asked to stop by closing its stdin, and killed if the bench
 * process exits first. {@link stdinClosed} is the child's side of that stop.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { atExit } from "./at_exit.ts";
import { errorLine } from "./command_timing.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DENO = Deno.execPath();

/** How a {@link JsonChild} ended: its exit code and everything it wrote on stderr. */
export interface JsonChildEnd {
  code: number;
  stderr: Uint8Array;
}

/** A running child: its JSON lines so far, and its end. */
export interface JsonChild {
  readonly pid: number;
  /** Every stdout line that starts with `{`, parsed, in order; it grows while the child runs. */
  readonly lines: Record<string, unknown>[];
  /** Settles once the child exited and both its streams were read to the end. */
  readonly done: Promise<JsonChildEnd>;
  /** Resolves with the first line that has `field`; rejects on exit or after `timeoutMs`. */
  waitFor(field: string, timeoutMs: number): Promise<Record<string, unknown>>;
  /** Closes the child's stdin, the workers' signal to stop; a no-op once it is closed. */
  closeStdin(): Promise<void>;
  /** Sends SIGTERM, unless the child already exited. */
  kill(): void;
}

/** Options of {@link spawnJsonChild}. */
export interface JsonChildOptions {
  /** Sends the child SIGTERM when aborted. */
  signal?: AbortSignal;
  /** Whether the child's stdin is a pipe ({@link JsonChild.closeStdin}) or null; default true. */
  stdin?: boolean;
  /** What error messages call the child, as in "a worker exited 1 …"; default `"process"`. */
  noun?: string;
}

/**
 * Starts `deno ARGS` from the project root.
 *
 * @example
 * ```ts ignore
 * import { spawnJsonChild } from "./json_child.ts";
 * const child = spawnJsonChild(["run", "-A", "bench/schedule_worker.ts", "coord", "0", url]);
 * await child.waitFor("ready", 30_000);
 * await child.closeStdin();
 * const { code } = await child.done;
 * ```
 */
export function spawnJsonChild(
  args: readonly string[],
  { signal, stdin = true, noun = "process" }: JsonChildOptions = {},
): JsonChild {
  const child = new Deno.Command(DENO, {
    args: [...args],
    cwd: ROOT,
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
    signal,
  }).spawn();
  const unregister = atExit(() => child.kill("SIGKILL"));
  const lines: Record<string, unknown>[] = [];
  // Replaced after every wake-up, so any number of waiters hear of the next line or the exit.
  let changed = Promise.withResolvers<void>();
  const wake = () => {
    changed.resolve();
    changed = Promise.withResolvers<void>();
  };
  let exited = false;
  const stdoutRead = (async () => {
    let buffer = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      for (let nl; (nl = buffer.indexOf("\n")) >= 0;) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith("{")) lines.push(JSON.parse(line));
      }
      wake();
    }
  })();
  const stderrRead = new Response(child.stderr).bytes();
  const done = (async () => {
    const [{ code }, , stderr] = await Promise.all([child.status, stdoutRead, stderrRead]);
    unregister();
    exited = true;
    wake();
    return { code, stderr };
  })();
  const waitFor = async (field: string, timeoutMs: number) => {
    const until = performance.now() + timeoutMs;
    for (;;) {
      const found = lines.find((line) => line[field] !== undefined);
      if (found) return found;
      if (exited) {
        const { code, stderr } = await done;
        throw new Error(`a ${noun} exited ${code} before "${field}": ${errorLine(stderr)}`);
      }
      const left = until - performance.now();
      if (left <= 0) throw new Error(`no "${field}" from a ${noun} within ${timeoutMs / 1000} s`);
      await wakeOrAfter(changed.promise, left);
    }
  };
  return {
    pid: child.pid,
    lines,
    done,
    waitFor,
    closeStdin: async () => {
      try {
        await child.stdin.close();
      } catch {
        // closed already, or the child is gone: `done` says how it ended
      }
    },
    kill: () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // already exited
      }
    },
  };
}

/**
 * Sends every child SIGTERM and resolves once all have ended; `undefined` stands for a child
 * never started.
 *
 * @example
 * ```ts ignore
 * import { killAll, spawnJsonChild } from "./json_child.ts";
 * const children = [0, 1].map((w) => spawnJsonChild(["run", "-A", worker, String(w)]));
 * await killAll(children);
 * ```
 */
export async function killAll(children: readonly (JsonChild | undefined)[]): Promise<void> {
  for (const child of children) child?.kill();
  await Promise.all(children.map((child) => child?.done));
}

/**
 * In the child: a signal that aborts when stdin reaches its end, which is how the bench says
 * stop ({@link JsonChild.closeStdin}); nothing is ever sent on it.
 *
 * @example
 * ```ts ignore
 * import { stdinClosed } from "./json_child.ts";
 * const stop = stdinClosed();
 * console.log(JSON.stringify({ ready: true }));
 * await work(backend, ["jobs"], { signal: stop });
 * ```
 */
export function stdinClosed(): AbortSignal {
  const stop = new AbortController();
  (async () => {
    for await (const _ of Deno.stdin.readable) {
      // nothing is sent, only EOF
    }
    stop.abort();
  })();
  return stop.signal;
}

/** Resolves when `wake` does or after `ms`, whichever is first, leaving no timer behind. */
function wakeOrAfter(wake: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
