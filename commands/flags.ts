/**
 * Flag parsing shared by every subcommand: `node:util` `parseArgs` in strict mode, the
 * backend flags every command takes, and number checks that turn bad input into a
 * {@link UsageError} naming the flag and pointing at the command's help.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../lib/errors.ts";
import { connect, DEFAULT_CONNECT_TIMEOUT_MS } from "../lib/backend/connect.ts";
import type { Backend } from "../lib/backend/types.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Flags every command that talks to a backend accepts. */
export const BACKEND_FLAGS = {
  url: { type: "string" },
  namespace: { type: "string" },
  "connect-timeout": { type: "string" },
} as const satisfies Options;

/** Output flags. */
export const OUTPUT_FLAGS = {
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
} as const satisfies Options;

/** Help text lines for {@link BACKEND_FLAGS}, shared by every command's usage. */
export const BACKEND_FLAGS_HELP = `Backend options:
  --url URL              sqlite:PATH, sqlite::memory:, redis://…, rediss://…,
                         redis+cluster://h:p,h:p, redis+sentinel://h:p/MASTER,
                         postgres://user@host[:port]/db (barrier only so far)
                         (default: $COORD_URL, else ~/.local/state/coord/coord.db)
  --namespace NS         key prefix separating tenants (default: $COORD_NAMESPACE, else coord)
  --connect-timeout S    give up connecting after S seconds (default 5)`;

/** What {@link parseFlags} returns. */
export interface Parsed<V> {
  values: V;
  positionals: string[];
  /** Arguments after a `--`, untouched. */
  rest: string[];
}

/**
 * Parses `argv` strictly against `options`. Arguments after `--` are kept apart in `rest` and
 * never read as flags. (`-h/--help` never gets here: `main.ts` answers it for every command.)
 *
 * @throws {UsageError} on an unknown flag, a missing flag value, or a positional where none
 * is allowed, with a pointer to `coord COMMAND --help`.
 */
export function parseFlags<O extends Options>(
  command: string,
  argv: string[],
  options: O,
): Parsed<ReturnType<typeof parseArgs<{ options: O; strict: true }>>["values"]> {
  const dashDash = argv.indexOf("--");
  const head = dashDash < 0 ? argv : argv.slice(0, dashDash);
  const rest = dashDash < 0 ? [] : argv.slice(dashDash + 1);
  try {
    const { values, positionals } = parseArgs({
      args: head,
      options,
      strict: true,
      allowPositionals: true,
    });
    return { values, positionals, rest };
  } catch (e) {
    throw usage(command, e instanceof Error ? tidy(e.message) : String(e));
  }
}

/** A {@link UsageError} that ends with the way to the command's help. */
export function usage(command: string, problem: string): UsageError {
  return new UsageError(`${problem} — see coord ${command ? `${command} ` : ""}--help`);
}

/** node's messages carry hints written for programmers ("To specify a positional…"). */
function tidy(message: string): string {
  return message.split(/\.\s/)[0].replace(/\.$/, "").replaceAll("'", '"');
}

/**
 * Reads a duration flag given in seconds (fractions allowed) as milliseconds.
 *
 * @throws {UsageError} when it is not a non-negative number.
 */
export function secondsFlag(
  command: string,
  flag: string,
  text: string | undefined,
  defaultMs: number,
): number {
  if (text === undefined) return defaultMs;
  const seconds = Number(text);
  if (text.trim() === "" || !Number.isFinite(seconds) || seconds < 0) {
    throw usage(command, `--${flag} must be a number of seconds ≥ 0, got "${text}"`);
  }
  return seconds * 1000;
}

/**
 * Reads a positive whole number (a participant count, a limit).
 *
 * @throws {UsageError} when it is not an integer ≥ 1.
 */
export function countArg(command: string, what: string, text: string | undefined): number {
  if (text === undefined) throw usage(command, `missing ${what}`);
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw usage(command, `${what} must be a whole number ≥ 1, got "${text}"`);
  }
  return n;
}

/** Opens the backend the backend flags (or the environment) name. */
export function openBackend(
  command: string,
  values: { url?: string; namespace?: string; "connect-timeout"?: string },
): Promise<Backend> {
  const connectTimeoutMs = secondsFlag(
    command,
    "connect-timeout",
    values["connect-timeout"],
    DEFAULT_CONNECT_TIMEOUT_MS,
  );
  if (connectTimeoutMs <= 0) throw usage(command, "--connect-timeout must be more than 0");
  return connect({ url: values.url, namespace: values.namespace, connectTimeoutMs });
}
