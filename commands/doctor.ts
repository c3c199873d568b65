/**
 * `coord doctor`: is the backend there, which one is it, how far away, how far off its clock,
 * and does the namespace hold data coord did not write.
 *
 * @module
 */

import { estimateClockOffset } from "../lib/clock.ts";
import { type Backend, SEARCH_STOPPED } from "../lib/backend/types.ts";
import { BackendRefusedError } from "../lib/errors.ts";
import { countedReads, READ_LIMIT, refusedReads } from "./doctor_reads.ts";
import type { Command } from "./command.ts";
import {
  BACKEND_FLAGS,
  BACKEND_FLAGS_HELP,
  openBackend,
  OUTPUT_FLAGS,
  parseFlags,
  usage,
} from "./flags.ts";
import { printable, writeLine } from "./output.ts";
import { evictionWarning } from "./eviction_warning.ts";

const USAGE = `Usage: coord doctor [--url URL] [--namespace NS] [--json]

Checks the backend: its kind and version, the round trip to it, this host's clock offset to
the backend's clock, the namespace, and keys (or tables) in the namespace holding data coord
did not write: the foreign line counts them, a line each says what it holds (a SQLite
table's foreign rows: 5, then how many more; a SQLite file's clock record another program
wrote, which every other command refuses, among them), and a warning on stderr gives the
count too. A queue a newer coord wrote (its records of a higher version) is counted apart,
on the newer line, with a warning of its own: run that coord there. Each queue's jobs are
read as "coord queue show" reads them (10,000 in all), and those it refuses are listed (5 a
queue, then how many more); on Redis, ids left in a queue's orders (pending, active, waiting,
finished) whose record another program deleted are named as "coord queue list" names them,
with its way out (10,000 ids in all, 5 an order, then how many more); every lock, barrier,
task and queue (the first ${READ_LIMIT} of each) is read as its status command reads it, and one
holding values coord never writes is named. An ACL user denied INFO or SCAN gets what it
may see: the engine line says what the ACL denies, and without SCAN only the keys of the
instances in coord's index of names are checked. A Redis that may evict keys under
memory pressure (a maxmemory with a
maxmemory-policy other than noeviction, on any master) gets an evicts line and a warning on
stderr: an evicted key is a job or a lock's line lost. Where nothing is stored yet (no
SQLite file, no Postgres schema, or an empty one: a mistyped --url or --namespace?) a stored
line says so, and nothing is created: no command that only looks creates it, nor writes
anything (a lapsed ticket or arrival is shown gone, and left to the next command that
writes; on SQLite an earlier coord's file is raised to this coord's schema version at any
open). A Postgres schema an earlier coord made is brought up to date, as by a command that
writes: run by its tables' owner, doctor is the way to upgrade tables a writer that does not
own them cannot alter (raising the schema version alone, any writer does).

Examples:
  coord doctor
  coord doctor --url redis://127.0.0.1:6379 --json

Exit codes: 0 reachable (even with warnings) · 64 bad flags or URL · 65 a SQLite file holding
            another program's data (not a database, not coord's, or damaged), or a Postgres
            schema holding another program's tables or functions · 69 backend unreachable, or
            the user lacks a grant coord needs (also when nothing is stored yet and the first
            write could not create it: a Postgres role without CREATE, a SQLite file whose
            directory does not exist); a role that may read gets the report first, then the
            grant it lacks (or the missing directory) on stderr

${BACKEND_FLAGS_HELP}`;

