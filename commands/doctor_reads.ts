/**
 * What `coord doctor` finds by reading every lock, barrier, task and queue as its status
 * command reads it: values only a read judges (a word where coord keeps a number, a count
 * below zero), which the search for keys and tables does not.
 *
 * @module
 */

import { type Backend, type ForeignEntry, SEARCH_STOPPED } from "../lib/backend/types.ts";
import { foreignName } from "../lib/backend/keys.ts";
import { barrierReports } from "../lib/barrier/barrier.ts";
import { type ForeignDataError, NewerDataError } from "../lib/errors.ts";
import { ticketLines } from "../lib/lock/console.ts";
import { queueReports } from "../lib/queue/queue.ts";
import { scheduleReports } from "../lib/schedule/status.ts";

/** Names of each kind read at most: a namespace with more is read in part, and says so. */
export const READ_LIMIT = 1_000;

/** The kinds read, as an entry's `where` starts (`lock "deploy"`) and as they are counted. */
const KINDS = { lock: "lock", barrier: "barrier", schedule: "task", queue: "queue" } as const;

/** A name whose read refused: `newer` when what it holds is a newer coord's, no other program's. */
export interface RefusedRead extends ForeignEntry {
  newer?: true;
}

/**
 * The entries of the names whose read refused foreign data, `where` being `lock "NAME"`, and a
 * {@link SEARCH_STOPPED} note per kind with more than {@link READ_LIMIT} names. A refusal of
 * what the search found already (the same key, or the same table and value) is left out.
 *
 * @example
 * ```ts
 * import { connect } from "../lib/backend/connect.ts";
 * import { refusedReads } from "./doctor_reads.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * await refusedReads(backend, []); // []
 * ```
 */
export async function refusedReads(
  backend: Backend,
  found: readonly ForeignEntry[],
): Promise<RefusedRead[]> {
  const names = await Promise.all([
    backend.lock.list(),
    backend.barrier.list(),
    backend.schedule.list(),
    backend.queue.list(),
  ]);
  // A lock's or a queue's name no user could give is another program's: named as such, not
  // read. (A barrier's and a task's are made of parts — a run id's, a dynamic instance's — and
  // are judged by their reads.)
  const misnamed = (["lock", "queue"] as const).flatMap((kind) =>
    names[kind === "lock" ? 0 : 3].slice(0, READ_LIMIT).flatMap((name) => {
      const foreign = foreignName(`${kind === "lock" ? "resource" : "queue"} name`, name);
      return foreign ? [{ kind, name, foreign }] : [];
    })
  );
  const [locks, , tasks, queues] = names.map((all) =>
    all.slice(0, READ_LIMIT).filter((name) => !misnamed.some((m) => m.name === name))
  );
  const [lockReads, barrierReads, taskReads, queueReads] = await Promise.all([
    ticketLines(backend, locks),
    barrierReports(backend, { limit: READ_LIMIT }),
    scheduleReports(backend, tasks),
    queueReports(backend, queues),
  ]);
  const reads: { kind: keyof typeof KINDS; name: string; foreign?: ForeignDataError }[] = [
    ...misnamed,
    ...lockReads.map((r) => ({ kind: "lock" as const, name: r.resource, foreign: r.foreign })),
    ...barrierReads.map((r) => ({ kind: "barrier" as const, ...r })),
    ...taskReads.map((r) => ({ kind: "schedule" as const, ...r })),
    ...queueReads.map((r) => ({ kind: "queue" as const, name: r.queue, foreign: r.foreign })),
  ];
  const refused = reads.flatMap(({ kind, name, foreign }) => {
    if (!foreign || found.some((f) => sameFinding(f, foreign.message))) return [];
    const where = `${kind} ${JSON.stringify(name)}`;
    const { message } = foreign;
    // Said once: `queue "q": …`, `queue "q", group "g": …`.
    const problem = message.startsWith(where) && /^[:,] /.test(message.slice(where.length))
      ? message.slice(where.length + 2)
      : message;
    return [{ where, problem, ...foreign instanceof NewerDataError && { newer: true as const } }];
  });
  const stopped = (Object.keys(KINDS) as (keyof typeof KINDS)[]).flatMap((kind, i) =>
    names[i].length > READ_LIMIT
      ? [{
        where: SEARCH_STOPPED,
        problem: `read the first ${READ_LIMIT} of ${names[i].length} ${KINDS[kind]}s`,
      }]
      : []
  );
  return [...refused, ...stopped];
}

/**
 * Counts of the names {@link refusedReads} found, by kind: `["1 lock", "2 tasks"]`.
 *
 * @example
 * ```ts
 * import { countedReads } from "./doctor_reads.ts";
 * countedReads([{ where: 'lock "a"', problem: "…" }, { where: 'lock "b"', problem: "…" }]);
 * // ["2 locks"]
 * ```
 */
export function countedReads(entries: readonly ForeignEntry[]): string[] {
  return Object.entries(KINDS).flatMap(([kind, noun]) => {
    const n = entries.filter((e) => e.where.startsWith(`${kind} "`)).length;
    return n === 0 ? [] : [`${n} ${noun}${n === 1 ? "" : "s"}`];
  });
}

/**
 * Whether a read's refusal is what the search found: the same key (Redis), or the same table
 * and value (a SQL table's entry names the row's value; past 5 rows, only how many more).
 */
function sameFinding(entry: ForeignEntry, message: string): boolean {
  const place = entry.where.replace(/^table /, "");
  return message.includes(place) &&
    (place === entry.where || message.includes(entry.problem) || /more rows/.test(entry.problem));
}
