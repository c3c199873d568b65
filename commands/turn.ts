/**
 * `coord turn status|follow|reset`: the console of `coord lock`'s queues, and how it words
 * them (turn's console script's table and event lines).
 *
 * @module
 */

import { START_OUTAGE_MS } from "../lib/backend/await_backend.ts";
import { formatDuration } from "../lib/duration.ts";
import { ExitCode, ForeignDataError } from "../lib/errors.ts";
import { checkNames, foreignName } from "../lib/backend/keys.ts";
import {
  followTicketLines,
  resetTicketLine,
  statusRecord,
  ticketLines,
} from "../lib/lock/console.ts";
import type { LockEvent, TicketLine } from "../lib/lock/steps.ts";
import type { Command } from "./command.ts";
import {
  BACKEND_FLAGS,
  BACKEND_FLAGS_HELP,
  missingVerb,
  openBackend,
  parseFlags,
  usage,
} from "./flags.ts";
import { printable, printableJson, shellWord, writeLine } from "./output.ts";
import { padColumns, textWidth } from "./text_width.ts";
import { openServiceBackend } from "./open_waiting.ts";
import { errorLine, reportForeign } from "./report.ts";
import { withSignals } from "./signals.ts";

const USAGE = `Usage: coord turn status [RES…] [--json]
       coord turn follow [RES…]
       coord turn reset [RES…] [--force]

The console of coord lock's queues, as turn's console script: what each one holds, what
happens to them, and removing one that is no longer used. Without RES: every queue in the
namespace.

  status   per queue, the indicator (whose turn it is), then each live user's label and
           ticket in ticket order — the first --limit of them hold the lock:
               deploy                                                     5
               ------------------------------------------------------------
               ci@runner-3 pid 812                                        5
               ana@laptop pid 4242                                        6
           --json: one object per queue and line: {"resource","indicator","tickets","limit",
           "holders","waiters","users":[{"ticket","label","since","granted_at"}]}
           (holders, waiters: tickets; since, granted_at: epoch ms in the backend's clock,
           granted_at null while waiting)
  follow   one line per event as it happens, until SIGINT, SIGTERM or SIGHUP (then exits
           0); without RES also the queues created later:
               deploy: 6 assigned to "LABEL"    deploy: 6 granted    deploy: 6 started
               deploy: 6 completed by "LABEL"
               deploy: 6 left ("LABEL")          gave up waiting
               deploy: 6 crashed! ("LABEL")      its lease ran out
               deploy: bumps from 5 to 7         the indicator skipped tickets that left
               deploy: reset
           A ticket's events come in this order: assigned, granted, started, then completed,
           left or crashed; a release comes before the grant it causes ("5 completed by …",
           "6 granted", "6 started"). started is recorded by the waiter's check that finds
           its ticket granted, else by the holder's first renewal (within a third of its
           --expire) or, when it ends sooner, by its release; a holder that dies before any
           of these has none. A RES holding foreign data exits 65 at once, as status does.
           A backend that cannot be reached at the start is tried every second for up to
           ${formatDuration(START_OUTAGE_MS)} (then exit 69), as queue work does; status and reset
           fail at once.
  reset    removes a queue nobody is in, and only if nobody took a ticket meanwhile;
           otherwise refuses with exit 75 (65 for one holding foreign data, left as it
           is, --force or not); the other queues named are still reset. --force removes one
           in use anyway: its waiters give up, its holders stop their command within a third
           of their --expire. Tickets and fencing tokens never repeat: the next user gets
           larger ones. Prints 'Reset "RES".' on stderr per queue removed; stdout stays empty.

A RES that does not exist is reported by status and reset ("No such queue") and changes
nothing; follow shows its events from its first user on. status names
a queue holding foreign data on stderr (coord: lock "RES": …) while it shows the others, then
exits 65. Names that start with "-" go after --: coord turn status -- -odd-name

Examples:
  coord turn status deploy
  coord turn follow | grep crashed
  coord turn reset deploy --force

Exit codes: 0 ok · 64 bad arguments · 65 foreign data · 69 backend unavailable
            75 reset refused: a queue in use, or activity during the reset

${BACKEND_FLAGS_HELP}`;

