/**
 * Flag parsing shared by every subcommand: `node:util` `parseArgs` in strict mode, the
 * backend flags every command takes, and number checks that turn bad input into a
 * {@link UsageError} naming the flag and pointing at the command's help.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../lib/errors.ts";
import {
  checkConnectOptions,
  connect,
  connectToLook,
  DEFAULT_CONNECT_TIMEOUT_MS,
  type LookOptions,
} from "../lib/backend/connect.ts";
import { MAX_DURATION_MS, secondsOrDurationMs } from "../lib/duration.ts";
import type { Backend } from "../lib/backend/types.ts";
import { variable } from "../lib/environment.ts";
import { shellWord, writeLine } from "./output.ts";
import { errorLine } from "./report.ts";

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

/** How every duration flag (S in the usages) is written; ends {@link BACKEND_FLAGS_HELP}. */
export const DURATIONS_HELP =
  "Durations (S): seconds (30, 0.5) or with units ms, s, m, h, d, each once (30s, 1h30m, 500ms,\n" +
  "7d); timeouts, leases and waits at most 24 days.";

/** Help text lines for {@link BACKEND_FLAGS}, shared by every command's usage. */
export const BACKEND_FLAGS_HELP = `Backend options:
  --url URL              sqlite:PATH, sqlite::memory:, redis://…, rediss://…,
                         redis+cluster://h:p,h:p, redis+sentinel://h:p/MASTER,
                         postgres://user@host[:port]/db, a Unix socket as
                         postgres://user@%2Fdir[:port]/db or postgres://user@/db?host=/dir
                         (default: $COORD_URL, else $XDG_STATE_HOME/coord/coord.db,
                         else ~/.local/state/coord/coord.db)
  --namespace NS         key prefix separating tenants (default: $COORD_NAMESPACE, else coord)
  --connect-timeout S    give up connecting, or on a reply, after S seconds
                         (default: $COORD_CONNECT_TIMEOUT, else 5)

${DURATIONS_HELP}`;

/** What {@link parseFlags} returns. */
export interface Parsed<V> {
  values: V;
  positionals: string[];
  /** Arguments after a `--`, untouched (a command's; else none). */
  rest: string[];
}

/**
 * Parses `argv` strictly against `options`. Arguments after `--` are never read as flags: for a
 * command that runs one (`{ takesCommand: true }`) they are kept apart in `rest`; for the others
 * they are positionals, as POSIX tools read `--` (`coord queue show -- -odd/1`). (`-h/--help` never
 * gets here: `main.ts` answers it for every command.)
 *
 * @throws {UsageError} on an unknown flag, a missing flag value, or a positional where none
 * is allowed, with a pointer to `coord COMMAND --help`.
 */
export function parseFlags<O extends Options>(
  command: string,
  argv: string[],
  options: O,
  { takesCommand = false, nameAfterDashDash }: ParseFlagsOptions = {},
): Parsed<ReturnType<typeof parseArgs<{ options: O; strict: true }>>["values"]> {
  const dashDash = argv.indexOf("--");
  const head = joinNegativeValues(dashDash < 0 ? argv : argv.slice(0, dashDash), options);
  const after = dashDash < 0 ? [] : argv.slice(dashDash + 1);
  // parseArgs reads a positional "-1" as an unknown option: each stands in as "\0I" (no
  // argument can hold NUL) and comes back as itself, for the positional's own check to name.
  const negatives = new Map<string, string>();
  const args = head.map((arg, i) => {
    if (!NEGATIVE_NUMBER.test(arg)) return arg;
    negatives.set(`\0${i}`, arg);
    return `\0${i}`;
  });
  try {
    const { values, positionals, tokens } = parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
    refuseTwoValues(tokens, options);
    const named = positionals.map((p) => negatives.get(p) ?? p);
    return takesCommand
      ? { values, positionals: named, rest: after }
      : { values, positionals: [...named, ...after], rest: [] };
  } catch (e) {
    const typed = unknownSingleDash(e, args, options);
    // parseArgs names one letter of a group (`-o` of `-odd`): the line names what was typed.
    const problem = typed !== undefined
      ? `unknown option ${JSON.stringify(typed)}`
      : dashedValue(e, args, options) ?? (e instanceof Error ? tidy(e.message) : String(e));
    const name = nameAfterDashDash && typed;
    // Said only for a single dash: "--wiat" is a mistyped flag, "-x" may as well be a name.
    throw usage(
      command,
      name
        ? `${problem} (a name starting with - goes after --: ${nameAfterDashDash(name)})`
        : problem,
    );
  }
}

