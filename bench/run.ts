/**
 * `deno task bench [NAME…]`: runs the named benchmarks (all when none is named), each from
 * its own module `bench/<name>.ts`, and prints one JSON object per benchmark on its own stdout
 * line. Progress and notes go to stderr, so `deno task bench > results.jsonl` keeps only data.
 *
 * Exit status: 0 when every benchmark ran (skipped parts included), 1 when one failed or
 * reported an error, 64 on an unknown benchmark name.
 *
 * @module
 */

import { cpus } from "node:os";
import { MissingToolError } from "./missing_tool.ts";

/**
 * What each `bench/<name>.ts` exports as default: figures, and peers' under `peers`. A
 * benchmark that takes options (the arguments after the names) also exports their `usage`.
 */
export type Benchmark = (options: string[]) => Promise<Record<string, unknown>>;

/** A benchmark's module. */
interface BenchmarkModule {
  default: Benchmark;
  usage?: string;
}

/** Every benchmark, in the order `deno task bench` runs them. Imported only when run. */
const BENCHMARKS: Record<string, () => Promise<BenchmarkModule>> = {
  roundtrip: () => import("./roundtrip.ts"),
  startup: () => import("./startup.ts"),
  barrier: () => import("./barrier.ts"),
  lock: () => import("./lock.ts"),
  schedule: () => import("./schedule.ts"),
  queue: () => import("./queue.ts"),
};

const USAGE = `Usage: deno task bench [NAME…] [OPTION…]

Runs the named benchmarks (all when none is named) and prints one JSON line for each; options
go to the benchmark named, which must take them (\`deno task bench queue --help\`).
Benchmarks: ${Object.keys(BENCHMARKS).join(", ")}`;

/** The machine a figure was taken on; the load average flags a run disturbed by other work. */
function machine(): Record<string, unknown> {
  return {
    cores: navigator.hardwareConcurrency,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    os: `${Deno.build.os}-${Deno.build.arch}`,
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    loadavg_1m: Deno.loadavg()[0],
  };
}

/**
 * Runs one benchmark and returns its JSON line's object: header fields first, the
 * benchmark's figures next, peers last so each line reads "ours, then theirs".
 *
 * @example
 * ```ts ignore
 * const line = await runBenchmark("roundtrip");
 * console.log(JSON.stringify(line));
 * ```
 */
export async function runBenchmark(
  name: string,
  options: string[] = [],
): Promise<Record<string, unknown>> {
  const header = { bench: name, date: new Date().toISOString(), machine: machine() };
  try {
    const { peers, ...figures } = await (await BENCHMARKS[name]()).default(options);
    return { ...header, ...figures, ...(peers === undefined ? {} : { peers }) };
  } catch (e) {
    if (e instanceof MissingToolError) return { ...header, skipped: e.message };
    return { ...header, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Whether an error is reported anywhere in a result, e.g. by one command of many. */
function hasError(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  return Object.entries(value).some(([key, inner]) => key === "error" || hasError(inner));
}

async function main(args: string[]): Promise<number> {
  const firstOption = args.findIndex((arg) => arg.startsWith("-"));
  const names = firstOption < 0 ? args : args.slice(0, firstOption);
  const options = firstOption < 0 ? [] : args.slice(firstOption);
  const unknown = names.filter((name) => !Object.hasOwn(BENCHMARKS, name));
  if (unknown.length > 0) {
    console.error(`bench: unknown benchmark "${unknown[0]}"\n\n${USAGE}`);
    return 64;
  }
  const modules = await Promise.all(names.map((name) => BENCHMARKS[name]()));
  if (options.some((arg) => arg === "-h" || arg === "--help")) {
    console.log([USAGE, ...modules.flatMap((m) => m.usage ?? [])].join("\n\n"));
    return 0;
  }
  if (options.length > 0 && (names.length !== 1 || modules[0].usage === undefined)) {
    console.error(`bench: options go to one benchmark that takes them\n\n${USAGE}`);
    return 64;
  }
  let failed = false;
  for (const name of names.length > 0 ? names : Object.keys(BENCHMARKS)) {
    const started = performance.now();
    console.error(`bench: ${name}…`);
    const result = await runBenchmark(name, options);
    console.log(JSON.stringify(result));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.error(`bench: ${name} done in ${seconds} s`);
    if (hasError(result)) failed = true;
  }
  return failed ? 1 : 0;
}

if (import.meta.main) {
  // Exiting (rather than dying of the signal) runs the `unload` handlers that stop the
  // redis-servers a benchmark started.
  const stop = () => Deno.exit(130);
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  Deno.exitCode = await main(Deno.args);
  Deno.removeSignalListener("SIGINT", stop);
  Deno.removeSignalListener("SIGTERM", stop);
}
