/**
 * The crontab-style task file, for shell users: one task a line, a schedule, options, then a
 * shell command.
 *
 * ```
 * 0 3 * * *        name=rotate  /usr/local/bin/rotate-logs
 * @every 30s       ./sync.sh
 * @hourly TZ=UTC   ./report.sh
 * ```
 *
 * Options are lower-case `key=value` words between the schedule and the command (plus `TZ=`);
 * any other `NAME=value` word starts the command, as a shell variable assignment does.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { UsageError } from "../errors.ts";
import type { CatchUp, ExecutionMode, FailureMode, Overlap, TaskOptions } from "./task.ts";
import { CATCH_UP_POLICIES, defineTask, EXECUTION_MODES, FAILURE_MODES, OVERLAPS } from "./task.ts";
import { MAX_DURATION_MS } from "../duration.ts";
import { MIN_LEASE_MS } from "../lease.ts";
import { NICKNAME_FIELDS, parseDuration, tooLong, tooShort } from "./timing.ts";
import { firstUnparsable } from "./shell_syntax.ts";

/** One task line: the task's options and its shell command. */
export interface CrontabTask {
  options: TaskOptions;
  command: string;
  /** Where it was written, 1-based. */
  line: number;
}

/**
 * The options a line may carry, and the task option each one sets. Each checks its own value,
 * so that an error names the line's key (`mode=`), not the task option it sets (`executionMode`).
 */
const LINE_OPTIONS: Record<string, (value: string, options: TaskOptions) => void> = {
  name: (value, o) => {
    // An empty name= is a slip, not a request for the derived one.
    if (value === "") throw new UsageError(`name= is empty — give the task a name`);
    o.name = value;
  },
  TZ: (value, o) => (o.timezone = value),
  mode: (value, o) => (o.executionMode = oneOf("mode", value, EXECUTION_MODES) as ExecutionMode),
  failure: (value, o) => (o.failureMode = oneOf("failure", value, FAILURE_MODES) as FailureMode),
  lease: (value, o) => (o.lease = duration("lease", value, MAX_DURATION_MS, MIN_LEASE_MS)),
  retry: (value, o) => (o.retryDelay = duration("retry", value)),
  overlap: (value, o) => (o.overlap = oneOf("overlap", value, OVERLAPS) as Overlap),
  timeout: (value, o) => (o.timeout = duration("timeout", value)),
  "fast-forward": (value, o) => (o.fastForward = yesNo("fast-forward", value)),
  "catch-up": (value, o) => {
    const within = /^within=(.*)$/.exec(value);
    o.catchUp = within
      // A window ticks are compared with, never waited on: no bound.
      ? { within: duration("catch-up=within", within[1], Infinity) }
      : oneOf("catch-up", value, [...CATCH_UP_POLICIES, "within=DURATION"]) as CatchUp;
  },
  "max-retries": (value, o) => (o.maxRetries = wholeNumber("max-retries", value)),
  seconds: (value, o) => {
    if (value !== "first" && value !== "last") {
      throw new UsageError(`seconds=${value}: use first or last`);
    }
    o.secondsField = value;
  },
};

/** The line options that only say how an at-least-once task's tick is leased and run again. */
const AT_LEAST_ONCE_LINE_OPTIONS = ["failure", "lease", "retry", "max-retries", "overlap"];

/** The nicknames a line's schedule may be; `@every DURATION` is read by coord as well. */
export const NICKNAMES: readonly string[] = Object.keys(NICKNAME_FIELDS);
/** A cron field: numbers, ranges, steps, lists, `*`, `?`, Quartz's `L`, `W`, `#`. */
const CRON_FIELD = /^[0-9*?/,\-LW#]+$/;
/** Day-of-week names may stand in the last field of a 5- or 6-field expression. */
const DAY_NAMES = /^(mon|tue|wed|thu|fri|sat|sun)([,-](mon|tue|wed|thu|fri|sat|sun))*$/i;

/**
 * Reads a crontab-style task file, starting no process: every problem but a command sh cannot
 * parse (which {@link refuseUnparsableCommands} finds) is reported here, before anything runs.
 *
 * @throws {UsageError} naming the file, the line and what is wrong.
 * @example
 * ```ts
 * import { parseCrontab } from "./crontab.ts";
 * const [task] = parseCrontab("jobs.cron", "@every 30s  name=sync  ./sync.sh\n");
 * task.options; // { name: "sync", cron: "@every 30s" }
 * task.command; // "./sync.sh"
 * ```
 */
export function parseCrontab(file: string, text: string): CrontabTask[] {
  const tasks: CrontabTask[] = [];
  const names = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.replace(/^[ \t]+|[ \t]+$/g, "");
    if (trimmed === "" || trimmed.startsWith("#")) return;
    try {
      refuseLineSeparators(trimmed);
      const task = parseLine(trimmed, line);
      const clash = names.get(task.options.name);
      if (clash !== undefined) {
        throw new UsageError(
          `task name "${task.options.name}" is taken by line ${clash} — add name=`,
        );
      }
      names.set(task.options.name, line);
      defineTask(task.options, () => {});
      tasks.push(task);
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`${file}:${line}: ${e.message}`);
      throw e;
    }
  });
  return tasks;
}