/** Options of {@link parseFlags}. */
export interface ParseFlagsOptions {
  /** Whether arguments after `--` are a command to run, kept apart in `rest`. */
  takesCommand?: boolean;
  /**
   * For a command taking names: how a name starting with `-` is written (after `--`), given the
   * argument read as an unknown option (`-x` → `coord turn status -- -x`), for its message to
   * show the way out.
   */
  nameAfterDashDash?: (name: string) => string;
}

/**
 * The argument parseArgs refused as an unknown option (`-xy` whole, not its `-x`), when it
 * starts with a single `-`; else undefined.
 */
function unknownSingleDash(error: unknown, args: string[], options: Options): string | undefined {
  if ((error as { code?: unknown })?.code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION") return undefined;
  const { tokens } = parseArgs({
    args,
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const unknown = tokens.find((t) => t.kind === "option" && !Object.hasOwn(options, t.name));
  const arg = unknown === undefined ? undefined : args[unknown.index];
  return arg !== undefined && /^-[^-]/.test(arg) ? arg : undefined;
}

/**
 * A flag's value that starts with `-` (`--label -x`, or `--wait --json` with the value left out):
 * parseArgs calls it "ambiguous", and its way out — write `--label=-x` — is in a sentence of
 * its message that {@link tidy} drops. Said in coord's words; undefined for any other error.
 */
function dashedValue(error: unknown, args: string[], options: Options): string | undefined {
  const message = error instanceof Error ? error.message : "";
  const given = /^Option '(-[^']+)' argument is ambiguous/.exec(message)?.[1];
  if ((error as { code?: unknown })?.code !== "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" || !given) {
    return undefined;
  }
  const at = args.findIndex((arg, i) => arg === given && args[i + 1]?.startsWith("-"));
  const name = flagName(given, options);
  if (at < 0 || name === undefined) return undefined;
  const value = args[at + 1];
  return `--${name} takes a value, and ${JSON.stringify(value)} starts with - — write ` +
    `--${name}=${shellWord(value)} if that is it`;
}

/**
 * A flag that takes one value, given two (`purge --state completed --state failed`): parseArgs
 * keeps the last, so the first would be dropped without a word. The same value twice is one.
 */
function refuseTwoValues(
  tokens: { kind: string; name?: string; value?: string }[],
  options: Options,
): void {
  const seen = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind !== "option" || token.value === undefined) continue;
    const name = token.name!;
    if (options[name]?.multiple) continue;
    const earlier = seen.get(name);
    if (earlier !== undefined && earlier !== token.value) {
      throw new Error(`--${name} is given twice, with two values: give it once`);
    }
    seen.set(name, token.value);
  }
}

/**
 * Refuses a command written without `--` before it (`coord lock RES sh -c '…'`, as flock takes
 * it): parseArgs would otherwise complain about the command's own options (`-c`), which says
 * nothing about the way out. `names` is how many positionals come before the command, and
 * `synopsis` how the command line starts (`coord lock RES [options]`).
 *
 * @throws {UsageError} saying to put the command after `--`.
 */
export function requireDashDash(
  command: string,
  argv: string[],
  options: Options,
  names: number,
  synopsis: string,
): void {
  if (argv.includes("--")) return;
  const tokens = looseTokens(argv, options);
  const start = tokens.filter((t) => t.kind === "positional")[names];
  if (start === undefined) return;
  const program = JSON.stringify(start.value);
  throw usage(command, `put the command after --: ${synopsis} -- ${program.slice(1, -1)} …`);
}

