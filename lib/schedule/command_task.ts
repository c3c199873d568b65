/**
 * A task whose body is a shell command (a crontab-style file's lines): run through `sh -c`,
 * its output passed on line by line with the task's name in front, its exit status deciding
 * success.
 *
 * @module
 */

import { SIGNAL_NUMBERS } from "../errors.ts";
import type { TaskContext, TaskHandler } from "./task.ts";

/** Where a command's output lines go (the CLI prints them with the task's name in front). */
export type OutputSink = (task: string, stream: "stdout" | "stderr", line: string) => void;

/** After SIGTERM (lease lost, shutdown), a command gets this long before SIGKILL. */
const KILL_AFTER_MS = 1_000;

/** How long output is still read after the command exited (its leftover children may hold it). */
const OUTPUT_DRAIN_MS = 100;

/** A failed command: its exit status or the signal that ended it. */
export class CommandFailedError extends Error {}

/**
 * A task handler running `command` with `sh -c`, with `COORD_TASK`, `COORD_SCHEDULED_AT`
 * (ISO 8601, UTC, milliseconds), `COORD_INSTANCE` and a triggered run's `COORD_ARGS` (JSON) in
 * its environment. It fails when the
 * command exits non-zero; an aborted run's command gets SIGTERM, then SIGKILL.
 *
 * @example
 * ```ts ignore
 * app.task({ name: "sync", interval: "30s" }, commandHandler("./sync.sh", (task, stream, line) =>
 *   console.log(`[${task}] ${line}`)));
 * ```
 */
export function commandHandler(command: string, output: OutputSink): TaskHandler {
  return async (ctx: TaskContext) => {
    const child = new Deno.Command("sh", {
      args: ["-c", command],
      env: {
        COORD_TASK: ctx.task,
        COORD_SCHEDULED_AT: ctx.scheduledAt.toISOString(),
        COORD_INSTANCE: ctx.instance,
        ...(ctx.args !== undefined && { COORD_ARGS: JSON.stringify(ctx.args) }),
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      // Its own process group: a stop reaches the command's children too, and a Ctrl-C on the
      // terminal reaches coord alone, which lets the run finish within the grace period.
      detached: true,
    }).spawn();
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      kill(child, "SIGTERM");
      killTimer = setTimeout(() => kill(child, "SIGKILL"), KILL_AFTER_MS);
    };
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    const drained = new AbortController();
    const forwarding = Promise.all([
      forwardLines(child.stdout, (line) => output(ctx.task, "stdout", line), drained.signal),
      forwardLines(child.stderr, (line) => output(ctx.task, "stderr", line), drained.signal),
    ]);
    try {
      const status = await child.status;
      // A child the command left behind may hold its output open: read on briefly, then stop.
      const timer = setTimeout(() => drained.abort(), OUTPUT_DRAIN_MS);
      await forwarding;
      clearTimeout(timer);
      if (status.signal) {
        const number = SIGNAL_NUMBERS[status.signal as keyof typeof SIGNAL_NUMBERS];
        throw new CommandFailedError(
          `killed by ${status.signal}${number ? ` (${128 + number})` : ""}`,
        );
      }
      if (!status.success) throw new CommandFailedError(`exited with status ${status.code}`);
    } finally {
      clearTimeout(killTimer);
      ctx.signal.removeEventListener("abort", onAbort);
    }
  };
}

/** Signals the command's whole process group (sh and what it started). */
function kill(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    Deno.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function forwardLines(
  stream: ReadableStream<Uint8Array>,
  emit: (line: string) => void,
  stop: AbortSignal,
) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  const onStop = () => reader.cancel().catch(() => {});
  stop.addEventListener("abort", onStop, { once: true });
  let pending = "";
  try {
    for (let chunk; !(chunk = await reader.read()).done;) {
      const lines = (pending + chunk.value).split("\n");
      pending = lines.pop()!;
      lines.forEach(emit);
    }
  } finally {
    stop.removeEventListener("abort", onStop);
  }
  if (pending) emit(pending);
}
