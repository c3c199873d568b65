/**
 * Waiting for an event in a test. A test waits for what it needs to see (a line, a state, a
 * file), never for a span of wall-clock time; the only clock is a hang guard, far beyond what a
 * busy machine needs, so a regression fails the test instead of hanging the suite.
 *
 * @module
 */

/**
 * How long a test waits for an event before giving up: a hang guard, not a measurement. The
 * suite runs beside other work on two cores, where starting a `deno` process alone can take
 * seconds.
 */
export const HANG_GUARD_MS = 60_000;

/** Options of {@linkcode until}. */
export interface UntilOptions {
  /** What is awaited, for the error message. Defaults to `"the condition"`. */
  what?: string;
  /** Gives up after this long. Defaults to {@linkcode HANG_GUARD_MS}. */
  timeoutMs?: number;
  /** Pause between checks. Defaults to `20`. */
  intervalMs?: number;
  /** Gives up, with the signal's reason, when it aborts (a caller's own deadline). */
  signal?: AbortSignal;
}

/**
 * Resolves once `predicate` holds, checking it again and again; rejects after `timeoutMs`. For
 * state that announces no change (a file, another process's output); where a backend can be
 * watched, watch it instead.
 *
 * @example
 * ```ts
 * import { until } from "./wait.ts";
 * const runs: number[] = [];
 * setTimeout(() => runs.push(1), 10);
 * await until(() => runs.length === 1, { what: "a run" });
 * ```
 */
export async function until(
  predicate: () => boolean | Promise<boolean>,
  options: UntilOptions = {},
): Promise<void> {
  const { what = "the condition", timeoutMs = HANG_GUARD_MS, intervalMs = 20, signal } = options;
  const deadline = performance.now() + timeoutMs;
  while (!await predicate()) {
    signal?.throwIfAborted();
    if (performance.now() > deadline) {
      throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Resolves with the first line of `file` matching `pattern`, once there is one; rejects after
 * `timeoutMs` (default {@linkcode HANG_GUARD_MS}). A missing file counts as an empty one.
 *
 * @example
 * ```ts
 * import { lineIn } from "./wait.ts";
 * const log = await Deno.makeTempFile();
 * await Deno.writeTextFile(log, "ready\n");
 * await lineIn(log, /^ready$/);
 * await Deno.remove(log);
 * ```
 */
export async function lineIn(
  file: string,
  pattern: RegExp,
  timeoutMs = HANG_GUARD_MS,
): Promise<string> {
  let found: string | undefined;
  await until(async () => {
    const text = await Deno.readTextFile(file).catch((error) => {
      if (error instanceof Deno.errors.NotFound) return "";
      throw error;
    });
    found = text.split("\n").find((line) => pattern.test(line));
    return found !== undefined;
  }, { what: `a line like ${pattern} in ${file}`, timeoutMs });
  return found!;
}

/**
 * `promise`, or a rejection naming `what` once `timeoutMs` (default {@linkcode HANG_GUARD_MS})
 * has passed without it settling.
 *
 * @example
 * ```ts
 * import { guarded } from "./wait.ts";
 * const answer = await guarded(Promise.resolve(42), "the answer");
 * ```
 */
export async function guarded<T>(
  promise: Promise<T>,
  what: string,
  timeoutMs = HANG_GUARD_MS,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const giveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, giveUp]);
  } finally {
    clearTimeout(timer);
  }
}