const VERBS: Record<string, (argv: string[]) => Promise<number>> = { status, follow, reset };

async function run(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb.startsWith("-")) {
    throw missingVerb("turn", argv, Object.keys(VERBS));
  }
  if (!Object.hasOwn(VERBS, verb)) {
    throw usage("turn", `unknown "${verb}": use status, follow or reset`);
  }
  return await VERBS[verb](rest);
}

async function status(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("turn", argv, {
    ...BACKEND_FLAGS,
    json: { type: "boolean" },
  }, { nameAfterDashDash: dashName("status") });
  const named = resourcesOf(positionals);
  await using backend = await openBackend("turn", values, { create: false });
  const reports = await ticketLines(backend, named);
  if (named === undefined && reports.length === 0) noQueues(backend.namespace);
  const tables: string[] = [];
  for (const { resource, status, foreign } of reports) {
    if (foreign) continue;
    if (status === undefined) console.error(`No such queue: ${quoted(resource)}.`);
    else if (values.json) console.log(JSON.stringify(statusRecord(resource, status)));
    else tables.push(statusTable(resource, status).join("\n"));
  }
  if (tables.length > 0) console.log(tables.join("\n\n"));
  // One queue another program wrote into hides none of the others; it still exits 65.
  return reportForeign(reports);
}

async function follow(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("turn", argv, BACKEND_FLAGS, {
    nameAfterDashDash: dashName("follow"),
  });
  const named = resourcesOf(positionals);
  // Following ends when interrupted: that is its normal end, hence 0 and not 128+N. Started
  // beside services while their server is away, it waits for it as they do, a stop meanwhile
  // its normal end too.
  await withSignals(async (signal) => {
    await using backend = await openServiceBackend("turn", values, signal);
    if (!backend) return;
    for await (const { resource, event } of await followTicketLines(backend, named, signal)) {
      if (!writeLine(eventLine(resource, event))) return;
    }
  });
  return ExitCode.ok;
}

async function reset(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("turn", argv, {
    ...BACKEND_FLAGS,
    force: { type: "boolean" },
  }, { nameAfterDashDash: dashName("reset") });
  const named = resourcesOf(positionals);
  await using backend = await openBackend("turn", values);
  const resources = named ?? await backend.lock.list();
  if (resources.length === 0) noQueues(backend.namespace);
  let refused: number | undefined;
  for (const resource of resources) {
    let result: Awaited<ReturnType<typeof resetTicketLine>>;
    try {
      // A listed name no user could give is another program's (a named one was checked).
      const foreign = named ? undefined : foreignName("resource name", resource);
      if (foreign) throw foreign;
      result = await resetTicketLine(backend, resource, { force: values.force });
    } catch (e) {
      // Left as it is, named; the other queues are still reset.
      if (!(e instanceof ForeignDataError)) throw e;
      console.error(errorLine(e.message));
      refused ??= e.exitCode;
      continue;
    }
    switch (result.outcome) {
      case "removed":
        // A confirmation, not data: stdout stays empty, as turn's console leaves it.
        console.error(`Reset ${quoted(resource)}.`);
        break;
      case "missing":
        // A listed queue that vanished meanwhile was reset by someone else: nothing to say.
        if (named !== undefined) console.error(`No such queue: ${quoted(resource)}.`);
        break;
      case "in-use":
        console.error(`${quoted(resource)} is in use by ${result.users} user(s).`);
        refused ??= ExitCode.timedOut;
        break;
      case "activity":
        console.error(`Activity detected for ${quoted(resource)}.`);
        refused ??= ExitCode.timedOut;
        break;
    }
  }
  return refused ?? ExitCode.ok;
}

