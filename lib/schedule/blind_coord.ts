/**
 * Crontab lines that run `coord` itself without the scheduler's backend: a command coord runs
 * gets no `COORD_URL` unless `--pass-env` names it, so such a line would quietly use its own
 * default backend (the local SQLite file) instead of the one the scheduler uses.
 *
 * @module
 */

/** A command whose first word (after `NAME=value` assignments) is coord, by path or not. */
const RUNS_COORD = /^\s*(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(?:\S*\/)?coord(?:\s|$)/;

/** A command that names a backend itself: a --url flag, or COORD_URL set in the line. */
const NAMES_BACKEND = /(?:^|\s)--url(?:[=\s]|$)|(?:^|\s)COORD_URL=/;

/**
 * The crontab lines (`CrontabTask`s) of `tasks` that run coord without a backend of their own,
 * when the scheduler's backend is not the default one (`url` given) and `passEnv` does not pass
 * `COORD_URL` on.
 *
 * @example
 * ```ts
 * import { blindCoordLines } from "./blind_coord.ts";
 * const tasks = [{ command: "coord queue put q -- true", line: 3 }];
 * console.log(blindCoordLines(tasks, { url: "redis://10.0.0.5", passEnv: [] })); // [tasks[0]]
 * ```
 */
export function blindCoordLines<T extends { command: string }>(
  tasks: readonly T[],
  { url, passEnv }: { url: string | undefined; passEnv: readonly string[] },
): T[] {
  if (url === undefined || passEnv.includes("COORD_URL")) return [];
  return tasks.filter(({ command }) => RUNS_COORD.test(command) && !NAMES_BACKEND.test(command));
}