/**
 * Refuses a verb written after options (`coord barrier --url … abort 2`): options go after the
 * verb, as they go after the command's name, and a command that reads a name or a file where the
 * verb goes (`coord barrier NAME N`, `coord schedule FILE`) would otherwise take the verb for
 * one — waiting at a barrier named "abort", or reading a task file named "status". Only the
 * first word that is neither an option nor an option's value (in `options`) counts, and only
 * before `--`: after it, a name is a name. `named` says how a name that is also a verb is
 * written (`{ what: "a barrier", verb: "wait" }`: `coord barrier wait abort …`), since the
 * word may have been meant as one. The message does not repeat the options' values: a URL may
 * hold a password.
 *
 * @throws {UsageError} saying where the options go.
 * @example
 * ```ts
 * import { refuseVerbAfterOptions } from "./flags.ts";
 * const options = { url: { type: "string" } } as const;
 * try {
 *   refuseVerbAfterOptions("barrier", ["--url", "redis://h", "abort", "2"], options, ["abort"], {
 *     what: "a barrier",
 *     verb: "wait",
 *   });
 * } catch (e) {
 *   console.log((e as Error).message);
 *   // options go after the verb: coord barrier abort --url … (not coord barrier --url … abort);
 *   // for a barrier named "abort": coord barrier wait abort … — see coord barrier --help
 * }
 * ```
 */
export function refuseVerbAfterOptions(
  command: string,
  argv: string[],
  options: Options,
  verbs: readonly string[],
  named?: { what: string; verb: string },
): void {
  const found = verbAfterOptions(argv, options, verbs);
  if (found === undefined) return;
  const { verb, option } = found;
  throw usage(
    command,
    `options go after the verb: coord ${command} ${verb} ${option} … ` +
      `(not coord ${command} ${option} … ${verb})` +
      (named
        ? `; for ${named.what} named "${verb}": coord ${command} ${named.verb} ${verb} …`
        : ""),
  );
}

/**
 * The error for a command of verbs only (`coord queue`, `coord turn`) whose first word is no
 * verb but an option, or that has none: where the options go when a verb follows them (see
 * {@link refuseVerbAfterOptions}), else which verbs there are.
 *
 * @example
 * ```ts
 * import { missingVerb } from "./flags.ts";
 * missingVerb("turn", ["--json"], ["status", "follow", "reset"]).message;
 * // missing one of status, follow, reset (options go after it) — see coord turn --help
 * ```
 */
export function missingVerb(command: string, argv: string[], verbs: readonly string[]): UsageError {
  // Every verb takes these: what else an option before the verb takes is the verb's to say.
  refuseVerbAfterOptions(command, argv, { ...BACKEND_FLAGS, ...OUTPUT_FLAGS }, verbs);
  return usage(
    command,
    `missing one of ${verbs.join(", ")}${argv.length === 0 ? "" : " (options go after it)"}`,
  );
}

/**
 * The verb in `argv`'s first word that is neither an option nor an option's value, and the
 * option before it as written (`--url`, without its value); undefined when that word is no verb,
 * comes after `--` or first, or follows an option `options` does not know, which may take it as
 * its value: then which word is the verb is a guess.
 */
function verbAfterOptions(
  argv: string[],
  options: Options,
  verbs: readonly string[],
): { verb: string; option: string } | undefined {
  const tokens = looseTokens(argv, options);
  const at = tokens.findIndex((token) => token.kind !== "option");
  const [first, before, word] = [tokens[0], tokens[at - 1], tokens[at]];
  if (at < 1 || first.kind !== "option" || word.kind !== "positional") return undefined;
  if (!verbs.includes(word.value)) return undefined;
  if (
    before.kind === "option" && !Object.hasOwn(options, before.name) && !before.inlineValue
  ) return undefined;
  return { verb: word.value, option: first.rawName };
}

/** `-1`, `-0.5`, `-.5`: never one of coord's flags, which are letters. */
const NEGATIVE_NUMBER = /^-[\d.]/;

/**
 * `--wait -1` would be "ambiguous" to parseArgs (a value that looks like an option): joined as
 * `--wait=-1`, it reaches the flag's own check, which says what the flag takes.
 */