/** How `verb` is given a RES starting with "-", for an unknown option's message to show. */
const dashName = (verb: string) => (name: string) => `coord turn ${verb} -- ${shellWord(name)}`;

/** The RES arguments, without repeats; undefined (every queue) when there are none. */
/** The resources named, checked before the backend is opened (or waited for: `follow`). */
function resourcesOf(positionals: string[]): string[] | undefined {
  const names = checkNames("resource name", [...new Set(positionals)]);
  return names.length > 0 ? names : undefined;
}

function noQueues(namespace: string): void {
  console.error(`No queues in namespace ${quoted(namespace)}.`);
}

// A listed name is stored text: one holding bidi controls (a name may) would reorder the line.
const quoted = (name: string) => printableJson(name);

/** Width of the name column of {@link statusTable}: a resource name or a user's label. */
const NAME_COLUMNS = 50;
/** Width of the number column of {@link statusTable}: the indicator or a ticket. */
const NUMBER_COLUMNS = 10;

/**
 * One event as `coord turn follow` prints it, e.g. `deploy: 5 assigned to "ci pid 7"`.
 *
 * @example
 * ```ts
 * import { eventLine } from "./turn.ts";
 * eventLine("deploy", { event: "bumped", from: 5, to: 7 }); // "deploy: bumps from 5 to 7"
 * ```
 */
export function eventLine(resource: string, event: LockEvent): string {
  return `${printable(resource)}: ${describe(event)}`;
}

function describe(e: LockEvent): string {
  switch (e.event) {
    case "assigned":
      return `${e.ticket} assigned to ${quotedLabel(e.label)}`;
    case "granted":
      return `${e.ticket} granted`;
    case "started":
      return `${e.ticket} started`;
    case "completed":
      return `${e.ticket} completed by ${quotedLabel(e.label)}`;
    case "left":
      return `${e.ticket} left (${quotedLabel(e.label)})`;
    case "crashed":
      return `${e.ticket} crashed! (${quotedLabel(e.label)})`;
    case "bumped":
      return `bumps from ${e.from} to ${e.to}`;
    case "reset":
      return "reset";
    default:
      // A newer coord's event: shown as it came rather than dropped.
      return JSON.stringify(e);
  }
}

/**
 * A queue as turn's console shows it: the resource name in 50 columns and the indicator
 * right-aligned in 10, 60 dashes, then each live user's label and ticket in the same columns,
 * in ticket order (the first `limit` hold the lock). A name too long for its column is cut
 * short with `…`.
 *
 * @example
 * ```ts
 * import { statusTable } from "./turn.ts";
 * statusTable("deploy", {
 *   tickets: 6,
 *   indicator: 5,
 *   limit: 1,
 *   users: [{ ticket: 5, label: "ci", since: 0, grantedAt: 1 }, { ticket: 6, label: "me", since: 2 }],
 * });
 * ```
 */
export function statusTable(resource: string, status: TicketLine): string[] {
  const row = (name: string, n: number) =>
    `${column(name, NAME_COLUMNS)}${String(n).padStart(NUMBER_COLUMNS)}`;
  return [
    row(resource, status.indicator),
    "-".repeat(NAME_COLUMNS + NUMBER_COLUMNS),
    ...status.users.map((user) => row(user.label, user.ticket)),
  ];
}

/** A label in double quotes, its quotes, backslashes and control characters escaped. */
function quotedLabel(text: string): string {
  return printableJson(text);
}

/** Pads `text` to `width` columns, or cuts it to `width - 1` and `…`. */
function column(text: string, width: number): string {
  const shown = printable(text);
  if (textWidth(shown) <= width) return padColumns(shown, width);
  let cut = "";
  for (const c of shown) {
    if (textWidth(cut + c) > width - 1) break;
    cut += c;
  }
  return padColumns(`${cut}…`, width);
}

/** The `coord turn` command. */
export const turnCommand: Command = { usage: USAGE, run };
