/**
 * The `coord` command: argv → one of `commands/*`, loaded lazily so `coord --help` and the
 * SQLite paths never load the Redis client.
 *
 * @module
 */

import type { Command } from "./commands/command.ts";
import { reportError } from "./commands/report.ts";
import { usage } from "./commands/flags.ts";
import { ExitCode } from "./lib/errors.ts";
import { VERSION } from "./lib/version.ts";

interface Entry {
  summary: string;
  load(): Promise<Command>;
}

const COMMANDS: Record<string, Entry> = {
  barrier: {
    summary: "wait until N participants arrive, then all continue at one instant",
    load: async () => (await import("./commands/barrier.ts")).barrierCommand,
  },
  lock: {
    summary: "run a command under a fair (FIFO) lock",
    load: async () => (await import("./commands/lock.ts")).lockCommand,
  },
  turn: {
    summary: "inspect, follow and reset lock queues",
    load: async () => (await import("./commands/turn.ts")).turnCommand,
  },
  schedule: {
    summary: "run cron/interval tasks once per tick across instances",
    load: async () => (await import("./commands/schedule.ts")).scheduleCommand,
  },
  queue: {
    summary: "a durable job queue: delayed, parallel and serial jobs",
    load: async () => (await import("./commands/queue.ts")).queueCommand,
  },
  ui: {
    summary: "a live web console with the CLI's actions, /metrics and /health",
    load: async () => (await import("./commands/ui.ts")).uiCommand,
  },
  doctor: {
    summary: "check the backend: version, round trip, clock offset, foreign data",
    load: async () => (await import("./commands/doctor.ts")).doctor,
  },
};

const HELP =
  `coord ${VERSION} — coordinate shell scripts, CI jobs and services through Redis, PostgreSQL or SQLite

Usage: coord COMMAND [ARGS…] [OPTIONS]

Commands:
${
    Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(10)}${summary}`).join(
      "\n",
    )
  }
  help      show a command's usage: coord help COMMAND

Options every command takes:
  --url URL              backend (default: $COORD_URL, else $XDG_STATE_HOME/coord/coord.db,
                         else ~/.local/state/coord/coord.db)
  --namespace NS         key prefix (default: $COORD_NAMESPACE, else coord)
  --connect-timeout S    give up connecting, or on a reply, after S seconds
                         (default: $COORD_CONNECT_TIMEOUT, else 5)
  -h, --help             this text, or a command's usage
  -V, --version          print the version

Exit codes: 0 ok · 1 a command's "no" (see its --help) · 64 usage · 65 foreign data
            69 backend unavailable · 70 internal · 75 timed out, aborted or refused · 76 too late
            128+N stopped by signal N · lock run: CMD's own status

Example:
  coord doctor --url redis://127.0.0.1:6379`;

const isHelp = (arg: string) => arg === "-h" || arg === "--help";

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    console.error(HELP);
    return ExitCode.usage;
  }
  if (isHelp(name)) return print(HELP);
  if (name === "-V" || name === "--version" || name === "version") return print(VERSION);
  if (name === "help") {
    // `help` is listed among the commands, so `coord help help` is answered too.
    if (rest[0] === undefined || rest[0] === "help") return print(HELP);
    return print((await find(rest[0]).load()).usage);
  }
  if (name.startsWith("-")) throw optionBeforeCommand(name, rest);
  const command = await find(name).load();
  const beforeDashDash = rest.includes("--") ? rest.slice(0, rest.indexOf("--")) : rest;
  if (beforeDashDash.some(isHelp)) return print(command.usage);
  return await command.run(rest);
}

function find(name: string): Entry {
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    throw usage("", `unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(", ")}`);
  }
  return entry;
}

/**
 * `coord --url … lock x -- true`: options go after the command's name. The message shows where,
 * without repeating values (a URL may hold a password).
 */
function optionBeforeCommand(option: string, rest: string[]): Error {
  const name = rest.find((arg) => Object.hasOwn(COMMANDS, arg));
  const flag = option.split("=")[0];
  return usage(
    name ?? "",
    name === undefined
      ? `unknown option "${flag}" before the command; commands: ${Object.keys(COMMANDS).join(", ")}`
      : `options go after the command's name: coord ${name} ${flag} … (not coord ${flag} … ${name})`,
  );
}

function print(text: string): number {
  console.log(text);
  return ExitCode.ok;
}

if (import.meta.main) {
  try {
    Deno.exitCode = await main(Deno.args);
  } catch (error) {
    Deno.exitCode = reportError(error);
  }
}