/**
 * Refuses the first of a crontab-style file's tasks whose command sh cannot parse (an
 * unterminated quote, a stray `)`): it would fail at every tick, found out at the first. Starts
 * one sh for all the commands, which parses each as the run's `sh -c` will, and runs none (see
 * {@link firstUnparsable}).
 *
 * @throws {UsageError} naming the file, the line and sh's words.
 * @example
 * ```ts
 * import { parseCrontab, refuseUnparsableCommands } from "./crontab.ts";
 * const tasks = parseCrontab("jobs.cron", "@hourly echo 'unterminated\n");
 * await refuseUnparsableCommands("jobs.cron", tasks); // throws: jobs.cron:1: sh cannot parse…
 * ```
 */
export async function refuseUnparsableCommands(
  file: string,
  tasks: readonly CrontabTask[],
): Promise<void> {
  const found = await firstUnparsable(tasks.map((task) => task.command));
  if (found === undefined) return;
  throw new UsageError(
    `${file}:${tasks[found.index].line}: sh cannot parse the command (${found.said}) — it ` +
      `would fail at every tick`,
  );
}

/**
 * A line's words, split as cron splits them: at spaces and tabs only. JavaScript's `\s` also
 * splits at U+00A0, U+2028, U+3000…, which sh and cron take as part of a word: a command holding
 * one would be cut in two.
 */
const WORD = /[^ \t]+/g;

/**
 * Refuses U+2028 and U+2029 outside a quoted part of the line: an editor may show either as a
 * line break, where cron and sh read one long line. Inside quotes they are the command's text.
 */
function refuseLineSeparators(text: string): void {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === undefined && (c === "\u2028" || c === "\u2029")) {
      throw new UsageError(
        `${codePoint(c)}, a line separator, outside quotes: ` +
          `cron reads one line where an editor may show two — end the line with a newline, ` +
          `or quote it`,
      );
    }
    if (c === "\\" && quote !== "'") i++; // an escaped character, as sh reads one
    else if (quote === undefined && (c === "'" || c === '"')) quote = c;
    else if (c === quote) quote = undefined;
  }
}

