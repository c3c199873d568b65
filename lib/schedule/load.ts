/**
 * From a task file to a {@link Scheduler}'s tasks: a TypeScript/JavaScript module whose default
 * export registers them, or a crontab-style file of shell commands.
 *
 * @module
 */

import { isAbsolute, resolve } from "node:path";
import { UsageError, whyUnreadable } from "../errors.ts";
import { importModule } from "../module_loader.ts";
import { readUtf8File } from "../utf8_file.ts";
import { commandHandler, type CommandTaskOptions, type OutputSink } from "./command_task.ts";
import { type CrontabTask, parseCrontab, refuseUnparsableCommands } from "./crontab.ts";
import type { Scheduler } from "./scheduler.ts";

/** Files with these endings are modules; anything else is read as a crontab-style file. */
const MODULE_FILE = /\.(ts|mts|js|mjs|tsx|jsx)$/;

/**
 * Adds the tasks a file describes to `app`. A module's default export is called with the app
 * (`export default (app: Scheduler) => { app.task(…) }`); a crontab-style file's lines become
 * command tasks whose output goes to `output`, run with `commandOptions`. Returns a
 * crontab-style file's lines (none for a module), for checks of their commands.
 *
 * @throws {UsageError} when the file is missing, malformed, or its module fails to load.
 */
export async function loadTasks(
  app: Scheduler,
  file: string,
  output: OutputSink,
  commandOptions: CommandTaskOptions = {},
): Promise<CrontabTask[]> {
  const path = isAbsolute(file) ? file : resolve(file);
  let text: string | undefined;
  try {
    if (!MODULE_FILE.test(path)) text = await readUtf8File(path);
    else {
      const stat = await Deno.stat(path);
      if (stat.isDirectory) throw new Deno.errors.IsADirectory();
      if (!stat.isFile) throw new Error("not a regular file");
    }
  } catch (e) {
    throw new UsageError(`cannot read task file ${file}: ${whyUnreadable(e)}`);
  }
  if (text === undefined) {
    await loadModule(app, file, path);
    return [];
  }
  const lines = parseCrontab(file, text);
  await refuseUnparsableCommands(file, lines);
  for (const { options, command } of lines) {
    app.task(options, commandHandler(command, output, commandOptions));
  }
  return lines;
}

async function loadModule(app: Scheduler, file: string, path: string): Promise<void> {
  let module: { default?: unknown };
  try {
    module = await importModule(path);
  } catch (e) {
    throw new UsageError(`cannot load task module ${file}: ${firstLine(e)}`);
  }
  if (typeof module.default !== "function") {
    throw new UsageError(
      `${file} has no default export to call — write export default (app: Scheduler) => { … }`,
    );
  }
  try {
    await module.default(app);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${file}: ${e.message}`);
    throw new UsageError(`${file}: its default export failed: ${firstLine(e)}`);
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}
