/**
 * Imports a user's module (a schedule task file, a queue handler module) as `deno run` would
 * from its own project: with the import map of the `deno.json` or `package.json` nearest to
 * it. Deno resolves a dynamic import with the main module's configuration only — coord's — so
 * a module whose project maps `"mylib"` could not be imported as it is. Such a module is
 * bundled first by `deno bundle`, run in its project's directory (Deno's own config discovery
 * and resolution), keeping `coord` itself external: `import … from "coord"` still reaches this
 * coord.
 *
 * @module
 */

import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { childEnv } from "./subprocess.ts";

/** Config files Deno reads a project's import map from, nearest first within a directory. */
const CONFIG_FILES = ["deno.json", "deno.jsonc", "package.json"];
/** coord's own project: a module in it needs no bundling. */
const COORD_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Imports the module at `path` with its own project's import map.
 *
 * @throws {Error} with the first line of Deno's message when it cannot be bundled or imported.
 * @example
 * ```ts ignore
 * const { default: setup } = await importModule("/srv/app/tasks.ts");
 * ```
 */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  const project = await projectOf(path);
  if (project === undefined || project === COORD_ROOT) {
    return await import(pathToFileURL(resolve(path)).href);
  }
  const dir = await Deno.makeTempDir({ prefix: "coord-module-" });
  try {
    const bundle = join(dir, "module.mjs");
    const { success, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform=deno",
        "--external=coord",
        "--external=coord/*",
        `--output=${bundle}`,
        resolve(path),
      ],
      cwd: project,
      env: bundlerEnv(),
      clearEnv: true,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!success) {
      const why = new TextDecoder().decode(stderr).trim();
      const first = why.split("\n").find((line) => line.trim() !== "") ?? "deno bundle failed";
      throw new Error(first.replace(/^error: /, ""));
    }
    return await import(pathToFileURL(bundle).href);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * The bundler's environment: coord's less its own variables and the passwords every child goes
 * without (`WITHHELD_ENV` of `subprocess.ts`: `PGPASSWORD` too), without colours.
 *
 * @example
 * ```ts ignore
 * Deno.env.set("PGPASSWORD", "s3cret");
 * "PGPASSWORD" in bundlerEnv(); // false
 * ```
 */
export function bundlerEnv(): Record<string, string> {
  const env = childEnv({ NO_COLOR: "1" });
  for (const name of Object.keys(env)) if (name.startsWith("COORD_")) delete env[name];
  return env;
}

/** The directory of the config file nearest to `path`, or undefined when there is none. */
async function projectOf(path: string): Promise<string | undefined> {
  for (let dir = dirname(resolve(path));; dir = dirname(dir)) {
    for (const name of CONFIG_FILES) {
      try {
        if ((await Deno.stat(join(dir, name))).isFile) return dir;
      } catch {
        // not here
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}
