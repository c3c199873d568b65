/**
 * Runs the real `coord` CLI as separate processes: `deno run -A main.ts …`, spawned directly
 * (no shell in between, so a signal sent to `pid` reaches coord itself).
 *
 * @module
 */

import { HANG_GUARD_MS } from "./wait.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** Options for a spawned coord. */
export interface CoordOptions {
  /** Added to the environment (the parent's is inherited, less COORD_* variables). */
  env?: Record<string, string>;
  stdin?: string;
  cwd?: string;
  /** The `main.ts` to run, default this tree's: another copy's, patched, runs a broken build. */
  main?: string;
}

/** What a finished coord process left. */
export interface CoordResult {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/**
 * A coord process still running. Disposing of it ends it if it has not ended, with its command:
 * `await using` keeps a failed test from leaving a holder behind.
 */
export interface CoordProcess extends AsyncDisposable {
  pid: number;
  kill(signal?: Deno.Signal): void;
  /** Resolves when it exits, with all it printed. */
  result: Promise<CoordResult>;
  /** Resolves with the first stderr line matching `pattern`, printed before or after. */
  stderrLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the first stdout line matching `pattern`, printed before or after. */
  stdoutLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** The complete stdout lines printed so far. */
  stdoutLines(): string[];
}

function environment(extra: Record<string, string> = {}): Record<string, string> {
  const env = Deno.env.toObject();
  for (const name of Object.keys(env)) if (name.startsWith("COORD_")) delete env[name];
  return { ...env, NO_COLOR: "1", ...extra };
}

/**
 * Starts `coord ARGS…` and returns at once.
 *
 * @example
 * ```ts ignore
 * const p = spawnCoord(["barrier", "b", "2"]);
 * p.kill("SIGKILL");
 * const { code } = await p.result;
 * ```
 */
export function spawnCoord(args: string[], options: CoordOptions = {}): CoordProcess {
  return spawnDeno([options.main ?? MAIN, ...args], options);
}

/**
 * Starts a program of the user's, `deno run -A PROGRAM` with coord's `deno.json` (so it imports
 * `"coord"`), and returns at once; watched and ended as a coord is.
 *
 * @example
 * ```ts ignore
 * await using p = spawnProgram(`${dir}/app.ts`);
 * await p.stderrLine(/ready/);
 * ```
 */
export function spawnProgram(program: string, options: CoordOptions = {}): CoordProcess {
  return spawnDeno(["--config", CONFIG, program], options);
}

/** `deno run -A --quiet ARGS…`, watched (see {@link CoordProcess}). */
function spawnDeno(args: string[], options: CoordOptions): CoordProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", ...args],
    env: environment(options.env),
    clearEnv: true,
    cwd: options.cwd,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    writer.write(new TextEncoder().encode(options.stdin)).then(() => writer.close());
  }
  const stdout = new LineStream(child.stdout);
  const stderr = new LineStream(child.stderr);
  const result = (async () => {
    const [status, out, err] = await Promise.all([child.status, stdout.done, stderr.done]);
    return { code: status.code, signal: status.signal, stdout: out, stderr: err };
  })();
  return {
    pid: child.pid,
    kill: (signal: Deno.Signal = "SIGTERM") => child.kill(signal),
    [Symbol.asyncDispose]: () => end(child.pid, result),
    result,
    stderrLine: (pattern, timeoutMs) => stderr.line(pattern, timeoutMs),
    stdoutLine: (pattern, timeoutMs) => stdout.line(pattern, timeoutMs),
    stdoutLines: () => stdout.lines(),
  };
}

/**
 * Sends `signal` twice, for coord's "a second signal stops at once", and resolves with the
 * result. Two signals sent close together can merge into one (signals do not queue) when the
 * process is slow to run, so the second is sent again every `intervalMs` until it exits.
 *
 * @example
 * ```ts ignore
 * const { code } = await signalTwice(spawnCoord(["queue", "work", "q"]));
 * ```
 */
export async function signalTwice(
  p: CoordProcess,
  signal: Deno.Signal = "SIGTERM",
  intervalMs = 250,
): Promise<CoordResult> {
  const send = () => {
    try {
      p.kill(signal);
    } catch {
      // Already exited.
    }
  };
  send();
  const again = setInterval(send, intervalMs);
  try {
    return await p.result;
  } finally {
    clearInterval(again);
  }
}

/** How long a coord is given to pass SIGTERM on to its command and exit, before SIGKILL. */
const TERM_GRACE_MS = 5_000;

/**
 * Ends coord `pid` unless `result` has settled: SIGTERM first (coord passes it to its command,
 * or leaves the queue), then SIGKILL to coord and the command, which would otherwise keep the
 * output pipes open.
 */
async function end(pid: number, result: Promise<CoordResult>): Promise<void> {
  let ended = false;
  const settled = result.then(() => ended = true, () => ended = true);
  await Promise.resolve(); // lets an already settled result say so
  if (ended) return;
  const children = await childrenOf(pid);
  signal(pid, "SIGTERM");
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([settled, new Promise((r) => timer = setTimeout(r, TERM_GRACE_MS))]);
  clearTimeout(timer);
  if (!ended) [pid, ...children].forEach((p) => signal(p, "SIGKILL"));
  await settled;
}

/**
 * The processes `pid` started (a coord's command).
 *
 * @example
 * ```ts ignore
 * const [command] = await childrenOf(coord.pid);
 * ```
 */
export async function childrenOf(pid: number): Promise<number[]> {
  const { stdout } = await new Deno.Command("pgrep", { args: ["-P", String(pid)] }).output();
  return new TextDecoder().decode(stdout).split("\n").filter((l) => l !== "").map(Number);
}

function signal(pid: number, name: Deno.Signal): void {
  try {
    Deno.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** One output stream of a child, read as it comes, with waiters for lines. */
class LineStream {
  #text = "";
  #ended = false;
  readonly #waiters = new Set<() => void>();
  /** All the text, once the stream ends. */
  readonly done: Promise<string>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) {
        this.#text += decoder.decode(chunk, { stream: true });
        this.#waiters.forEach((check) => check());
      }
      this.#ended = true;
      this.#waiters.forEach((check) => check());
      return this.#text;
    })();
  }

  lines(): string[] {
    return this.#text.split("\n").slice(0, -1);
  }

  line(pattern: RegExp, timeoutMs = HANG_GUARD_MS): Promise<string> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error, found?: string) => {
        this.#waiters.delete(check);
        clearTimeout(timer);
        error ? reject(error) : resolve(found!);
      };
      const check = () => {
        const found = this.#text.split("\n").find((l) => pattern.test(l));
        if (found !== undefined) finish(undefined, found);
        else if (this.#ended) {
          finish(new Error(`ended without a line like ${pattern}:\n${this.#text}`));
        }
      };
      const timer = setTimeout(
        () => finish(new Error(`no line like ${pattern} in ${timeoutMs} ms:\n${this.#text}`)),
        timeoutMs,
      );
      this.#waiters.add(check);
      check();
    });
  }
}

/**
 * Runs `coord ARGS…` to the end.
 *
 * @example
 * ```ts ignore
 * const { code, stdout } = await runCoord(["--version"]);
 * ```
 */
export function runCoord(args: string[], options: CoordOptions = {}): Promise<CoordResult> {
  return spawnCoord(args, options).result;
}
