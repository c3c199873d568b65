/**
 * Runs the real `coord` CLI as separate processes: `deno run -A main.ts …`, spawned directly
 * (no shell in between, so a signal sent to `pid` reaches coord itself).
 *
 * @module
 */

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Options for a spawned coord. */
export interface CoordOptions {
  /** Added to the environment (the parent's is inherited, less COORD_* variables). */
  env?: Record<string, string>;
  stdin?: string;
  cwd?: string;
}

/** What a finished coord process left. */
export interface CoordResult {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/** A coord process still running. */
export interface CoordProcess {
  pid: number;
  kill(signal?: Deno.Signal): void;
  /** Resolves when it exits, with all it printed. */
  result: Promise<CoordResult>;
  /** Resolves once stderr has printed a line matching `pattern`. */
  stderrLine(pattern: RegExp): Promise<string>;
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
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, ...args],
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
  let stderr = "";
  const stderrWaiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const checkWaiters = () => {
    for (const w of [...stderrWaiters]) {
      const line = stderr.split("\n").find((l) => w.pattern.test(l));
      if (line !== undefined) {
        stderrWaiters.splice(stderrWaiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  const readStderr = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      stderr += decoder.decode(chunk, { stream: true });
      checkWaiters();
    }
  })();
  const readStdout = new Response(child.stdout).text();
  const result = (async () => {
    const [status, stdout] = await Promise.all([child.status, readStdout, readStderr]);
    return { code: status.code, signal: status.signal, stdout, stderr };
  })();
  return {
    pid: child.pid,
    kill: (signal: Deno.Signal = "SIGTERM") => child.kill(signal),
    result,
    stderrLine: (pattern) =>
      new Promise((resolve, reject) => {
        stderrWaiters.push({ pattern, resolve });
        checkWaiters();
        result.then(() =>
          reject(new Error(`coord exited before printing ${pattern}; stderr:\n${stderr}`))
        );
      }),
  };
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