function joinNegativeValues(args: string[], options: Options): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = flagName(args[i], options);
    const next = args[i + 1];
    if (
      name && options[name]?.type === "string" && next !== undefined && NEGATIVE_NUMBER.test(next)
    ) {
      joined.push(`--${name}=${next}`);
      i++;
    } else {
      joined.push(args[i]);
    }
  }
  return joined;
}

/** The long name of the flag `arg` spells (`--wait`, or `-w` for a flag with that short form). */
function flagName(arg: string, options: Options): string | undefined {
  return arg.startsWith("--")
    ? arg.slice(2)
    : Object.keys(options).find((name) => `-${options[name].short}` === arg);
}

/** A {@link UsageError} that ends with the way to the command's help. */
export function usage(command: string, problem: string): UsageError {
  return new UsageError(`${problem} — see coord ${command ? `${command} ` : ""}--help`);
}

/** node's messages carry hints written for programmers ("To specify a positional…"). */
function tidy(message: string): string {
  const sentence = message.split(/\.\s/)[0].replace(/\.$/, "").replaceAll("'", '"');
  // Lower-case as every other coord message ("Unknown option" → "unknown option").
  return sentence.charAt(0).toLowerCase() + sentence.slice(1);
}

/**
 * Reads a duration flag, given in seconds (fractions allowed) or with units as crontab lines
 * take them (`30s`, `2m`, `500ms`), as milliseconds. `maxMs` defaults to
 * {@link MAX_DURATION_MS} (24 days: the longest a timer waits); a duration that is only
 * stored, never waited on with one timer, may allow more. `minMs` (default 0): a lease, which
 * must outlast a few round trips; `positive`: 0 is refused too (a period to re-check in).
 * Every refusal names the flag and its real bounds, before the library sees the value; `name`
 * is what it names instead of `--FLAG`, when the value came from elsewhere (a variable).
 *
 * @throws {UsageError} naming the flag when it is neither, or is out of that range.
 */
export function secondsFlag(
  command: string,
  flag: string,
  text: string | undefined,
  defaultMs: number,
  { minMs = 0, maxMs = MAX_DURATION_MS, positive = false, name = `--${flag}` }: {
    minMs?: number;
    maxMs?: number;
    positive?: boolean;
    name?: string;
  } = {},
): number {
  if (text === undefined) return defaultMs;
  const floor = minMs > 0 ? `≥ ${minMs / 1000}` : positive ? "> 0" : "≥ 0";
  const ms = secondsOrDurationMs(text);
  if (ms === undefined) {
    throw usage(
      command,
      `${name} takes seconds ${floor} (30, 0.5) or a duration (30s, 2m, 1h30m, 500ms, 7d: ` +
        `units ms, s, m, h, d, each unit once), got "${text}"`,
    );
  }
  if (ms < minMs) {
    throw usage(command, `${name} must be at least ${minMs / 1000} s, got "${text}"`);
  }
  if (positive && ms === 0) throw usage(command, `${name} must be more than 0, got "${text}"`);
  if (ms > maxMs) {
    const days = Math.floor(maxMs / 86_400_000);
    throw usage(command, `${name} must be at most ${days} days (${maxMs} ms), got "${text}"`);
  }
  return ms;
}

/**
 * Reads a positive whole number (a participant count, a limit).
 *
 * @throws {UsageError} when it is not an integer ≥ 1.
 */
export function countArg(command: string, what: string, text: string | undefined): number {
  if (text === undefined) throw usage(command, `missing ${what}`);
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) {
    throw usage(command, `${what} must be a whole number ≥ 1, got "${text}"`);
  }
  return n;
}

/** Where `--connect-timeout` is read from when not given. */
const CONNECT_TIMEOUT_VARIABLE = "COORD_CONNECT_TIMEOUT";

