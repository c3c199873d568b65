/**
 * A task whose body is a shell command (a crontab-style file's lines): run through `sh -c` in
 * its own process group, its output passed on line by line to a sink (the CLI prints each line
 * with the task's name in front), its exit status deciding success.
 *
 * @module
 */

import { SIGNAL_NUMBERS, UsageError } from "../errors.ts";
import { withJsonInEnv } from "../json_env.ts";
import { leftRunningNotice, passEnvNameRefusal, spawnGroup } from "../subprocess.ts";
import type { TaskContext, TaskHandler } from "./task.ts";
import { OutputLines } from "./output_lines.ts";

/** Where a command's output lines go (the CLI prints them with the task's name in front). */
export type OutputSink = (task: string, stream: "stdout" | "stderr", line: string) => void;

/** Options of {@link commandHandler}. */
export interface CommandTaskOptions {
  /**
   * Withheld variables (`COORD_URL`, `COORD_PASSWORD`, `PGPASSWORD`, `COORD_UI_PASSWORD`) the
   * command gets all the same; any other name is refused (it reaches the command anyway: a typo
   * would pass nothing).
   */
  passEnv?: readonly string[];
}

/** A failed command: its exit status or the signal that ended it. */
export class CommandFailedError extends Error {}

/**
 * A task handler running `command` with `sh -c`, with `COORD_TASK`, `COORD_SCHEDULED_AT`
 * (ISO 8601, UTC, milliseconds) and `COORD_INSTANCE` in its environment, and a triggered run's
 * args (JSON) as {@link withJsonInEnv} hands them on: in a file named by `COORD_ARGS_FILE`, and
 * as `COORD_ARGS` too when they fit in one variable; but not coord's credentials (unless
 * `options.passEnv` names them). It fails when the command exits non-zero; an aborted run's
 * command and everything it started get SIGTERM, then SIGKILL after the grace its lease leaves
 * (`stopGraceMs` of lib/subprocess.ts).
 *
 * @throws {UsageError} when `options.passEnv` names a variable coord does not withhold.
 *
 * @example
 * ```ts ignore
 * app.task({ name: "sync", interval: "30s" }, commandHandler("./sync.sh", (task, stream, line) =>
 *   console.log(`[${task}] ${line}`)));
 * ```
 */
export function commandHandler(
  command: string,
  output: OutputSink,
  options: CommandTaskOptions = {},
): TaskHandler {
  const refusal = passEnvNameRefusal(options.passEnv ?? []);
  if (refusal !== undefined) throw new UsageError(refusal);
  return async (ctx: TaskContext) => {
    const env = {
      COORD_TASK: ctx.task,
      COORD_SCHEDULED_AT: ctx.scheduledAt.toISOString(),
      COORD_INSTANCE: ctx.instance,
    };
    const run = (argsEnv: Record<string, string> = {}) =>
      runCommand(command, output, ctx, { ...env, ...argsEnv }, options.passEnv);
    // A triggered run's args take up to 1 MiB: more than one variable holds.
    if (ctx.args === undefined) await run();
    else await withJsonInEnv("COORD_ARGS", ctx.args, run);
  };
}

/** {@link commandHandler}'s run of `command`, its environment made. */
async function runCommand(
  command: string,
  output: OutputSink,
  ctx: TaskContext,
  env: Record<string, string>,
  passEnv: readonly string[] | undefined,
): Promise<void> {
  const group = await spawnGroup("sh", {
    args: ["-c", command],
    env,
    passEnv,
    leaseMs: ctx.leaseMs,
    // Its own process group: a stop reaches the command's children too, and a Ctrl-C on the
    // terminal reaches coord alone, which lets the run finish within the grace period.
  });
  // What the command left running (`sleep 1000 &`) ends with the run, as a lock's CMD's does.
  const { status, leftRunning } = await group.finish(ctx.signal, (drained) =>
    Promise.all([
      forwardLines(group.stdout, (line) => output(ctx.task, "stdout", line), drained),
      forwardLines(group.stderr, (line) => output(ctx.task, "stderr", line), drained),
    ]));
  if (leftRunning.length > 0) {
    output(ctx.task, "stderr", `coord: ${leftRunningNotice(leftRunning, "the command")}`);
  }
  if (status.signal) {
    const number = SIGNAL_NUMBERS[status.signal as keyof typeof SIGNAL_NUMBERS];
    throw new CommandFailedError(
      `killed by ${status.signal}${number ? ` (${128 + number})` : ""}`,
    );
  }
  if (!status.success) throw new CommandFailedError(`exited with status ${status.code}`);
}

async function forwardLines(
  stream: ReadableStream<Uint8Array>,
  emit: (line: string) => void,
  stop: AbortSignal,
) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  const onStop = () => reader.cancel().catch(() => {});
  stop.addEventListener("abort", onStop, { once: true });
  const lines = new OutputLines(emit);
  try {
    for (let chunk; !(chunk = await reader.read()).done;) lines.push(chunk.value);
  } finally {
    stop.removeEventListener("abort", onStop);
  }
  lines.end();
}