/** `c` as Unicode names it: U+00A0. */
function codePoint(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

function parseLine(text: string, line: number): CrontabTask {
  const words = [...text.matchAll(WORD)];
  let next = 0;
  let cron: string;
  const first = words[0][0];
  // cron's environment lines: coord runs each command with coord's own environment.
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(first) && words.length === 1) {
    throw new UsageError(
      `${first.split("=")[0]}= lines are not read (cron's environment lines) — write ` +
        `VAR=value before the command instead`,
    );
  }
  if (first === "@every") {
    if (words.length < 2) throw new UsageError(`@every needs a duration, e.g. @every 30s`);
    cron = `@every ${words[1][0]}`;
    next = 2;
  } else if (first.startsWith("@")) {
    if (!NICKNAMES.includes(first)) {
      throw new UsageError(`${first} is not a schedule — use ${NICKNAMES.join(" ")} or @every`);
    }
    cron = first;
    next = 1;
  } else {
    while (next < words.length && next < 6 && isField(words[next][0], next)) next++;
    if (next < 5) {
      const start = words.slice(0, 6).map((w) => w[0]).join(" ");
      // A no-break or other Unicode space looks like a space, but cron splits at none.
      const space = /[^\S \t]/.exec(start)?.[0];
      throw new UsageError(
        `"${start}" does not start with a schedule — ` +
          (space === undefined ? "" : `it holds ${codePoint(space)}, a space cron does not ` +
            `split at; `) +
          `give 5 or 6 cron fields, @hourly… or @every DURATION`,
      );
    }
    cron = words.slice(0, next).map((w) => w[0]).join(" ");
    // A 7th field (Quartz' year) would become the command's first word: sh would expand a *.
    if (next === 6 && next < words.length && CRON_FIELD.test(words[next][0])) {
      throw new UsageError(`"${cron} ${words[next][0]}" has 7 fields — coord reads 5 or 6`);
    }
  }
  const schedule = cron;
  const options: TaskOptions = { name: "", cron };
  const given = new Set<string>();
  for (; next < words.length; next++) {
    const option = /^([a-z][a-z-]*|TZ)=(.*)$/.exec(words[next][0]);
    if (!option) break;
    const [, key, value] = option;
    const set = LINE_OPTIONS[key];
    if (!set) {
      throw new UsageError(
        `unknown option ${key}= — use ${Object.keys(LINE_OPTIONS).map((k) => `${k}=`).join(" ")}`,
      );
    }
    // Which of two would count is a guess the reader should not have to make.
    if (given.has(key)) throw new UsageError(`${key}= is given twice — keep one`);
    given.add(key);
    set(value, options);
  }
  const unused = options.executionMode !== undefined &&
    options.executionMode !== "at-least-once" &&
    AT_LEAST_ONCE_LINE_OPTIONS.find((key) => given.has(key));
  if (unused) {
    throw new UsageError(
      `${unused}= applies to mode=at-least-once only: with mode=${options.executionMode} a ` +
        `tick is never run again` +
        (unused === "overlap" ? ` and runs overlap (for one at a time: mode=at-least-once)` : ""),
    );
  }
  if (options.fastForward && options.catchUp !== undefined && options.catchUp !== "latest") {
    throw new UsageError(`fast-forward=yes means catch-up=latest: leave one out`);
  }
  if (next >= words.length) throw new UsageError(`no command after the schedule "${cron}"`);
  // The line is trimmed already: the command runs to its end.
  const command = text.slice(words[next].index);
  if (!options.name) options.name = derivedName(schedule, command);
  return { options, command, line };
}

/** Field 6 may be a command rather than seconds-first's last field: only cron-like words count. */
function isField(word: string, index: number): boolean {
  return CRON_FIELD.test(word) || (index >= 4 && DAY_NAMES.test(word)) ||
    (index < 5 && /^[A-Za-z0-9*?/,\-LW#]+$/.test(word));
}

/**
 * A name that stays the same while the schedule and command do (options and spacing may
 * change): the command's program and a short hash.
 */
function derivedName(schedule: string, command: string): string {
  const words = command.split(/[ \t]+/);
  const first = words.find((word) => !/^[A-Za-z_]\w*=/.test(word)) ?? "task";
  const program = first.split("/").pop()!.replace(/[^\w.-]/g, "") || "task";
  const hash = createHash("sha1").update(`${schedule.trim()} ${command}`).digest("hex");
  return `${program}-${hash.slice(0, 6)}`;
}

function oneOf(option: string, value: string, allowed: readonly string[]): string {
  if (allowed.includes(value)) return value;
  throw new UsageError(
    `${option}=${value}: use ${allowed.slice(0, -1).join(", ")} or ${allowed.at(-1)}`,
  );
}

/**
 * `value` when it is a duration of at most `maxMs`: by default the longest coord waits with a
 * timer (a lease, a retry's delay, a timeout; a longer one would fire at once); and of at least
 * `minMs` (a lease's shortest).
 */
function duration(option: string, value: string, maxMs = MAX_DURATION_MS, minMs = 0): string {
  let ms;
  try {
    ms = parseDuration(value, option);
  } catch {
    throw new UsageError(
      `${option}=${value}: use a duration, e.g. 30s, 5m, 1h30m, 250ms, 7d (units ms, s, m, h, d, ` +
        "each once)",
    );
  }
  if (ms > maxMs) throw new UsageError(`${option}=${value} ${tooLong(maxMs)}`);
  if (ms < minMs) throw new UsageError(`${option}=${value} ${tooShort(minMs)}`);
  return value;
}

function wholeNumber(option: string, value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${option}=${value}: use a whole number from 0 to 2^53-1`);
  }
  return Number(value);
}

function yesNo(option: string, value: string): boolean {
  if (/^(yes|true|1|on)$/i.test(value)) return true;
  if (/^(no|false|0|off)$/i.test(value)) return false;
  throw new UsageError(`${option}=${value}: use yes or no`);
}
