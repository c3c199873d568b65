/**
 * The one place where errors become a stderr line and an exit code.
 *
 * @module
 */

import { CoordError, ExitCode, type ForeignDataError, oneLine } from "../lib/errors.ts";
import { maskCredentials } from "../lib/backend/url.ts";
import { formatDuration } from "../lib/duration.ts";
import { printable } from "./output.ts";
import { variable } from "../lib/environment.ts";

/** The codes of a failed write to stdout or stderr: a full disk, an I/O error, a closed one. */
const OUTPUT_FAILURES = ["ENOSPC", "EIO", "EBADF", "EPIPE"];

/**
 * Prints `coord: <message>` for an error and returns its exit code. Errors coord did not
 * raise on purpose are internal (70); their stack is shown only with `COORD_DEBUG=1`. A write
 * to stdout or stderr that failed (`> /dev/full`) is 74, no bug of coord's.
 */
export function reportError(error: unknown): number {
  if (error instanceof CoordError) {
    say(errorLine(error.message));
    return error.exitCode;
  }
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && OUTPUT_FAILURES.includes(code)) {
    say(`coord: cannot write the output: ${joined(oneLine(error))}`);
    return ExitCode.ioError;
  }
  say(`coord: internal error: ${joined(oneLine(error))} — rerun with COORD_DEBUG=1 for details`);
  if (variable("COORD_DEBUG") !== undefined) console.error(error);
  return ExitCode.internal;
}

/** A line on stderr, which may be gone too (`2>/dev/full`): the exit code says it then. */
function say(line: string): void {
  try {
    console.error(line);
  } catch {
    // Nowhere left to say it.
  }
}

/**
 * `coord: <message>` as {@link reportError} prints it: on one line, its control characters
 * escaped. For every line that carries an error's message, or a refusal naming stored data, a
 * command prints itself (one item refused, the others gone on with): a name or an error another
 * program stored could otherwise move the cursor or reorder the line in the reader's terminal.
 *
 * @example
 * ```ts
 * import { errorLine } from "./report.ts";
 * errorLine("job q/1 failed: \x1b[2J"); // "coord: job q/1 failed: \\x1b[2J"
 * ```
 */
export function errorLine(message: string): string {
  return `coord: ${joined(message)}`;
}

/**
 * Names on stderr, as {@link reportError} would, each item of a listing found holding foreign
 * data, which the listing showed none of; the exit code the listing then ends with: 65 when
 * there was one, else 0. The healthy items are shown all the same.
 */
export function reportForeign(reports: readonly { foreign?: ForeignDataError }[]): number {
  for (const { foreign } of reports) {
    if (foreign) console.error(errorLine(foreign.message));
  }
  return reports.some((r) => r.foreign) ? ExitCode.dataError : ExitCode.ok;
}

/**
 * The line a long-running command (`schedule run`, `queue work`) logs when its backend goes
 * away, once per outage, and when it answers again. An outage with a `limitMs` (one met at the
 * start) says how long it is waited out.
 */
export function outageLine(
  event:
    | { type: "unavailable"; error: string; limitMs?: number }
    | { type: "available"; outageMs: number },
): string {
  if (event.type === "available") {
    return `backend back after ${(event.outageMs / 1000).toFixed(1)} s`;
  }
  const patience = event.limitMs === undefined
    ? "until it answers"
    : `for up to ${formatDuration(event.limitMs)}`;
  return `backend unavailable (${event.error}) — retrying every second ${patience}`;
}

/**
 * A message on one line, as every error is: one may quote what it read (a parser's excerpt of
 * a file), newlines and all. A URL it quotes as given (a stray argument, a mistyped scheme)
 * shows no password.
 */
function joined(message: string): string {
  // A message quotes names and values in JSON, its `\` already escaped.
  return printable(maskCredentials(message.replace(/\s*\n\s*/g, " ")), { backslash: false });
}