/** Readings taken to estimate the round trip and clock offset. */
const CLOCK_SAMPLES = 7;

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** `1 table`, `2 tables`. */
const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("doctor", argv, { ...BACKEND_FLAGS, ...OUTPUT_FLAGS });
  if (positionals.length > 0) throw usage("doctor", `unexpected argument "${positionals[0]}"`);
  // A look, yet it checks what the commands that write need. A role that may only read (a
  // dashboard's) is told what it lacks after the report, which it can still read: the report
  // alone said nothing but "GRANT CREATE".
  let refusal: Error | undefined;
  let opened: Backend;
  // The SQLite file's clock record another program wrote is one of the findings below.
  const look = { create: false, reportClockRecord: true };
  try {
    opened = await openBackend("doctor", values, { ...look, readOnly: false });
    // Nothing stored yet, and the first write could not store it: told as that write would
    // tell it (the other looks rightly read an empty store).
    refusal = opened.firstWriteRefusal;
  } catch (e) {
    if (!(e instanceof BackendRefusedError)) throw e;
    refusal = e;
    opened = await openBackend("doctor", values, { ...look, readOnly: true }).catch(() => {
      throw e;
    });
  }
  await using backend = opened;
  const engine = await backend.info();
  const clock = await estimateClockOffset(backend, { samples: CLOCK_SAMPLES });
  const found = await backend.findForeignData();
  const refused = await refusedReads(backend, found);
  // A newer coord's data is no other program's: its way out is that coord, not removing it.
  const newer = refused.filter((f) => f.newer).map(({ where, problem }) => ({ where, problem }));
  const read = refused.filter((f) => !f.newer);
  const foreign = [...found, ...read];
  // What is counted is where foreign data sits: one table may hold several foreign rows, and
  // one key several foreign jobs, each an entry of its own; then the names whose read refused.
  const places = new Set(found.map((f) => f.where).filter((where) => where !== SEARCH_STOPPED))
    .size;
  const noun = backend.kind === "sqlite" || backend.kind === "postgres" ? "table" : "key";
  const counts = [...places > 0 ? [counted(places, noun)] : [], ...countedReads(read)];
  const report = {
    backend: backend.kind,
    url: backend.displayUrl,
    engine: engine.engine,
    version: engine.version,
    details: engine.details,
    rtt_ms: round(clock.rttMs),
    clock_offset_ms: round(clock.offsetMs),
    namespace: backend.namespace,
    // False where nothing is stored yet (often a mistyped --namespace or path): doctor looks
    // without creating the file or schema.
    stored: backend.stored !== false,
    evicts: engine.evicts ?? null,
    foreign,
    newer,
  };
  if (values.json) {
    console.log(JSON.stringify(report));
  } else {
    const details = Object.entries(engine.details).map(([k, v]) => `${k} ${v}`).join(", ");
    const ahead = clock.offsetMs >= 0 ? "ahead of" : "behind";
    console.log([
      `backend     ${backend.displayUrl} (${backend.kind})`,
      `engine      ${engine.engine} ${engine.version} (${details})`,
      `round trip  ${report.rtt_ms} ms (best of ${CLOCK_SAMPLES})`,
      `clock       backend is ${Math.abs(report.clock_offset_ms)} ms ${ahead} this host ` +
      `(±${round(clock.rttMs / 2)} ms)`,
      `namespace   ${backend.namespace}`,
      ...report.stored ? [] : [`stored      nothing yet (${firstWrite(backend.kind, refusal)})`],
      ...engine.evicts === undefined ? [] : [`evicts      ${engine.evicts}`],
      `foreign     ${counts.length === 0 ? "none" : counts.join(", ")}`,
      // A key or table as stored; a name whose read refused, and every problem, quoted in JSON.
      ...found.map((f) => `  ${printable(f.where)}: ${printable(f.problem, { backslash: false })}`),
      ...read.map((f) => `  ${printable(`${f.where}: ${f.problem}`, { backslash: false })}`),
      ...newer.length === 0 ? [] : [`newer       ${countedReads(newer).join(", ")}`],
      ...newer.map((f) => `  ${printable(`${f.where}: ${f.problem}`, { backslash: false })}`),
    ].join("\n"));
  }
  if (counts.length > 0 && !values.quiet) {
    // Another program's table in a SQLite file is there whatever the namespace: another one
    // would not leave it. So are coord_meta's rows (the clock record), where they are all.
    const fileWide = backend.kind === "sqlite" &&
      (foreign.some((f) => f.problem === "not a coord table") ||
        foreign.every((f) => f.where === "table coord_meta"));
    const where = fileWide ? backend.displayUrl : `namespace "${backend.namespace}"`;
    const advice = fileWide
      ? "remove what it wrote, or choose another file with --url sqlite:PATH"
      : "use another --namespace";
    console.error(
      `coord: warning: ${counts.join(", ")} in ${where} ` +
        `${counts.length === 1 && counts[0].startsWith("1 ") ? "holds" : "hold"} data coord ` +
        `did not write — another program shares it; ${advice}`,
    );
  }
  if (newer.length > 0 && !values.quiet) {
    const newerCounts = countedReads(newer);
    console.error(
      `coord: warning: ${newerCounts.join(", ")} in namespace "${backend.namespace}" ` +
        `${newerCounts.length === 1 && newerCounts[0].startsWith("1 ") ? "holds" : "hold"} ` +
        `a newer coord's data, which this coord leaves as it is — run that newer coord there, ` +
        `or use another --namespace`,
    );
  }
  if (engine.evicts !== undefined && !values.quiet) {
    writeLine(evictionWarning(backend.displayUrl, engine.evicts), Deno.stderr);
  }
  if (refusal) throw refusal;
  return 0;
}

/** What the first command that writes does where nothing is stored yet. */
function firstWrite(kind: Backend["kind"], refusal: Error | undefined): string {
  const what = kind === "sqlite" ? "file" : "tables";
  return refusal
    ? `the first command that writes cannot create its ${what}: see below`
    : `coord creates its ${what} at the first command that writes`;
}

/** The `coord doctor` command. */
export const doctor: Command = { usage: USAGE, run };
