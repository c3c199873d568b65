/**
 * Whole-process timing of a command line: hyperfine when it is installed, else a loop of
 * `Deno.Command` runs (which adds Deno's own spawn cost, ≈ 1 ms, to every figure).
 *
 * @module
 */

import { join } from "node:path";
import { atExit } from "./at_exit.ts";
import { findTool } from "./missing_tool.ts";
import { tempDir } from "./temp_dir.ts";

/** Timing of one command line, in milliseconds. */
export interface CommandTiming {
  mean_ms: number;
  median_ms: number;
  min_ms: number;
  max_ms: number;
  stddev_ms: number;
  runs: number;
  /**
   * Mean CPU time (user + system) of a run, with hyperfine: less disturbed than the wall time
   * by other work on the machine.
   */
  cpu_ms?: number;
}

/** Options of {@link timeCommand}. */
export interface TimeCommandOptions {
  /** Untimed runs first, to fill Deno's compile cache and the OS page cache; default 3. */
  warmup?: number;
  /** Timed runs; default 15. */
  runs?: number;
  /** Working directory of the command; default this process's. */
  cwd?: string;
}

/** The command exited unsuccessfully; the message has its exit code and first error line. */
export class CommandFailedError extends Error {
  /** @param message the command, its exit code and the first line it printed on stderr */
  constructor(message: string) {
    super(message);
    this.name = "CommandFailedError";
  }
}

/**
 * What times commands on this machine: `"hyperfine 1.15.0"` or `"Deno.Command loop"`.
 *
 * @example
 * ```ts
 * import { timingTool } from "./command_timing.ts";
 * console.error(`timing with ${await timingTool()}`);
 * ```
 */
export async function timingTool(): Promise<string> {
  const hyperfine = findTool("hyperfine");
  if (!hyperfine) return "Deno.Command loop";
  const { stdout } = await new Deno.Command(hyperfine, { args: ["--version"] }).output();
  return new TextDecoder().decode(stdout).trim();
}

/**
 * Times `argv` as a whole process. One probe run comes first, outside hyperfine, so a failing
 * command is reported with its own error line rather than hyperfine's generic one.
 *
 * @throws {CommandFailedError} when the command exits unsuccessfully.
 * @example
 * ```ts ignore
 * import { timeCommand } from "./command_timing.ts";
 * const { mean_ms } = await timeCommand(["deno", "--version"], { runs: 5 });
 * ```
 */
export async function timeCommand(
  argv: readonly string[],
  { warmup = 3, runs = 15, cwd }: TimeCommandOptions = {},
): Promise<CommandTiming> {
  await runOnce(argv, cwd);
  const hyperfine = findTool("hyperfine");
  return hyperfine
    ? await withHyperfine(hyperfine, argv, { warmup, runs, cwd })
    : await withLoop(argv, { warmup, runs, cwd });
}

async function withHyperfine(
  hyperfine: string,
  argv: readonly string[],
  { warmup, runs, cwd }: Required<Omit<TimeCommandOptions, "cwd">> & { cwd?: string },
): Promise<CommandTiming> {
  await using dir = await tempDir("coord-bench-hyperfine-");
  const exported = join(dir.path, "result.json");
  // `-N` runs the command without a shell, so no shell start-up has to be subtracted.
  const { success, stderr } = await runToEnd(hyperfine, {
    args: [
      ...["-N", "--style", "none", "--warmup", String(warmup), "--runs", String(runs)],
      ...["--export-json", exported, argv.map(shellQuote).join(" ")],
    ],
    cwd,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  });
  if (!success) {
    throw new CommandFailedError(`hyperfine failed: ${errorLine(stderr)}`);
  }
  const [result] = JSON.parse(await Deno.readTextFile(exported)).results as {
    mean: number;
    median: number;
    min: number;
    max: number;
    stddev: number | null;
    times: number[];
    user: number;
    system: number;
  }[];
  return {
    mean_ms: ms(result.mean),
    median_ms: ms(result.median),
    min_ms: ms(result.min),
    max_ms: ms(result.max),
    stddev_ms: ms(result.stddev ?? 0),
    runs: result.times.length,
    cpu_ms: ms(result.user + result.system),
  };
}

async function withLoop(
  argv: readonly string[],
  { warmup, runs, cwd }: Required<Omit<TimeCommandOptions, "cwd">> & { cwd?: string },
): Promise<CommandTiming> {
  for (let i = 0; i < warmup; i++) await runOnce(argv, cwd);
  const timesMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await runOnce(argv, cwd);
    timesMs.push(performance.now() - start);
  }
  const sorted = timesMs.toSorted((a, b) => a - b);
  const mean = timesMs.reduce((sum, t) => sum + t, 0) / runs;
  const middle = Math.floor(runs / 2);
  const median = runs % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  const variance = timesMs.reduce((sum, t) => sum + (t - mean) ** 2, 0) / Math.max(1, runs - 1);
  return {
    mean_ms: round1(mean),
    median_ms: round1(median),
    min_ms: round1(sorted[0]),
    max_ms: round1(sorted[runs - 1]),
    stddev_ms: round1(Math.sqrt(variance)),
    runs,
  };
}

async function runOnce(argv: readonly string[], cwd: string | undefined): Promise<void> {
  const { code, stderr } = await runToEnd(argv[0], {
    args: argv.slice(1),
    cwd,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  });
  if (code !== 0) {
    throw new CommandFailedError(`\`${argv.join(" ")}\` exited ${code}: ${errorLine(stderr)}`);
  }
}

/**
 * Runs a program to its end, like `new Deno.Command(program, options).output()`, but kills it
 * if this process exits first, so an interrupted bench leaves no hyperfine still starting
 * coord fifteen times.
 *
 * @example
 * ```ts
 * import { runToEnd } from "./command_timing.ts";
 * const { success } = await runToEnd(Deno.execPath(), { args: ["--version"], stdout: "null" });
 * ```
 */
export async function runToEnd(
  program: string,
  options: Deno.CommandOptions,
): Promise<Deno.CommandOutput> {
  // `output()` pipes both streams unless told otherwise, `spawn()` inherits them: keep the
  // former, or a tool's report lands on the bench's stdout among the JSON lines.
  const child = new Deno.Command(program, { stdout: "piped", stderr: "piped", ...options })
    .spawn();
  const unregister = atExit(() => child.kill("SIGKILL"));
  try {
    return await child.output();
  } finally {
    unregister();
  }
}

/** Quotes an argument for hyperfine's POSIX-style splitting of its command string. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * The line of a tool's stderr that says what went wrong: the first that mentions an error
 * (progress lines such as Deno's `Download …` may come before it), else the first line.
 * Colour codes are removed: Deno and hyperfine colour their errors even into a pipe.
 *
 * @example
 * ```ts
 * import { errorLine } from "./command_timing.ts";
 * errorLine(new TextEncoder().encode("Download x\nerror: boom\n")); // "error: boom"
 * ```
 */
export function errorLine(stderr: Uint8Array): string {
  // deno-lint-ignore no-control-regex
  const text = new TextDecoder().decode(stderr).replace(/\x1b\[[0-9;]*m/g, "");
  const lines = text.split("\n").map((line) => line.trim()).filter((line) => line);
  return lines.find((line) => /error/i.test(line)) ?? lines[0] ?? "(nothing on stderr)";
}

const ms = (seconds: number) => round1(seconds * 1000);
const round1 = (x: number) => Math.round(x * 10) / 10;