/**
 * Opens the backend the backend flags (or the environment) name. A command that only looks, or
 * acts only on what it finds there first (a job to cancel, a queue to resume), passes
 * `{ create: false }`: where nothing is stored yet (no SQLite file, no Postgres schema) it then
 * reads an empty store and creates none; where something is, it opens the store itself. Such a
 * command that only reads is `readOnly` (the default with `create: false`): on Postgres a role
 * granted only SELECT may run it; one that writes there passes `readOnly: false`. A look may
 * also report what opening would refuse (see {@link LookOptions}). `signal` gives the opening
 * up (see `ConnectOptions.signal`). A SQLite file another process holds locked is waited for
 * until it is released, or for `lockedWaitMs` (a waiter's deadline), saying so on stderr once
 * it has waited a second (unless `--quiet`): a command that seems to hang says why.
 */
export function openBackend(
  command: string,
  values: BackendFlagValues,
  { create = true, readOnly = !create, signal, lockedWaitMs, ...look }: LookOptions & {
    create?: boolean;
    signal?: AbortSignal;
    lockedWaitMs?: number;
  } = {},
): Promise<Backend> {
  const options = {
    ...connectOptions(command, values),
    signal,
    lockedWaitMs,
    onLocked: (message: string) => {
      if (!values.quiet) writeLine(errorLine(message), Deno.stderr);
    },
  };
  return create ? connect(options) : connectToLook(options, { readOnly, ...look });
}

/**
 * Checks the backend flags (and the variables they fall back to) as {@link openBackend} does,
 * opening nothing: a command that needs no backend takes them as every command does, and
 * refuses the same slips (`--url ""`, `--namespace ""`).
 *
 * @throws {UsageError} on a malformed URL, namespace or connect timeout.
 * @example
 * ```ts
 * import { checkBackendFlags } from "./flags.ts";
 * checkBackendFlags("schedule", { url: "sqlite::memory:" }); // fine; nothing is opened
 * ```
 */
export function checkBackendFlags(command: string, values: BackendFlagValues): void {
  checkConnectOptions(connectOptions(command, values));
}

/** The values of {@link BACKEND_FLAGS}. */
type BackendFlagValues = {
  url?: string;
  namespace?: string;
  "connect-timeout"?: string;
  /** `--quiet`, for the commands that take it: no notice that the open waits. */
  quiet?: boolean;
};

/** What `connect` takes for the backend flags `values`. */
function connectOptions(command: string, values: BackendFlagValues) {
  const flag = values["connect-timeout"];
  const connectTimeoutMs = secondsFlag(
    command,
    "connect-timeout",
    flag ?? variable(CONNECT_TIMEOUT_VARIABLE),
    DEFAULT_CONNECT_TIMEOUT_MS,
    { positive: true, ...(flag === undefined && { name: CONNECT_TIMEOUT_VARIABLE }) },
  );
  return { url: values.url, namespace: values.namespace, connectTimeoutMs };
}

/**
 * A `--url` naming a coord backend written after `--`, where it is the command's, while coord
 * itself was given none (nor `COORD_URL`): a job put, or a lock taken, then went to the
 * default backend. Other programs
 * take a `--url` or `--namespace` of their own (curl, kubectl), so only a coord URL counts,
 * and a command that runs coord is given its own flags on purpose.
 *
 * @example
 * ```ts
 * import { strayUrl } from "./flags.ts";
 * strayUrl({}, ["./job.sh", "--url", "redis://db:6379"]); // true (unless COORD_URL is set)
 * ```
 */
export function strayUrl(values: { url?: string }, command: string[]): boolean {
  if (values.url !== undefined || variable("COORD_URL") !== undefined) return false;
  if (command.length === 0 || /(^|\/)coord$/.test(command[0])) return false;
  const given = command.flatMap((arg, i) =>
    arg === "--url" ? [command[i + 1] ?? ""] : arg.startsWith("--url=") ? [arg.slice(6)] : []
  );
  return given.some((url) => COORD_URL.test(url));
}

/** How a coord backend URL starts. */
const COORD_URL = /^(redis(s|\+cluster|\+sentinel)?:\/\/|sqlite:|postgres(ql)?:\/\/)/;

/** `argv`'s options and positionals as `options` reads them, unknown options kept as they come. */
function looseTokens(argv: string[], options: Options) {
  return parseArgs({
    args: joinNegativeValues(argv, options),
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  }).tokens;
}
